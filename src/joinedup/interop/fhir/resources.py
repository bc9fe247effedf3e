"""What the FHIR API offers, per resource type: its search parameters, how to read
one and how to search (selector, then mapper). The CapabilityStatement is built
from this registry, so it lists exactly what is supported."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.utils import timezone

from joinedup.errors import InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.interop.fhir import mappers_out as m
from joinedup.interop.fhir import selectors as s
from joinedup.interop.fhir.mappers_out import assessment as qr
from joinedup.interop.fhir.mappers_out import safeguarding as sg
from joinedup.interop.fhir.params import (
    CARE_TEAM_PARAMS,
    EVENT_PARAMS,
    EVERYTHING_COUNT_MAX,
    ORGANIZATION_PARAMS,
    PATIENT_PARAMS,
    PRACTITIONER_PARAMS,
    SEARCH_COUNT_MAX,
    NotSupported,
    Paging,
    date_filters_parse,
    patient_query_parse,
    patient_reference_parse,
    token_parse,
)

Params = Mapping[str, Sequence[str]]
Found = tuple[list[m.Resource], int]


@dataclass(frozen=True)
class ResourceHandler:
    name: str
    profile: str
    params: Mapping[str, str]
    read: Callable[[Actor, str], m.Resource]
    search: Callable[[Actor, Params, Paging], Found]
    documentation: str = ""


def _pk(raw: str, prefix: str = "") -> int:
    value = raw.removeprefix(prefix) if prefix else raw
    if not raw.startswith(prefix) or not value.isdigit():
        raise NotFound(f"there is no resource with id {raw!r}")
    return int(value)


def _one(params: Params, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


# --- Patient ------------------------------------------------------------------------


def _patient(data: s.PatientData) -> m.Resource:
    return m.patient_resource(
        data.person,
        identifiers=data.identifiers,
        names=data.names,
        addresses=data.addresses,
    )


def _patient_read(actor: Actor, raw_id: str) -> m.Resource:
    return _patient(s.fhir_patient_read(actor=actor, person_id=_pk(raw_id)))


def _patient_search(actor: Actor, params: Params, paging: Paging) -> Found:
    found, total = s.fhir_patient_search(
        actor=actor, query=patient_query_parse(params), paging=paging
    )
    return [_patient(d) for d in found], total


def everything(actor: Actor, raw_id: str, paging: Paging) -> Found:
    """Patient/$everything: the patient, organisations, practitioners, care team,
    then every readable event resource, newest first; paged over that order."""
    result = s.fhir_everything(
        actor=actor, person_id=_pk(raw_id), kinds=m.MAPPED_KINDS, paging=paging
    )
    header = [
        _patient(result.patient),
        *(m.organization_resource(o) for o in result.organisations),
        *(m.practitioner_resource(u) for u in result.practitioners),
    ]
    if result.care_team:
        header.append(m.care_team_resource(result.patient.person.pk, result.care_team))
    resources = header[paging.offset : paging.offset + paging.count]
    resources += [m.event_resource(e) for e in result.events]
    return resources, result.total


# --- Event-based types ------------------------------------------------------------


def _event_handler(rtype: m.EventResourceType) -> ResourceHandler:
    def read(actor: Actor, raw_id: str) -> m.Resource:
        event = s.fhir_event_read(
            actor=actor, event_pk=_pk(raw_id, "ev-"), kinds=rtype.kinds
        )
        return m.event_resource(event)

    def search(actor: Actor, params: Params, paging: Paging) -> Found:
        person_id = patient_reference_parse(params)
        last_updated = date_filters_parse(
            params.get("_lastUpdated", []),
            name="_lastUpdated",
            tz=timezone.get_current_timezone(),
        )
        events, total = s.fhir_events_search(
            actor=actor,
            person_id=person_id,
            kinds=rtype.kinds,
            last_updated=last_updated,
            paging=paging,
        )
        return [m.event_resource(e) for e in events], total

    kinds = ", ".join(sorted(rtype.kinds))
    return ResourceHandler(
        rtype.name,
        rtype.profile,
        EVENT_PARAMS,
        read,
        search,
        f"Events of kinds {kinds}; search needs patient=.",
    )


# --- CareTeam, Organization, Practitioner -------------------------------------------


def _care_team_read(actor: Actor, raw_id: str) -> m.Resource:
    person_id = _pk(raw_id, "ct-")
    members = s.fhir_care_team_get(actor=actor, person_id=person_id, action="fhir_read")
    if not members:
        raise NotFound(f"person {person_id} has no care team")
    return m.care_team_resource(person_id, members)


def _care_team_search(actor: Actor, params: Params, paging: Paging) -> Found:
    person_id = patient_reference_parse(params)
    members = s.fhir_care_team_get(
        actor=actor, person_id=person_id, action="fhir_search"
    )
    found = [m.care_team_resource(person_id, members)] if members else []
    return found[paging.offset : paging.offset + paging.count], len(found)


def _system_value(params: Params, system: str) -> str | None:
    raw = _one(params, "identifier")
    if raw is None:
        return None
    given, value = token_parse(raw)
    if given not in (None, system):
        raise InvalidInput.for_field(
            "identifier", f"only the system {system} can be searched"
        )
    return value


def _organization_read(actor: Actor, raw_id: str) -> m.Resource:
    return m.organization_resource(
        s.fhir_organization_read(actor=actor, pk=_pk(raw_id))
    )


def _organization_search(actor: Actor, params: Params, paging: Paging) -> Found:
    orgs, total = s.fhir_organization_search(
        actor=actor,
        code=_system_value(params, m.ODS_SYSTEM),
        name=_one(params, "name") or "",
        paging=paging,
    )
    return [m.organization_resource(o) for o in orgs], total


def _practitioner_read(actor: Actor, raw_id: str) -> m.Resource:
    return m.practitioner_resource(
        s.fhir_practitioner_read(actor=actor, pk=_pk(raw_id))
    )


def _practitioner_search(actor: Actor, params: Params, paging: Paging) -> Found:
    users, total = s.fhir_practitioner_search(
        actor=actor, username=_system_value(params, m.USERNAME_SYSTEM), paging=paging
    )
    return [m.practitioner_resource(u) for u in users], total


# --- Questionnaire, QuestionnaireResponse (the shared assessment) -----------------


def _questionnaire_read(actor: Actor, raw_id: str) -> m.Resource:
    kind = qr.questionnaire_kind(raw_id)
    if kind is None:
        raise NotFound(f"there is no Questionnaire with id {raw_id!r}")
    return qr.questionnaire_resource(kind)


def _questionnaire_search(actor: Actor, params: Params, paging: Paging) -> Found:
    found = [qr.questionnaire_resource(k) for k in ("adult", "carer")]
    return found[paging.offset : paging.offset + paging.count], len(found)


def _questionnaire_response_read(actor: Actor, raw_id: str) -> m.Resource:
    from joinedup.coordination.selectors.assessment import assessment_get

    view = assessment_get(actor=actor, assessment_id=_pk(raw_id, "qr-"))
    return qr.questionnaire_response_resource(view)


def _questionnaire_response_search(
    actor: Actor, params: Params, paging: Paging
) -> Found:
    from joinedup.coordination.selectors.assessment import (
        assessment_views_for_person,
    )

    views = assessment_views_for_person(
        actor=actor, person_id=patient_reference_parse(params), action="fhir_search"
    )
    page = views[paging.offset : paging.offset + paging.count]
    return [qr.questionnaire_response_resource(v) for v in page], len(views)


# --- Flag, EpisodeOfCare (safeguarding) ---------------------------------------------


def _flag_read(actor: Actor, raw_id: str) -> m.Resource:
    from joinedup.safeguarding.selectors.fhir import fhir_flag_read

    return sg.flag_resource(fhir_flag_read(actor=actor, flag_id=_pk(raw_id, "fl-")))


def _flag_search(actor: Actor, params: Params, paging: Paging) -> Found:
    from joinedup.safeguarding.selectors.fhir import fhir_flags_get

    flags = fhir_flags_get(
        actor=actor, person_id=patient_reference_parse(params), action="fhir_search"
    )
    page = flags[paging.offset : paging.offset + paging.count]
    return [sg.flag_resource(f) for f in page], len(flags)


def _episode_read(actor: Actor, raw_id: str) -> m.Resource:
    from joinedup.safeguarding.selectors.fhir import fhir_plan_read

    plan = fhir_plan_read(actor=actor, plan_id=_pk(raw_id, "cp-"))
    return sg.episode_of_care_resource(plan)


def _episode_search(actor: Actor, params: Params, paging: Paging) -> Found:
    from joinedup.safeguarding.selectors.fhir import fhir_plans_get

    plans = fhir_plans_get(
        actor=actor, person_id=patient_reference_parse(params), action="fhir_search"
    )
    page = plans[paging.offset : paging.offset + paging.count]
    return [sg.episode_of_care_resource(p) for p in page], len(plans)


HANDLERS: dict[str, ResourceHandler] = {
    h.name: h
    for h in (
        ResourceHandler(
            "Patient",
            f"{m.UK_CORE}Patient",
            PATIENT_PARAMS,
            _patient_read,
            _patient_search,
            "identifier searches the NHS number; family and given match the start "
            "of names; birthdate is an exact date. Patient/{id}/$everything.",
        ),
        *(_event_handler(t) for t in m.EVENT_RESOURCE_TYPES.values()),
        ResourceHandler(
            "CareTeam",
            f"{m.UK_CORE}CareTeam",
            CARE_TEAM_PARAMS,
            _care_team_read,
            _care_team_search,
            "One per person (id ct-<patient id>): the current care team.",
        ),
        ResourceHandler(
            "Questionnaire",
            qr.QUESTIONNAIRE_PROFILE,
            {},
            _questionnaire_read,
            _questionnaire_search,
            "The single shared assessment form (ids shared-assessment-adult and "
            "shared-assessment-carer); no person data.",
        ),
        ResourceHandler(
            "QuestionnaireResponse",
            qr.RESPONSE_PROFILE,
            CARE_TEAM_PARAMS,
            _questionnaire_response_read,
            _questionnaire_response_search,
            "Shared assessments (id qr-<assessment id>): only the sections whose "
            "category the access policy lets you read; search needs patient=.",
        ),
        ResourceHandler(
            "Flag",
            f"{m.UK_CORE}Flag",
            CARE_TEAM_PARAMS,
            _flag_read,
            _flag_search,
            "The child protection flag (id fl-<n>): that a child protection plan, "
            "a pre-birth plan or a looked-after episode exists and whom to contact, "
            "never its content; search (open flags) needs patient=.",
        ),
        ResourceHandler(
            "EpisodeOfCare",
            f"{m.UK_CORE}EpisodeOfCare",
            CARE_TEAM_PARAMS,
            _episode_read,
            _episode_search,
            "Child protection plans (id cp-<n>) with their category: only for those "
            "working the case and safeguarding leads of organisations involved; "
            "search needs patient=.",
        ),
        ResourceHandler(
            "Organization",
            f"{m.UK_CORE}Organization",
            ORGANIZATION_PARAMS,
            _organization_read,
            _organization_search,
        ),
        ResourceHandler(
            "Practitioner",
            f"{m.UK_CORE}Practitioner",
            PRACTITIONER_PARAMS,
            _practitioner_read,
            _practitioner_search,
            "Professionals in care teams; identifier is their username.",
        ),
    )
}


def handler_get(resource_type: str) -> ResourceHandler:
    handler = HANDLERS.get(resource_type)
    if handler is None:
        known = " yet" if resource_type in m.NOT_YET_SUPPORTED else ""
        raise NotSupported(
            f"resource type {resource_type!r} is not supported{known} "
            "(see the CapabilityStatement at metadata)"
        )
    return handler


def capability_statement(*, base_url: str, date: str) -> m.Resource:
    """The CapabilityStatement: exactly the types, interactions, search parameters
    and operations this server supports."""
    resources = []
    for h in HANDLERS.values():
        entry: m.Resource = {
            "type": h.name,
            "profile": h.profile,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": kind} for name, kind in h.params.items()
            ]
            + [
                {"name": "_count", "type": "number"},
                {"name": "_page", "type": "number"},
            ],
        }
        if h.documentation:
            entry["documentation"] = h.documentation
        if h.name == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": (
                        "http://hl7.org/fhir/OperationDefinition/Patient-everything"
                    ),
                    "documentation": (
                        f"GET only; _count (1 to {EVERYTHING_COUNT_MAX}, default "
                        f"{EVERYTHING_COUNT_MAX}) and _page."
                    ),
                }
            ]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "JoinedUp",
        "kind": "instance",
        "software": {"name": "JoinedUp"},
        "implementation": {"description": "JoinedUp FHIR R4 API", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Read-only. Searches page with _count (1 to "
                    f"{SEARCH_COUNT_MAX}) and _page. Searches of a person's "
                    "resources need patient= (population-level searches are not "
                    "direct care). Only what the access policy lets the caller read "
                    "is returned; every read is audited."
                ),
                "security": {
                    "description": (
                        "Bearer token: Authorization: Bearer <token> (create one "
                        "with `joinedup token create USERNAME`)."
                    )
                },
                "resource": resources,
            }
        ],
    }
