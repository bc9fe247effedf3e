"""The single shared assessment as FHIR R4: the form as a Questionnaire (one per
kind: adult, carer) and each assessment as a QuestionnaireResponse holding the
sections the reader may see, who completed each (extensions) and where each
answer came from (an extension on the answer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from joinedup.coordination import assessment_form as form
from joinedup.coordination.prefill import provenance_words
from joinedup.interop.fhir.mappers_out.common import (
    CATEGORY_SYSTEM,
    JOINEDUP,
    UK_CORE,
    Resource,
    instant,
    ref,
)

if TYPE_CHECKING:
    from joinedup.coordination.selectors.assessment import AssessmentView

# UK Core profiles (DESIGN 4.8: Questionnaire(Response)).
QUESTIONNAIRE_PROFILE = f"{UK_CORE}Questionnaire"
RESPONSE_PROFILE = f"{UK_CORE}QuestionnaireResponse"
ASSESSMENT_ID_SYSTEM = f"{JOINEDUP}/Id/assessment"
OPTION_SYSTEM = f"{JOINEDUP}/CodeSystem/assessment-option"
COMPLETED_BY_URL = f"{JOINEDUP}/StructureDefinition/section-completed-by"
COMPLETED_AT_URL = f"{JOINEDUP}/StructureDefinition/section-completed-at"
COMPLETED_ORG_URL = f"{JOINEDUP}/StructureDefinition/section-completed-organisation"
AMENDMENT_URL = f"{JOINEDUP}/StructureDefinition/section-amended"
PROVENANCE_URL = f"{JOINEDUP}/StructureDefinition/answer-provenance"
RESPONSE_ID_PREFIX = "qr-"

_ITEM_TYPES = {
    form.TEXT: "text",
    form.BOOLEAN: "boolean",
    form.CHOICE: "choice",
    form.MULTI: "choice",
    form.INTEGER: "integer",
}


def questionnaire_id(kind: str) -> str:
    return f"shared-assessment-{kind}"


def questionnaire_url(kind: str) -> str:
    return f"{JOINEDUP}/Questionnaire/{questionnaire_id(kind)}"


def _question(q: form.Question) -> Resource:
    item: Resource = {"linkId": q.key, "text": q.text, "type": _ITEM_TYPES[q.type]}
    if q.required:
        item["required"] = True
    if q.type == form.MULTI:
        item["repeats"] = True
    if q.options:
        item["answerOption"] = [
            {"valueCoding": {"system": OPTION_SYSTEM, "code": k, "display": label}}
            for k, label in q.options
        ]
    if q.hint:
        item["item"] = [{"linkId": f"{q.key}.hint", "text": q.hint, "type": "display"}]
    return item


def questionnaire_resource(kind: str) -> Resource:
    """The shared assessment form of one kind. Each section is a group coded with
    the access category that reading it needs. In a Care Act outcome, no answer
    in a completed section means the outcome can be achieved."""
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(kind),
        "meta": {"profile": [QUESTIONNAIRE_PROFILE]},
        "url": questionnaire_url(kind),
        "name": f"SharedAssessment{kind.capitalize()}",
        "title": f"Single shared assessment: {form.KINDS[kind]}",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "JoinedUp",
        "description": (
            "One assessment across health and social care: About me, the Care Act "
            "2014 outcomes (SI 2015/313), health conditions and medication, mental "
            "health, cognition and communication, mobility and falls, carers and "
            "family, housing, finances and risks."
        ),
        "item": [
            {
                "linkId": s.key,
                "text": s.title,
                "type": "group",
                "code": [{"system": CATEGORY_SYSTEM, "code": s.category}],
                "item": [_question(q) for q in s.questions],
            }
            for s in form.sections_for(kind)
        ],
    }


def _answers(q: form.Question, value: object, provenance: str) -> list[Resource]:
    if value is None or value == [] or value == "":
        return []
    extension = [{"url": PROVENANCE_URL, "valueString": provenance}]
    if q.type == form.BOOLEAN:
        return [{"valueBoolean": bool(value), "extension": extension}]
    if q.type == form.INTEGER:
        return [{"valueInteger": int(value), "extension": extension}]  # type: ignore[call-overload]
    if q.type in (form.CHOICE, form.MULTI):
        values = value if isinstance(value, list) else [value]
        return [
            {
                "valueCoding": {
                    "system": OPTION_SYSTEM,
                    "code": str(v),
                    "display": q.option_label(str(v)),
                },
                "extension": extension,
            }
            for v in values
        ]
    return [{"valueString": str(value), "extension": extension}]


def response_id(assessment_pk: int) -> str:
    return f"{RESPONSE_ID_PREFIX}{assessment_pk}"


def questionnaire_response_resource(view: AssessmentView) -> Resource:
    """One assessment, with only the sections the reader may see (the access
    policy decided per category when `view` was built)."""
    a = view.assessment
    items = []
    for s in view.sections:
        row = s.current
        if not s.readable or row is None:
            continue
        who = row.completed_by.get_full_name() or row.completed_by.username
        extension: list[Resource] = [
            {
                "url": COMPLETED_BY_URL,
                "valueReference": ref("Practitioner", row.completed_by_id, who),
            },
            {"url": COMPLETED_AT_URL, "valueDateTime": instant(row.completed_at)},
            {
                "url": COMPLETED_ORG_URL,
                "valueReference": ref(
                    "Organization",
                    row.completed_by_organisation_id,
                    row.completed_by_organisation.name,
                ),
            },
        ]
        if row.is_amendment:
            extension.append({"url": AMENDMENT_URL, "valueBoolean": True})
        questions = []
        for q in s.section.questions:
            value = row.answers.get(q.key)
            answers = _answers(q, value, provenance_words(row.provenance.get(q.key)))
            if answers:
                questions.append({"linkId": q.key, "text": q.text, "answer": answers})
        items.append(
            {
                "linkId": s.section.key,
                "text": s.section.title,
                "extension": extension,
                "item": questions,
            }
        )
    starter = a.started_by.get_full_name() or a.started_by.username
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": response_id(a.pk),
        "meta": {"profile": [RESPONSE_PROFILE]},
        "identifier": {"system": ASSESSMENT_ID_SYSTEM, "value": str(a.pk)},
        "questionnaire": questionnaire_url(a.kind),
        "status": "completed" if a.completed_at else "in-progress",
        "subject": ref("Patient", a.person_id),
        "authored": instant(a.started_at),
        "author": ref("Practitioner", a.started_by_id, starter),
    }
    if items:
        resource["item"] = items
    return resource


def questionnaire_ids() -> list[str]:
    return [questionnaire_id(k) for k in form.KINDS]


def questionnaire_kind(raw_id: str) -> str | None:
    for kind in form.KINDS:
        if raw_id == questionnaire_id(kind):
            return kind
    return None


__all__: list[Any] = [
    "questionnaire_ids",
    "questionnaire_kind",
    "questionnaire_resource",
    "questionnaire_response_resource",
    "response_id",
]
