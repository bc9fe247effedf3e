"""Keeping the directory: import of Open Referral UK JSON (all or nothing; a
rejected file is kept with its errors and nothing else changes), edits of one
service, and linking a directory organization to the JoinedUp organisation that
answers referrals to its services. Only a directory editor in a voluntary sector
organisation or a council may change the directory."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from joinedup.directory.models import (
    DirectoryImport,
    DirectoryOrganization,
    ImportStatus,
    Location,
    Service,
    ServiceAtLocation,
    ServiceContact,
    ServiceStatus,
    TaxonomyTerm,
)
from joinedup.directory.oruk import OrukInvalid, ServiceSpec, oruk_parse
from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import (
    AccessCategory,
    Organisation,
    OrganisationType,
    Role,
)
from joinedup.governance.services import audit_record

EDITOR_ORGANISATION_TYPES = frozenset(
    {
        OrganisationType.VOLUNTARY_SECTOR,
        OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
        OrganisationType.COUNCIL_CHILDRENS_SERVICES,
    }
)
RAW_KEPT = 1_000_000  # characters of a rejected file kept for review


def directory_may_edit(actor: Actor) -> bool:
    if actor.role != Role.DIRECTORY_EDITOR:
        return False
    org_type = (
        Organisation.objects.filter(pk=actor.organisation_id)
        .values_list("type", flat=True)
        .first()
    )
    return org_type in EDITOR_ORGANISATION_TYPES


def _editor(actor: Actor, action: str) -> None:
    if not directory_may_edit(actor):
        audit_record(
            actor=actor,
            person_id=None,
            action=action,
            category=AccessCategory.DEMOGRAPHICS,
            decision=Decision(False, "not a directory editor"),
        )
        raise AccessRefused(
            "Only a directory editor in a voluntary sector organisation or a "
            "council can change the service directory.",
            fields={"role": "not a directory editor"},
        )


def _apply(specs: list[ServiceSpec], *, user_id: int) -> dict[str, int]:
    now = timezone.now()
    counts = {"services": 0, "created": 0, "organizations": 0, "locations": 0}
    orgs: dict[str, DirectoryOrganization] = {}
    terms: dict[str, TaxonomyTerm] = {}
    parents: dict[str, str] = {}
    for spec in specs:
        o = spec.organization
        if o.oruk_id not in orgs:
            orgs[o.oruk_id], _ = DirectoryOrganization.objects.update_or_create(
                oruk_id=o.oruk_id,
                defaults={
                    "name": o.name,
                    "description": o.description,
                    "email": o.email,
                    "website": o.website,
                },
            )
        for t in spec.terms:
            if t.oruk_id not in terms:
                terms[t.oruk_id], _ = TaxonomyTerm.objects.update_or_create(
                    oruk_id=t.oruk_id,
                    defaults={"taxonomy": t.taxonomy, "name": t.name, "code": t.code},
                )
                if t.parent_id:
                    parents[t.oruk_id] = t.parent_id
    for child, parent_id in parents.items():
        parent = (
            terms.get(parent_id)
            or TaxonomyTerm.objects.filter(oruk_id=parent_id).first()
        )
        if parent is not None and parent.pk != terms[child].pk:
            TaxonomyTerm.objects.filter(pk=terms[child].pk).update(parent=parent)
    for spec in specs:
        service, created = Service.objects.update_or_create(
            oruk_id=spec.oruk_id,
            defaults={
                "organization": orgs[spec.organization.oruk_id],
                "name": spec.name,
                "description": spec.description,
                "url": spec.url,
                "email": spec.email,
                "status": spec.status,
                "fees": spec.fees,
                "eligibility_description": spec.eligibility_description,
                "minimum_age": spec.minimum_age,
                "maximum_age": spec.maximum_age,
                "last_modified": now,
                "modified_by_id": user_id,
            },
        )
        counts["services"] += 1
        counts["created"] += int(created)
        service.terms.set([terms[t.oruk_id] for t in spec.terms])
        kept_sal = []
        for sal_id, loc in spec.locations:
            location, _ = Location.objects.update_or_create(
                oruk_id=loc.oruk_id,
                defaults={
                    "name": loc.name,
                    "address_1": loc.address_1,
                    "city": loc.city,
                    "postal_code": loc.postal_code,
                    "latitude": loc.latitude,
                    "longitude": loc.longitude,
                },
            )
            ServiceAtLocation.objects.update_or_create(
                oruk_id=sal_id, defaults={"service": service, "location": location}
            )
            kept_sal.append(sal_id)
            counts["locations"] += 1
        service.service_at_locations.exclude(oruk_id__in=kept_sal).delete()
        kept_contacts = []
        for c in spec.contacts:
            ServiceContact.objects.update_or_create(
                oruk_id=c.oruk_id,
                defaults={
                    "service": service,
                    "name": c.name,
                    "title": c.title,
                    "phone": c.phone,
                    "email": c.email,
                },
            )
            kept_contacts.append(c.oruk_id)
        service.contacts.exclude(oruk_id__in=kept_contacts).delete()
    counts["organizations"] = len(orgs)
    return counts


def directory_import(
    *, actor: Actor, content: str | bytes, filename: str = ""
) -> DirectoryImport:
    """Import ORUK JSON. Applied whole, or rejected whole: a rejected file is kept
    (the directory's quarantine) with the bad fields, and InvalidInput is raised
    naming them; nothing in the directory changes."""
    _editor(actor, "directory_import")
    now = timezone.now()
    filename = (filename or "")[:200]
    try:
        specs = oruk_parse(content)
    except OrukInvalid as exc:
        raw = (
            content.decode("utf-8", "replace")
            if isinstance(content, bytes)
            else content
        )
        DirectoryImport.objects.create(
            status=ImportStatus.REJECTED,
            received_at=now,
            received_by_id=actor.user_id,
            filename=filename,
            errors=exc.errors,
            raw=raw[:RAW_KEPT].replace("\x00", "\ufffd"),
        )
        raise InvalidInput(
            "The file was not imported: " + str(exc), fields=exc.errors
        ) from None
    with transaction.atomic():
        counts = _apply(specs, user_id=actor.user_id)
        record = DirectoryImport.objects.create(
            status=ImportStatus.APPLIED,
            received_at=now,
            received_by_id=actor.user_id,
            filename=filename,
            counts=counts,
        )
    return record


def service_update(
    *,
    actor: Actor,
    service_id: int,
    status: str,
    description: str,
    minimum_age: int | None,
    maximum_age: int | None,
) -> Service:
    """Change a service's status, description and age eligibility."""
    _editor(actor, "directory_service_update")
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        raise NotFound(
            f"service: there is no service with id {service_id}",
            fields={"service": "no such service"},
        )
    if status not in ServiceStatus.values:
        raise InvalidInput.for_field("status", "choose the service's status")
    for name, age in (("minimum_age", minimum_age), ("maximum_age", maximum_age)):
        if age is not None and not 0 <= age <= 130:
            raise InvalidInput.for_field(name, "must be between 0 and 130")
    if (
        minimum_age is not None
        and maximum_age is not None
        and minimum_age > maximum_age
    ):
        raise InvalidInput.for_field("maximum_age", "must not be below the minimum age")
    if len(description) > 8000:
        raise InvalidInput.for_field("description", "must be 8000 characters or fewer")
    service.status = status
    service.description = description.strip()
    service.minimum_age = minimum_age
    service.maximum_age = maximum_age
    service.last_modified = timezone.now()
    service.modified_by_id = actor.user_id
    service.save()
    return service


def directory_organization_link(
    *, actor: Actor, organization_id: int, organisation_id: int | None
) -> DirectoryOrganization:
    """Say which JoinedUp organisation answers referrals to the services of a
    directory organization (None: people are signposted)."""
    _editor(actor, "directory_organization_link")
    org = DirectoryOrganization.objects.filter(pk=organization_id).first()
    if org is None:
        raise NotFound(
            "organization: no such directory organization",
            fields={"organization": "no such organization"},
        )
    if (
        organisation_id is not None
        and not Organisation.objects.filter(pk=organisation_id).exists()
    ):
        raise InvalidInput.for_field("organisation", "no such organisation")
    org.organisation_id = organisation_id
    org.save(update_fields=["organisation"])
    return org
