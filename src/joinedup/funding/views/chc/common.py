"""Shared parts of the CHC pages: parsing typed input and
the one-page-per-step pattern (GET the form, POST the write)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from joinedup.errors import InvalidInput
from joinedup.funding.selectors import chc as selectors
from joinedup.funding.services import chc as services
from joinedup.web.actors import request_actor
from joinedup.web.problems import form_date, write_then_redirect

MDT_ROWS = 4
DOMAIN_LABELS = {
    "behaviour": "Behaviour",
    "cognition": "Cognition",
    "psychological_emotional": "Psychological and emotional needs",
    "communication": "Communication",
    "mobility": "Mobility",
    "nutrition": "Nutrition",
    "continence": "Continence",
    "skin_integrity": "Skin integrity",
    "breathing": "Breathing",
    "drug_therapies": "Drug therapies and medication",
    "altered_states_of_consciousness": "Altered states of consciousness",
    "other": "Other significant care needs",
}
LEVEL_LABELS = {
    "no_needs": "No needs",
    "low": "Low",
    "moderate": "Moderate",
    "high": "High",
    "severe": "Severe",
    "priority": "Priority",
}


def _date(raw: str, field: str, *, required: bool = True) -> dt.date | None:
    return form_date(raw, field, required=required)


def form_dates(
    p: Any, *names: str, errors: dict[str, str]
) -> dict[str, dt.date | None]:
    found: dict[str, dt.date | None] = {}
    for name in names:
        try:
            found[name] = _date(p.get(name, ""), name)
        except InvalidInput as exc:
            errors.update(exc.fields)
            found[name] = None
    return found


def form_int(raw: str, field: str, errors: dict[str, str]) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors[field] = "enter a whole number"
        return None


def domain_errors_friendly(fields: dict[str, str], what: str) -> dict[str, str]:
    """Plain words on the form for a domain left unanswered."""
    out = {}
    for key, message in fields.items():
        domain = key.removeprefix("domains.")
        if key.startswith("domains.") and message.endswith("is missing"):
            message = f"Choose {what} for {DOMAIN_LABELS.get(domain, domain).lower()}"
        out[key] = message
    return out


def form_yes_no(raw: str) -> bool | None:
    return {"yes": True, "no": False}.get(raw or "")


def raise_with(errors: dict[str, str], exc: InvalidInput | None = None) -> None:
    """Raise the parse errors together with the service's."""
    if exc is not None:
        errors = exc.fields | errors
    if errors:
        raise InvalidInput("; ".join(errors.values()), fields=errors)


def default_icb(actor: Any, icbs: list[Any]) -> str:
    if any(o.pk == actor.organisation_id for o in icbs):
        return str(actor.organisation_id)
    return str(icbs[0].pk) if len(icbs) == 1 else ""


def default_council(actor: Any) -> str:
    councils = selectors.councils_list()
    if any(o.pk == actor.organisation_id for o in councils):
        return str(actor.organisation_id)
    return str(councils[0].pk) if len(councils) == 1 else ""


def today_as_text() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


# --- one page per step ----------------------------------------------------------


def case_step(
    request: HttpRequest,
    case_id: int,
    *,
    template: str,
    action: str,
    write: Callable[[Any], object],
    extra: dict[str, object] | None = None,
    after: Callable[[Any], str] | None = None,
    initial: dict[str, str] | None = None,
) -> HttpResponse:
    """GET: the form (the record is opened and audited). POST: the write; on
    invalid input the form again with the error summary, nothing saved."""
    actor = request_actor(request)

    def page(errors: dict[str, str], form: dict[str, Any]) -> HttpResponse:
        case, access = selectors.case_open(actor=actor, case_id=case_id, action=action)
        context: dict[str, object] = {
            "case": case,
            "person": access.person,
            "errors": errors,
            "form": form,
            "today_text": today_as_text(),
            "may_work": services.is_icb_assessor(actor, case),
            "domain_labels": DOMAIN_LABELS,
            "level_labels": LEVEL_LABELS,
        } | (extra or {})
        return render(request, template, context)

    def then(result: object) -> str:
        if after is not None:
            return after(result)
        person_id = selectors.case_person_id(case_id=case_id)
        return reverse("chc_person", args=[person_id])

    if request.method == "POST":
        return write_then_redirect(
            lambda: write(actor),
            to=then,
            form=lambda errors: page(errors, request.POST.dict()),
        )
    return page({}, dict(initial or {}))
