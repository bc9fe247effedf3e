"""Reads for the integration team's pages. The quarantine holds personal data (raw
messages and rows): only the `admin` role (the integration team) may read it, and
every read of an item's raw content is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Sum

from joinedup.errors import AccessRefused, NotFound
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import Role
from joinedup.governance.services import audit_record
from joinedup.interop.models import (
    DailyTotal,
    InboundMessage,
    QuarantineItem,
    QuarantineStatus,
)


def integration_access_check(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise AccessRefused(
            "The integration pages hold personal data: only the integration team "
            "(role admin) may see them"
        )


@dataclass(frozen=True)
class QuarantineFilters:
    status: str = QuarantineStatus.OPEN
    source: str = ""
    kind: str = ""


def quarantine_page(
    *, actor: Actor, filters: QuarantineFilters, page: int = 1, page_size: int = 25
) -> Page:
    """Quarantined items, newest first (no raw content in the list)."""
    integration_access_check(actor)
    items = QuarantineItem.objects.defer("raw")
    if filters.status in QuarantineStatus.values:
        items = items.filter(status=filters.status)
    if filters.source:
        items = items.filter(source=filters.source)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    return Paginator(items.order_by("-received_at", "-id"), page_size).get_page(page)


def quarantine_sources() -> list[str]:
    return sorted(QuarantineItem.objects.values_list("source", flat=True).distinct())


def quarantine_item_get(*, actor: Actor, item_id: int) -> QuarantineItem:
    """One item with its raw content (personal data: the read is audited)."""
    integration_access_check(actor)
    item = (
        QuarantineItem.objects.select_related("resolved_by").filter(pk=item_id).first()
    )
    if item is None:
        raise NotFound(f"quarantine item {item_id} not found")
    audit_record(
        actor=actor,
        person_id=None,
        action="view_quarantine_item",
        category="",
        decision=Decision(True, f"quarantine item {item_id}", via="integration_team"),
    )
    return item


@dataclass(frozen=True)
class SourceDay:
    source: str
    day: dt.date
    received: int
    applied: int
    duplicate: int
    quarantined: int


def totals_by_source_day(*, actor: Actor, days: int = 14) -> list[DailyTotal]:
    integration_access_check(actor)
    return list(DailyTotal.objects.order_by("-day", "source")[: days * 20])


def quarantine_open_counts(*, actor: Actor) -> dict[str, int]:
    integration_access_check(actor)
    rows = (
        QuarantineItem.objects.filter(status=QuarantineStatus.OPEN)
        .values("source")
        .annotate(n=Count("id"))
    )
    return {r["source"]: r["n"] for r in rows}


def totals_overall(*, actor: Actor) -> dict[str, int]:
    integration_access_check(actor)
    sums = DailyTotal.objects.aggregate(
        received=Sum("received"),
        applied=Sum("applied"),
        duplicate=Sum("duplicate"),
        quarantined=Sum("quarantined"),
    )
    return {k: v or 0 for k, v in sums.items()}


def journal_waiting_summary(*, actor: Actor) -> dict[str, object]:
    """HL7 v2 messages the MLLP listener has accepted (answered AA) that the
    journal worker has not applied yet: how many, and since when."""
    integration_access_check(actor)
    oldest = (
        InboundMessage.objects.order_by("pk")
        .values_list("received_at", flat=True)
        .first()
    )
    return {"count": InboundMessage.objects.count(), "oldest": oldest}
