"""Merge and unmerge of people (DESIGN 2 "Identity": merge and unmerge keep history
and never lose a source record).

A merge moves every row that hangs off the merged person (events, identifiers,
names, addresses, involvements, care team, consent, break-glass and relationship
claims, hospital stays: every foreign key to Person, found from the models) to
the survivor, records exactly which rows moved in a `PersonMerge`, and marks the
merged Person row (`merged_into`), which is kept. Rows that would break a unique
constraint on the survivor (the same organisation's involvement, the same
professional in the care team) stay with the merged person: the survivor already
has the equivalent, and the unmerge finds them where they were. "About me": the
survivor's is kept; the merged person's stays on its row and in the snapshot (or
moves, when the survivor has none). Audit entries are append-only and never move:
`person_ids_for_access_report` lets the access report follow the merge instead.

Unmerge moves exactly the recorded rows back and clears the mark.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision, decide
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.services import audit_record, relationships_sync
from joinedup.people.models import (
    AboutMe,
    CandidateStatus,
    MatchCandidate,
    Person,
    PersonMerge,
)

log = logging.getLogger(__name__)

ABOUT_ME = "people.aboutme"
REASON_MAX = 2000


def _movable() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every many-to-one link to Person whose rows follow a
    merge. Audit entries (append-only) and the matching models are not among them:
    they point at Person with related_name "+" and are not listed here. One-to-one
    links ("About me") are handled on their own."""
    found = []
    for rel in Person._meta.related_objects:
        if not rel.one_to_many or rel.related_model is Person:
            continue
        found.append((rel.related_model, rel.field.name))
    return sorted(found, key=lambda mf: mf[0]._meta.label_lower)


def _unique_sets(
    model: type[models.Model], field: str
) -> list[tuple[tuple[str, ...], models.Q | None]]:
    """The other fields (and the condition) of each unique constraint that
    includes `field`."""
    sets: list[tuple[tuple[str, ...], models.Q | None]] = []
    for c in model._meta.constraints:
        fields = tuple(getattr(c, "fields", ()) or ())
        if isinstance(c, models.UniqueConstraint) and field in fields:
            sets.append((tuple(f for f in fields if f != field), c.condition))
    for together in model._meta.unique_together:
        if field in together:
            sets.append((tuple(f for f in together if f != field), None))
    return sets


def _attnames(model: type[models.Model], names: tuple[str, ...]) -> list[str]:
    return [model._meta.get_field(n).attname for n in names]  # type: ignore[union-attr]


def _split(
    model: type[models.Model], field: str, survivor_id: int, merged_id: int
) -> tuple[list[int], list[int]]:
    """The merged person's rows of `model`: those that can move, and those that
    would clash with a survivor's row on a unique constraint (they stay)."""
    manager = model._default_manager
    mine = manager.filter(**{f"{field}_id": merged_id})
    theirs = manager.filter(**{f"{field}_id": survivor_id})
    clashes: set[int] = set()
    for others, condition in _unique_sets(model, field):
        names = _attnames(model, others)
        scope = models.Q() if condition is None else condition
        taken = set(theirs.filter(scope).values_list(*names))
        for pk, *values in mine.filter(scope).values_list("pk", *names):
            if tuple(values) in taken:
                clashes.add(pk)
    moving = [pk for pk in mine.order_by("pk").values_list("pk", flat=True)]
    return [pk for pk in moving if pk not in clashes], sorted(clashes)


def _person_snapshot(person: Person) -> dict[str, Any]:
    data = model_to_dict(person)
    data = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()
    }
    about = AboutMe.objects.filter(person=person).first()
    if about is not None:
        data["about_me"] = {key: getattr(about, key) for key, _ in AboutMe.HEADINGS} | {
            "id": about.pk
        }
    return data


def _may_change_identity(actor: Actor, person: Person) -> Decision:
    """Administrators, and direct-care professionals who may see the record."""
    if actor.role == Role.ADMIN:
        return Decision(True, "identity management: administrator", "admin")
    return decide(actor, person, "merge", AccessCategory.DEMOGRAPHICS)


def _authorise(actor: Actor, people: list[Person], action: str) -> None:
    """Decide for every person, audit each decision, refuse if any is refused."""
    decisions = [(p, _may_change_identity(actor, p)) for p in people]
    for person, decision in decisions:
        audit_record(
            actor=actor,
            person_id=person.pk,
            action=action,
            category=AccessCategory.DEMOGRAPHICS,
            decision=decision,
        )
    refused = [d for _, d in decisions if not d.allowed]
    if refused:
        raise AccessRefused(f"You cannot change these records: {refused[0].reason}.")


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.for_field("reason", "Enter a reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput.for_field(
            "reason", f"Reason must be {REASON_MAX} characters or fewer"
        )
    return reason


def _person_get(person_id: int, field: str, *, lock: bool) -> Person:
    people = Person.objects.select_for_update() if lock else Person.objects.all()
    person = people.filter(pk=person_id).first()
    if person is None:
        raise NotFound(
            f"person: there is no person with id {person_id}",
            fields={field: "no such person"},
        )
    return person


def person_merge(
    *,
    actor: Actor,
    survivor_id: int,
    merged_id: int,
    reason: str,
    candidate: MatchCandidate | None = None,
) -> PersonMerge:
    """Merge person `merged_id` into `survivor_id` (see the module docstring).
    Raises InvalidInput (no reason, the same person, already merged), NotFound or
    AccessRefused; nothing is saved then, except the audit of a refusal."""
    reason = _reason_clean(reason)
    if survivor_id == merged_id:
        raise InvalidInput.for_field(
            "merged_id", "A person cannot be merged into themselves"
        )
    survivor = _person_get(survivor_id, "survivor_id", lock=False)
    merged = _person_get(merged_id, "merged_id", lock=False)
    for person, name in ((survivor, "survivor_id"), (merged, "merged_id")):
        if person.merged_into_id is not None:
            raise InvalidInput.for_field(
                name,
                f"Person {person.pk} has already been merged into "
                f"person {person.merged_into_id}",
            )
    # The refusal's audit entry must survive, so authorise outside the merge's
    # transaction; then lock and re-check inside it.
    _authorise(actor, [survivor, merged], "merge")
    with transaction.atomic():
        # Lock both rows in id order so concurrent merges cannot deadlock.
        locked = {
            pk: _person_get(pk, "person_id", lock=True)
            for pk in sorted((survivor_id, merged_id))
        }
        survivor, merged = locked[survivor_id], locked[merged_id]
        if survivor.merged_into_id is not None or merged.merged_into_id is not None:
            raise InvalidInput("These records changed while you were merging them.")
        snapshot = {
            "survivor": _person_snapshot(survivor),
            "merged": _person_snapshot(merged),
        }
        moved: dict[str, dict[str, Any]] = {}
        for model, field in _movable():
            moving, kept = _split(model, field, survivor.pk, merged.pk)
            if moving:
                model._default_manager.filter(pk__in=moving).update(
                    **{f"{field}_id": survivor.pk}
                )
            if moving or kept:
                moved[model._meta.label_lower] = {
                    "field": field,
                    "ids": moving,
                    "kept": kept,
                }
        about = AboutMe.objects.filter(person=merged).first()
        if about is not None and not AboutMe.objects.filter(person=survivor).exists():
            AboutMe.objects.filter(pk=about.pk).update(person=survivor)
            moved[ABOUT_ME] = {"field": "person", "ids": [about.pk], "kept": []}
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into", "updated_at"])
        record = PersonMerge.objects.create(
            survivor=survivor,
            merged=merged,
            candidate=candidate,
            moved=moved,
            snapshot=snapshot,
            reason=reason,
            merged_by_id=actor.user_id,
        )
        # The register's rows moved with their sources; bring it in line.
        relationships_sync([survivor.pk, merged.pk])
    log.info(
        "person %s merged into %s (merge %s, %d kinds of rows moved)",
        merged.pk,
        survivor.pk,
        record.pk,
        len(moved),
    )
    return record


def person_unmerge(*, actor: Actor, merge_id: int, reason: str) -> PersonMerge:
    """Undo a merge: move back exactly the rows it moved and clear the mark."""
    reason = _reason_clean(reason)
    merge = (
        PersonMerge.objects.select_related("survivor", "merged")
        .filter(pk=merge_id)
        .first()
    )
    if merge is None:
        raise NotFound(
            f"merge: there is no merge with id {merge_id}",
            fields={"merge_id": "no such merge"},
        )
    if merge.unmerged_at is not None:
        raise InvalidInput.for_field("merge_id", "This merge has already been undone")
    _authorise(actor, [merge.survivor, merge.merged], "unmerge")
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge_id)
        if merge.unmerged_at is not None:
            raise InvalidInput.for_field(
                "merge_id", "This merge has already been undone"
            )
        later = Person.objects.filter(pk=merge.survivor_id, merged_into__isnull=False)
        if later.exists():
            raise InvalidInput.for_field(
                "merge_id",
                "The surviving record has since been merged into another: "
                "undo that merge first",
            )
        registry = {m._meta.label_lower: m for m, _ in _movable()}
        for label, entry in merge.moved.items():
            model = registry.get(label) or (AboutMe if label == ABOUT_ME else None)
            if model is None or not entry["ids"]:
                continue
            model._default_manager.filter(pk__in=entry["ids"]).update(
                **{f"{entry['field']}_id": merge.merged_id}
            )
        Person.objects.filter(pk=merge.merged_id).update(
            merged_into=None, updated_at=timezone.now()
        )
        merge.unmerged_at = timezone.now()
        merge.unmerged_by_id = actor.user_id
        merge.reason = f"{merge.reason}\n\nUndone: {reason}"
        merge.save(update_fields=["unmerged_at", "unmerged_by", "reason"])
        if merge.candidate_id is not None:
            # The pair proved to be different people: never propose it again.
            MatchCandidate.objects.filter(pk=merge.candidate_id).update(
                status=CandidateStatus.REJECTED,
                decided_by_id=actor.user_id,
                decided_at=timezone.now(),
                reason=f"Merge undone: {reason}",
            )
        relationships_sync([merge.survivor_id, merge.merged_id])
    log.info("merge %s undone", merge.pk)
    return merge


def person_ids_for_access_report(*, person_id: int) -> list[int]:
    """The person ids whose audit entries make up this person's access report:
    the person and everyone merged into them (transitively, merges not undone).
    Audit entries never move, so the report follows the merge history instead.
    Ids only: the caller (the access report) is the audited read."""
    ids = [person_id]
    frontier = [person_id]
    while frontier:
        found = list(
            PersonMerge.objects.filter(
                survivor_id__in=frontier, unmerged_at__isnull=True
            ).values_list("merged_id", flat=True)
        )
        frontier = [pk for pk in found if pk not in ids]
        ids.extend(frontier)
    return ids


def person_survivor_id(*, person_id: int) -> int | None:
    """Where a merged person's record now lives (following merges of merges), or
    None when the person has not been merged."""
    seen: set[int] = set()
    current = person_id
    while True:
        target = (
            Person.objects.filter(pk=current)
            .values_list("merged_into_id", flat=True)
            .first()
        )
        if target is None or target in seen:
            return None if current == person_id else current
        seen.add(current)
        current = target
