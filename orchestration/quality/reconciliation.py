"""Reconciliation: the marts agree with staging (no row lost or doubled between layers)."""

from dataclasses import dataclass

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    multi_asset_check,
)
from dagster_duckdb import DuckDBResource


@dataclass(frozen=True)
class Reconciliation:
    """`left` and `right` are SQL giving one number each; the check passes when they agree."""

    table: str
    name: str
    description: str
    left: str
    right: str
    depends_on: tuple[str, ...] = ()

    @property
    def asset_key(self) -> AssetKey:
        schema, name = self.table.split(".")
        return AssetKey([schema, name])


def _rows(table: str) -> str:
    return f"SELECT count(*) FROM {table}"


RECONCILIATIONS: tuple[Reconciliation, ...] = (
    Reconciliation(
        "marts.fct_enrolments",
        "rows_match_staging",
        "fct_enrolments has one row per accepted enrolment: its rows = "
        "stg_submissions__enrolments rows.",
        _rows("marts.fct_enrolments"),
        _rows("staging.stg_submissions__enrolments"),
        ("staging.stg_submissions__enrolments",),
    ),
    Reconciliation(
        "marts.fct_classes",
        "rows_match_staging",
        "fct_classes has one row per accepted class: its rows = stg_submissions__classes rows.",
        _rows("marts.fct_classes"),
        _rows("staging.stg_submissions__classes"),
        ("staging.stg_submissions__classes",),
    ),
    Reconciliation(
        "marts.fct_classes",
        "enrolled_count_matches_enrolments",
        "Every enrolment is counted in its class: sum(enrolled_count) over fct_classes = "
        "fct_enrolments rows.",
        "SELECT coalesce(sum(enrolled_count), 0) FROM marts.fct_classes",
        _rows("marts.fct_enrolments"),
        ("marts.fct_enrolments",),
    ),
    Reconciliation(
        "marts.dim_cadre_periods",
        "rows_match_staging",
        "dim_cadre_periods has one row per accepted cadre period: its rows = "
        "stg_submissions__cadres rows.",
        _rows("marts.dim_cadre_periods"),
        _rows("staging.stg_submissions__cadres"),
        ("staging.stg_submissions__cadres",),
    ),
    Reconciliation(
        "marts.dim_cadres",
        "rows_match_staging",
        "dim_cadres has one row per person with an accepted period: its rows = distinct "
        "people of stg_submissions__cadres.",
        _rows("marts.dim_cadres"),
        "SELECT count(DISTINCT person_key) FROM staging.stg_submissions__cadres",
        ("staging.stg_submissions__cadres",),
    ),
)


def reconcile(
    con: duckdb.DuckDBPyConnection, reconciliation: Reconciliation
) -> tuple[int | None, int | None, str | None]:
    """(left, right, error): the two numbers, or why they could not be read."""
    try:
        left = con.execute(reconciliation.left).fetchone()[0]
        right = con.execute(reconciliation.right).fetchone()[0]
    except duckdb.Error as error:
        return None, None, str(error).splitlines()[0]
    return int(left), int(right), None


def check_result(reconciliation: Reconciliation, left, right, error) -> AssetCheckResult:
    passed = error is None and left == right
    return AssetCheckResult(
        asset_key=reconciliation.asset_key,
        check_name=reconciliation.name,
        passed=passed,
        description=error
        if error
        else None
        if passed
        else f"{reconciliation.left} gave {left}, {reconciliation.right} gave {right}",
        metadata={
            "left_query": reconciliation.left,
            "right_query": reconciliation.right,
            "left": left,
            "right": right,
            "difference": None if error else left - right,
        },
    )


@multi_asset_check(
    name="mart_reconciliation",
    specs=[
        AssetCheckSpec(
            reconciliation.name,
            asset=reconciliation.asset_key,
            blocking=True,
            description=reconciliation.description,
            additional_deps=[AssetKey(table.split(".")) for table in reconciliation.depends_on],
        )
        for reconciliation in RECONCILIATIONS
    ],
    can_subset=True,
    description="Row counts of the marts agree with staging.",
)
def reconciliation_checks(context: AssetCheckExecutionContext, build_duckdb: DuckDBResource):
    selected = context.selected_asset_check_keys
    chosen = [
        reconciliation
        for reconciliation in RECONCILIATIONS
        if any(
            key.asset_key == reconciliation.asset_key and key.name == reconciliation.name
            for key in selected
        )
    ]
    with build_duckdb.get_connection() as con:
        numbers = [reconcile(con, reconciliation) for reconciliation in chosen]
    for reconciliation, (left, right, error) in zip(chosen, numbers, strict=True):
        yield check_result(reconciliation, left, right, error)
