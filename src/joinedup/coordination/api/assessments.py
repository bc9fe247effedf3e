"""REST: shared assessments. List a person's assessments, read one (the sections
the actor may read, who completed each, the eligibility determination), start
one, see a section's pre-filled answers, complete a section (once: 409 if it is
already completed) and amend one. Thin: the same selectors and services as the
pages, so the same access policy and audit apply."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.coordination import assessment_form as form
from joinedup.coordination.models import Assessment, AssessmentSection
from joinedup.coordination.selectors.assessment import (
    AssessmentView,
    assessment_open,
    assessment_view_get,
    assessments_for_person,
    section_prefill_get,
)
from joinedup.coordination.services.assessment import (
    assessment_section_amend,
    assessment_section_complete,
    assessment_start,
)
from joinedup.people.selectors import person_access_open

router = Router(tags=["assessments"])

_ERRORS = {
    401: "No valid bearer token.",
    400: "Invalid input: `fields` names each question or field at fault.",
    403: "The access policy refuses the person, or the section's category.",
    404: "No such person, assessment or section.",
    409: "The section is already completed (amend it), or not completed yet "
    "(complete it first), or an assessment of that kind is already in progress.",
}
# The 4xx answers, described in the OpenAPI spec (merged into each operation).
ERRORS = {code: {"description": text} for code, text in _ERRORS.items()}
ERROR_CODES = frozenset({400, 401, 403, 404, 409})


class AssessmentSummaryOut(Schema):
    id: int
    person_id: RecordRef
    kind: str
    started_at: dt.datetime
    started_by: str
    started_by_organisation: str
    completed_at: dt.datetime | None
    sections_completed: int


class AssessmentListOut(Schema):
    person_id: RecordRef
    assessments: list[AssessmentSummaryOut]


class ProvenanceOut(Schema):
    origin: str = Field(..., description="record, about_me, previous_assessment or ''")
    source: str
    on: str
    status: str = Field(..., description="confirmed, changed or new")
    words: str


class SectionOut(Schema):
    key: str
    title: str
    category: str
    readable: bool
    refused_reason: str
    completed: bool
    completed_by: str | None
    completed_by_role: str | None
    completed_by_organisation: str | None
    completed_at: dt.datetime | None
    amended: bool
    amendment_reason: str | None
    answers: dict[str, Any]
    provenance: dict[str, ProvenanceOut]
    earlier_versions: int


class UnmetOut(Schema):
    outcome: str
    description: str
    reasons: list[str]


class EligibilityOut(Schema):
    eligible: bool
    summary: str
    unmet_outcomes: list[UnmetOut]
    conditions: list[str]


class AssessmentOut(AssessmentSummaryOut):
    sections: list[SectionOut]
    eligibility: EligibilityOut | None


class StartIn(Schema):
    person_id: RecordRef
    kind: Literal["adult", "carer"]


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(
        ...,
        description="Question key -> answer: text, true/false, a choice's key, a "
        "list of choice keys (Care Act outcomes: the reasons it cannot be "
        "achieved; [] means achievable) or a whole number.",
    )


class AmendIn(AnswersIn):
    reason: str = ""


class PrefillOut(Schema):
    value: Any
    origin: str
    source: str
    on: dt.date
    text: str


class SectionPrefillOut(Schema):
    assessment_id: RecordRef
    section: str
    prefill: dict[str, PrefillOut]


def _name(user: Any) -> str:
    return user.get_full_name() or user.username


def _summary(a: Assessment, done: int) -> dict[str, object]:
    return {
        "id": a.pk,
        "person_id": a.person_id,
        "kind": a.kind,
        "started_at": a.started_at,
        "started_by": _name(a.started_by),
        "started_by_organisation": a.started_by_organisation.name,
        "completed_at": a.completed_at,
        "sections_completed": done,
    }


def _section_out(s: Any) -> dict[str, object]:
    from joinedup.coordination.prefill import provenance_words

    row: AssessmentSection | None = s.current
    return {
        "key": s.section.key,
        "title": s.section.title,
        "category": s.section.category,
        "readable": s.readable,
        "refused_reason": s.reason,
        "completed": row is not None,
        "completed_by": _name(row.completed_by) if row else None,
        "completed_by_role": row.completed_by_role if row else None,
        "completed_by_organisation": row.completed_by_organisation.name
        if row
        else None,
        "completed_at": row.completed_at if row else None,
        "amended": bool(row and row.is_amendment),
        "amendment_reason": row.amendment_reason if row and row.is_amendment else None,
        "answers": dict(row.answers) if row else {},
        "provenance": {
            k: {**p, "words": provenance_words(p)}
            for k, p in (row.provenance.items() if row else [])
        },
        "earlier_versions": len(s.history),
    }


def _assessment_out(view: AssessmentView) -> dict[str, object]:
    e = view.eligibility
    return {
        **_summary(view.assessment, view.completed_count),
        "sections": [_section_out(s) for s in view.sections],
        "eligibility": None
        if e is None
        else {
            "eligible": e.eligible,
            "summary": e.summary,
            "unmet_outcomes": [
                {"outcome": u.key, "description": u.outcome, "reasons": u.reasons}
                for u in e.unmet
            ],
            "conditions": e.conditions,
        },
    }


@router.get(
    "/people/{person_id}",
    response={200: AssessmentListOut, ERROR_CODES: ErrorOut},
    summary="A person's shared assessments, newest first",
    openapi_extra={"responses": ERRORS},
)
def assessments_list(request: HttpRequest, person_id: RecordId) -> dict[str, object]:
    access = person_access_open(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
        action="api_assessments",
    )
    return {
        "person_id": person_id,
        "assessments": [
            _summary(a, a.sections_done)  # type: ignore[attr-defined]
            for a in assessments_for_person(access=access)
        ],
    }


@router.post(
    "",
    response={201: AssessmentOut, ERROR_CODES: ErrorOut},
    summary="Start a shared assessment (adult, or a carer's assessment)",
    openapi_extra={"responses": ERRORS},
)
def assessment_create(request: HttpRequest, body: StartIn) -> Status:
    actor = request.actor  # type: ignore[attr-defined]
    assessment = assessment_start(actor=actor, person_id=body.person_id, kind=body.kind)
    access, assessment = assessment_open(
        actor=actor, assessment_id=assessment.pk, action="api_assessment"
    )
    return Status(
        201, _assessment_out(assessment_view_get(access=access, assessment=assessment))
    )


@router.get(
    "/{assessment_id}",
    response={200: AssessmentOut, ERROR_CODES: ErrorOut},
    summary="One assessment: the sections you may read, who completed each, "
    "and the Care Act eligibility determination",
    openapi_extra={"responses": ERRORS},
)
def assessment_read(request: HttpRequest, assessment_id: RecordId) -> dict[str, object]:
    access, assessment = assessment_open(
        actor=request.actor,  # type: ignore[attr-defined]
        assessment_id=assessment_id,
        action="api_assessment",
    )
    return _assessment_out(assessment_view_get(access=access, assessment=assessment))


@router.get(
    "/{assessment_id}/sections/{section_key}/prefill",
    response={200: SectionPrefillOut, ERROR_CODES: ErrorOut},
    summary="What is already known for a section, with where it came from",
    openapi_extra={"responses": ERRORS},
)
def section_prefill(
    request: HttpRequest, assessment_id: RecordId, section_key: str
) -> dict[str, object]:
    access, assessment = assessment_open(
        actor=request.actor,  # type: ignore[attr-defined]
        assessment_id=assessment_id,
        action="api_assessment_prefill",
    )
    form.section_get(assessment.kind, section_key)
    found = section_prefill_get(
        access=access, assessment=assessment, section_key=section_key
    )
    return {
        "assessment_id": assessment_id,
        "section": section_key,
        "prefill": {
            k: {
                "value": p.value,
                "origin": p.origin,
                "source": p.source,
                "on": p.on,
                "text": p.text,
            }
            for k, p in found.items()
        },
    }


def _after_write(request: HttpRequest, assessment_id: RecordId) -> dict[str, object]:
    access, assessment = assessment_open(
        actor=request.actor,  # type: ignore[attr-defined]
        assessment_id=assessment_id,
        action="api_assessment",
    )
    return _assessment_out(assessment_view_get(access=access, assessment=assessment))


@router.post(
    "/{assessment_id}/sections/{section_key}/complete",
    response={201: AssessmentOut, ERROR_CODES: ErrorOut},
    summary="Complete a section (once; 409 if already completed)",
    openapi_extra={"responses": ERRORS},
)
def section_complete(
    request: HttpRequest, assessment_id: RecordId, section_key: str, body: AnswersIn
) -> Status:
    assessment_section_complete(
        actor=request.actor,  # type: ignore[attr-defined]
        assessment_id=assessment_id,
        section_key=section_key,
        answers=body.answers,
    )
    return Status(201, _after_write(request, assessment_id))


@router.post(
    "/{assessment_id}/sections/{section_key}/amend",
    response={201: AssessmentOut, ERROR_CODES: ErrorOut},
    summary="Amend a completed section, saying why (the earlier answer is kept)",
    openapi_extra={"responses": ERRORS},
)
def section_amend(
    request: HttpRequest, assessment_id: RecordId, section_key: str, body: AmendIn
) -> Status:
    assessment_section_amend(
        actor=request.actor,  # type: ignore[attr-defined]
        assessment_id=assessment_id,
        section_key=section_key,
        answers=body.answers,
        reason=body.reason,
    )
    return Status(201, _after_write(request, assessment_id))
