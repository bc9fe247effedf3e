"""Virtual wards (hospital at home): admitting a person to a place (step-up from
the community, e.g. after an urgent community response, or step-down from a
hospital bed) and discharging them on a pathway. A place is a HospitalStay with
setting virtual_ward at the ward's site, so readiness, delays, pathways and the
sitrep treat it like a bed; its ward's beds are the capacity."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from joinedup.discharge import rules
from joinedup.discharge.models import HospitalStay, StaySetting, VirtualWard
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import Role
from joinedup.people.selectors import person_access_open
from joinedup.record.models import SourceKind, SourceSystem

WARD_ROLES = frozenset({Role.COMMUNITY_MATRON, Role.DISCHARGE_COORDINATOR})
ADMISSION_METHODS = {
    "step_up": "Step-up from the community",
    "step_down": "Step-down from hospital",
}


def _ward_for(actor: Actor, ward_id: int | None) -> VirtualWard:
    if actor.role not in WARD_ROLES:
        raise AccessRefused(
            "Only a community matron or discharge coordinator of the ward's "
            "organisation can admit to or discharge from a virtual ward.",
            fields={"role": "not a virtual ward role"},
        )
    ward = VirtualWard.objects.filter(pk=ward_id).first() if ward_id else None
    if ward is None:
        raise InvalidInput.for_field("ward", "choose a virtual ward")
    if ward.organisation_id != actor.organisation_id:
        raise AccessRefused(
            "This virtual ward belongs to another organisation.",
            fields={"ward": "not your organisation's ward"},
        )
    return ward


def _source_system(organisation_id: int) -> SourceSystem:
    system, _ = SourceSystem.objects.get_or_create(
        code=f"joinedup-virtual-ward-{organisation_id}",
        defaults={
            "name": "JoinedUp virtual ward",
            "organisation_id": organisation_id,
            "kind": SourceKind.MANUAL,
            "identifier_system": "https://joinedup.example/virtual-ward",
            "identifier_label": "Virtual ward place",
        },
    )
    return system


def virtual_ward_occupied(ward: VirtualWard) -> int:
    return HospitalStay.objects.filter(
        organisation_id=ward.organisation_id,
        site=ward.site,
        setting=StaySetting.VIRTUAL_WARD,
        discharged_at__isnull=True,
    ).count()


def virtual_ward_admit(
    *,
    actor: Actor,
    person_id: int,
    ward_id: int | None,
    method: str,
    admitted_at: dt.datetime | None = None,
) -> HospitalStay:
    """A place on the ward, refused when every bed is taken or the person already
    has one."""
    if method not in ADMISSION_METHODS:
        raise InvalidInput.for_field("method", "choose step-up or step-down")
    with transaction.atomic():
        ward = _ward_for(actor, ward_id)
        VirtualWard.objects.select_for_update().filter(pk=ward.pk).first()
        person_access_open(
            actor=actor, person_id=person_id, action="virtual_ward_admit"
        )
        if HospitalStay.objects.filter(
            person_id=person_id,
            setting=StaySetting.VIRTUAL_WARD,
            discharged_at__isnull=True,
        ).exists():
            raise Conflict(
                "The person already has a virtual ward place.",
                fields={"person": "already on a virtual ward"},
            )
        if virtual_ward_occupied(ward) >= ward.beds:
            raise Conflict(
                f"{ward.name} is full ({ward.beds} places).",
                fields={"ward": "no free place"},
            )
        return HospitalStay.objects.create(
            person_id=person_id,
            organisation_id=ward.organisation_id,
            source_system=_source_system(ward.organisation_id),
            admission_source_id=f"vw-{uuid.uuid4().hex[:20]}",
            site=ward.site,
            ward=ward.name,
            admission_method=method,
            admitted_at=admitted_at or timezone.now(),
            setting=StaySetting.VIRTUAL_WARD,
        )


def virtual_ward_discharge(
    *, actor: Actor, stay_id: int, pathway: str, destination: str = ""
) -> HospitalStay:
    pathway = rules.pathway_validate(pathway)
    with transaction.atomic():
        stay = (
            HospitalStay.objects.select_for_update()
            .filter(pk=stay_id, setting=StaySetting.VIRTUAL_WARD)
            .first()
        )
        if stay is None:
            raise NotFound(
                "stay: no such virtual ward place", fields={"stay": "no such place"}
            )
        ward = VirtualWard.objects.filter(
            organisation_id=stay.organisation_id, site=stay.site
        ).first()
        _ward_for(actor, ward.pk if ward else None)
        person_access_open(
            actor=actor, person_id=stay.person_id, action="virtual_ward_discharge"
        )
        if stay.discharged_at is not None:
            raise Conflict(
                "The person has already left the virtual ward.",
                fields={"stay": "already discharged"},
            )
        stay.discharged_at = timezone.now()
        stay.discharge_pathway = pathway
        stay.discharge_destination = destination.strip()[:100]
        stay.save(
            update_fields=[
                "discharged_at",
                "discharge_pathway",
                "discharge_destination",
            ]
        )
    return stay
