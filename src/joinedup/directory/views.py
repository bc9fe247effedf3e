"""Directory and social prescribing pages: search the directory, one service,
import and export ORUK JSON (editors), the link worker's referrals and caseload,
one case (what matters, ONS4 before and after, connections), a person's cases,
and commissioners' figures. Bad input names the field and saves nothing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.coordination.models import ConsentBasis
from joinedup.directory import rules
from joinedup.directory.models import ConnectionStatus, ServiceStatus, WellbeingWhen
from joinedup.directory.selectors import (
    directory_export,
    directory_imports,
    directory_needs,
    directory_search,
    service_get,
    sp_case_detail,
    sp_caseload,
    sp_figures,
    sp_person_cases,
    sp_referrals_waiting,
)
from joinedup.directory.selectors.figures import DIMENSIONS
from joinedup.directory.services import (
    case_close,
    case_decline,
    case_open_from_referral,
    case_open_self_referral,
    connection_outcome,
    connection_send,
    directory_import,
    service_update,
    wellbeing_record,
    what_matters_record,
)
from joinedup.directory.services.catalogue import directory_may_edit
from joinedup.errors import AccessRefused, DomainError, InvalidInput
from joinedup.governance.models import Role
from joinedup.people.nhs_number import nhs_number_parse
from joinedup.people.selectors import person_id_for_nhs_number
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_page

UPLOAD_MAX = 10 * 1024 * 1024


def _int(raw: str | None, field: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput.for_field(field, "must be a whole number") from None


def _float(raw: str | None, field: str) -> float | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput.for_field(field, "must be a number of kilometres") from None
    if not 0 < value <= 200:
        raise InvalidInput.for_field(field, "must be between 0 and 200 km")
    return value


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    request_actor(request)
    g = request.GET
    context: dict[str, object] = {
        "needs": directory_needs(),
        "form": g.dict(),
        "searched": bool(g),
        "may_edit": directory_may_edit(request_actor(request)),
    }
    try:
        context["results"] = directory_search(
            need=g.get("need", ""),
            text=g.get("q", ""),
            postcode=g.get("postcode", ""),
            within_km=_float(g.get("within"), "within"),
            age=_int(g.get("age"), "age"),
            circumstance=g.get("circumstance", ""),
        )
    except InvalidInput as exc:
        context["errors"] = exc.fields
        context["results"] = []
        return render(request, "directory/search.html", context, status=400)
    return render(request, "directory/search.html", context)


@login_required
@require_GET
def service(request: HttpRequest, service_id: int) -> HttpResponse:
    request_actor(request)
    try:
        found = service_get(service_id=service_id)
    except DomainError as exc:
        return problem_page(request, exc)
    return render(
        request,
        "directory/service.html",
        {"service": found, "may_edit": directory_may_edit(request_actor(request))},
    )


def _age(raw: str | None, field: str) -> int | None:
    value = _int(raw, field)
    if value is not None and not 0 <= value <= 130:
        raise InvalidInput.for_field(field, "must be between 0 and 130")
    return value


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    """A directory editor changes one service's status, description and ages."""
    actor = request_actor(request)
    if not directory_may_edit(actor):
        return problem_page(
            request,
            AccessRefused(
                "Only a directory editor in a voluntary sector organisation or a "
                "council can change the service directory."
            ),
        )
    try:
        found = service_get(service_id=service_id)
    except DomainError as exc:
        return problem_page(request, exc)
    context: dict[str, object] = {
        "service": found,
        "statuses": ServiceStatus.choices,
        "errors": {},
        "form": {
            "status": found.status,
            "description": found.description,
            "minimum_age": "" if found.minimum_age is None else found.minimum_age,
            "maximum_age": "" if found.maximum_age is None else found.maximum_age,
        },
    }
    if request.method == "GET":
        return render(request, "directory/service_edit.html", context)
    p = request.POST
    errors: dict[str, str] = {}
    ages: dict[str, int | None] = {}
    for name in ("minimum_age", "maximum_age"):
        try:
            ages[name] = _age(p.get(name), name)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if not errors:
        try:
            service_update(
                actor=actor,
                service_id=service_id,
                status=p.get("status", ""),
                description=p.get("description", ""),
                minimum_age=ages["minimum_age"],
                maximum_age=ages["maximum_age"],
            )
        except InvalidInput as exc:
            errors.update(exc.fields)
        except DomainError as exc:
            return problem_page(request, exc)
    if errors:
        context.update(errors=errors, form=p.dict())
        return render(request, "directory/service_edit.html", context, status=400)
    return HttpResponseRedirect(reverse("directory_service", args=[service_id]))


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    request_actor(request)
    response = JsonResponse(
        directory_export(), safe=False, json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="directory-oruk.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    context: dict[str, object] = {
        "imports": directory_imports(),
        "may_edit": directory_may_edit(actor),
    }
    if request.method == "GET":
        return render(request, "directory/import.html", context)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput.for_field("file", "choose an ORUK JSON file")
        if upload.size and upload.size > UPLOAD_MAX:
            raise InvalidInput.for_field("file", "must be 10 MB or smaller")
        record = directory_import(
            actor=actor, content=upload.read(), filename=upload.name or ""
        )
    except InvalidInput as exc:
        context["errors"] = (
            {"file": exc.fields["file"]}
            if "file" in exc.fields
            else {"file": "The file was not imported: nothing changed"}
        )
        context["field_errors"] = exc.fields
        context["imports"] = directory_imports()
        return render(request, "directory/import.html", context, status=400)
    except DomainError as exc:
        return problem_page(request, exc)
    context["applied"] = record
    context["imports"] = directory_imports()
    return render(request, "directory/import.html", context)


# --- social prescribing -----------------------------------------------------------


def _link_worker_page(
    request: HttpRequest,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request_actor(request)
    if actor.role != Role.SOCIAL_PRESCRIBING_LINK_WORKER:
        return problem_page(
            request, AccessRefused("This page is for social prescribing link workers.")
        )
    return render(
        request,
        "directory/link_worker.html",
        {
            "waiting": sp_referrals_waiting(actor=actor),
            "cases": sp_caseload(actor=actor),
            "errors": errors or {},
            "form": form or {},
        },
        status=status,
    )


@login_required
@require_GET
def link_worker(request: HttpRequest) -> HttpResponse:
    return _link_worker_page(request)


@login_required
@require_POST
def self_referral(request: HttpRequest) -> HttpResponse:
    """A person asks the link worker for help: found by NHS number."""
    raw = request.POST.get("nhs_number", "")
    try:
        try:
            digits = nhs_number_parse(raw)
        except ValueError:
            raise InvalidInput.for_field(
                "nhs_number", "enter a valid 10-digit NHS number"
            ) from None
        person_id = person_id_for_nhs_number(nhs_number=digits)
        if person_id is None:
            raise InvalidInput.for_field(
                "nhs_number", "no one here has this NHS number"
            )
        case = case_open_self_referral(
            actor=request_actor(request), person_id=person_id
        )
    except InvalidInput as exc:
        return _link_worker_page(
            request, errors=exc.fields, form={"nhs_number": raw}, status=400
        )
    except DomainError as exc:
        return problem_page(request, exc)
    return HttpResponseRedirect(reverse("sp_case", args=[case.pk]))


@login_required
@require_POST
def take_on(request: HttpRequest, referral_id: int) -> HttpResponse:
    try:
        case = case_open_from_referral(
            actor=request_actor(request), referral_id=referral_id
        )
    except DomainError as exc:
        return problem_page(request, exc)
    return HttpResponseRedirect(reverse("sp_case", args=[case.pk]))


def _case_page(
    request: HttpRequest,
    case_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request_actor(request)
    try:
        view = sp_case_detail(actor=actor, case_id=case_id)
    except DomainError as exc:
        return problem_page(request, exc)
    person = view.access.person
    age = person.age_on(timezone.localdate())
    suggestions = []
    try:
        suggestions = directory_search(
            need=(form or {}).get("need", ""), postcode=person.postcode, age=age
        )
    except InvalidInput:
        suggestions = directory_search(age=age)
    return render(
        request,
        "directory/case.html",
        {
            "view": view,
            "case": view.case,
            "person": person,
            "questions": rules.ONS4_QUESTIONS.items(),
            "scale": range(11),
            "suggestions": suggestions,
            "needs": directory_needs(),
            "bases": ConsentBasis.choices,
            "outcomes": [
                (ConnectionStatus.TOOK_UP, ConnectionStatus.TOOK_UP.label),
                (
                    ConnectionStatus.DID_NOT_TAKE_UP,
                    ConnectionStatus.DID_NOT_TAKE_UP.label,
                ),
            ],
            "errors": errors or {},
            "form": form or {},
            "is_link_worker": actor.role == Role.SOCIAL_PRESCRIBING_LINK_WORKER,
        },
        status=status,
    )


@login_required
@require_GET
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, case_id, form=request.GET.dict())


@login_required
@require_POST
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    actor = request_actor(request)
    p = request.POST
    try:
        if action == "what-matters":
            what_matters_record(
                actor=actor, case_id=case_id, text=p.get("what_matters", "")
            )
        elif action == "wellbeing":
            when = p.get("when", "")
            wellbeing_record(
                actor=actor,
                case_id=case_id,
                when=when,
                scores={
                    k: p.get(f"{when}_{k}", p.get(k, "")) for k in rules.ONS4_QUESTIONS
                },
            )
        elif action == "connect":
            connection_send(
                actor=actor,
                case_id=case_id,
                service_id=_int(p.get("service"), "service"),
                reason=p.get("reason", ""),
                consent_basis=p.get("consent_basis", ""),
            )
        elif action == "outcome":
            connection_outcome(
                actor=actor,
                connection_id=_int(p.get("connection"), "connection") or 0,
                status=p.get("status", ""),
            )
        elif action == "close":
            case_close(actor=actor, case_id=case_id)
        elif action == "decline":
            case_decline(actor=actor, case_id=case_id)
        else:
            raise InvalidInput.for_field("action", "unknown action")
    except InvalidInput as exc:
        errors = exc.fields
        if action == "wellbeing" and p.get("when") in WellbeingWhen.values:
            errors = {
                (f"{p['when']}_{k}" if k in rules.ONS4_QUESTIONS else k): v
                for k, v in exc.fields.items()
            }
        return _case_page(request, case_id, errors=errors, form=p.dict(), status=400)
    except DomainError as exc:
        return problem_page(request, exc)
    return HttpResponseRedirect(reverse("sp_case", args=[case_id]))


@login_required
@require_http_methods(["GET", "POST"])
def person_cases(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = request_actor(request)
    if request.method == "POST":
        try:
            case = case_open_self_referral(actor=actor, person_id=person_id)
        except DomainError as exc:
            return problem_page(request, exc)
        return HttpResponseRedirect(reverse("sp_case", args=[case.pk]))
    try:
        access, cases = sp_person_cases(actor=actor, person_id=person_id)
    except DomainError as exc:
        return problem_page(request, exc)
    return render(
        request,
        "directory/person.html",
        {
            "person": access.person,
            "cases": cases,
            "is_link_worker": actor.role == Role.SOCIAL_PRESCRIBING_LINK_WORKER,
        },
    )


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    try:
        result = sp_figures(
            actor=actor, dimension=request.GET.get("by", "") or "service"
        )
    except DomainError as exc:
        return problem_page(request, exc)
    return render(
        request,
        "directory/figures.html",
        {
            "figures": result,
            "dimensions": DIMENSIONS,
            "questions": rules.ONS4_QUESTIONS,
        },
    )
