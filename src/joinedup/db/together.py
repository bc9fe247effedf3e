"""Several reads in one round trip to the database.

On PostgreSQL the queries are sent as one string of statements (Django's psycopg
cursor binds parameters on the client, so the server runs them in turn and
returns one result set each): the MLLP listener's batch costs one round trip for
its receipts, identifiers, people, involvements and events instead of five.
Elsewhere (SQLite) they run one after another. Each result is the list of model
instances the queryset would give; querysets must select one model's own columns
(no select_related, values() or annotations)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def _prepared(qs: models.QuerySet[Any]) -> tuple[str, Any, list[str], Any]:
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    klass_info = compiler.klass_info or {}
    if compiler.annotation_col_map or klass_info.get("related_klass_infos"):
        raise ValueError("querysets_fetch: plain querysets of one model only")
    fields = klass_info["select_fields"]
    names = [compiler.select[i][0].target.attname for i in fields]
    return sql, params, names, compiler


def querysets_fetch(
    querysets: Sequence[models.QuerySet[Any] | None],
) -> list[list[Any]]:
    """The rows of each queryset (None: no query, an empty list), read together."""
    wanted = [(i, qs) for i, qs in enumerate(querysets) if qs is not None]
    out: list[list[Any]] = [[] for _ in querysets]
    if connection.vendor != "postgresql" or len(wanted) < 2:
        for i, qs in wanted:
            out[i] = list(qs)
        return out
    prepared = [(i, qs, *_prepared(qs)) for i, qs in wanted]
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's ClientCursor under Django's wrapper
        text = ";\n".join(
            raw.mogrify(sql, params) for _, _, sql, params, _, _ in prepared
        )
        cursor.execute(text)
        for n, (i, qs, _sql, _params, names, compiler) in enumerate(prepared):
            if n:
                raw.nextset()
            rows = raw.fetchall()
            converters = compiler.get_converters([s[0] for s in compiler.select])
            if converters:
                rows = list(compiler.apply_converters(rows, converters))
            out[i] = [qs.model.from_db(qs.db, names, tuple(row)) for row in rows]
    return out
