"""Every write in the person's own view, and the professional's recording of a
proxy's authority. Each takes the opened record (so the principal was checked
and audited) and is atomic: on bad input nothing is saved."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from joinedup.errors import InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import (
    AccessCategory,
    ConsentDecision,
    ConsentMethod,
    ConsentRecord,
    Membership,
    Organisation,
    Role,
)
from joinedup.governance.services import audit_record
from joinedup.people.models import AboutMe, Person
from joinedup.people.nhs_number import nhs_number_parse
from joinedup.portal.models import (
    AboutMeChange,
    AccessQuestion,
    AuthorityKind,
    ChangedBy,
    Proxy,
    ProxyAuthority,
)
from joinedup.portal.selectors import OwnRecord, access_entry_get

ABOUT_ME_MAX = 4000


@transaction.atomic
def about_me_update(
    *, record: OwnRecord, answers: dict[str, str]
) -> AboutMeChange | None:
    """Change the person's About me in their own words. Each change is marked as
    made by the person or their proxy (and under which authority). None when
    nothing changed."""
    keys = [k for k, _ in AboutMe.HEADINGS]
    errors = {
        key: f"{label} must be {ABOUT_ME_MAX} characters or fewer"
        for key, label in AboutMe.HEADINGS
        if len(answers.get(key, "")) > ABOUT_ME_MAX
    }
    if errors:
        raise InvalidInput("; ".join(errors.values()), fields=errors)
    now = timezone.now()
    about = AboutMe.objects.select_for_update().filter(person=record.person).first()
    cleaned = {k: answers.get(k, "").strip().replace("\r\n", "\n") for k in keys}
    if about is None:
        about = AboutMe(person=record.person, updated_at=now)
    changed = [k for k in keys if getattr(about, k) != cleaned[k]]
    if not changed:
        return None
    for key in changed:
        setattr(about, key, cleaned[key])
    about.updated_at = now
    about.updated_by = None  # not a professional: the change record says who
    about.save()
    change = AboutMeChange.objects.create(
        person=record.person,
        changed_fields=changed,
        changed_by=ChangedBy.PROXY if record.is_proxy else ChangedBy.PERSON,
        authority=record.authority,
        changed_at=now,
    )
    audit_record(
        actor=record.principal,
        person_id=record.person.pk,
        action="portal_about_me_update",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(
            True, "About me changed in the person's own view", record.principal.via
        ),
    )
    return change


@transaction.atomic
def consent_choice_record(
    *, record: OwnRecord, decision: str, category: str, organisation_code: str
) -> ConsentRecord:
    """The person (or proxy) records consent or an objection to sharing one
    category ("" for all) with one organisation ("" for all), online. The newest
    record is in force, so the access policy applies it at once."""
    errors: dict[str, str] = {}
    if decision not in ConsentDecision.values:
        errors["decision"] = "Select whether you agree to sharing or object to it"
    if category and (
        category not in AccessCategory.values or category in record.hidden
    ):
        errors["category"] = "Select which information from the list"
    organisation = None
    if organisation_code:
        organisation = Organisation.objects.filter(code=organisation_code).first()
        if organisation is None:
            errors["organisation"] = "Select an organisation from the list"
    if errors:
        raise InvalidInput("; ".join(errors.values()), fields=errors)
    consent = ConsentRecord.objects.create(
        person=record.person,
        category=category,
        organisation=organisation,
        decision=decision,
        method=ConsentMethod.ONLINE,
        recorded_by=None,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=record.principal,
        person_id=record.person.pk,
        action=f"portal_record_{decision}",
        category=category or AccessCategory.DEMOGRAPHICS,
        decision=Decision(
            True, "consent choice made in the person's own view", record.principal.via
        ),
    )
    return consent


@transaction.atomic
def access_question_ask(*, record: OwnRecord, seq: int) -> AccessQuestion:
    """Ask the IG lead of the organisation that made one access about it: a task
    for the IG lead (who is notified), once per access."""
    from joinedup.coordination.models import Task, TaskSource
    from joinedup.coordination.services.notifications import task_notify

    entry = access_entry_get(record=record, seq=seq)
    if entry.organisation is None:
        raise InvalidInput.for_field(
            "access", "this access was not made by an organisation"
        )
    if AccessQuestion.objects.filter(person=record.person, audit_seq=seq).exists():
        raise InvalidInput.for_field(
            "access", "you have already asked about this access"
        )
    ig_lead = (
        Membership.objects.filter(
            organisation=entry.organisation, role=Role.IG_LEAD, active=True
        )
        .order_by("-is_primary", "pk")
        .first()
    )
    if ig_lead is None:
        phone = entry.organisation.contact_phone
        raise InvalidInput.for_field(
            "access",
            f"{entry.organisation.name} has no information governance lead on JoinedUp"
            + (f": phone them on {phone}" if phone else ""),
        )
    now = timezone.now()
    when = timezone.localtime(entry.occurred_at).strftime("%d %B %Y at %H:%M")
    task = Task.objects.create(
        person=record.person,
        title="Question about an access to their record",
        detail=(
            f"The {'proxy' if record.is_proxy else 'person'} asks about audit entry "
            f"#{entry.seq}: {entry.role} at {entry.organisation.name}, {when}"
            + (", emergency access (break-glass)" if entry.via == "break_glass" else "")
            + "."
        ),
        source=TaskSource.MANUAL,
        source_ref=f"audit:{entry.seq}",
        assignee_organisation=entry.organisation,
        assignee_user_id=ig_lead.user_id,
        created_by=None,
        created_at=now,
        updated_at=now,
    )
    question = AccessQuestion.objects.create(
        person=record.person,
        audit_seq=entry.seq,
        organisation=entry.organisation,
        asked_by=ChangedBy.PROXY if record.is_proxy else ChangedBy.PERSON,
        authority=record.authority,
        task=task,
        asked_at=now,
    )
    transaction.on_commit(lambda: task_notify(task=task, actor_user_id=None))
    audit_record(
        actor=record.principal,
        person_id=record.person.pk,
        action="portal_ask_ig_lead",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(
            True, "asked the IG lead about an access", record.principal.via
        ),
    )
    return question


# --- recorded by a professional ----------------------------------------------------


@transaction.atomic
def proxy_authority_record(
    *,
    actor: Actor,
    person_id: int,
    proxy_given_name: str,
    proxy_family_name: str,
    proxy_nhs_number: str,
    proxy_birth_date: dt.date,
    proxy_email: str = "",
    proxy_phone: str = "",
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    evidence_ref: str = "",
) -> ProxyAuthority:
    """A professional with access to the person's record records a proxy's
    authority after seeing the evidence (an LPA registered with the Office of
    the Public Guardian, parental responsibility, an appointment as carer)."""
    from joinedup.people.selectors import person_access_open

    access = person_access_open(actor=actor, person_id=person_id, action="proxy_record")
    errors: dict[str, str] = {}
    try:
        nhs_number = nhs_number_parse(proxy_nhs_number)
    except ValueError as exc:
        errors["proxy_nhs_number"] = str(exc)
    if kind not in AuthorityKind.values:
        errors["kind"] = "Select the kind of authority"
    if ends_on < starts_on:
        errors["ends_on"] = "The end date must be on or after the start date"
    if not (proxy_email.strip() or proxy_phone.strip()):
        errors["proxy_email"] = "Enter the proxy's email address or mobile number"
    if not proxy_given_name.strip() or not proxy_family_name.strip():
        errors["proxy_given_name"] = "Enter the proxy's name"
    person: Person = access.person
    if kind == AuthorityKind.PARENT_UNDER_16:
        sixteenth = _birthday(person.birth_date, 16)
        if ends_on >= sixteenth:
            errors["ends_on"] = (
                "A parent's authority ends before the child turns 16 "
                f"(on {sixteenth:%d %B %Y})"
            )
    if errors:
        raise InvalidInput("; ".join(errors.values()), fields=errors)
    proxy = Proxy.objects.filter(
        nhs_number=nhs_number, birth_date=proxy_birth_date
    ).first()
    if proxy is None:
        proxy = Proxy.objects.create(
            given_name=proxy_given_name.strip(),
            family_name=proxy_family_name.strip(),
            nhs_number=nhs_number,
            birth_date=proxy_birth_date,
            email=proxy_email.strip(),
            phone=proxy_phone.strip(),
            created_at=timezone.now(),
        )
    return ProxyAuthority.objects.create(
        proxy=proxy,
        person=person,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        evidence_ref=evidence_ref.strip(),
        recorded_by_id=actor.user_id,
        recorded_at=timezone.now(),
    )


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return dt.date(born.year + years, 3, 1)
