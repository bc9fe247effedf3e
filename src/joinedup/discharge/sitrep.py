"""The daily discharge sitrep per site per day (DESIGN 4.2): patients not meeting
the criteria to reside; of those discharged, by pathway; of those remaining, by
length of delay, by reason and by agency. Computed as the records stood at the end
of the day, and kept once the day is over so it is shown again identically."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from typing import Any

from django.utils import timezone

from joinedup.discharge import rules
from joinedup.discharge.models import (
    DelayReason,
    HospitalStay,
    Readiness,
    SitrepDay,
    StaySetting,
    VirtualWard,
)
from joinedup.discharge.selectors import latest_for_stay, refusal_audited
from joinedup.errors import InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.services import audit_record

NOT_RECORDED = "not_recorded"
READY_TODAY = "0"


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def sitrep_figures(rows: list[dict[str, Any]], *, day: dt.date) -> dict[str, Any]:
    """Pure: the sitrep of one day from one row per stay in hospital that day with
    a readiness in force at its end (ready_on, discharged_on, pathway, reason,
    agency)."""
    ready = [r for r in rows if r["ready_on"] is not None and r["ready_on"] <= day]
    discharged = [r for r in ready if r["discharged_on"] == day]
    remaining = [
        r for r in ready if r["discharged_on"] is None or r["discharged_on"] > day
    ]
    pathways = Counter(r["pathway"] or NOT_RECORDED for r in discharged)
    buckets = Counter(
        rules.delay_bucket((day - r["ready_on"]).days) or READY_TODAY for r in remaining
    )
    return {
        "day": day.isoformat(),
        "not_meeting_criteria_to_reside": len(ready),
        "discharged": len(discharged),
        "discharged_by_pathway": {
            p: pathways.get(p, 0) for p in [*rules.PATHWAYS, NOT_RECORDED]
        },
        "remaining": len(remaining),
        "remaining_by_delay": {
            b: buckets.get(b, 0)
            for b in [READY_TODAY, *(label for label, _, _ in rules.DELAY_BUCKETS)]
        },
        "remaining_by_reason": {
            k: sum(1 for r in remaining if (r["reason"] or NOT_RECORDED) == k)
            for k in [*rules.REASONS, NOT_RECORDED]
        },
        "remaining_by_agency": {
            k: sum(1 for r in remaining if (r["agency"] or NOT_RECORDED) == k)
            for k in [*rules.AGENCIES, NOT_RECORDED]
        },
    }


def _sitrep_rows(*, organisation_id: int, site: str, day: dt.date) -> list[dict]:
    start, end = _day_bounds(day)
    stays = (
        HospitalStay.objects.filter(
            organisation_id=organisation_id, site=site, admitted_at__lt=end
        )
        .exclude(discharged_at__lt=start)
        .annotate(
            r_ready_on=latest_for_stay(Readiness, "ready_on", before=end),
            r_pathway=latest_for_stay(Readiness, "expected_pathway", before=end),
            d_reason=latest_for_stay(DelayReason, "reason", before=end),
            d_agency=latest_for_stay(DelayReason, "agency", before=end),
        )
        .filter(r_ready_on__isnull=False)
        .values(
            "discharged_at",
            "discharge_pathway",
            "r_ready_on",
            "r_pathway",
            "d_reason",
            "d_agency",
        )
    )
    return [
        {
            "ready_on": s["r_ready_on"],
            "discharged_on": (
                timezone.localdate(s["discharged_at"])
                if s["discharged_at"] is not None and s["discharged_at"] < end
                else None
            ),
            "pathway": s["discharge_pathway"] or s["r_pathway"] or "",
            "reason": s["d_reason"] or "",
            "agency": s["d_agency"] or "",
        }
        for s in stays
    ]


def virtual_ward_figures(
    *, organisation_id: int, site: str, day: dt.date
) -> dict[str, int] | None:
    """For a virtual ward's site: its beds, the places occupied at the end of the
    day, and the admissions and discharges of the day; None for other sites."""
    ward = VirtualWard.objects.filter(
        organisation_id=organisation_id, site=site
    ).first()
    if ward is None:
        return None
    start, end = _day_bounds(day)
    stays = HospitalStay.objects.filter(
        organisation_id=organisation_id, site=site, setting=StaySetting.VIRTUAL_WARD
    )
    occupied = stays.filter(admitted_at__lt=end).exclude(discharged_at__lt=end).count()
    return {
        "beds": ward.beds,
        "occupied": occupied,
        "free": max(ward.beds - occupied, 0),
        "admitted": stays.filter(admitted_at__gte=start, admitted_at__lt=end).count(),
        "discharged": stays.filter(
            discharged_at__gte=start, discharged_at__lt=end
        ).count(),
    }


def sitrep_get(*, actor: Actor, site: str, day: dt.date) -> dict[str, Any]:
    """The sitrep of one of the actor's hospital's sites for one day. A day that
    is over is kept the first time it is produced, and shown from then on as
    kept. One audit entry."""
    if actor.role != Role.DISCHARGE_COORDINATOR:
        raise refusal_audited(
            actor, "sitrep", "the sitrep is for discharge coordinators"
        )
    today = timezone.localdate()
    if day > today:
        raise InvalidInput.for_field("date", "the sitrep date cannot be in the future")
    if not site:
        raise InvalidInput.for_field("site", "choose a site")
    kept = SitrepDay.objects.filter(
        organisation_id=actor.organisation_id, site=site, day=day
    ).first()
    if kept is not None:
        figures = kept.figures
    else:
        rows = _sitrep_rows(organisation_id=actor.organisation_id, site=site, day=day)
        figures = {"site": site, **sitrep_figures(rows, day=day)}
        ward = virtual_ward_figures(
            organisation_id=actor.organisation_id, site=site, day=day
        )
        if ward is not None:
            figures["virtual_ward"] = ward
        if day < today:
            SitrepDay.objects.get_or_create(
                organisation_id=actor.organisation_id,
                site=site,
                day=day,
                defaults={"figures": figures, "generated_at": timezone.now()},
            )
    audit_record(
        actor=actor,
        person_id=None,
        action="sitrep",
        category=AccessCategory.HEALTH,
        decision=Decision(True, "aggregate figures for one site and day"),
    )
    return figures


def sitrep_table(figures: dict[str, Any]) -> list[tuple[str, str, int]]:
    """The sitrep as (measure, breakdown, count) rows, for the page and exports."""
    rows = [
        (
            "Not meeting criteria to reside",
            "all",
            figures["not_meeting_criteria_to_reside"],
        ),
        ("Discharged", "all", figures["discharged"]),
    ]
    rows += [
        ("Discharged by pathway", k, v)
        for k, v in figures["discharged_by_pathway"].items()
    ]
    rows.append(("Remaining", "all", figures["remaining"]))
    for key, title in (
        ("remaining_by_delay", "Remaining by days delayed"),
        ("remaining_by_reason", "Remaining by delay reason"),
        ("remaining_by_agency", "Remaining by responsible agency"),
    ):
        rows += [(title, k, v) for k, v in figures[key].items()]
    rows += [
        ("Virtual ward places", k, v)
        for k, v in figures.get("virtual_ward", {}).items()
    ]
    return rows


HEADER = ("site", "date", "measure", "breakdown", "count")


def sitrep_csv(figures: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for measure, breakdown, count in sitrep_table(figures):
        writer.writerow((figures["site"], figures["day"], measure, breakdown, count))
    return out.getvalue()


def sitrep_xlsx(figures: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sitrep")
    sheet.append(HEADER)
    for measure, breakdown, count in sitrep_table(figures):
        sheet.append((figures["site"], figures["day"], measure, breakdown, count))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
