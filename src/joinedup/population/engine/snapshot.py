"""Snapshot of the operational data to Parquet, streamed so memory stays flat
however big the area is. Works on SQLite (a cursor, 100,000 rows at a time) and
PostgreSQL (COPY ... TO STDOUT as CSV, typed into Parquet by DuckDB).

Only the columns and events the jobs need are copied: no names, addresses, NHS
numbers or free text leave the operational store. On SQLite values are written as
the driver returns them (Django's converters type dates, times and booleans); both
paths are cast once more in DuckDB (jobs.snapshot_views), never converted row by
row in Python."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection, transaction

from joinedup.population.deficits import (
    HOUSEBOUND_COMMUNITY_SERVICES,
    HOUSEBOUND_GP_MODES,
)

CHUNK = 100_000

# logical column types; "ts" is a UTC timestamp without zone
INT, STR, DATE, TS, BOOL = "int", "str", "date", "ts", "bool"


@dataclass(frozen=True)
class Table:
    name: str
    source: str  # operational table
    columns: tuple[tuple[str, str, str], ...]  # (name, logical type, SQL expr)
    where: str = ""

    def sql(self, vendor: str) -> str:
        exprs = []
        for _name, kind, expr in self.columns:
            if vendor == "postgresql" and kind == TS:
                expr = f"({expr} AT TIME ZONE 'UTC')"
            elif vendor == "postgresql" and expr.endswith("detail END"):
                expr = expr.replace("THEN detail END", "THEN detail::text END")
            if expr == "postcode":  # the outward code (district) only
                expr = (
                    "split_part(postcode, ' ', 1)"
                    if vendor == "postgresql"
                    else "substr(postcode, 1, instr(postcode || ' ', ' ') - 1)"
                )
            exprs.append(expr)
        where = f" WHERE {self.where}" if self.where else ""
        if "{mode}" in where:  # a JSON detail key, in each database's syntax
            where = where.format(
                mode="detail->>'mode'"
                if vendor == "postgresql"
                else "json_extract(detail, '$.mode')",
                service="detail->>'service'"
                if vendor == "postgresql"
                else "json_extract(detail, '$.service')",
            )
        return f"SELECT {', '.join(exprs)} FROM {self.source}{where}"


# Detail keys the jobs read, pulled from the JSON detail only for the kinds that
# carry them (synth/history.py lists them), so the snapshot stays narrow.
_DETAIL_KINDS = (
    "'admission', 'medication', 'gp_consultation', 'community_contact', "
    "'service_start', 'service_end', 'diagnosis'"
)

TABLES: tuple[Table, ...] = (
    Table(
        "people",
        "people_person",
        (
            ("person_id", INT, "id"),
            ("birth_date", DATE, "birth_date"),
            ("sex", STR, "sex"),
            ("practice_id", INT, "registered_gp_id"),
            ("imd_decile", INT, "imd_decile"),
            ("lsoa", STR, "lsoa"),
            ("area", STR, "postcode"),  # cut to the outward code in sql()
            ("deceased_on", DATE, "deceased_on"),
            ("opt_out", BOOL, "national_data_opt_out"),
        ),
        where="merged_into_id IS NULL",
    ),
    Table(
        "events",
        "record_event",
        (
            ("person_id", INT, "person_id"),
            ("kind", STR, "kind"),
            ("occurred_at", TS, "occurred_at"),
            ("ended_at", TS, "ended_at"),
            ("code", STR, "code"),
            ("detail", STR, f"CASE WHEN kind IN ({_DETAIL_KINDS}) THEN detail END"),
            ("code_display", STR, "code_display"),
        ),
        # Only the events the jobs use (jobs.events_narrow): ordinary GP
        # consultations, most of the volume, stay behind; home visits come.
        where=(
            "kind IN ('admission', 'ae_attendance', 'diagnosis', 'medication', "
            "'fall', 'service_start', 'service_end', 'safeguarding_concern', "
            "'gp_consultation', 'community_contact') AND (kind NOT IN "
            "('gp_consultation', 'community_contact') OR {mode} IN "
            f"({', '.join(repr(m) for m in HOUSEBOUND_GP_MODES)}) OR {{service}} IN "
            f"({', '.join(repr(m) for m in HOUSEBOUND_COMMUNITY_SERVICES)}))"
        ),
    ),
    Table(
        "care_team",
        "coordination_careteammember",
        (
            ("person_id", INT, "person_id"),
            ("user_id", INT, "user_id"),
            ("role", STR, "role"),
            ("is_lead", BOOL, "is_lead"),
            ("ended_on", DATE, "ended_on"),
        ),
    ),
    Table(
        "stays",
        "discharge_hospitalstay s",
        (
            ("stay_id", INT, "s.id"),
            ("person_id", INT, "s.person_id"),
            ("admission_method", STR, "s.admission_method"),
            ("admitted_at", TS, "s.admitted_at"),
            ("discharged_at", TS, "s.discharged_at"),
            (
                "ready_on",
                STR,  # an aggregate has no declared type: text on both backends
                "CAST((SELECT MAX(r.ready_on) FROM discharge_readiness r "
                "WHERE r.stay_id = s.id) AS TEXT)",
            ),
        ),
    ),
)


def _arrow_type(kind: str, vendor: str) -> pa.DataType:
    if kind == INT:
        return pa.int64()
    if kind == STR:
        return pa.string()
    # Both backends' drivers return typed dates, times and booleans for typed
    # columns (Django registers SQLite converters for its declared types).
    return {DATE: pa.date32(), TS: pa.timestamp("us"), BOOL: pa.bool_()}[kind]


def table_schema(table: Table, vendor: str) -> pa.Schema:
    return pa.schema([(n, _arrow_type(k, vendor)) for n, k, _ in table.columns])


def _batch(rows: Sequence[Sequence[object]], schema: pa.Schema) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True))
    arrays = [pa.array(columns[i], type=f.type) for i, f in enumerate(schema)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


_DUCKDB_TYPES = {
    INT: "BIGINT",
    STR: "VARCHAR",
    DATE: "DATE",
    TS: "TIMESTAMP",
    BOOL: "BOOLEAN",
}
COPY_BLOCK_ROWS = 1_000_000  # progress is reported about this often


def _copy_snapshot(
    table: Table, out: Path, *, advance: Callable[[int], None] | None
) -> int:
    """PostgreSQL: COPY the query's rows out as CSV (the server formats them, no
    Python per row), then DuckDB turns the CSV into Parquet with the column
    types; the CSV is deleted."""
    import duckdb

    csv_path = out.with_suffix(".csv")
    rows = 0
    with connection.cursor() as cursor, csv_path.open("wb") as sink:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY ({table.sql('postgresql')}) TO STDOUT (FORMAT csv)") as c:
            pending = 0
            for block in c:
                sink.write(block)
                lines = bytes(block).count(b"\n")
                rows += lines
                pending += lines
                if advance and pending >= COPY_BLOCK_ROWS:
                    advance(pending)
                    pending = 0
            if advance and pending:
                advance(pending)
    columns = ", ".join(f"'{n}': '{_DUCKDB_TYPES[k]}'" for n, k, _ in table.columns)
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(
            f"COPY (SELECT * FROM read_csv('{csv_path}', header = false, "
            f"auto_detect = false, allow_quoted_nulls = false, "
            f"columns = {{{columns}}})) TO '{out}' (FORMAT parquet, "
            "COMPRESSION zstd)"
        )
    finally:
        con.close()
        csv_path.unlink(missing_ok=True)
    return rows


def table_snapshot(
    table: Table, out: Path, *, advance: Callable[[int], None] | None = None
) -> int:
    """Stream one table into `out` (Parquet); returns the number of rows."""
    vendor = connection.vendor
    if vendor == "postgresql":
        return _copy_snapshot(table, out, advance=advance)
    schema = table_schema(table, vendor)
    total = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        cursor = connection.cursor()
        try:
            cursor.execute(table.sql(vendor))
            while rows := cursor.fetchmany(CHUNK):
                writer.write_batch(_batch(rows, schema))
                total += len(rows)
                if advance:
                    advance(len(rows))
        finally:
            cursor.close()
        if total == 0:
            writer.write_table(schema.empty_table())
    return total


def snapshot_write(
    out_dir: Path, *, advance: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Write every table of TABLES to `out_dir/<name>.parquet`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    # One transaction, so the tables are read together.
    with transaction.atomic():
        for table in TABLES:

            def step(n: int, name: str = table.name) -> None:
                if advance:
                    advance(name, n)

            counts[table.name] = table_snapshot(
                table, out_dir / f"{table.name}.parquet", advance=step
            )
    return counts


def table_count(name: str) -> int:
    """Rows in an operational table (for the progress bar's totals)."""
    source = next(t.source for t in TABLES if t.name == name).split()[0]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {source}")
        row = cursor.fetchone()
    return int(row[0]) if row else 0
