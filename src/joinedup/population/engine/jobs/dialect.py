"""Where DuckDB and Spark SQL differ, and the literals every job writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# --- dialects ---------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    name: str

    def parquet(self, path: str) -> str:
        quoted = path.replace("'", "''")
        if self.name == "spark":
            return f"parquet.`{path}`"
        return f"read_parquet('{quoted}')"

    def json_str(self, column: str, key: str) -> str:
        if self.name == "spark":
            return f"get_json_object({column}, '$.{key}')"
        return f"json_extract_string({column}, '$.{key}')"

    def days_between(self, start: str, end: str) -> str:
        if self.name == "spark":
            return f"datediff({end}, {start})"
        return f"date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE))"

    def add_days(self, expr: str, n: int) -> str:
        if self.name == "spark":
            return f"date_add({expr}, {n})"
        return f"({expr} + {n})"

    def list_agg(self, value: str, order: str) -> str:
        """An ordered list of values per group."""
        if self.name == "spark":
            return (
                f"transform(array_sort(collect_list(struct({order} AS o, "
                f"{value} AS v))), x -> x.v)"
            )
        return f"list({value} ORDER BY {order})"

    def create_table(self, name: str, select: str) -> str:
        if self.name == "spark":
            return f"CREATE OR REPLACE TEMP VIEW {name} AS {select}"
        return f"CREATE OR REPLACE TABLE {name} AS {select}"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")


def day(d: dt.date) -> str:
    return f"DATE '{d.isoformat()}'"


def ts(d: dt.date) -> str:
    return f"TIMESTAMP '{d.isoformat()} 00:00:00'"


def years_before(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _values(rows: Sequence[tuple[str, str]], columns: tuple[str, str]) -> str:
    body = ", ".join(f"('{a}', '{b}')" for a, b in rows)
    return f"SELECT * FROM (VALUES {body}) AS t({columns[0]}, {columns[1]})"
