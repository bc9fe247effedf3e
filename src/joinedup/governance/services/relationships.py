"""Writes to the register of legitimate relationships.

Each app that creates relationships declares a `Source`: the model whose rows
carry them (a care team membership, a task, an involvement, a GP registration, a
claim, a break-glass use) and how one of its rows reads as register rows. Saving
or deleting a source row through the ORM opens, changes or closes its register
rows in the same transaction; writers that bypass the ORM's save (bulk inserts,
`QuerySet.update`, COPY) call `relationships_sync` for the people they touched.
`relationships_expected` rebuilds what the register should hold from the sources,
which the backfill and the consistency check use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from joinedup.db.bulk import objects_insert
from joinedup.governance.models import Relationship

CHUNK = 5000


@dataclass(frozen=True)
class Row:
    """A register row as a source states it (without its database id)."""

    person_id: int
    kind: str
    source_app: str
    source_ref: str
    user_id: int | None = None
    team_id: int | None = None
    organisation_id: int | None = None
    detail: str = ""
    # A scheduled end (a claim's or break-glass's expiry); None while open-ended.
    ended_at: dt.datetime | None = None
    started_at: dt.datetime | None = field(default=None, compare=False)

    @classmethod
    def of(cls, r: Relationship) -> Row:
        return cls(
            person_id=r.person_id,
            kind=r.kind,
            source_app=r.source_app,
            source_ref=r.source_ref,
            user_id=r.user_id,
            team_id=r.team_id,
            organisation_id=r.organisation_id,
            detail=r.detail,
            ended_at=r.ended_at,
            started_at=r.started_at,
        )


@dataclass(frozen=True)
class Source:
    """Where a kind of relationship comes from.

    `rows(objects, now)` turns source rows into the register rows in force now
    (none for a closed one). `person_field` names the source model's person
    column ("person_id", or "pk" for the person row itself)."""

    name: str
    model: type[models.Model]
    rows: Callable[[Iterable[models.Model], dt.datetime], Iterable[Row]]
    person_field: str = "person_id"
    # Only saves that change one of these fields touch the register (None: all).
    fields: frozenset[str] | None = None

    def queryset(self, person_ids: Collection[int] | None) -> models.QuerySet:
        objects = self.model._default_manager.all()
        if person_ids is not None:
            objects = objects.filter(**{f"{self.person_field}__in": person_ids})
        return objects


SOURCES: dict[str, Source] = {}


def source_register(source: Source) -> None:
    """Declare a source (from the app's `ready`): its saves and deletes keep the
    register up to date from then on."""
    SOURCES[source.name] = source

    def saved(
        sender: type[models.Model],
        instance: models.Model,
        update_fields: frozenset[str] | None = None,
        raw: bool = False,
        **_: object,
    ) -> None:
        if raw:
            return
        if (
            update_fields is not None
            and source.fields is not None
            and not (set(update_fields) & source.fields)
        ):
            return
        _sync_refs(source, [instance], deleted=False)

    def deleted(
        sender: type[models.Model], instance: models.Model, **_: object
    ) -> None:
        _sync_refs(source, [instance], deleted=True)

    uid = f"relationships:{source.name}"
    post_save.connect(saved, sender=source.model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=source.model, weak=False, dispatch_uid=uid)


def _open_now(now: dt.datetime) -> models.Q:
    return models.Q(ended_at__isnull=True) | models.Q(ended_at__gt=now)


def _apply(
    desired: Iterable[Row], current: Iterable[Relationship], now: dt.datetime
) -> tuple[int, int]:
    """Make the open register rows `current` equal `desired`: close what is no
    longer stated, open what is new, leave what is unchanged. Returns (opened,
    closed)."""
    wanted: dict[Row, Row] = {}
    for row in desired:
        wanted.setdefault(row, row)
    closing: list[int] = []
    for rel in current:
        row = Row.of(rel)
        if row in wanted:
            del wanted[row]
        else:
            closing.append(rel.pk)
    for start in range(0, len(closing), CHUNK):
        Relationship.objects.filter(pk__in=closing[start : start + CHUNK]).update(
            ended_at=now
        )
    _insert(wanted.values(), now)
    return len(wanted), len(closing)


def _insert(rows: Iterable[Row], now: dt.datetime, *, copy: bool = True) -> None:
    """Insert register rows: by COPY on PostgreSQL (many rows), or with one
    INSERT when `copy` is False (a few rows, where COPY's extra round trip is
    most of the cost)."""
    made = [
        Relationship(
            person_id=r.person_id,
            kind=r.kind,
            detail=r.detail,
            user_id=r.user_id,
            team_id=r.team_id,
            organisation_id=r.organisation_id,
            source_app=r.source_app,
            source_ref=r.source_ref,
            started_at=r.started_at or now,
            ended_at=r.ended_at,
        )
        for r in rows
    ]
    if copy:
        objects_insert(made)
    elif made:
        Relationship.objects.bulk_create(made, batch_size=CHUNK)


def _sync_refs(source: Source, objects: list[models.Model], *, deleted: bool) -> None:
    now = timezone.now()
    desired = [] if deleted else list(source.rows(objects, now))
    current = Relationship.objects.filter(
        _open_now(now),
        source_app=source.name,
        source_ref__in=[str(o.pk) for o in objects],
    )
    with transaction.atomic(savepoint=False):
        _apply(desired, current, now)


def relationships_open(source_name: str, objects: Iterable[models.Model]) -> None:
    """Open the register rows of source rows just inserted in bulk (so they have
    none yet): the rows their save would have opened, in one INSERT (the
    batches here are small: an ingest's), without reading the register first."""
    source = SOURCES[source_name]
    now = timezone.now()
    _insert(dict.fromkeys(source.rows(objects, now)), now, copy=False)


def relationships_expected(
    person_ids: Collection[int] | None = None,
    *,
    sources: Collection[str] | None = None,
    now: dt.datetime | None = None,
) -> list[Row]:
    """What the register should hold open now for these people (everyone when
    None), rebuilt from the sources."""
    now = now or timezone.now()
    found: list[Row] = []
    for name in sources or SOURCES:
        source = SOURCES[name]
        found.extend(source.rows(source.queryset(person_ids).iterator(CHUNK), now))
    return found


def relationships_sync(
    person_ids: Collection[int] | None = None,
    *,
    sources: Collection[str] | None = None,
) -> tuple[int, int]:
    """Bring the register in line with the sources for these people (everyone
    when None), after writes that bypass the ORM's save. Returns (opened,
    closed)."""
    now = timezone.now()
    names = list(sources or SOURCES)
    ids = None if person_ids is None else sorted(set(person_ids))
    opened = closed = 0
    # Part of the caller's transaction when there is one (no savepoint: the
    # writes it follows and these stand or fall together).
    with transaction.atomic(savepoint=False):
        chunks = (
            [None]
            if ids is None
            else [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
        )
        for chunk in chunks:
            desired = relationships_expected(chunk, sources=names, now=now)
            current = Relationship.objects.filter(_open_now(now), source_app__in=names)
            if chunk is not None:
                current = current.filter(person_id__in=chunk)
            o, c = _apply(desired, current.iterator(CHUNK), now)
            opened, closed = opened + o, closed + c
    return opened, closed


def relationships_differences(
    person_ids: Collection[int] | None = None,
) -> tuple[set[Row], set[Row]]:
    """(missing, extra): rows the sources state that the register lacks, and
    open register rows that no source states. Both empty when consistent."""
    now = timezone.now()
    expected = set(relationships_expected(person_ids, now=now))
    current = Relationship.objects.filter(_open_now(now))
    if person_ids is not None:
        current = current.filter(person_id__in=person_ids)
    held = {Row.of(r) for r in current}
    return expected - held, held - expected


def backfill_operation(
    source_name: str,
    model_label: str,
    rows: Callable[[Iterable[models.Model], dt.datetime], Iterable[Row]],
) -> object:
    """A migration operation that fills the register from one source's existing
    rows (with the migration's historical models), and empties it of them when
    the migration is reversed."""
    from django.db import migrations

    def forward(apps: object, schema_editor: object) -> None:
        relationship = apps.get_model("governance", "Relationship")  # type: ignore[attr-defined]
        model = apps.get_model(model_label)  # type: ignore[attr-defined]
        now = timezone.now()
        batch: list[models.Model] = []
        for row in rows(model._default_manager.all().iterator(CHUNK), now):
            batch.append(
                relationship(
                    person_id=row.person_id,
                    kind=row.kind,
                    detail=row.detail,
                    user_id=row.user_id,
                    team_id=row.team_id,
                    organisation_id=row.organisation_id,
                    source_app=row.source_app,
                    source_ref=row.source_ref,
                    started_at=row.started_at or now,
                    ended_at=row.ended_at,
                )
            )
            if len(batch) >= CHUNK:
                relationship._default_manager.bulk_create(batch)
                batch = []
        relationship._default_manager.bulk_create(batch)

    def backward(apps: object, schema_editor: object) -> None:
        relationship = apps.get_model("governance", "Relationship")  # type: ignore[attr-defined]
        relationship._default_manager.filter(source_app=source_name).delete()

    return migrations.RunPython(forward, backward)


def relationships_close(
    source_app: str, source_refs: Iterable[object], *, at: dt.datetime | None = None
) -> int:
    """Close the open register rows of these source rows (a task completed in a
    bulk update, say). Returns how many closed."""
    now = at or timezone.now()
    refs = [str(r) for r in source_refs]
    closed = 0
    for start in range(0, len(refs), CHUNK):
        closed += Relationship.objects.filter(
            _open_now(now),
            source_app=source_app,
            source_ref__in=refs[start : start + CHUNK],
        ).update(ended_at=now)
    return closed
