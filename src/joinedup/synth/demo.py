"""Demo accounts, one per role, with care-team links so every home page has work on
it. Idempotent: running the demo again resets the demo passwords and adds nothing
twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import CareTeamMember
from joinedup.governance.models import (
    Membership,
    Organisation,
    OrganisationType,
    Role,
    User,
)
from joinedup.governance.services import relationships_sync
from joinedup.people.models import InvolvementKind, Person

# username, role, organisation type, first name, last name, job title, caseload
DEMO_ACCOUNTS = (
    (
        "discharge.coordinator",
        Role.DISCHARGE_COORDINATOR,
        OrganisationType.ACUTE_TRUST,
        "Dana",
        "Coates",
        "Discharge coordinator",
        0,
    ),
    (
        "social.worker",
        Role.SOCIAL_WORKER,
        OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
        "Sam",
        "Walker",
        "Social worker, older people's team",
        25,
    ),
    (
        "community.matron",
        Role.COMMUNITY_MATRON,
        OrganisationType.COMMUNITY_TRUST,
        "Maria",
        "Cotton",
        "Community matron",
        20,
    ),
    ("gp", Role.GP, OrganisationType.GP_PRACTICE, "Gita", "Patel", "GP partner", 5),
    (
        "mdt.coordinator",
        Role.MDT_COORDINATOR,
        OrganisationType.COMMUNITY_TRUST,
        "Morgan",
        "Daley",
        "MDT coordinator",
        10,
    ),
    (
        "chc.assessor",
        Role.CHC_ASSESSOR,
        OrganisationType.ICB,
        "Chris",
        "Hale",
        "CHC nurse assessor",
        5,
    ),
    (
        "commissioner",
        Role.COMMISSIONER,
        OrganisationType.ICB,
        "Kim",
        "Moss",
        "Joint commissioning manager",
        0,
    ),
    (
        "ig.lead",
        Role.IG_LEAD,
        OrganisationType.ICB,
        "Ira",
        "Green",
        "Information governance lead",
        0,
    ),
    (
        "health.visitor",
        Role.HEALTH_VISITOR,
        OrganisationType.COMMUNITY_TRUST,
        "Hana",
        "Okafor",
        "Health visitor",
        0,
    ),
    (
        "childrens.social.worker",
        Role.CHILDRENS_SOCIAL_WORKER,
        OrganisationType.COUNCIL_CHILDRENS_SERVICES,
        "Chidi",
        "Mensah",
        "Children's social worker, front door",
        0,
    ),
    (
        "safeguarding.lead",
        Role.SAFEGUARDING_LEAD,
        OrganisationType.ACUTE_TRUST,
        "Leah",
        "Grant",
        "Named nurse for safeguarding",
        0,
    ),
    (
        "admin",
        Role.ADMIN,
        OrganisationType.ICB,
        "Alex",
        "Admin",
        "System administrator",
        0,
    ),
)


@transaction.atomic
def demo_users_create(*, password: str) -> list[tuple[str, str, str]]:
    """Create (or reset) the demo accounts; returns (username, role, organisation)."""
    today = timezone.localdate()
    made = []
    for username, role, org_type, first, last, title, caseload in DEMO_ACCOUNTS:
        org = Organisation.objects.filter(type=org_type).order_by("code").first()
        if org is None:
            continue
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "job_title": title},
        )
        user.set_password(password)
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.save()
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
        if caseload and not CareTeamMember.objects.filter(user=user).exists():
            _caseload_assign(user=user, org=org, role=role, size=caseload, today=today)
        made.append((username, Role(role).label, org.name))
    from joinedup.synth.demo_pooled import pooled_demo_seed

    pooled_demo_seed(today=today)  # a fund, care packages and their funding (once)
    from joinedup.synth.demo_chc import chc_demo_seed

    chc_demo_seed(today=today)  # CHC cases for the CHC nurse's dashboard (once)
    from joinedup.synth.levels import levels_demo_seed

    # Link workers, the directory, UCR referrals and a virtual ward (once).
    made += levels_demo_seed(password=password, today=today)
    from joinedup.synth.demo_safeguarding import safeguarding_demo_seed

    safeguarding_demo_seed(today=today)  # concerns, enquiries, plans, families (once)
    return made


def _caseload_assign(
    *, user: User, org: Organisation, role: str, size: int, today: dt.date
) -> None:
    """Put the user in the care team of the people their organisation knows best
    (most involved over 65s first), or, for an organisation that knows no one
    directly (the ICB), of older people known to social care."""
    people = Person.objects.filter(deceased_on__isnull=True).order_by(
        "birth_date", "pk"
    )
    known = people.filter(involvements__organisation=org)
    if not known.exists():
        known = people.filter(involvements__kind=InvolvementKind.SOCIAL_CARE_CLIENT)
    chosen = list(known.distinct()[:size])
    CareTeamMember.objects.bulk_create(
        [
            CareTeamMember(
                person=p,
                user=user,
                organisation=org,
                role=role,
                is_lead=i % 3 == 0
                and role in {Role.SOCIAL_WORKER, Role.COMMUNITY_MATRON},
                started_on=today,
            )
            for i, p in enumerate(chosen)
        ]
    )
    relationships_sync([p.pk for p in chosen], sources=["coordination.care_team"])


def demo_population_refresh() -> str:
    """Compute the population figures (risk, levels, case finding, JSNA) for the
    demo area unless they exist already; returns a line to show."""
    from joinedup.population.models import Refresh
    from joinedup.population.services import RefreshError, population_refresh

    if Refresh.objects.filter(is_current=True).exists():
        return "Population figures already computed."
    try:
        refresh = population_refresh()
    except RefreshError as exc:
        return f"Population figures not computed: {exc}"
    return f"Population figures computed: {refresh.message}."


DEMO_PORTAL_EMAIL = "my.record@example.org"


def demo_portal_person() -> tuple[str, dt.date, str] | None:
    """A person of the social worker's caseload, with the demo email address on
    their record, to try the person's own view (/me/): (NHS number, date of birth,
    email). The one-time code is sent to the server's console in the demo."""
    with_number = Person.objects.filter(nhs_number__isnull=False).exclude(nhs_number="")
    chosen = with_number.filter(email=DEMO_PORTAL_EMAIL).first()
    if chosen is None:
        chosen = (
            with_number.filter(
                care_team__user__username="social.worker", deceased_on__isnull=True
            )
            .order_by("-care_team__is_lead", "birth_date", "pk")
            .first()
        )
        if chosen is None:
            return None
        Person.objects.filter(pk=chosen.pk).update(email=DEMO_PORTAL_EMAIL)
    number = chosen.nhs_number or ""
    return (
        f"{number[:3]} {number[3:6]} {number[6:]}",
        chosen.birth_date,
        DEMO_PORTAL_EMAIL,
    )
