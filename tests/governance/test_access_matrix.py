"""The access matrix: every role x every person-data endpoint x every relationship
state. Endpoints are found from the URL configuration (web: any route taking a
`person_id`) and from the REST API's OpenAPI schema (any GET path with
`{person_id}`), so a new endpoint is covered without anyone remembering to add it.

For each cell: refused unless the role gives direct care and the state gives a
reason to see (and the list of people, `GET /api/v1/people`, names the person
exactly then); what must stay hidden (sealed records, objected categories,
categories outside an agreement) never appears; and every request leaves exactly
one audit entry."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from joinedup.config.api import api
from joinedup.coordination.models import CareTeamMember, Task
from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    AuditEntry,
    BreakGlass,
    ConsentRecord,
    Membership,
    Organisation,
    Role,
    SharingAgreement,
    SharingAgreementParty,
)
from joinedup.governance.services import token_create
from joinedup.people.models import Involvement
from tests.factories import (
    PASSWORD,
    EventFactory,
    OrganisationFactory,
    PersonFactory,
    SourceSystemFactory,
    UserFactory,
)

# Routes that take a person_id but show no person data: they are how a refused
# professional asks for access, and they are audited when used.
ACCESS_REQUEST_ROUTES = {"break_glass", "relationship_claim"}

STATES = {
    # state: (reason to see?, what must not appear even when allowed)
    "none": (False, ()),
    "care_team": (True, ()),
    "hospital_stay": (True, ()),
    "open_task": (True, ()),
    "task_completed": (False, ()),
    "gp_registration": (True, ()),
    "sharing_agreement": (True, ("Partner social care note",)),
    "agreement_ended": (False, ()),
    "consent_objection": (True, ("Partner health note",)),
    "sealed": (True, ("Partner safeguarding note",)),
    "break_glass_active": (True, ("Partner safeguarding note",)),
    "break_glass_expired": (False, ()),
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


# The REST list of people: no person_id in its path, so checked on its own.
PEOPLE_LIST = "/api/v1/people"


def web_person_routes() -> list[str]:
    names = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if "<int:person_id>" in route and pattern.name not in ACCESS_REQUEST_ROUTES:
            names.append(pattern.name)
    return sorted(set(names))


def rest_person_paths() -> list[str]:
    schema = api.get_openapi_schema()
    return sorted(
        path
        for path, ops in schema["paths"].items()
        if "{person_id}" in path and "get" in ops
    )


def fhir_person_urls(person_id: int) -> list[str]:
    """Patient read and $everything, and a patient-scoped search of every FHIR
    resource type that takes a patient (from the API's own registry)."""
    from joinedup.interop.fhir.resources import HANDLERS

    urls = [
        f"/fhir/R4/Patient/{person_id}",
        f"/fhir/R4/Patient/{person_id}/$everything",
    ]
    urls += [
        f"/fhir/R4/{name}?patient=Patient/{person_id}"
        for name, handler in sorted(HANDLERS.items())
        if "patient" in handler.params
    ]
    return urls


def test_the_matrix_covers_the_endpoints_we_know():
    assert "/fhir/R4/Encounter?patient=Patient/1" in fhir_person_urls(1)
    assert {"person_detail", "person_timeline", "consent"} <= set(web_person_routes())
    assert {"/api/v1/people/{person_id}", "/api/v1/people/{person_id}/timeline"} <= set(
        rest_person_paths()
    )
    assert PEOPLE_LIST in api.get_openapi_schema()["paths"]


@pytest.fixture
def scene(db):
    actor_org = OrganisationFactory(
        code="ACT", name="Acting Org", type="community_trust"
    )
    partner = OrganisationFactory(code="PRT", name="Partner Org", type="acute_trust")
    partner_system = SourceSystemFactory(code="partner-pas", organisation=partner)
    actor_system = SourceSystemFactory(code="actor-epr", organisation=actor_org)
    person = PersonFactory(given_name="Matrix", family_name="Person")
    EventFactory(
        person=person,
        source_system=partner_system,
        category="health",
        summary="Partner health note",
    )
    EventFactory(
        person=person,
        source_system=partner_system,
        category="social_care",
        summary="Partner social care note",
    )
    EventFactory(
        person=person,
        source_system=partner_system,
        category="safeguarding",
        summary="Partner safeguarding note",
    )
    EventFactory(
        person=person,
        source_system=actor_system,
        category="health",
        summary="Own health note",
    )
    return actor_org, partner, person


def _arrange(state: str, user, actor_org: Organisation, partner: Organisation, person):
    now = timezone.now()
    today = timezone.localdate()
    if state in {"care_team", "consent_objection", "sealed"}:
        CareTeamMember.objects.create(
            person=person,
            user=user,
            organisation=actor_org,
            role="gp",
            started_on=today,
        )
    if state == "hospital_stay":
        Involvement.objects.create(
            person=person,
            organisation=actor_org,
            kind="hospital_patient",
            first_seen=now,
            last_seen=now,
        )
    if state in {"open_task", "task_completed"}:
        # A referral to the actor's organisation, not yet given to anyone.
        Task.objects.create(
            person=person,
            title="Matrix referral",
            source="referral",
            assignee_organisation=actor_org,
            status="open" if state == "open_task" else "completed",
            created_at=now,
            updated_at=now,
        )
    if state == "gp_registration":
        person.registered_gp = actor_org
        person.save(update_fields=["registered_gp"])
    if state in {"sharing_agreement", "agreement_ended"}:
        Involvement.objects.create(
            person=person,
            organisation=partner,
            kind="hospital_patient",
            first_seen=now,
            last_seen=now,
        )
        agreement = SharingAgreement.objects.create(
            title="Matrix",
            purpose="Direct care",
            legal_basis="direct_care_duty_to_share",
            categories=["health"],
            start_date=today - dt.timedelta(days=1),
            end_date=today + dt.timedelta(days=30),
            created_by=user,
            ended_at=now if state == "agreement_ended" else None,
        )
        for org in (actor_org, partner):
            SharingAgreementParty.objects.create(
                agreement=agreement, organisation=org, approved_by=user, approved_at=now
            )
    if state == "consent_objection":
        ConsentRecord.objects.create(
            person=person,
            category="",
            organisation=actor_org,
            decision="objection",
            method="verbal",
            recorded_by=user,
            recorded_at=now,
        )
    if state.startswith("break_glass"):
        expires = now + (
            dt.timedelta(hours=2)
            if state.endswith("active")
            else -dt.timedelta(hours=1)
        )
        BreakGlass.objects.create(
            user=user,
            role="gp",
            organisation=actor_org,
            person=person,
            reason="vital_interests",
            justification="matrix test",
            started_at=now,
            expires_at=expires,
        )


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("role", Role.values)
def test_access_matrix(client, scene, role, state):
    actor_org, partner, person = scene
    user = UserFactory(username=f"m-{role}")
    Membership.objects.create(user=user, organisation=actor_org, role=role)
    _arrange(state, user, actor_org, partner, person)
    reason_to_see, hidden = STATES[state]
    expect_allowed = reason_to_see and role in DIRECT_CARE_ROLES
    assert client.login(username=user.username, password=PASSWORD)
    token = token_create(username=user.username)

    requests = [
        ("web", reverse(name, args=[person.pk])) for name in web_person_routes()
    ]
    requests += [
        ("rest", path.replace("{person_id}", str(person.pk)))
        for path in rest_person_paths()
    ]
    requests += [("rest", url) for url in fhir_person_urls(person.pk)]
    for channel, url in requests:
        before = AuditEntry.objects.count()
        if channel == "web":
            response = client.get(url)
        else:
            response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        body = html.unescape(response.content.decode())
        label = f"{role} / {state} / {url}"
        assert AuditEntry.objects.count() == before + 1, f"{label}: not one audit entry"
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry.person_id == person.pk and entry.actor_id == user.pk, label
        if expect_allowed:
            assert response.status_code == 200, f"{label}: refused"
            assert entry.outcome == "allowed", label
            for text in hidden:
                assert text not in body, f"{label}: showed {text!r}"
        else:
            assert response.status_code == 403, f"{label}: allowed without a reason"
            assert entry.outcome == "refused", label
            assert "Partner health note" not in body and "Own health note" not in body

    # The list of people the actor may see (GET /api/v1/people without a query)
    # names the person exactly when the record would open, and is one audit entry
    # naming nobody.
    before = AuditEntry.objects.count()
    response = client.get(PEOPLE_LIST, HTTP_AUTHORIZATION=f"Bearer {token}")
    label = f"{role} / {state} / {PEOPLE_LIST}"
    assert response.status_code == 200, label
    listed = [r["id"] for r in response.json()["results"]]
    assert listed == ([person.pk] if expect_allowed else []), label
    assert AuditEntry.objects.count() == before + 1, f"{label}: not one audit entry"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.person_id, entry.actor_id) == ("list", None, user.pk)
