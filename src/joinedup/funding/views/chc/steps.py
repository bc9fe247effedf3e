"""One page per step of a case: Checklist, Decision Support Tool, the MDT's
recommendation, the ICB's decision, breach reason and closing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from joinedup.errors import InvalidInput
from joinedup.funding.models.chc import (
    Outcome,
    Profession,
)
from joinedup.funding.rules.chc import CHECKLIST_DOMAINS, CHECKLIST_SCORES, DST_DOMAINS
from joinedup.funding.services import chc as services
from joinedup.funding.views.chc.common import (
    DOMAIN_LABELS,
    LEVEL_LABELS,
    MDT_ROWS,
    case_step,
    domain_errors_friendly,
    form_dates,
    form_int,
    form_yes_no,
    raise_with,
)
from joinedup.web.problems import problem_pages


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def checklist(request: HttpRequest, case_id: int) -> HttpResponse:
    p = request.POST

    def write(actor: Any) -> object:
        errors: dict[str, str] = {}
        on = form_dates(p, "completed_on", errors=errors)["completed_on"]
        scores = {d: p.get(f"domains.{d}", "") for d in CHECKLIST_DOMAINS}
        scores = {d: s for d, s in scores.items() if s}
        try:
            return services.checklist_record(
                actor=actor, case_id=case_id, scores=scores, completed_on=on
            )
        except InvalidInput as exc:
            raise_with(
                errors,
                InvalidInput(
                    exc.detail, fields=domain_errors_friendly(exc.fields, "a score")
                ),
            )
            raise

    domains = [
        (d, DOMAIN_LABELS[d], "priority" in DST_DOMAINS[d]) for d in CHECKLIST_DOMAINS
    ]
    return case_step(
        request,
        case_id,
        template="funding/chc_checklist.html",
        action="view_chc_checklist",
        write=write,
        extra={"domains": domains, "scores": CHECKLIST_SCORES},
    )


def _members(p: Any) -> list[services.MdtMemberIn]:
    found = []
    for i in range(MDT_ROWS):
        name = p.get(f"members.{i}.name", "").strip()
        profession = p.get(f"members.{i}.profession", "")
        org = p.get(f"members.{i}.organisation", "")
        if name or profession:
            found.append(services.MdtMemberIn(name, profession, org))
    return found


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def dst(request: HttpRequest, case_id: int) -> HttpResponse:
    p = request.POST

    def write(actor: Any) -> object:
        errors: dict[str, str] = {}
        on = form_dates(p, "completed_on", errors=errors)["completed_on"]
        levels = {d: p.get(f"domains.{d}", "") for d in DST_DOMAINS}
        levels = {d: v for d, v in levels.items() if v}
        evidence = {d: p.get(f"evidence.{d}", "") for d in DST_DOMAINS}
        try:
            return services.dst_record(
                actor=actor,
                case_id=case_id,
                levels=levels,
                evidence=evidence,
                members=_members(p),
                nature=p.get("nature", ""),
                intensity=p.get("intensity", ""),
                complexity=p.get("complexity", ""),
                unpredictability=p.get("unpredictability", ""),
                completed_on=on,
            )
        except InvalidInput as exc:
            raise_with(
                errors,
                InvalidInput(
                    exc.detail, fields=domain_errors_friendly(exc.fields, "a level")
                ),
            )
            raise

    domains = [
        (d, DOMAIN_LABELS[d], [(lv, LEVEL_LABELS[lv]) for lv in levels])
        for d, levels in DST_DOMAINS.items()
    ]
    return case_step(
        request,
        case_id,
        template="funding/chc_dst.html",
        action="view_chc_dst",
        write=write,
        extra={
            "domains": domains,
            "mdt_rows": range(MDT_ROWS),
            "professions": Profession.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def recommendation(request: HttpRequest, case_id: int) -> HttpResponse:
    p = request.POST

    def write(actor: Any) -> object:
        errors: dict[str, str] = {}
        on = form_dates(p, "recommended_on", errors=errors)["recommended_on"]
        try:
            return services.recommendation_record(
                actor=actor,
                case_id=case_id,
                primary_health_need=form_yes_no(p.get("primary_health_need", "")),
                rationale=p.get("rationale", ""),
                recommended_on=on,
            )
        except InvalidInput as exc:
            raise_with(errors, exc)
            raise

    return case_step(
        request,
        case_id,
        template="funding/chc_recommendation.html",
        action="view_chc_recommendation",
        write=write,
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def decision(request: HttpRequest, case_id: int) -> HttpResponse:
    p = request.POST

    def write(actor: Any) -> object:
        errors: dict[str, str] = {}
        on = form_dates(p, "decided_on", "effective_from", errors=errors)
        share = form_int(p.get("nhs_share_percent", ""), "nhs_share_percent", errors)
        try:
            return services.decision_record(
                actor=actor,
                case_id=case_id,
                outcome=p.get("outcome", ""),
                nhs_share_percent=share,
                effective_from=on["effective_from"],
                decided_on=on["decided_on"],
                decision_maker_role=p.get("decision_maker_role", ""),
                rationale=p.get("rationale", ""),
                breach_reason=p.get("breach_reason", ""),
            )
        except InvalidInput as exc:
            raise_with(errors, exc)
            raise

    return case_step(
        request,
        case_id,
        template="funding/chc_decision.html",
        action="view_chc_decision",
        write=write,
        extra={"outcomes": Outcome.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def close(request: HttpRequest, case_id: int) -> HttpResponse:
    p = request.POST

    def write(actor: Any) -> object:
        if p.get("what") == "breach_reason":
            return services.breach_reason_record(
                actor=actor, case_id=case_id, reason=p.get("breach_reason", "")
            )
        return services.chc_case_close(
            actor=actor,
            case_id=case_id,
            reason=p.get("reason", ""),
            breach_reason=p.get("breach_reason", ""),
        )

    return case_step(
        request,
        case_id,
        template="funding/chc_close.html",
        action="view_chc_close",
        write=write,
    )
