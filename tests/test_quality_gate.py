"""The publish gate, end to end: a failing blocking check stops the publish and fails the run.

One module-scoped pair of `nightly_refresh` runs: the first publishes; then a unit's
resubmission is refused (so its accepted slice is kept) and that kept slice is corrupted,
as a disk error or a loader bug would; the second run must fail at the pandera check,
naming it, and leave the published file byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance
from dagster._core.execution.api import create_execution_plan

from orchestration.quality.great_expectations import CHECK_NAME as GX_CHECK
from orchestration.quality.pandera_checks import CHECK_NAME as PANDERA_CHECK
from orchestration.quality.reconciliation import RECONCILIATIONS
from schemas import SEED_FILES
from schemas.expectations import SUITES

VALID = Path(__file__).parent / "fixtures" / "quality" / "valid"
PUBLISH_STEP = "publish__nhanluc_duckdb"
BROKEN_CHECK_STEP = f"ingest__enrolments_{PANDERA_CHECK}"

pytestmark = pytest.mark.e2e


def _nightly_refresh():
    from orchestration.definitions import build_definitions

    job = build_definitions().resolve_job_def("nightly_refresh")
    return job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _corrupt_kept_slice(path: Path) -> None:
    """sessions_attended = -5 on the row from line 2, written as the loader writes slices."""
    temporary = path.with_suffix(".tmp")
    duckdb.connect().execute(
        f"""COPY (SELECT * REPLACE (CASE WHEN source_line = 2 THEN -5
                 ELSE sessions_attended END AS sessions_attended)
             FROM read_parquet('{path}')) TO '{temporary}' (FORMAT parquet)"""
    )
    temporary.replace(path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate")
    seeds, warehouse = root / "seeds", root / "warehouse"
    shutil.copytree(VALID, seeds)
    cadres = seeds / "submissions/003/cadres.csv"
    cadres.write_text(
        cadres.read_text(encoding="utf-8")
        + "001080000009,273,Trần Văn Giáp,nam,1980-01-01,khac,co_quan,\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NHANLUC_SEEDS_DIR", str(seeds))
        patch.setenv("NHANLUC_WAREHOUSE_DIR", str(warehouse))
        patch.setenv("NHANLUC_PSEUDONYM_KEY", "test-key")
        patch.delenv("NHANLUC_MAX_REJECT_RATE", raising=False)
        first = _nightly_refresh()
        published = warehouse / "nhanluc.duckdb"
        published_before = _sha256(published) if published.exists() else None

        (seeds / "submissions/003/enrolments.csv").write_bytes(b"")
        _corrupt_kept_slice(warehouse / "private/raw/enrolments/003.parquet")
        second = _nightly_refresh()
    return {
        "first": first,
        "second": second,
        "warehouse": warehouse,
        "published_before": published_before,
    }


def _evaluations(result) -> dict[tuple[str, str], bool]:
    return {
        (e.asset_key.to_user_string(), e.check_name): e.passed
        for e in result.get_asset_check_evaluations()
    }


def test_first_run_passes_every_quality_check_and_publishes(runs):
    first = runs["first"]
    assert first.success
    evaluations = _evaluations(first)
    expected = (
        {(f"ingest/{seed.name}", PANDERA_CHECK) for seed in SEED_FILES}
        | {(f"marts/{suite.mart}", GX_CHECK) for suite in SUITES}
        | {(r.table.replace(".", "/"), r.name) for r in RECONCILIATIONS}
    )
    assert {key: evaluations.get(key) for key in expected} == dict.fromkeys(expected, True)
    assert runs["published_before"] is not None
    assert (runs["warehouse"] / "data_docs" / "index.html").exists()
    assert (runs["warehouse"] / "feedback" / "003.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_failing_blocking_check_fails_the_run_naming_the_check(runs):
    second = runs["second"]
    assert not second.success
    assert _evaluations(second)[("ingest/enrolments", PANDERA_CHECK)] is False
    failures = [e for e in second.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == [BROKEN_CHECK_STEP]
    message = failures[0].step_failure_data.error.message
    assert "1 blocking asset check failed with ERROR severity" in message
    assert f"ingest/enrolments: {PANDERA_CHECK}" in message
    run_failure = next(e for e in second.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    assert BROKEN_CHECK_STEP in run_failure.message


def test_failure_metadata_points_at_the_bad_row(runs):
    evaluation = next(
        e
        for e in runs["second"].get_asset_check_evaluations()
        if e.asset_key == AssetKey(["ingest", "enrolments"])
    )
    assert evaluation.metadata["failure_cases"].value == [
        {
            "slice": "003.parquet",
            "column": "sessions_attended",
            "check": "greater_than_or_equal_to(0)",
            "source_line": 2,
            "value": "-5",
        }
    ]


def test_nothing_downstream_ran_and_the_published_file_is_unchanged(runs):
    second = runs["second"]
    executed = {
        e.step_key for e in second.all_events if e.event_type == DagsterEventType.STEP_START
    }
    assert not executed & {"dbt_models", "mart_expectations", "mart_reconciliation", PUBLISH_STEP}
    materialized = {e.asset_key for e in second.get_asset_materialization_events()}
    assert AssetKey(["publish", "nhanluc_duckdb"]) not in materialized
    assert _sha256(runs["warehouse"] / "nhanluc.duckdb") == runs["published_before"]


def test_publish_waits_for_every_blocking_quality_check(monkeypatch, tmp_path):
    """The plan Dagster builds: publish reads the mart check steps; dbt runs only after
    the report, which waits for every pandera check."""
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(tmp_path))
    from orchestration.definitions import build_definitions

    plan = create_execution_plan(build_definitions().resolve_job_def("nightly_refresh"))

    def upstream(step_key: str) -> set[str]:
        step = plan.get_step_by_key(step_key)
        return {
            handle.step_key
            for step_input in step.step_inputs
            for handle in step_input.get_step_output_handle_dependencies()
        }

    assert {"dbt_models", "mart_expectations", "mart_reconciliation"} <= upstream(PUBLISH_STEP)
    assert "ingest__submission_report" in upstream("dbt_models")
    assert {f"ingest__{seed.name}_{PANDERA_CHECK}" for seed in SEED_FILES} <= upstream(
        "ingest__submission_report"
    )
