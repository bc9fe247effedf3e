"""Pure functions that build the Splink settings (comparisons and blocking rules) as
SQL text for a dialect, so the same model runs on DuckDB (embedded, the default)
and on Spark at scale. Comparisons are chosen for UK data:

- name: one comparison of given and family name together (they are not independent
  evidence), with nickname variants, swapped given/family names and a changed
  family name as levels of their own, and term-frequency adjustment on the family
  name, so "SMITH" agreeing counts for less than "THORNBURY" agreeing;
- date of birth, with day and month transposed as its own level;
- address: the postcode, the postcode history (people move: into a care home, to
  a relative) and the sector and district, as *one* piece of evidence;
- sex and NHS number (the number alone, unverified, is evidence, not a key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dialect:
    """The few functions whose names differ between engines."""

    name: str
    jaro_winkler: str
    levenshtein: str

    def array_intersects(self, left: str, right: str) -> str:
        if self.name == "spark":
            return f"size(array_intersect({left}, {right})) > 0"
        return f"len(list_intersect({left}, {right})) > 0"


DUCKDB = Dialect("duckdb", "jaro_winkler_similarity", "levenshtein")
SPARK = Dialect("spark", "jaro_winkler", "levenshtein")
DIALECTS = {"duckdb": DUCKDB, "spark": SPARK}


def _level(
    sql: str, label: str, *, null: bool = False, tf: str | None = None
) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


def _else() -> dict[str, Any]:
    return _level("ELSE", "All other comparisons")


GIVEN_BOTH = "given_name_l IS NOT NULL AND given_name_r IS NOT NULL"
FAMILY_BOTH = "family_name_l IS NOT NULL AND family_name_r IS NOT NULL"


def name_comparison(d: Dialect) -> dict[str, Any]:
    jw = d.jaro_winkler
    return {
        "output_column_name": "name",
        "comparison_description": "Given and family name",
        "comparison_levels": [
            # Null only when no name can be compared: a record missing its
            # given name still has a family name to agree or differ on.
            _level(
                f"NOT ({GIVEN_BOTH}) AND NOT ({FAMILY_BOTH})",
                "No name to compare",
                null=True,
            ),
            _level(
                "given_name_l = given_name_r AND family_name_l = family_name_r",
                "Exact name",
                tf="family_name",
            ),
            _level(
                "family_name_l = family_name_r AND given_canon_l = given_canon_r",
                "Family name exact, given name a variant (nickname)",
                tf="family_name",
            ),
            _level(
                "given_name_l = family_name_r AND family_name_l = given_name_r",
                "Given and family names swapped",
            ),
            _level(
                f"family_name_l = family_name_r AND {jw}(given_name_l, given_name_r)"
                " >= 0.88",
                "Family name exact, given name similar",
                tf="family_name",
            ),
            _level(
                f"given_canon_l = given_canon_r AND {jw}(family_name_l, family_name_r)"
                " >= 0.9",
                "Given name exact, family name similar",
            ),
            _level(
                f"{jw}(given_name_l, given_name_r) >= 0.88"
                f" AND {jw}(family_name_l, family_name_r) >= 0.88",
                "Both names similar",
            ),
            _level(
                f"NOT ({GIVEN_BOTH}) AND family_name_l = family_name_r",
                "Given name missing, family name agrees",
                tf="family_name",
            ),
            _level(
                f"NOT ({FAMILY_BOTH}) AND given_canon_l = given_canon_r",
                "Family name missing, given name agrees",
            ),
            _level(
                f"NOT ({GIVEN_BOTH}) AND {jw}(family_name_l, family_name_r) >= 0.88",
                "Given name missing, family name similar",
            ),
            _level(
                f"NOT ({FAMILY_BOTH}) AND {jw}(given_name_l, given_name_r) >= 0.88",
                "Family name missing, given name similar",
            ),
            _level(
                "given_canon_l = given_canon_r",
                "Given name agrees, family name differs (e.g. changed on marriage)",
            ),
            _level(
                "family_name_l = family_name_r",
                "Family name agrees only",
                tf="family_name",
            ),
            _else(),
        ],
    }


def birth_date_comparison(d: Dialect) -> dict[str, Any]:
    lev = d.levenshtein
    return {
        "output_column_name": "birth_date",
        "comparison_description": "Date of birth",
        "comparison_levels": [
            # A partial date keeps its year (birth_year), so "missing" is no
            # year at all on one side.
            _level(
                "birth_year_l IS NULL OR birth_year_r IS NULL",
                "Year of birth missing",
                null=True,
            ),
            _level("birth_date_l = birth_date_r", "Exact date of birth"),
            _level(
                "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)"
                " AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
                " AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
                "Day and month transposed",
            ),
            _level(f"{lev}(birth_date_l, birth_date_r) <= 1", "One digit different"),
            _level(
                "(birth_date_l IS NULL OR birth_date_r IS NULL)"
                " AND birth_year_l = birth_year_r",
                "Same year of birth, a date given as the year only",
            ),
            _level("birth_year_l = birth_year_r", "Same year of birth"),
            _else(),
        ],
    }


def address_comparison(d: Dialect) -> dict[str, Any]:
    return {
        "output_column_name": "address",
        "comparison_description": "Postcode, postcode history, sector, district",
        "comparison_levels": [
            _level(
                "postcode_l IS NULL OR postcode_r IS NULL",
                "Postcode missing",
                null=True,
            ),
            _level("postcode_l = postcode_r", "Same postcode"),
            _level(
                d.array_intersects("postcodes_l", "postcodes_r"),
                "A postcode in the address history agrees (moved)",
            ),
            _level("postcode_sector_l = postcode_sector_r", "Same postcode sector"),
            _level(
                "postcode_district_l = postcode_district_r", "Same postcode district"
            ),
            # a typing error in a postcode without a sector (not a UK one)
            _level(
                f"{d.levenshtein}(postcode_l, postcode_r) <= 2",
                "Postcode one or two characters different",
            ),
            _else(),
        ],
    }


def identifier_comparison(d: Dialect) -> dict[str, Any]:
    lev = d.levenshtein
    return {
        "output_column_name": "identifier",
        "comparison_description": "Another identifier both sources hold",
        "comparison_levels": [
            _level(
                "identifier_l IS NULL OR identifier_r IS NULL",
                "Identifier missing",
                null=True,
            ),
            _level("identifier_l = identifier_r", "Same identifier"),
            _level(
                f"{lev}(identifier_l, identifier_r) <= 1",
                "Identifier one character different",
            ),
            _level(
                f"{lev}(identifier_l, identifier_r) <= 2",
                "Identifier two characters different",
            ),
            _else(),
        ],
    }


def address_line_comparison(d: Dialect) -> dict[str, Any]:
    jw = d.jaro_winkler
    return {
        "output_column_name": "address_line",
        "comparison_description": "Address without its postcode",
        "comparison_levels": [
            _level(
                "address_line_l IS NULL OR address_line_r IS NULL",
                "Address missing",
                null=True,
            ),
            _level("address_line_l = address_line_r", "Same address"),
            _level(
                f"{jw}(address_line_l, address_line_r) >= 0.95",
                "Address very similar (a typing error)",
            ),
            _level(
                f"{jw}(address_line_l, address_line_r) >= 0.85",
                "Address similar",
            ),
            _else(),
        ],
    }


def sex_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "sex",
        "comparison_description": "Sex",
        "comparison_levels": [
            _level("sex_l IS NULL OR sex_r IS NULL", "Sex not known", null=True),
            _level("sex_l = sex_r", "Same sex"),
            _else(),
        ],
    }


def nhs_number_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "nhs_number",
        "comparison_description": "NHS number (verified or not)",
        "comparison_levels": [
            _level(
                "nhs_number_l IS NULL OR nhs_number_r IS NULL",
                "NHS number missing",
                null=True,
            ),
            _level("nhs_number_l = nhs_number_r", "Same NHS number"),
            _else(),
        ],
    }


# Each rule must stay selective when a few names are very common (SMITH, JOHN)
# and the index grows: the number of candidate pairs grows with the square of the
# group sizes. Measured on the synthetic area (docs/matching.md "Blocking"):
# these rules find every true pair the looser "same family name and year of
# birth" / "same given name and year of birth" found, with a fifth of the pairs.
PREDICTION_BLOCKING_RULES: tuple[str, ...] = (
    "l.nhs_number = r.nhs_number",
    "l.identifier = r.identifier",
    "l.birth_date = r.birth_date",
    "l.family_name = r.family_name AND l.given_canon = r.given_canon"
    " AND substr(l.birth_year, 1, 3) = substr(r.birth_year, 1, 3)",
    "l.given_name = r.family_name AND l.family_name = r.given_name",
    "l.postcode = r.postcode AND l.given_canon = r.given_canon",
    # a household: the same postcode with the family name or the house number
    "l.postcode = r.postcode AND l.family_name = r.family_name",
    "l.postcode = r.postcode"
    " AND substr(l.address_line, 1, 4) = substr(r.address_line, 1, 4)",
    "l.address_line = r.address_line",
    # the same name where a date of birth is missing (then no rule with the year
    # of birth can hold)
    "l.family_name = r.family_name AND l.given_canon = r.given_canon"
    " AND (l.birth_year IS NULL OR r.birth_year IS NULL)",
    "l.family_name = r.family_name"
    " AND l.birth_year = r.birth_year"
    " AND substr(l.given_name, 1, 1) = substr(r.given_name, 1, 1)",
    "l.given_canon = r.given_canon"
    " AND l.birth_year = r.birth_year"
    " AND substr(l.family_name, 1, 1) = substr(r.family_name, 1, 1)",
)

# EM sessions: each leaves out the comparisons its blocking rule uses, so between
# them every comparison gets its m probabilities estimated.
TRAINING_BLOCKING_RULES: tuple[str, ...] = (
    "l.birth_date = r.birth_date",
    "l.family_name = r.family_name AND l.given_canon = r.given_canon",
)

# Rules that, where they hold, are almost always the same person; with an assumed
# recall they estimate the prior probability that two records match.
PRIOR_RULES: tuple[str, ...] = (
    "l.nhs_number = r.nhs_number AND l.birth_date = r.birth_date",
)
# When the rows have no NHS number (files from outside the NHS): the other
# identifier with the date of birth, or the whole name with the date of birth.
PRIOR_RULES_WITHOUT_NHS: tuple[str, ...] = (
    "l.identifier = r.identifier AND l.birth_date = r.birth_date",
    "l.given_name = r.given_name AND l.family_name = r.family_name"
    " AND l.birth_date = r.birth_date",
)
PRIOR_RECALL = 0.7


def prior_rules(
    rows: list[dict[str, Any]], right: list[dict[str, Any]] | None = None
) -> tuple[str, ...]:
    """The rules that estimate the prior for these rows: the NHS number's where
    both sides have NHS numbers, else the fallback rules."""
    sides = [rows] if right is None else [rows, right]
    if all(any(r["nhs_number"] for r in side) for side in sides):
        return PRIOR_RULES
    return PRIOR_RULES_WITHOUT_NHS


def settings_build(*, link_type: str = "dedupe_only", dialect: str = "duckdb") -> dict:
    """The untrained Splink settings: comparisons, blocking rules, columns kept."""
    d = DIALECTS[dialect]
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "comparisons": [
            name_comparison(d),
            birth_date_comparison(d),
            address_comparison(d),
            sex_comparison(),
            nhs_number_comparison(),
            identifier_comparison(d),
            address_line_comparison(d),
        ],
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in PREDICTION_BLOCKING_RULES
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
    }
