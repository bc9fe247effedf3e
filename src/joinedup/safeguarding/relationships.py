"""Safeguarding's source of relationships: membership of a case (enquiry
officer, strategy or conference member, core group, lead practitioner, team
around the family) opens the person's record until the member leaves (ADR 0006).
The content of the case is then shown by `rules.content_visible`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from joinedup.governance.models import RelationshipKind
from joinedup.governance.services.relationships import Row, Source, source_register
from joinedup.safeguarding.models import CaseMember

SOURCE = "safeguarding.member"


def _members(objects: Iterable[CaseMember], now: dt.datetime) -> Iterator[Row]:
    for member in objects:
        if member.ended_at is None or member.ended_at > now:
            yield Row(
                person_id=member.person_id,
                kind=RelationshipKind.CARE_TEAM,
                source_app=SOURCE,
                source_ref=str(member.pk),
                user_id=member.user_id,
                organisation_id=member.organisation_id,
                detail=member.role,
                started_at=member.started_at,
            )


def register() -> None:
    source_register(
        Source(
            SOURCE,
            CaseMember,
            _members,  # type: ignore[arg-type]
            fields=frozenset({"ended_at", "user", "organisation", "person", "role"}),
        )
    )
