"""The one write path of the person index from source systems: many source
records in one transaction, set-wise (the MLLP listener's group commit, file
ingest), and a single record as a batch of one (`person_from_source_upsert`,
`person_match_or_create`). See the package docstring."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from joinedup.db.together import querysets_fetch
from joinedup.governance.services.relationships import relationships_sync
from joinedup.people.matching import resolve
from joinedup.people.matching.outcomes import Outcome
from joinedup.people.matching.prepare import MatchRecord
from joinedup.people.models import (
    Address,
    Identifier,
    Involvement,
    InvolvementKind,
    NameUse,
    NhsNumberStatus,
    Person,
    PersonName,
    normalise_name,
)
from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM
from joinedup.people.relationships import PEOPLE_SOURCES
from joinedup.people.services.source import (
    SourceDemographics,
    match_record,
    model_available,
    new_person,
    organisation_id_of,
    organisation_type_of,
    person_live,
    source_involvement_kind,
)
from joinedup.record.followup import Touched
from joinedup.record.models import SourceSystem
from joinedup.record.services import rows_insert

# A change to any of these sends the person through identity matching again
# (the people app's ingest follow-up).
IDENTIFYING = frozenset(
    {"given_name", "family_name", "birth_date", "sex", "postcode", "nhs_number"}
)


class SourceRecordBatch:
    """`person_from_source_upsert` for many source records in one transaction,
    set-wise (see the module docstring). Records are applied in order, each seeing
    what the earlier ones did; nothing is written before `flush`, which the caller
    runs inside the same transaction (an exception anywhere: roll it all back)."""

    def __init__(self) -> None:
        # The people every flush wrote and those whose identifying details
        # changed, for the ingest follow-up (kept across flushes).
        self.touched = Touched()
        self._reset()

    def _reset(self) -> None:
        self._upserted: list[Person] = []
        self._identity_changed: list[Person] = []
        self._identifiers: dict[tuple[str, str], Person | None] = {}
        self._by_pk: dict[int, Person] = {}
        self._involvements: dict[tuple[int, int], Involvement] = {}
        self._loaded_people: set[int] = set()
        self._new_people: list[Person] = []
        self._new_identifiers: list[Identifier] = []
        self._new_names: list[PersonName] = []
        self._new_addresses: list[Address] = []
        self._new_involvements: list[Involvement] = []
        self._names_close: dict[int, dt.date] = {}  # person pk -> day
        self._addresses_close: dict[int, dt.date] = {}
        self._dirty: dict[int, tuple[Person, set[str]]] = {}  # id(person)
        self._seen: dict[int, tuple[Involvement, dt.datetime, dt.datetime]] = {}
        # people created in this batch, by date of birth (matching's blocking)
        self._new_by_birth: dict[dt.date, list[Person]] = {}
        # review pairs to queue once both people are saved: (new, other, scores)
        self._reviews: list[tuple[Person, Person | int, resolve.Resolution]] = []
        self._model: resolve.Loaded | None = None
        self._model_looked_up = False  # once per batch

    def prefetch(self, *, identifiers: Iterable[tuple[str, str]]) -> None:
        """Load the people holding these (system, value) identifiers and those
        people's involvements (read together: `prefetch_queries`)."""
        queries = self.prefetch_queries(identifiers=identifiers)
        if queries is not None:
            self.prefetched(*querysets_fetch(queries))

    def prefetch_queries(
        self, *, identifiers: Iterable[tuple[str, str]]
    ) -> list[QuerySet[Any]] | None:
        """The reads of `prefetch` (identifiers, their people, the people's
        involvements), for a caller that sends them with others; hand the rows
        to `prefetched`. None: nothing to read."""
        wanted: dict[str, set[str]] = {}
        for system, value in identifiers:
            if (system, value) not in self._identifiers:
                wanted.setdefault(system, set()).add(value)
                self._identifiers[(system, value)] = None
        if not wanted:
            return None
        query = Q()
        for system, values in wanted.items():
            query |= Q(system=system, value__in=sorted(values))
        held = Identifier.objects.filter(query)
        people = held.values("person_id")
        return [
            held,
            Person.objects.filter(pk__in=people),
            Involvement.objects.filter(person_id__in=people),
        ]

    def prefetched(
        self,
        identifiers: list[Identifier],
        people: list[Person],
        involvements: list[Involvement],
    ) -> None:
        by_pk = {p.pk: p for p in people}
        for inv in involvements:
            self._involvements[(inv.person_id, inv.organisation_id)] = inv
        self._loaded_people.update(by_pk)
        for ident in identifiers:
            person = self._by_pk.get(ident.person_id) or by_pk[ident.person_id]
            self._identifiers[(ident.system, ident.value)] = self._known(
                person_live(person)
            )
        self._involvements_load()  # of survivors of merges, if any

    def _known(self, person: Person) -> Person:
        return self._by_pk.setdefault(person.pk, person)

    def _involvements_load(self) -> None:
        pks = [pk for pk in self._by_pk if pk not in self._loaded_people]
        if not pks:
            return
        self._loaded_people.update(pks)
        for inv in Involvement.objects.filter(person_id__in=pks):
            self._involvements[(inv.person_id, inv.organisation_id)] = inv

    def person_for_identifier(self, system: str, value: str) -> Person | None:
        """The person holding an identifier, as the batch stands (staged too)."""
        if (system, value) not in self._identifiers:  # not prefetched: ask
            self.prefetch(identifiers=[(system, value)])
        return self._identifiers[(system, value)]

    def person_match_or_create(
        self, *, demographics: SourceDemographics, seen_at: dt.datetime
    ) -> tuple[Person, bool]:
        """The batch form of `person_match_or_create`: the same decision, made
        against the prefetched identifiers and the people created earlier in the
        batch. A new Person is not saved until `flush`."""
        d = demographics
        if d.nhs_number and d.nhs_number_status == NhsNumberStatus.VERIFIED:
            found = self.person_for_identifier(NHS_NUMBER_SYSTEM, d.nhs_number)
            if found is not None:
                return found, False
        resolution, other = self._resolve(d)
        if resolution is not None and resolution.outcome == Outcome.LINK:
            return other if isinstance(other, Person) else self._person(other), False
        person = new_person(d)
        self._new_people.append(person)
        self._new_by_birth.setdefault(d.birth_date, []).append(person)
        if resolution is not None and resolution.outcome == Outcome.REVIEW:
            self._reviews.append((person, other, resolution))
        return person, True

    def _resolve(
        self, d: SourceDemographics
    ) -> tuple[resolve.Resolution | None, Person | int]:
        """Incremental matching against the index (database) and the people this
        batch created (in memory, blocked on date of birth): the better of the
        two, with the person (staged) or person id (index) it points to."""
        if not self._model_looked_up:
            self._model = model_available()
            self._model_looked_up = True
        loaded = self._model
        if loaded is None:
            return None, 0
        record = match_record(d)
        best = resolve.person_resolve(record=record, verified_step=False, loaded=loaded)
        other: Person | int = best.person_id or 0
        staged = self._new_by_birth.get(d.birth_date, [])
        if staged:
            candidates = [
                dataclasses.replace(person_record_staged(p), id=f"staged:{i}")
                for i, p in enumerate(staged)
            ]
            scored = resolve.scores_against(record, candidates, loaded=loaded)
            if scored:
                top = max(scored, key=lambda s: s.match_probability)
                if top.match_probability > best.probability:
                    thresholds = resolve.store.model_thresholds(loaded.model)
                    best = dataclasses.replace(
                        best,
                        outcome=thresholds.outcome(top.match_probability),
                        person_id=None,
                        probability=top.match_probability,
                        rule=resolve.SPLINK_RULE,
                        match_weight=top.match_weight,
                        contributions=top.contributions,
                        model_version=loaded.model.version,
                    )
                    other = staged[int(top.right_id.split(":")[1])]
        return best, other

    def _person(self, pk: int) -> Person:
        """A person of the index that matching linked to, known to the batch
        (with its involvements loaded)."""
        if pk not in self._by_pk:
            self._known(Person.objects.get(pk=pk))
            self._involvements_load()
        return self._by_pk[pk]

    def _identifier_add(
        self, person: Person, system: str, value: str, source: SourceSystem | None
    ) -> None:
        self._identifiers[(system, value)] = person
        self._new_identifiers.append(
            Identifier(person=person, system=system, value=value, source_system=source)
        )

    def _changed(self, person: Person, *names: str) -> None:
        if person.pk is not None:
            self._dirty.setdefault(id(person), (person, set()))[1].update(names)
            if IDENTIFYING.intersection(names):
                self._identity_changed.append(person)

    def _name_add(
        self, person: Person, source: SourceSystem, d: SourceDemographics, day: dt.date
    ) -> None:
        self._new_names.append(
            PersonName(person=person, given_name=d.given_name,
                       family_name=d.family_name, use=NameUse.OFFICIAL,
                       source_system=source, period_start=day)
        )  # fmt: skip

    def _address_add(
        self, person: Person, source: SourceSystem, d: SourceDemographics, day: dt.date
    ) -> None:
        self._new_addresses.append(
            Address(person=person, line=d.address_line, postcode=d.postcode,
                    source_system=source, period_start=day)
        )  # fmt: skip

    def _demographics_update(
        self, person: Person, source: SourceSystem, d: SourceDemographics, day: dt.date
    ) -> None:
        """`_demographics_update`, staged."""
        if (person.given_name, person.family_name) != (d.given_name, d.family_name):
            if person.pk is not None:
                self._names_close.setdefault(person.pk, day)
            for row in self._new_names:
                if row.person is person and row.use == NameUse.OFFICIAL:
                    row.use, row.period_end = NameUse.OLD, day
            self._name_add(person, source, d, day)
            person.given_name, person.family_name = d.given_name, d.family_name
            person.given_name_norm = normalise_name(d.given_name)
            person.family_name_norm = normalise_name(d.family_name)
            self._changed(person, "given_name", "family_name", "given_name_norm",
                          "family_name_norm")  # fmt: skip
        if (d.address_line or d.postcode) and (
            person.address_line,
            person.postcode,
        ) != (d.address_line, d.postcode):
            if person.pk is not None:
                self._addresses_close.setdefault(person.pk, day)
            for address in self._new_addresses:
                if address.person is person and address.period_end is None:
                    address.period_end = day
            self._address_add(person, source, d, day)
            person.address_line, person.postcode = d.address_line, d.postcode
            self._changed(person, "address_line", "postcode")
        for name in ("birth_date", "sex"):
            if getattr(person, name) != getattr(d, name):
                setattr(person, name, getattr(d, name))
                self._changed(person, name)
        if d.phone and person.phone != d.phone:
            person.phone = d.phone
            self._changed(person, "phone")
        if d.ethnic_category and person.ethnic_category != d.ethnic_category:
            person.ethnic_category = d.ethnic_category
            self._changed(person, "ethnic_category")
        current = (person.nhs_number, person.nhs_number_status)
        if (
            d.nhs_number
            and not person.nhs_number_verified
            and current != (d.nhs_number, d.nhs_number_status)
        ):
            person.nhs_number = d.nhs_number
            person.nhs_number_status = d.nhs_number_status
            self._changed(person, "nhs_number", "nhs_number_status")

    def _involvement_touch(
        self, person: Person, organisation_id: int, kind: str, seen_at: dt.datetime
    ) -> None:
        if person.pk is not None:
            found = self._involvements.get((person.pk, organisation_id))
            if found is not None:
                _, low, high = self._seen.get(id(found), (found, seen_at, seen_at))
                self._seen[id(found)] = (found, min(low, seen_at), max(high, seen_at))
                return
        for inv in self._new_involvements:
            if inv.person is person and inv.organisation_id == organisation_id:
                inv.first_seen = min(inv.first_seen, seen_at)
                inv.last_seen = max(inv.last_seen, seen_at)
                return
        self._new_involvements.append(
            Involvement(person=person, organisation_id=organisation_id, kind=kind,
                        first_seen=seen_at, last_seen=seen_at)
        )  # fmt: skip

    def upsert(
        self,
        *,
        source_system: SourceSystem,
        local_id: str,
        demographics: SourceDemographics,
        seen_at: dt.datetime,
        gp_practice_code: str | None = None,
    ) -> Person:
        """`person_from_source_upsert`, staged: the Person (unsaved if new)."""
        d = demographics
        day = seen_at.date()
        person = self.person_for_identifier(source_system.identifier_system, local_id)
        if person is not None:
            self._demographics_update(person, source_system, d, day)
        else:
            person, created = self.person_match_or_create(
                demographics=d, seen_at=seen_at
            )
            self._identifier_add(
                person, source_system.identifier_system, local_id, source_system
            )
            if created:
                self._name_add(person, source_system, d, day)
                if d.address_line or d.postcode:
                    self._address_add(person, source_system, d, day)
                verified = d.nhs_number_status == NhsNumberStatus.VERIFIED
                if (
                    d.nhs_number
                    and verified
                    and self.person_for_identifier(NHS_NUMBER_SYSTEM, d.nhs_number)
                    is None
                ):
                    self._identifier_add(person, NHS_NUMBER_SYSTEM, d.nhs_number, None)
            else:
                self._demographics_update(person, source_system, d, day)
        gp_id = organisation_id_of(gp_practice_code)
        if gp_id is not None and person.registered_gp_id != gp_id:
            person.registered_gp_id = gp_id
            self._changed(person, "registered_gp_id")
            self._involvement_touch(
                person, gp_id, InvolvementKind.REGISTERED_GP, seen_at
            )
        kind = source_involvement_kind(organisation_type_of(source_system))
        if kind is not None:
            self._involvement_touch(
                person, source_system.organisation_id, kind, seen_at
            )
        self._upserted.append(person)
        return person

    def flush(self) -> None:
        """Write what the batch staged: one bulk statement per table and change."""
        Person.objects.bulk_create(self._new_people)
        for pk, day in self._names_close.items():  # rare: a name change
            PersonName.objects.filter(person_id=pk, use=NameUse.OFFICIAL).update(
                use=NameUse.OLD, period_end=day
            )
        for pk, day in self._addresses_close.items():
            Address.objects.filter(person_id=pk, period_end__isnull=True).update(
                period_end=day
            )
        rows_insert(self._new_identifiers)
        rows_insert(self._new_names)
        rows_insert(self._new_addresses)
        now = timezone.now()
        groups: dict[tuple[str, ...], list[Person]] = {}
        for person, changed in self._dirty.values():
            person.updated_at = now
            groups.setdefault(tuple(sorted(changed)), []).append(person)
        for names, people in groups.items():
            Person.objects.bulk_update(people, [*names, "updated_at"])
        rows_insert(self._new_involvements)
        # Involvements and GP registrations are relationships: the register
        # follows these bulk writes for the people whose ones changed.
        touched = {inv.person.pk for inv in self._new_involvements}
        touched |= {
            person.pk
            for person, changed in self._dirty.values()
            if "registered_gp_id" in changed
        }
        touched |= {p.pk for p in self._new_people if p.registered_gp_id is not None}
        if touched:
            relationships_sync(touched, sources=PEOPLE_SOURCES)
        widened = [
            (inv.pk, low, high)
            for inv, low, high in self._seen.values()
            if low < inv.first_seen or high > inv.last_seen
        ]
        if widened:
            _involvements_widen(widened)
        reviews = self._reviews
        self.touched.add(
            people=[p.pk for p in self._upserted],
            people_changed=[p.pk for p in self._identity_changed],
        )
        self._reset()
        for person, other, resolution in reviews:
            other_pk = other.pk if isinstance(other, Person) else other
            if other_pk and person.pk and other_pk != person.pk:
                resolve.resolution_queue(
                    resolution=dataclasses.replace(resolution, person_id=other_pk),
                    person_id=person.pk,
                )


def person_from_source_upsert(
    *,
    source_system: SourceSystem,
    local_id: str,
    demographics: SourceDemographics,
    seen_at: dt.datetime,
    gp_practice_code: str | None = None,
    touched: Touched | None = None,
) -> Person:
    """The person a source record is about, created or brought up to date: found by
    the source system's identifier first, else by the identity step. A batch of
    one (`SourceRecordBatch.upsert`, then `flush`); what it wrote is added to
    `touched`, for the caller's ingest follow-up."""
    with transaction.atomic():
        batch = SourceRecordBatch()
        person = batch.upsert(
            source_system=source_system,
            local_id=local_id,
            demographics=demographics,
            seen_at=seen_at,
            gp_practice_code=gp_practice_code,
        )
        batch.flush()
    if touched is not None:
        touched.merge(batch.touched)
    return person


def person_match_or_create(
    *, demographics: SourceDemographics, seen_at: dt.datetime
) -> tuple[Person, bool]:
    """The identity step for a source record not seen before, as a batch of one
    (`SourceRecordBatch.person_match_or_create`): the person holding the same
    verified NHS number, else incremental matching; a new Person (saved)
    otherwise, the pair queued for review between the thresholds."""
    with transaction.atomic():
        batch = SourceRecordBatch()
        person, created = batch.person_match_or_create(
            demographics=demographics, seen_at=seen_at
        )
        batch.flush()
    return person, created


def _involvements_widen(rows: list[tuple[int, dt.datetime, dt.datetime]]) -> None:
    """Widen involvements' first/last seen (as `involvement_touch` does, safe
    against other writers): one statement for all of them."""
    if connection.vendor == "postgresql":
        # Only placeholders are formatted into the statement; values are bound.
        values = ", ".join(["(%s, %s::timestamptz, %s::timestamptz)"] * len(rows))
        sql = (
            "UPDATE people_involvement AS i SET "  # noqa: S608
            "first_seen = LEAST(i.first_seen, v.low), "
            "last_seen = GREATEST(i.last_seen, v.high) "
            f"FROM (VALUES {values}) AS v(id, low, high) WHERE i.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [value for row in rows for value in row],
            )
        return
    for pk, low, high in rows:
        Involvement.objects.filter(pk=pk).update(
            first_seen=Least(F("first_seen"), Value(low)),
            last_seen=Greatest(F("last_seen"), Value(high)),
        )


def person_record_staged(person: Person) -> MatchRecord:
    """A person (saved or not) as a match record; no address history."""
    return MatchRecord(
        id=f"person:{person.pk}",
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=person.birth_date,
        sex=person.sex,
        postcode=person.postcode,
        nhs_number=person.nhs_number,
        nhs_verified=person.nhs_number_status == NhsNumberStatus.VERIFIED,
    )
