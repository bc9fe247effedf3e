"""Demo seed for levels 1 and 2 of joined-up care: a directory of about 30
community services (imported as Open Referral UK JSON, as a real directory
would be), a voluntary organisation's link workers with referrals, cases and
ONS4 scores, and a community trust's urgent community response team with four
weeks of referrals and a virtual ward. Fictional throughout; run once."""

from __future__ import annotations

import datetime as dt
import json
import random

from django.utils import timezone

from joinedup.coordination.services import referral_send
from joinedup.directory.models import DirectoryOrganization, PrescribingCase, Service
from joinedup.directory.rules import sector_centroids
from joinedup.directory.services import (
    case_open_from_referral,
    connection_outcome,
    connection_send,
    directory_import,
    wellbeing_record,
    what_matters_record,
)
from joinedup.discharge.models import VirtualWard
from joinedup.governance.access import Actor
from joinedup.governance.models import (
    Membership,
    Organisation,
    OrganisationType,
    Role,
    Team,
    User,
)
from joinedup.people.models import Person
from joinedup.ucr.models import ClinicalReason, UcrOutcome, UcrReferral, UcrSource
from joinedup.ucr.services import ucr_referral_receive

NEEDS = {
    "physical_activity": "Physical activity",
    "loneliness": "Loneliness and isolation",
    "housing": "Housing support",
    "money": "Debt and money advice",
    "transport": "Community transport",
    "carers": "Support for carers",
    "mental_wellbeing": "Mental wellbeing",
    "food": "Food and nutrition",
}
# (organisation, JoinedUp organisation code or "", [(service, need, min age)])
PROVIDERS = (
    (
        "Joinedup Leisure Trust",
        "VJU02",
        [
            ("Active Lives: gentle exercise", "physical_activity", 18),
            ("Walking for health", "physical_activity", 18),
            ("Aqua fit for older adults", "physical_activity", 55),
            ("Chair yoga", "physical_activity", 50),
        ],
    ),
    (
        "Joinedup Age Concern",
        "",
        [
            ("Telephone befriending", "loneliness", 65),
            ("Lunch club", "food", 60),
            ("Men's shed", "loneliness", 18),
            ("Memory café", "mental_wellbeing", 18),
            ("Digital skills drop-in", "loneliness", 50),
        ],
    ),
    (
        "Joinedup Housing Association",
        "",
        [
            ("Tenancy sustainment", "housing", 18),
            ("Home adaptations advice", "housing", 18),
            ("Handyperson service", "housing", 60),
            ("Warm homes advice", "housing", 18),
        ],
    ),
    (
        "Joinedup Citizens Advice",
        "",
        [
            ("Debt advice", "money", 18),
            ("Benefits check", "money", 18),
            ("Energy bills support", "money", 18),
            ("Pension credit help", "money", 66),
        ],
    ),
    (
        "Joinedup Community Transport",
        "",
        [
            ("Dial-a-ride", "transport", 18),
            ("Volunteer car scheme", "transport", 18),
            ("Shopmobility", "transport", 18),
        ],
    ),
    (
        "Joinedup Carers Centre",
        "",
        [
            ("Carers' coffee morning", "carers", 18),
            ("Carers' assessment support", "carers", 18),
            ("Young carers club", "carers", 8),
            ("Carers' breaks", "carers", 18),
        ],
    ),
    (
        "Joinedup Mind",
        "",
        [
            ("Wellbeing café", "mental_wellbeing", 18),
            ("Peer support group", "mental_wellbeing", 18),
            ("Green gym", "physical_activity", 18),
            ("Community garden", "mental_wellbeing", 16),
            ("Food bank", "food", 0),
            ("Cook and eat", "food", 16),
        ],
    ),
)


def directory_oruk_json() -> str:
    """The demo directory as ORUK JSON (what a council's directory would send)."""
    sectors = sorted(sector_centroids().items())
    services = []
    n = 0
    for p, (org_name, _code, offered) in enumerate(PROVIDERS):
        org = {"id": f"demo-org-{p + 1:02d}", "name": org_name}
        for name, need, min_age in offered:
            n += 1
            sector, (lat, lon) = sectors[(n * 7) % len(sectors)]
            services.append(
                {
                    "id": f"demo-service-{n:03d}",
                    "organization": org,
                    "name": name,
                    "description": f"{name}, run by {org_name}.",
                    "status": "active",
                    "minimum_age": min_age or None,
                    "attributes": [
                        {
                            "id": f"demo-attr-{n:03d}",
                            "taxonomy_term": {
                                "id": f"needs-{need}",
                                "code": need,
                                "name": NEEDS[need],
                                "taxonomy": "needs",
                            },
                        }
                    ],
                    "service_at_locations": [
                        {
                            "id": f"demo-sal-{n:03d}",
                            "location": {
                                "id": f"demo-loc-{n:03d}",
                                "name": f"{org_name}, {sector}",
                                "latitude": lat,
                                "longitude": lon,
                                "addresses": [
                                    {"postal_code": f"{sector}AA", "city": "Joinedup"}
                                ],
                            },
                        }
                    ],
                    "contacts": [
                        {
                            "id": f"demo-contact-{n:03d}",
                            "name": f"{name} team",
                            "phones": [{"number": f"0300 555 {1000 + n}"}],
                        }
                    ],
                }
            )
    return json.dumps({"contents": services})


def _user(
    username: str,
    role: str,
    org: Organisation,
    team: Team | None,
    first: str,
    last: str,
    title: str,
    password: str,
) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "job_title": title},
    )
    user.set_password(password)
    user.save()
    Membership.objects.get_or_create(
        user=user, organisation=org, role=role, defaults={"team": team}
    )
    return user


def _actor(user: User) -> Actor:
    m = user.memberships.get()
    return Actor(user.pk, m.role, m.organisation_id, m.team_id, channel="cli")


def levels_demo_seed(*, password: str, today: dt.date) -> list[tuple[str, str, str]]:
    """Accounts for the link worker, the directory editor and the UCR team, and
    their demo data (once). Returns (username, role, organisation)."""
    connectors, _ = Organisation.objects.get_or_create(
        code="VJU01",
        defaults={
            "name": "Joinedup Community Connectors",
            "type": OrganisationType.VOLUNTARY_SECTOR,
        },
    )
    leisure, _ = Organisation.objects.get_or_create(
        code="VJU02",
        defaults={
            "name": "Joinedup Leisure Trust",
            "type": OrganisationType.VOLUNTARY_SECTOR,
        },
    )
    sp_team, _ = Team.objects.get_or_create(
        organisation=connectors, name="Social prescribing"
    )
    link_worker = _user(
        "link.worker",
        Role.SOCIAL_PRESCRIBING_LINK_WORKER,
        connectors,
        sp_team,
        "Lee",
        "Khan",
        "Social prescribing link worker",
        password,
    )
    editor = _user(
        "directory.editor",
        Role.DIRECTORY_EDITOR,
        connectors,
        None,
        "Dee",
        "Rowe",
        "Community directory editor",
        password,
    )
    leisure_lw = _user(
        "leisure.referrals",
        Role.SOCIAL_PRESCRIBING_LINK_WORKER,
        leisure,
        None,
        "Lou",
        "Fit",
        "Active Lives referrals",
        password,
    )
    made = [
        (u.username, Role(r).label, o.name)
        for u, r, o in (
            (link_worker, Role.SOCIAL_PRESCRIBING_LINK_WORKER, connectors),
            (editor, Role.DIRECTORY_EDITOR, connectors),
            (leisure_lw, Role.SOCIAL_PRESCRIBING_LINK_WORKER, leisure),
        )
    ]
    if not Service.objects.exists():
        directory_import(
            actor=_actor(editor),
            content=directory_oruk_json(),
            filename="demo-directory.json",
        )
        DirectoryOrganization.objects.filter(name="Joinedup Leisure Trust").update(
            organisation=leisure
        )
    trust = (
        Organisation.objects.filter(type=OrganisationType.COMMUNITY_TRUST)
        .order_by("code")
        .first()
    )
    matron = User.objects.filter(username="community.matron").first()
    if trust is not None and matron is not None:
        ucr_team, _ = Team.objects.get_or_create(
            organisation=trust, name="Urgent community response"
        )
        Membership.objects.filter(user=matron, organisation=trust).update(team=ucr_team)
        VirtualWard.objects.get_or_create(
            organisation=trust,
            site="VW01",
            defaults={"name": "Frailty virtual ward", "beds": 20},
        )
        if not UcrReferral.objects.exists():
            _ucr_seed(_actor(matron), trust, ucr_team, today)
    gp = User.objects.filter(username="gp").first()
    if gp is not None and not PrescribingCase.objects.exists():
        _sp_seed(_actor(gp), _actor(link_worker), sp_team)
    return made


def _ucr_seed(matron: Actor, trust: Organisation, team: Team, today: dt.date) -> None:
    rng = random.Random(16)
    people = list(
        Person.objects.filter(merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    if not people:
        return
    tz = timezone.get_current_timezone()
    rows = []
    for back in range(28, 0, -1):
        day = today - dt.timedelta(days=back)
        for _ in range(rng.randint(3, 9)):
            received = dt.datetime.combine(
                day, dt.time(rng.randint(7, 20), rng.randint(0, 59)), tzinfo=tz
            )
            minutes = rng.choice([35, 50, 70, 90, 100, 110, 115, 130, 160])
            outcome = rng.choices(list(UcrOutcome.values), weights=[8, 1, 1])[0]
            rows.append(
                UcrReferral(
                    person_id=rng.choice(people),
                    source=rng.choice(UcrSource.values),
                    organisation=trust,
                    team=team,
                    reason="Demo referral",
                    received_at=received,
                    due_at=received + dt.timedelta(hours=2),
                    recorded_by_id=matron.user_id,
                    contact_at=received + dt.timedelta(minutes=minutes),
                    contacted_by_id=matron.user_id,
                    clinical_reason=rng.choice(ClinicalReason.values),
                    outcome=outcome,
                    closed_at=received + dt.timedelta(minutes=minutes + 60),
                )
            )
    UcrReferral.objects.bulk_create(rows)
    now = timezone.now()
    for n, minutes in enumerate((20, 75, 130)[: len(people)]):
        ucr_referral_receive(
            actor=matron,
            person_id=people[-1 - n],
            source=UcrSource.NHS_111,
            reason="Fall at home, on the floor for an hour",
            received_at=now - dt.timedelta(minutes=minutes),
        )


def _sp_seed(gp: Actor, lw: Actor, team: Team) -> None:
    people = list(
        Person.objects.filter(
            registered_gp_id=gp.organisation_id, merged_into__isnull=True
        ).order_by("pk")[:12]
    )
    rng = random.Random(1)
    services = list(Service.objects.order_by("pk"))
    for n, person in enumerate(people):
        referral = referral_send(
            actor=gp,
            person_id=person.pk,
            referral_type="social_prescribing",
            urgency="routine",
            reason="Isolated, low mood; would like support to get out",
            consent_basis="consent",
            to_team_id=team.pk,
        )
        if n >= 9:
            continue  # left waiting for the link worker
        case = case_open_from_referral(actor=lw, referral_id=referral.pk)
        what_matters_record(
            actor=lw, case_id=case.pk, text="Getting out of the house; company"
        )
        before = {
            k: rng.randint(2, 6)
            for k in ("life_satisfaction", "worthwhile", "happiness")
        }
        wellbeing_record(
            actor=lw,
            case_id=case.pk,
            when="before",
            scores={**before, "anxiety": rng.randint(5, 9)},
        )
        age = person.age_on(timezone.localdate())
        eligible = [
            s
            for s in services
            if (s.minimum_age or 0) <= age and s.organization.organisation_id is None
        ]
        if eligible:
            c = connection_send(
                actor=lw, case_id=case.pk, service_id=rng.choice(eligible).pk
            )
            if n < 6:
                connection_outcome(actor=lw, connection_id=c.pk, status="took_up")
                wellbeing_record(
                    actor=lw,
                    case_id=case.pk,
                    when="after",
                    scores={
                        k: min(10, v + rng.randint(0, 3)) for k, v in before.items()
                    }
                    | {"anxiety": rng.randint(2, 6)},
                )
