"""Governance's own sources of relationships: self-claimed relationships and
break-glass uses, each in force until it expires."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from joinedup.governance.models import (
    BreakGlass,
    RelationshipClaim,
    RelationshipKind,
)
from joinedup.governance.services.relationships import Row, Source, source_register


def _expiring(
    kind: str, source: str, started: str, detail: str
) -> Callable[[Iterable[Any], dt.datetime], Iterator[Row]]:
    """Rows for overrides that give access until they expire: the user, in the
    organisation they acted for, from `started` to `expires_at`."""

    def rows(objects: Iterable[Any], now: dt.datetime) -> Iterator[Row]:
        for obj in objects:
            if obj.expires_at > now:
                yield Row(
                    person_id=obj.person_id,
                    kind=kind,
                    source_app=source,
                    source_ref=str(obj.pk),
                    user_id=obj.user_id,
                    organisation_id=obj.organisation_id,
                    detail=getattr(obj, detail),
                    ended_at=obj.expires_at,
                    started_at=getattr(obj, started),
                )

    return rows


_claims = _expiring(
    RelationshipKind.SELF_CLAIMED, "governance.claim", "claimed_at", "role"
)
_break_glass = _expiring(
    RelationshipKind.BREAK_GLASS, "governance.break_glass", "started_at", "reason"
)


def register() -> None:
    source_register(
        Source(
            "governance.claim",
            RelationshipClaim,
            _claims,
            fields=frozenset({"expires_at", "person", "user", "organisation"}),
        )
    )
    source_register(
        Source(
            "governance.break_glass",
            BreakGlass,
            _break_glass,
            fields=frozenset({"expires_at", "person", "user", "organisation"}),
        )
    )
