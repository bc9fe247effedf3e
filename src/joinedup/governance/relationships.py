"""Governance's own sources of relationships: self-claimed relationships and
break-glass uses, each in force until it expires."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from joinedup.governance.models import (
    BreakGlass,
    RelationshipClaim,
    RelationshipKind,
)
from joinedup.governance.services.relationships import Row, Source, source_register


def _claims(objects: Iterable[RelationshipClaim], now: dt.datetime) -> Iterator[Row]:
    for claim in objects:
        if claim.expires_at > now:
            yield Row(
                person_id=claim.person_id,
                kind=RelationshipKind.SELF_CLAIMED,
                source_app="governance.claim",
                source_ref=str(claim.pk),
                user_id=claim.user_id,
                organisation_id=claim.organisation_id,
                detail=claim.role,
                ended_at=claim.expires_at,
                started_at=claim.claimed_at,
            )


def _break_glass(objects: Iterable[BreakGlass], now: dt.datetime) -> Iterator[Row]:
    for use in objects:
        if use.expires_at > now:
            yield Row(
                person_id=use.person_id,
                kind=RelationshipKind.BREAK_GLASS,
                source_app="governance.break_glass",
                source_ref=str(use.pk),
                user_id=use.user_id,
                organisation_id=use.organisation_id,
                detail=use.reason,
                ended_at=use.expires_at,
                started_at=use.started_at,
            )


def register() -> None:
    source_register(
        Source(
            "governance.claim",
            RelationshipClaim,
            _claims,  # type: ignore[arg-type]
            fields=frozenset({"expires_at", "person", "user", "organisation"}),
        )
    )
    source_register(
        Source(
            "governance.break_glass",
            BreakGlass,
            _break_glass,  # type: ignore[arg-type]
            fields=frozenset({"expires_at", "person", "user", "organisation"}),
        )
    )
