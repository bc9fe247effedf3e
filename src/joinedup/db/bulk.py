"""Fast bulk inserts: PostgreSQL COPY where we have it, Django's bulk_create
elsewhere. The one place that writes COPY ... FROM STDIN.

- `rows_insert`: plain tuples in the order of `columns` (model attribute names,
  e.g. "person_id"), so no model instances are built (loading whole areas);
- `objects_insert`: new model instances whose primary keys nobody needs back
  (ingest batches, the register of relationships);
- `csv_copy`: a CSV file already in the table's column order (population
  scores formatted by DuckDB)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import connection, models


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def ids_allocate(model: type[models.Model], count: int) -> list[int] | None:
    """Reserve `count` primary keys from the table's sequence (PostgreSQL), or None
    where the database assigns them on insert."""
    if not _is_postgres() or count == 0:
        return None
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [table, pk, count],
        )
        return [row[0] for row in cursor.fetchall()]


def rows_insert(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]
) -> list[int]:
    """Insert rows; returns the new primary keys when the database assigned them
    and the caller did not pass "id" (the bulk_create path), else []."""
    if not rows:
        return []
    if _is_postgres():
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        fields = [by_attname[c] for c in columns]
        json_at = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
        names = ", ".join(f'"{f.column}"' for f in fields)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(
                f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'
            ) as copy:
                for row in rows:
                    if json_at:
                        row = tuple(
                            json.dumps(v) if i in json_at else v
                            for i, v in enumerate(row)
                        )
                    copy.write_row(row)
        return []
    created = model._default_manager.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )
    return [obj.pk for obj in created]


def objects_insert(objs: Sequence[Any]) -> None:
    """Insert new model instances of one model whose primary keys nobody needs
    back: PostgreSQL COPY (no SQL to build, no parameters to render), else
    `bulk_create`. Field defaults and auto_now values are filled as Django would."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=500)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
            for obj in objs:
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                row = []
                for f in fields:
                    value = f.pre_save(obj, add=True)
                    if isinstance(f, models.JSONField):
                        value = json.dumps(value, cls=f.encoder)
                    row.append(value)
                copy.write_row(row)


def csv_copy(table: str, columns: Sequence[str], path: Path) -> None:
    """PostgreSQL: stream a CSV file (no header, in `columns` order) into `table`."""
    with connection.cursor() as cursor, path.open("rb") as source:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        names = ", ".join(columns)
        with raw.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
            while data := source.read(1 << 20):
                copy.write(data)
