"""GX suites and reconciliation on a hand-made build database: pass when consistent, fail
with the broken expectation named, block what is downstream (great_expectations is imported
once for the module, ≈ 7 s)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetSelection,
    AssetSpec,
    DagsterInstance,
    Definitions,
    define_asset_job,
    in_process_executor,
)
from dagster_duckdb import DuckDBResource

from orchestration.quality.great_expectations import (
    CHECK_NAME,
    check_result,
    mart_expectation_checks,
    read_mart_frames,
    run_mart_suites,
)
from orchestration.quality.reconciliation import (
    RECONCILIATIONS,
    reconcile,
    reconciliation_checks,
)
from orchestration.settings import DBT_PROJECT_DIR
from schemas.expectations import SUITES

MARTS_SQL = Path(__file__).parent / "fixtures" / "quality" / "marts.sql"
MARTS_YML = DBT_PROJECT_DIR / "models" / "marts" / "_marts__models.yml"

# (mart, SQL that breaks it, the expectation that must then fail)
BREAKS = (
    (
        "mart_planning_pool",
        "UPDATE marts.mart_planning_pool SET share_women = 1.2 WHERE unit_code = '01'",
        "share_women in [0, 1]",
    ),
    (
        "mart_planning_pool",
        "UPDATE marts.mart_planning_pool SET planning_coefficient = 1.2 WHERE unit_code = '01'",
        "coefficient_is_planned_over_seats",
    ),
    (
        "fct_classes",
        "UPDATE marts.fct_classes SET enrolled_count = -1 WHERE class_code = '273-1'",
        "enrolled_count >= 0",
    ),
    (
        "fct_trainees",
        "UPDATE marts.fct_trainees SET classes_graduated = 2 WHERE unit_code = '273'",
        "classes_graduated <= classes_enrolled",
    ),
    (
        "mart_target_attainment",
        "UPDATE marts.mart_target_attainment SET met = true WHERE scope = 'unit'",
        "met = met_by_comparator",
    ),
    (
        "mart_target_attainment",
        "UPDATE marts.mart_target_attainment SET gap = 0.1 WHERE target_code = 'T5'",
        "gap_is_actual_minus_threshold",
    ),
    (
        "mart_unit_training_summary",
        "UPDATE marts.mart_unit_training_summary SET unit_code = '999' WHERE unit_code = '273'",
        "unit_code in dim_units",
    ),
    (
        "mart_training_outcomes",
        "UPDATE marts.mart_training_outcomes SET needs_reassignment = false "
        "WHERE next_year_rating = 'kht'",
        "needs_reassignment = needs_reassignment_by_rating",
    ),
    (
        "dim_cadres",
        "UPDATE marts.dim_cadres SET person_key = '001080000001' WHERE gender = 'nam'",
        "person_key is a 64-hex HMAC",
    ),
    (
        "mart_planning_pool",
        "UPDATE marts.mart_planning_pool SET over_planning_limit = false WHERE unit_code = '00103'",
        "over_planning_limit_follows_seats",
    ),
    (
        "mart_unit_transitions",
        "UPDATE marts.mart_unit_transitions SET is_successor = false WHERE unit_code = '273'",
        "no_successor_verdict_without_destination",
    ),
    (
        "mart_current_unit_training",
        "UPDATE marts.mart_current_unit_training SET trained_count = 2 WHERE unit_code = '00103'",
        "trained_count <= cadres_count",
    ),
    (
        "dim_cadre_periods",
        "UPDATE marts.dim_cadre_periods SET valid_to = DATE '2000-01-01' WHERE unit_code = '273'",
        "valid_from <= valid_to",
    ),
)
BROKEN_MARTS = {mart for mart, _, _ in BREAKS} | {"mart_committee_composition"}


def _database(path: Path, *statements: str) -> Path:
    con = duckdb.connect(str(path))
    con.execute(MARTS_SQL.read_text(encoding="utf-8"))
    for statement in statements:
        con.execute(statement)
    con.close()
    return path


@pytest.fixture(scope="module")
def good_database(tmp_path_factory) -> Path:
    return _database(tmp_path_factory.mktemp("good") / "build.duckdb")


@pytest.fixture(scope="module")
def broken_database(tmp_path_factory) -> Path:
    return _database(
        tmp_path_factory.mktemp("broken") / "build.duckdb",
        *(sql for _, sql, _ in BREAKS),
        "DROP TABLE marts.mart_committee_composition",
    )


def _run(database: Path, docs_dir: Path):
    con = duckdb.connect(str(database), read_only=True)
    marts = read_mart_frames(con)
    con.close()
    return run_mart_suites(marts, docs_dir)


@pytest.fixture(scope="module")
def good_run(good_database, tmp_path_factory):
    docs_dir = tmp_path_factory.mktemp("good_docs") / "data_docs"
    docs_dir.mkdir()
    (docs_dir / "stale.html").write_text("from an earlier run")
    return _run(good_database, docs_dir), docs_dir


@pytest.fixture(scope="module")
def broken_run(broken_database, tmp_path_factory):
    docs_dir = tmp_path_factory.mktemp("broken_docs") / "data_docs"
    return _run(broken_database, docs_dir), docs_dir


def test_every_suite_passes_on_consistent_marts(good_run):
    outcomes, _ = good_run
    assert set(outcomes) == {suite.mart for suite in SUITES}
    for suite in SUITES:
        outcome = outcomes[suite.mart]
        assert outcome.passed, (suite.mart, outcome.failed, outcome.error)
        assert outcome.evaluated == len(suite.expectations)
        assert outcome.rows_validated > 0


def test_data_docs_are_rebuilt_for_every_suite(good_run):
    _, docs_dir = good_run
    index = (docs_dir / "index.html").read_text(encoding="utf-8")
    for suite in SUITES:
        assert suite.name in index
        assert list((docs_dir / "validations" / suite.name).rglob("*.html")), suite.name
    # The folder is replaced whole: nothing of an earlier run stays.
    assert not (docs_dir / "stale.html").exists()
    assert not list(docs_dir.parent.glob(".data_docs.*"))


@pytest.mark.parametrize(
    "mart,expectation", [(mart, label) for mart, _, label in BREAKS], ids=lambda v: v
)
def test_a_broken_mart_fails_naming_the_expectation(broken_run, mart, expectation):
    outcomes, _ = broken_run
    outcome = outcomes[mart]
    assert not outcome.passed
    assert expectation in outcome.failed_expectations


def test_marts_not_broken_still_pass(broken_run):
    outcomes, _ = broken_run
    for suite in SUITES:
        if suite.mart not in BROKEN_MARTS:
            assert outcomes[suite.mart].passed, suite.mart


def test_a_missing_mart_fails_with_a_message(broken_run):
    outcome = broken_run[0]["mart_committee_composition"]
    assert not outcome.passed
    assert outcome.error == "table marts.mart_committee_composition does not exist"


def test_check_metadata_summarises_the_validation(broken_run):
    outcomes, docs_dir = broken_run
    result = check_result(outcomes["mart_target_attainment"], docs_dir)
    assert result.passed is False
    assert result.asset_key == AssetKey(["marts", "mart_target_attainment"])
    metadata = {name: value.value for name, value in result.metadata.items()}
    suite = next(s for s in SUITES if s.mart == "mart_target_attainment")
    assert metadata["expectations_evaluated"] == len(suite.expectations)
    assert metadata["expectations_failed"] == 2
    assert sorted(f["expectation"] for f in metadata["failed_expectations"]) == [
        "gap_is_actual_minus_threshold",
        "met = met_by_comparator",
    ]
    assert "met = met_by_comparator" in result.description


def test_large_facts_are_read_as_bounded_samples():
    sampled = {suite.mart for suite in SUITES if suite.sample_rows}
    assert {"fct_enrolments", "fct_trainees"} <= sampled
    query = next(s for s in SUITES if s.mart == "fct_enrolments").read_query()
    assert "USING SAMPLE reservoir(100000 ROWS)" in query


def _error_tests(model: dict) -> set[tuple[str, tuple[str, ...]]]:
    """(test, columns) of every dbt test on `model` at error severity (the project's default)."""
    found = set()
    tests = [(test, ()) for test in model.get("data_tests", [])] + [
        (test, (column["name"],))
        for column in model.get("columns", [])
        for test in column.get("data_tests", [])
    ]
    for test, columns in tests:
        name, spec = (test, {}) if isinstance(test, str) else next(iter(test.items()))
        if (spec.get("config") or {}).get("severity", "error") != "error":
            continue
        if name == "unique_combination":
            columns = tuple(spec["arguments"]["columns"])
        found.add((name, columns))
    return found


def _left_to_dbt(suite) -> list[tuple[str, tuple[str, ...]]]:
    """The suite's `left_to_dbt` as (test, columns): one per column but for unique_combination."""
    tests = []
    for entry in suite.left_to_dbt:
        name, listed = re.fullmatch(r"(\w+)\((.+)\)", entry).groups()
        columns = tuple(column.strip() for column in listed.split(","))
        single = name != "unique_combination"
        tests += [(name, (column,)) for column in columns] if single else [(name, columns)]
    return tests


def test_what_the_suites_leave_to_dbt_is_a_blocking_dbt_test_on_the_same_mart():
    """Keys, not-null columns and accepted values are checked by the marts' dbt tests alone
    (blocking: a failure fails the dbt step, which the suites follow)."""
    document = yaml.safe_load(MARTS_YML.read_text(encoding="utf-8"))
    models = {model["name"]: model for model in document["models"]}
    left = {"ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"}
    left |= {"ExpectColumnValuesToNotBeNull"}
    for suite in SUITES:
        tested = _error_tests(models[suite.mart])
        assert any(name.startswith("unique") for name, _ in _left_to_dbt(suite)), suite.mart
        for name, columns in _left_to_dbt(suite):
            assert (name, columns) in tested, (suite.mart, name, columns)
        assert not left & {expectation.type for expectation in suite.expectations}, suite.mart


def test_reconciliation_passes_when_marts_agree_with_staging(good_database):
    con = duckdb.connect(str(good_database), read_only=True)
    results = [reconcile(con, reconciliation) for reconciliation in RECONCILIATIONS]
    assert results == [(3, 3, None), (2, 2, None), (3, 3, None), (4, 4, None), (3, 3, None)]


def test_reconciliation_fails_when_a_mart_loses_a_row(tmp_path):
    database = _database(
        tmp_path / "build.duckdb", "DELETE FROM marts.fct_enrolments WHERE class_code = '273-1'"
    )
    con = duckdb.connect(str(database), read_only=True)
    results = {(r.table, r.name): reconcile(con, r) for r in RECONCILIATIONS}
    failed = {key: numbers for key, numbers in results.items() if numbers[0] != numbers[1]}
    assert failed == {
        ("marts.fct_enrolments", "rows_match_staging"): (2, 3, None),
        ("marts.fct_classes", "enrolled_count_matches_enrolments"): (3, 2, None),
    }


def test_reconciliation_reports_a_missing_table(tmp_path):
    database = _database(tmp_path / "build.duckdb", "DROP TABLE staging.stg_submissions__cadres")
    con = duckdb.connect(str(database), read_only=True)
    dim_cadres = next(r for r in RECONCILIATIONS if r.table == "marts.dim_cadres")
    left, right, error = reconcile(con, dim_cadres)
    assert (left, right) == (None, None)
    assert "stg_submissions__cadres" in error


def test_mart_checks_are_blocking_and_cover_every_mart():
    gx_specs = list(mart_expectation_checks.check_specs)
    assert sorted(spec.asset_key for spec in gx_specs) == sorted(
        AssetKey(["marts", suite.mart]) for suite in SUITES
    )
    assert {spec.name for spec in gx_specs} == {CHECK_NAME}
    reconciliation_specs = list(reconciliation_checks.check_specs)
    assert len(reconciliation_specs) == len(RECONCILIATIONS)
    assert all(spec.blocking for spec in gx_specs + reconciliation_specs)


def _check_job(database: Path, warehouse: Path, monkeypatch):
    """The two mart check steps alone, over external mart assets, through Dagster."""
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(warehouse))
    keys = {spec.asset_key for spec in mart_expectation_checks.check_specs}
    keys |= {dep.asset_key for c in reconciliation_checks.check_specs for dep in c.additional_deps}
    checks = [mart_expectation_checks, reconciliation_checks]
    definitions = Definitions(
        assets=[AssetSpec(key) for key in keys],
        asset_checks=checks,
        jobs=[define_asset_job("mart_checks", selection=AssetSelection.checks(*checks))],
        resources={"build_duckdb": DuckDBResource(database=str(database))},
        executor=in_process_executor,
    )
    return definitions.resolve_job_def("mart_checks").execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )


def test_failed_mart_checks_fail_their_step_naming_each_check(
    broken_database, tmp_path, monkeypatch
):
    result = _check_job(broken_database, tmp_path / "warehouse", monkeypatch)
    assert not result.success
    evaluations = {
        AssetCheckKey(e.asset_key, e.check_name): e.passed
        for e in result.get_asset_check_evaluations()
    }
    for mart in BROKEN_MARTS:
        assert evaluations[AssetCheckKey(AssetKey(["marts", mart]), CHECK_NAME)] is False
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert "blocking asset checks failed" in message
    for mart in BROKEN_MARTS:
        assert f"marts/{mart}: {CHECK_NAME}" in message
    assert (tmp_path / "warehouse" / "data_docs" / "index.html").exists()


def test_passing_mart_checks_pass_through_dagster(good_database, tmp_path, monkeypatch):
    result = _check_job(good_database, tmp_path / "warehouse", monkeypatch)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(SUITES) + len(RECONCILIATIONS)
    assert all(e.passed for e in evaluations)
