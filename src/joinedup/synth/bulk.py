"""Fast bulk inserts for loading whole areas: PostgreSQL COPY where we have it,
Django's bulk_create elsewhere. Rows are plain tuples in the order of `columns`
(model attribute names, e.g. "person_id"), so no model instances are built on the
fast path."""

from __future__ import annotations

import json
from collections.abc import Sequence

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
