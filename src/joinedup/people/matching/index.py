"""The person index as match records: each person with every postcode they have
had (their address history), for linkage against the index."""

from __future__ import annotations

from joinedup.people.matching.prepare import MatchRecord
from joinedup.people.models import Address, NhsNumberStatus, Person, PersonMerge


def person_record(person: Person, postcodes: tuple[str, ...] = ()) -> MatchRecord:
    return MatchRecord(
        id=f"person:{person.pk}",
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=person.birth_date,
        sex=person.sex,
        postcode=person.postcode,
        nhs_number=person.nhs_number,
        nhs_verified=person.nhs_number_status == NhsNumberStatus.VERIFIED,
        postcodes=postcodes,
    )


def index_records() -> list[MatchRecord]:
    """Every person of the index (system activity: no person data leaves here
    except to the matching engine)."""
    merged = PersonMerge.objects.filter(unmerged_at__isnull=True).values("merged_id")
    history: dict[int, list[str]] = {}
    for person_id, postcode in Address.objects.values_list("person_id", "postcode"):
        if postcode:
            history.setdefault(person_id, []).append(postcode)
    return [
        person_record(p, tuple(history.get(p.pk, ())))
        for p in Person.objects.exclude(pk__in=merged)
        .order_by("pk")
        .iterator(chunk_size=5000)
    ]
