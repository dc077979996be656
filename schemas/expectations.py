"""great-expectations suites on the marts of CONTRACT.md §4, declared as plain data.

Each suite names a mart, its minimum columns, its expectations (GX 1.x class name and
arguments) and, where a rule spans columns, derived columns computed while the mart is
read (`met` as the comparator says, `gap` as actual − threshold). Large person-grain
tables are validated on a repeatable sample. great_expectations itself is imported only
by orchestration.quality.great_expectations, which runs these suites.

GX checks what only it checks (the column set, person_key's form, pairs of columns and
the derived values, plausible years) and the shares, counts and unit codes it reports in
the Data Docs. A mart's keys, not-null columns and accepted values are asserted by its
dbt tests in dbt_project/models/marts/_marts__models.yml (`unique`,
`unique_combination`, `not_null`, `accepted_values`), at error severity on the whole
table: blocking asset checks whose failure fails the dbt step, so these suites, which
run after it, never see a mart that breaks them. Each suite names what it leaves to
those tests in `left_to_dbt` (tests/test_quality_marts.py checks that they exist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas.contract import LEVEL_RANKS, PLANNED_PER_SEAT_LIMIT
from schemas.sql import quote_ident

MARTS_SCHEMA = "marts"
# Suite parameter filled at run time with the unit codes of marts.dim_units.
KNOWN_UNIT_CODES = "known_unit_codes"
# Person-grain tables are validated on a sample of this many rows (reservoir, repeatable).
SAMPLE_ROWS = 100_000
PERSON_KEY_PATTERN = r"^[0-9a-f]{64}$"
# Derived values are recomputed in DOUBLE; anything below this is rounding.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Expectation:
    """One GX expectation: the class name in great_expectations.expectations and its kwargs."""

    type: str
    kwargs: dict[str, Any]
    # What the expectation says, in words; by default the GX name and its columns.
    name: str = ""

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in self.type).lstrip("_")
        columns = [
            self.kwargs[name] for name in ("column", "column_A", "column_B") if name in self.kwargs
        ] + list(self.kwargs.get("column_list", ()))
        return f"{snake}({', '.join(columns)})" if columns else snake


@dataclass(frozen=True)
class MartSuite:
    mart: str
    grain: str
    columns: tuple[str, ...]
    expectations: tuple[Expectation, ...]
    # (name, SQL expression) pairs added to the frame when the mart is read.
    derived: tuple[tuple[str, str], ...] = field(default=())
    sample_rows: int | None = None
    # The mart's dbt tests that hold its key, not-null and accepted-values rules, as
    # "test(column, ...)": unique_combination names one test, the others one per column.
    left_to_dbt: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.mart}_suite"

    def columns_of(self, expectation_type: str) -> tuple[str, ...]:
        """The columns that expectations of `expectation_type` check, one column each."""
        return tuple(e.kwargs["column"] for e in self.expectations if e.type == expectation_type)

    def read_query(self) -> str:
        """The DuckDB query giving the frame to validate: the mart, or a bounded sample."""
        derived = "".join(f", {sql} AS {quote_ident(name)}" for name, sql in self.derived)
        table = f"{MARTS_SCHEMA}.{quote_ident(self.mart)}"
        sample = (
            f" USING SAMPLE reservoir({self.sample_rows} ROWS) REPEATABLE (42)"
            if self.sample_rows
            else ""
        )
        return f"SELECT *{derived} FROM {table}{sample}"


def _expect(type_: str, name: str = "", **kwargs: Any) -> Expectation:
    return Expectation(type_, kwargs, name)


def columns_present(columns: tuple[str, ...]) -> Expectation:
    return _expect(
        "ExpectTableColumnsToMatchSet",
        "contract columns present",
        column_set=list(columns),
        exact_match=False,
    )


def known_unit(column: str = "unit_code") -> Expectation:
    """Unit codes of the mart exist in marts.dim_units (nulls are left to other rules)."""
    return _expect(
        "ExpectColumnValuesToBeInSet",
        f"{column} in dim_units",
        column=column,
        value_set={"$PARAMETER": KNOWN_UNIT_CODES},
    )


def between(column: str, minimum: float | None, maximum: float | None = None) -> Expectation:
    bounds = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
    return _expect(
        "ExpectColumnValuesToBeBetween",
        f"{column} {bounds}",
        column=column,
        min_value=minimum,
        max_value=maximum,
    )


def share(column: str) -> Expectation:
    """A share is a fraction in [0, 1] (CONTRACT.md §4)."""
    return between(column, 0, 1)


def count(column: str, minimum: int = 0) -> Expectation:
    return between(column, minimum)


def at_most(column: str, bound: str) -> Expectation:
    """column ≤ bound on every row where both are known."""
    return _expect(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        f"{column} <= {bound}",
        column_A=bound,
        column_B=column,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )


def equal(column: str, other: str) -> Expectation:
    return _expect(
        "ExpectColumnPairValuesToBeEqual", f"{column} = {other}", column_A=column, column_B=other
    )


def always_true(column: str) -> Expectation:
    return _expect("ExpectColumnValuesToBeInSet", column, column=column, value_set=[True])


def person_key() -> Expectation:
    """HMAC-SHA256 in lower-case hex: never a raw national ID (CONTRACT.md §4)."""
    return _expect(
        "ExpectColumnValuesToMatchRegex",
        "person_key is a 64-hex HMAC",
        column="person_key",
        regex=PERSON_KEY_PATTERN,
    )


def _close(value: str, expected: str) -> str:
    """SQL: true when `value` equals `expected` up to rounding, null when either is null."""
    return f"abs({value} - ({expected})) <= {TOLERANCE}"


def _suite(
    mart: str,
    grain: str,
    columns: str,
    *expectations: Expectation,
    left_to_dbt: tuple[str, ...] = (),
    derived: tuple[tuple[str, str], ...] = (),
    sample_rows: int | None = None,
) -> MartSuite:
    """A suite; `columns` are the contract's minimum columns, separated by spaces."""
    names = tuple(columns.split())
    return MartSuite(
        mart,
        grain,
        names,
        (columns_present(names), *expectations),
        derived=derived,
        sample_rows=sample_rows,
        left_to_dbt=left_to_dbt,
    )


_HIGHEST_RANK = max(len(ranks) for ranks in LEVEL_RANKS.values())

SUITES: tuple[MartSuite, ...] = (
    _suite(
        "dim_units",
        "unit",
        "unit_code unit_name unit_kind parent_code valid_from valid_to is_current",
        at_most("valid_from", "valid_to"),
        left_to_dbt=(
            "unique(unit_code)",
            "not_null(unit_code, unit_name, is_current)",
            "accepted_values(unit_kind)",
        ),
    ),
    _suite(
        "dim_unit_successions",
        "predecessor × successor",
        "predecessor_code successor_code effective_date",
        known_unit("predecessor_code"),
        known_unit("successor_code"),
        left_to_dbt=(
            "unique_combination(predecessor_code, successor_code)",
            "not_null(predecessor_code, successor_code, effective_date)",
        ),
    ),
    _suite(
        "dim_cadres",
        "person",
        "person_key unit_code gender birth_year management_tier workplace_kind valid_from "
        "valid_to is_current",
        person_key(),
        known_unit(),
        between("birth_year", 1900, 2100),
        at_most("valid_from", "valid_to"),
        left_to_dbt=(
            "unique(person_key)",
            "not_null(unit_code, is_current)",
            "accepted_values(gender, management_tier, workplace_kind)",
        ),
        sample_rows=SAMPLE_ROWS,
    ),
    _suite(
        "dim_cadre_periods",
        "person × valid_from",
        "person_key unit_code management_tier workplace_kind current_title_code valid_from "
        "valid_to",
        person_key(),
        known_unit(),
        at_most("valid_from", "valid_to"),
        left_to_dbt=(
            "unique_combination(person_key, valid_from)",
            "not_null(unit_code)",
            "accepted_values(management_tier, workplace_kind)",
        ),
        sample_rows=SAMPLE_ROWS,
    ),
    _suite(
        "fct_classes",
        "class",
        "class_code unit_code program_code program_kind target_group term_code "
        "target_term_code start_date end_date enrolled_count graduated_count",
        known_unit(),
        count("enrolled_count"),
        count("graduated_count"),
        at_most("graduated_count", "enrolled_count"),
        at_most("start_date", "end_date"),
        left_to_dbt=("unique(class_code)", "accepted_values(program_kind, target_group)"),
        sample_rows=SAMPLE_ROWS,
    ),
    _suite(
        "fct_enrolments",
        "class × person",
        "class_code person_key unit_code term_code sessions_attended unexcused_absences "
        "result graduated",
        person_key(),
        known_unit(),
        count("sessions_attended"),
        count("unexcused_absences"),
        left_to_dbt=("unique_combination(class_code, person_key)", "accepted_values(result)"),
        sample_rows=SAMPLE_ROWS,
    ),
    _suite(
        "fct_qualifications",
        "award",
        "person_key qualification_kind level level_rank awarded_date",
        person_key(),
        between("level_rank", 1, _HIGHEST_RANK),
        left_to_dbt=(
            "unique_combination(person_key, qualification_kind, level)",
            "accepted_values(qualification_kind)",
        ),
        sample_rows=SAMPLE_ROWS,
    ),
    _suite(
        "fct_trainees",
        "person × term",
        "person_key unit_code term_code classes_enrolled classes_graduated sessions_attended "
        "unexcused_absences professional_level political_level",
        person_key(),
        known_unit(),
        count("classes_enrolled", 1),
        count("classes_graduated"),
        at_most("classes_graduated", "classes_enrolled"),
        count("sessions_attended"),
        count("unexcused_absences"),
        left_to_dbt=(
            "unique_combination(person_key, term_code)",
            "accepted_values(professional_level, political_level)",
        ),
        sample_rows=SAMPLE_ROWS,
    ),
    _suite(
        "mart_unit_training_summary",
        "unit × term",
        "unit_code term_code classes_count enrolments_count distinct_trainees",
        known_unit(),
        count("classes_count", 1),
        count("enrolments_count"),
        count("distinct_trainees"),
        at_most("distinct_trainees", "enrolments_count"),
        left_to_dbt=("unique_combination(unit_code, term_code)",),
    ),
    _suite(
        "mart_planning_pool",
        "unit × title × term",
        "unit_code title_code term_code seats planned_count planning_coefficient "
        "share_masters_plus share_political_advanced share_women share_under_40 "
        "over_planning_limit",
        known_unit(),
        count("seats"),
        count("planned_count"),
        count("planning_coefficient"),
        share("share_masters_plus"),
        share("share_political_advanced"),
        share("share_women"),
        share("share_under_40"),
        always_true("coefficient_is_planned_over_seats"),
        always_true("over_planning_limit_follows_seats"),
        left_to_dbt=("unique_combination(unit_code, title_code, term_code)",),
        derived=(
            (
                "coefficient_is_planned_over_seats",
                "coalesce(" + _close("planning_coefficient", "planned_count / seats") + ", true)",
            ),
            (
                "over_planning_limit_follows_seats",
                "coalesce(over_planning_limit = "
                f"(planned_count > {PLANNED_PER_SEAT_LIMIT} * seats), "
                "over_planning_limit IS NULL AND seats IS NULL)",
            ),
        ),
    ),
    _suite(
        "mart_committee_composition",
        "unit × committee level × term",
        "unit_code committee_level term_code members share_women share_university_plus",
        known_unit(),
        count("members"),
        share("share_women"),
        share("share_university_plus"),
        left_to_dbt=(
            "unique_combination(unit_code, committee_level, term_code)",
            "accepted_values(committee_level)",
        ),
    ),
    _suite(
        "mart_target_attainment",
        "target × scope",
        "target_code term_code scope unit_code population metric reference_date numerator "
        "denominator actual_value threshold comparator met gap",
        known_unit(),
        always_true("unit_code_follows_scope"),
        count("numerator"),
        count("denominator"),
        at_most("numerator", "denominator"),
        share("actual_value"),
        share("threshold"),
        always_true("actual_value_is_numerator_over_denominator"),
        equal("met", "met_by_comparator"),
        always_true("gap_is_actual_minus_threshold"),
        left_to_dbt=(
            "unique_combination(target_code, scope, unit_code)",
            "not_null(reference_date)",
            "accepted_values(scope, population, metric, title_level, comparator)",
        ),
        derived=(
            ("unit_code_follows_scope", "(scope = 'city') = (unit_code IS NULL)"),
            (
                "actual_value_is_numerator_over_denominator",
                "coalesce("
                + _close("actual_value", "numerator / nullif(denominator, 0)")
                + ", actual_value IS NULL AND coalesce(denominator, 0) = 0)",
            ),
            (
                "met_by_comparator",
                "CASE comparator WHEN '>=' THEN actual_value >= threshold "
                "WHEN '>' THEN actual_value > threshold END",
            ),
            (
                "gap_is_actual_minus_threshold",
                "coalesce("
                + _close("gap", "actual_value - threshold")
                + ", gap IS NULL AND actual_value IS NULL)",
            ),
        ),
    ),
    _suite(
        "mart_attendance_review",
        "person × year",
        "person_key unit_code year unexcused_absences classes_with_absence",
        person_key(),
        known_unit(),
        between("year", 1900, 2100),
        count("unexcused_absences", 1),
        count("classes_with_absence", 1),
        left_to_dbt=("unique_combination(person_key, year)",),
        sample_rows=SAMPLE_ROWS,
    ),
    _suite(
        "mart_training_outcomes",
        "person × year",
        "person_key unit_code year classes_completed next_year_rating needs_reassignment",
        person_key(),
        known_unit(),
        between("year", 1900, 2100),
        count("classes_completed", 1),
        equal("needs_reassignment", "needs_reassignment_by_rating"),
        left_to_dbt=(
            "unique_combination(person_key, year)",
            "accepted_values(next_year_rating)",
        ),
        derived=(("needs_reassignment_by_rating", "next_year_rating = 'kht'"),),
        sample_rows=SAMPLE_ROWS,
    ),
    _suite(
        "mart_unit_transitions",
        "ended unit × destination",
        "unit_code destination_code end_date is_successor people_count key_cadres_count",
        known_unit(),
        known_unit("destination_code"),
        count("people_count", 1),
        count("key_cadres_count"),
        at_most("key_cadres_count", "people_count"),
        always_true("no_successor_verdict_without_destination"),
        left_to_dbt=(
            "unique_combination(unit_code, destination_code)",
            "not_null(unit_code, end_date)",
        ),
        derived=(
            (
                "no_successor_verdict_without_destination",
                "destination_code IS NOT NULL OR is_successor IS NULL",
            ),
        ),
    ),
    _suite(
        "mart_current_unit_training",
        "current unit × dai_hoi term",
        "unit_code term_code as_of_date cadres_count trained_count "
        "planning_source_trained_count share_trained",
        known_unit(),
        count("cadres_count"),
        count("trained_count"),
        count("planning_source_trained_count"),
        at_most("trained_count", "cadres_count"),
        at_most("planning_source_trained_count", "trained_count"),
        share("share_trained"),
        always_true("share_is_trained_over_cadres"),
        left_to_dbt=(
            "unique_combination(unit_code, term_code)",
            "not_null(unit_code, as_of_date)",
        ),
        derived=(
            (
                "share_is_trained_over_cadres",
                "coalesce("
                + _close("share_trained", "trained_count / nullif(cadres_count, 0)")
                + ", share_trained IS NULL AND cadres_count = 0)",
            ),
        ),
    ),
)

SUITE_BY_MART = {suite.mart: suite for suite in SUITES}
