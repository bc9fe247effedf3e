"""Score a few candidate pairs with a stored, trained model in plain Python, without
building a Splink linker (issue 5, incremental matching: one arriving record
against the index in milliseconds).

Fellegi-Sunter, exactly as Splink computes it from the same model JSON:
match weight = log2(prior odds) + sum over comparisons of log2(m/u) of the
observed level (0 for a null level) + the term-frequency adjustment of levels that
have one (tf_adjustment_weight * (log2(u of the exact-match level) -
log2(max(tf_l, tf_r)))). Probability = 2^w / (1 + 2^w).

Each level of `settings.py` has its predicate here, once, found by its label: the
SQL there and the Python here must agree, and tests/people/matching/test_score.py
checks the match weights against Splink's own for a sample of pairs (within 0.01).
Rows are the dicts of `prepare.row_build`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from joinedup.people.matching.engine import ScoredPair

Row = Mapping[str, Any]
Predicate = Callable[[Row, Row], bool]


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity as DuckDB's `jaro_winkler_similarity` (prefix scale
    0.1, common prefix up to 4, boost only above a Jaro similarity of 0.7)."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(max(la, lb) // 2 - 1, 0)
    a_hit = [False] * la
    b_hit = [False] * lb
    matches = 0
    for i, ch in enumerate(a):
        lo, hi = max(0, i - window), min(lb, i + window + 1)
        for j in range(lo, hi):
            if not b_hit[j] and b[j] == ch:
                a_hit[i] = b_hit[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    transpositions = 0
    j = 0
    for i in range(la):
        if a_hit[i]:
            while not b_hit[j]:
                j += 1
            if a[i] != b[j]:
                transpositions += 1
            j += 1
    m = float(matches)
    sim = (m / la + m / lb + (m - transpositions // 2) / m) / 3.0
    if sim > 0.7:
        prefix = 0
        for x, y in zip(a[:4], b[:4], strict=False):
            if x != y:
                break
            prefix += 1
        sim += prefix * 0.1 * (1.0 - sim)
    return sim


def levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            )
        previous = current
    return previous[-1]


def _eq(left: Row, right: Row, column: str, other: str | None = None) -> bool:
    """SQL `column_l = other_r`: NULL is never equal to anything."""
    a, b = left[column], right[other or column]
    return a is not None and b is not None and a == b


def _jw(left: Row, right: Row, column: str) -> float:
    a, b = left[column], right[column]
    if a is None or b is None:
        return -1.0
    return jaro_winkler(a, b)


def _both(a: Row, b: Row, column: str) -> bool:
    return a[column] is not None and b[column] is not None


def _lev(a: Row, b: Row, column: str) -> int:
    """SQL levenshtein(column_l, column_r); a large number when either is NULL
    (the SQL comparison is then NULL, i.e. false)."""
    x, y = a[column], b[column]
    return levenshtein(x, y) if x is not None and y is not None else 1 << 30


# One predicate per level label of settings.py (the ELSE level is implied); `a`
# is the _l row, `b` the _r row. Keys are the comparisons' output column names.
# Levels are found by label, not position, so a model stored before a level was
# added still scores with its own levels: labels of such earlier levels stay
# here with their meaning ("Name missing", "Date of birth missing").
LEVELS: dict[str, dict[str, Predicate]] = {
    "name": {
        "Name missing": lambda a, b: (
            not (_both(a, b, "given_name") and _both(a, b, "family_name"))
        ),
        "No name to compare": lambda a, b: (
            not _both(a, b, "given_name") and not _both(a, b, "family_name")
        ),
        "Exact name": lambda a, b: _eq(a, b, "given_name") and _eq(a, b, "family_name"),
        "Family name exact, given name a variant (nickname)": lambda a, b: (
            _eq(a, b, "family_name") and _eq(a, b, "given_canon")
        ),
        "Given and family names swapped": lambda a, b: (
            _eq(a, b, "given_name", "family_name")
            and _eq(a, b, "family_name", "given_name")
        ),
        "Family name exact, given name similar": lambda a, b: (
            _eq(a, b, "family_name") and _jw(a, b, "given_name") >= 0.88
        ),
        "Given name exact, family name similar": lambda a, b: (
            _eq(a, b, "given_canon") and _jw(a, b, "family_name") >= 0.9
        ),
        "Both names similar": lambda a, b: (
            _jw(a, b, "given_name") >= 0.88 and _jw(a, b, "family_name") >= 0.88
        ),
        "Given name missing, family name agrees": lambda a, b: (
            not _both(a, b, "given_name") and _eq(a, b, "family_name")
        ),
        "Family name missing, given name agrees": lambda a, b: (
            not _both(a, b, "family_name") and _eq(a, b, "given_canon")
        ),
        "Given name missing, family name similar": lambda a, b: (
            not _both(a, b, "given_name") and _jw(a, b, "family_name") >= 0.88
        ),
        "Family name missing, given name similar": lambda a, b: (
            not _both(a, b, "family_name") and _jw(a, b, "given_name") >= 0.88
        ),
        "Given name agrees, family name differs (e.g. changed on marriage)": (
            lambda a, b: _eq(a, b, "given_canon")
        ),
        "Family name agrees only": lambda a, b: _eq(a, b, "family_name"),
    },
    "birth_date": {
        "Date of birth missing": lambda a, b: not _both(a, b, "birth_date"),
        "Year of birth missing": lambda a, b: not _both(a, b, "birth_year"),
        "Exact date of birth": lambda a, b: _eq(a, b, "birth_date"),
        "Day and month transposed": lambda a, b: (
            _both(a, b, "birth_date")
            and a["birth_date"][:4] == b["birth_date"][:4]
            and a["birth_date"][5:7] == b["birth_date"][8:10]
            and a["birth_date"][8:10] == b["birth_date"][5:7]
        ),
        "One digit different": lambda a, b: _lev(a, b, "birth_date") <= 1,
        "Same year of birth, a date given as the year only": lambda a, b: (
            not _both(a, b, "birth_date") and _eq(a, b, "birth_year")
        ),
        "Same year of birth": lambda a, b: _eq(a, b, "birth_year"),
    },
    "address": {
        "Postcode missing": lambda a, b: not _both(a, b, "postcode"),
        "Same postcode": lambda a, b: _eq(a, b, "postcode"),
        "A postcode in the address history agrees (moved)": lambda a, b: bool(
            a["postcodes"]
            and b["postcodes"]
            and set(a["postcodes"]) & set(b["postcodes"])
        ),
        "Same postcode sector": lambda a, b: _eq(a, b, "postcode_sector"),
        "Same postcode district": lambda a, b: _eq(a, b, "postcode_district"),
        "Postcode one or two characters different": lambda a, b: (
            _lev(a, b, "postcode") <= 2
        ),
    },
    "sex": {
        "Sex not known": lambda a, b: not _both(a, b, "sex"),
        "Same sex": lambda a, b: _eq(a, b, "sex"),
    },
    "nhs_number": {
        "NHS number missing": lambda a, b: not _both(a, b, "nhs_number"),
        "Same NHS number": lambda a, b: _eq(a, b, "nhs_number"),
    },
    "identifier": {
        "Identifier missing": lambda a, b: not _both(a, b, "identifier"),
        "Same identifier": lambda a, b: _eq(a, b, "identifier"),
        "Identifier one character different": lambda a, b: (
            _lev(a, b, "identifier") <= 1
        ),
        "Identifier two characters different": lambda a, b: (
            _lev(a, b, "identifier") <= 2
        ),
    },
    "address_line": {
        "Address missing": lambda a, b: not _both(a, b, "address_line"),
        "Same address": lambda a, b: _eq(a, b, "address_line"),
        "Address very similar (a typing error)": lambda a, b: (
            _jw(a, b, "address_line") >= 0.95
        ),
        "Address similar": lambda a, b: _jw(a, b, "address_line") >= 0.85,
    },
}


@dataclass(frozen=True)
class _Level:
    label: str
    is_null: bool
    is_else: bool
    bits: float  # log2(m/u); 0 for the null level
    tf_column: str | None
    tf_weight: float
    log2_u_exact: float  # log2 of the u of the comparison's exact tf level


@dataclass(frozen=True)
class _Comparison:
    name: str
    predicates: tuple[Predicate, ...]
    levels: tuple[_Level, ...]


class Scorer:
    """A trained model (Splink's JSON settings, as stored) ready to score pairs.
    Build one per model version and keep it: building it does the only work that
    is not per pair."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        prior = float(model["probability_two_random_records_match"])
        self.prior_bits = math.log2(prior / (1.0 - prior))
        comparisons: list[_Comparison] = []
        for comparison in model["comparisons"]:
            name = comparison["output_column_name"]
            known = LEVELS.get(name, {})
            raw = comparison["comparison_levels"]
            labels = [lv.get("label_for_charts", "") for lv in raw[:-1]]
            if raw[-1]["sql_condition"] != "ELSE" or any(
                label not in known for label in labels
            ):
                raise ValueError(f"model and scorer disagree on comparison {name}")
            predicates = tuple(known[label] for label in labels)
            exact_u: dict[str, float] = {}
            for lv in raw:
                condition = lv["sql_condition"].strip()
                for column in ("family_name", "given_name"):
                    exact = condition == f"{column}_l = {column}_r"
                    if exact and "u_probability" in lv:
                        exact_u.setdefault(column, float(lv["u_probability"]))
            levels = []
            for lv in raw:
                is_null = bool(lv.get("is_null_level"))
                tf = lv.get("tf_adjustment_column")
                bits = 0.0
                if not is_null:
                    m, u = float(lv["m_probability"]), float(lv["u_probability"])
                    bits = math.log2(m / u) if m > 0 and u > 0 else -60.0
                levels.append(
                    _Level(
                        # as engine.predict labels it (the review page shows it)
                        label="Missing" if is_null else lv.get("label_for_charts", ""),
                        is_null=is_null,
                        is_else=lv["sql_condition"] == "ELSE",
                        bits=bits,
                        tf_column=tf,
                        tf_weight=float(lv.get("tf_adjustment_weight", 1.0)),
                        log2_u_exact=math.log2(exact_u[tf]) if tf else 0.0,
                    )
                )
            comparisons.append(_Comparison(name, predicates, tuple(levels)))
        self.comparisons = tuple(comparisons)

    def score(
        self,
        left: Row,
        right: Row,
        *,
        tf: Mapping[str, Mapping[str, float]] | None = None,
    ) -> ScoredPair:
        """One pair. `tf`: column -> value -> term frequency (the share of rows
        with that value), for the levels with a term-frequency adjustment; a value
        missing from it counts as `tf[column][""]` (the frequency of a value seen
        once), or no adjustment when `tf` is None."""
        weight = self.prior_bits
        contributions: dict[str, tuple[str, float]] = {}
        for comparison in self.comparisons:
            index = len(comparison.predicates)  # ELSE
            for i, predicate in enumerate(comparison.predicates):
                if predicate(left, right):
                    index = i
                    break
            level = comparison.levels[index]
            bits = level.bits
            if level.tf_column and tf is not None and not level.is_else:
                table = tf.get(level.tf_column, {})
                freqs = [
                    table.get(v, table.get("", 0.0))
                    for v in (left[level.tf_column], right[level.tf_column])
                    if v is not None
                ]
                if freqs and max(freqs) > 0:
                    adjust = level.log2_u_exact - math.log2(max(freqs))
                    bits += level.tf_weight * adjust
            weight += bits
            contributions[comparison.name] = (level.label, round(bits, 3))
        probability = 1.0 / (1.0 + 2.0 ** (-weight)) if weight > -1000 else 0.0
        return ScoredPair(
            left_id=str(left["unique_id"]),
            right_id=str(right["unique_id"]),
            match_probability=probability,
            match_weight=weight,
            contributions=contributions,
        )


def tf_table(values: list[str | None]) -> dict[str, float]:
    """Term frequencies as Splink computes them: count / number of non-null
    values; "" holds the frequency of a value seen once (for unseen values)."""
    counts: dict[str, int] = {}
    for v in values:
        if v is not None:
            counts[v] = counts.get(v, 0) + 1
    total = sum(counts.values())
    if not total:
        return {}
    table = {v: c / total for v, c in counts.items()}
    table[""] = 1 / total
    return table
