"""Where DuckDB and Spark SQL differ, and the literals every job writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

# --- dialects ---------------------------------------------------------------------


class Dialect:
    """The SQL that differs between engines. The jobs write everything else in
    the common subset of DuckDB and Spark SQL; each engine is a subclass."""

    name = ""

    def parquet(self, path: str) -> str:
        raise NotImplementedError

    def json_str(self, column: str, key: str) -> str:
        raise NotImplementedError

    def days_between(self, start: str, end: str) -> str:
        raise NotImplementedError

    def add_days(self, expr: str, n: int) -> str:
        raise NotImplementedError

    def list_agg(self, value: str, order: str) -> str:
        """An ordered list of values per group."""
        raise NotImplementedError

    def create_table(self, name: str, select: str) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.name} dialect>"


class DuckDBDialect(Dialect):
    name = "duckdb"

    def parquet(self, path: str) -> str:
        quoted = path.replace("'", "''")
        return f"read_parquet('{quoted}')"

    def json_str(self, column: str, key: str) -> str:
        return f"json_extract_string({column}, '$.{key}')"

    def days_between(self, start: str, end: str) -> str:
        return f"date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE))"

    def add_days(self, expr: str, n: int) -> str:
        return f"({expr} + {n})"

    def list_agg(self, value: str, order: str) -> str:
        return f"list({value} ORDER BY {order})"

    def create_table(self, name: str, select: str) -> str:
        return f"CREATE OR REPLACE TABLE {name} AS {select}"


class SparkDialect(Dialect):
    name = "spark"

    def parquet(self, path: str) -> str:
        return f"parquet.`{path}`"

    def json_str(self, column: str, key: str) -> str:
        return f"get_json_object({column}, '$.{key}')"

    def days_between(self, start: str, end: str) -> str:
        return f"datediff({end}, {start})"

    def add_days(self, expr: str, n: int) -> str:
        return f"date_add({expr}, {n})"

    def list_agg(self, value: str, order: str) -> str:
        return (
            f"transform(array_sort(collect_list(struct({order} AS o, "
            f"{value} AS v))), x -> x.v)"
        )

    def create_table(self, name: str, select: str) -> str:
        return f"CREATE OR REPLACE TEMP VIEW {name} AS {select}"


DUCKDB: Dialect = DuckDBDialect()
SPARK: Dialect = SparkDialect()


def day(d: dt.date) -> str:
    return f"DATE '{d.isoformat()}'"


def ts(d: dt.date) -> str:
    return f"TIMESTAMP '{d.isoformat()} 00:00:00'"


def years_before(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def values_sql(rows: Sequence[tuple[str, str]], columns: tuple[str, str]) -> str:
    body = ", ".join(f"('{a}', '{b}')" for a, b in rows)
    return f"SELECT * FROM (VALUES {body}) AS t({columns[0]}, {columns[1]})"
