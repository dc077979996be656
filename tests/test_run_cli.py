"""`make run`'s entry point: progress by stage from the log, the summary, the failed step.

A stand-in for the dagster executable writes Dagster-formatted lines (as `dagster job
execute` does), so these tests need no refresh.
"""

from __future__ import annotations

import io
import sys
import textwrap

import pytest

from orchestration import run_cli
from tests.test_report_site import REFRESH, _published

RUN = "7135f894-8ab1-4f49-afd8-9691647289d8"


def _event(step: str | None, event: str, message: str) -> str:
    where = f"{step} - " if step else ""
    return (
        f"2026-12-01 23:43:14 +0000 - dagster - DEBUG - nightly_refresh - {RUN} - 30122 - "
        f"{where}{event} - {message}"
    )


SUCCESS = [
    _event(None, "RUN_START", 'Started execution of run for "nightly_refresh".'),
    _event("ingest__units", "STEP_START", 'Started execution of step "ingest__units".'),
    "a line dbt or DuckDB wrote, not Dagster's",
    _event("ingest__cadres", "STEP_START", 'Started execution of step "ingest__cadres".'),
    _event("dbt_models", "STEP_START", 'Started execution of step "dbt_models".'),
    _event("mart_expectations", "STEP_START", "Started execution of step."),
    _event("mart_reconciliation", "STEP_START", "Started execution of step."),
    _event("publish__nhanluc_duckdb", "STEP_START", "Started execution of step."),
    _event("publish__report", "STEP_START", "Started execution of step."),
    _event(None, "RUN_SUCCESS", 'Finished execution of run for "nightly_refresh".'),
]
FAILURE = [
    _event("ingest__units", "STEP_START", 'Started execution of step "ingest__units".'),
    _event("dbt_models", "STEP_START", 'Started execution of step "dbt_models".'),
    _event("mart_reconciliation", "STEP_START", "Started execution of step."),
    _event(
        "mart_reconciliation",
        "ASSET_CHECK_EVALUATION",
        "Asset check 'rows_match_staging' on 'marts/dim_cadres' did not pass.",
    ),
    _event(
        "mart_reconciliation", "STEP_FAILURE", 'Execution of step "mart_reconciliation" failed.'
    ),
    "dagster._core.errors.DagsterAssetCheckFailedError: 1 blocking asset check failed",
    _event("publish__nhanluc_duckdb", "STEP_SKIPPED", "Skipped execution of step."),
    _event("publish__report", "STEP_SKIPPED", "Skipped execution of step."),
    _event(None, "RUN_FAILURE", 'Execution of run for "nightly_refresh" failed.'),
    f"Error: Run {RUN} resulted in failure.",
]


def _progress(lines: list[str]) -> tuple[run_cli.Progress, list[str]]:
    out = io.StringIO()
    progress = run_cli.Progress(out=out)
    for line in lines:
        progress.line(line)
    progress.close()
    return progress, out.getvalue().splitlines()


def test_a_line_per_stage_with_its_step_count():
    progress, lines = _progress(SUCCESS)
    assert [line.split(" …")[0].split()[0] for line in lines] == [
        "ingest",
        "dbt",
        "checks",
        "publish",
        "report",
    ]
    assert lines[0].endswith(" ok (2 steps, 0 s)")
    assert lines[2].endswith(" ok (2 steps, 0 s)")
    assert not progress.run_failed and not progress.failed_steps


def test_a_failure_names_the_step_the_check_and_the_error():
    progress, lines = _progress(FAILURE)
    assert progress.run_failed
    assert progress.failed_steps == ["mart_reconciliation"]
    assert progress.failed_checks == [
        "Asset check 'rows_match_staging' on 'marts/dim_cadres' did not pass."
    ]
    assert progress.errors == [
        "dagster._core.errors.DagsterAssetCheckFailedError: 1 blocking asset check failed"
    ]
    assert lines[-3].startswith("  checks") and lines[-3].endswith(" failed (1 step, 0 s)")
    assert lines[-2].startswith("  publish") and lines[-2].endswith("skipped")
    assert lines[-1].startswith("  report") and lines[-1].endswith("skipped")


def test_the_summary_reads_the_published_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(tmp_path))
    settings = run_cli.current_settings()
    _published(settings.published_database, REFRESH)
    lines = run_cli.summary(settings, nothing_new=False)
    assert lines[0] == f"Published file: {settings.published_database} (replaced)"
    # The small file of test_report_site: 10 + 5 + 3 rows read, 8 + 0 + 3 accepted.
    assert "As of:          2025-06-30" in lines
    assert "Rows:           18 read, 11 accepted, 7 rejected" in lines
    assert "Targets met:    1 of 2 city targets (2015-2020 1/2)" in lines
    assert "Held back:      1 unit(s): 001 classes" in lines
    assert lines[-1] == "Report:         (none)"


@pytest.fixture
def fake_dagster(tmp_path, monkeypatch):
    """A stand-in executable printing `lines` slowly, then exiting with `code`."""

    def _make(lines: list[str], code: int):
        script = tmp_path / "dagster"
        script.write_text(
            f"#!{sys.executable}\n"
            + textwrap.dedent(
                f"""
                import sys, time
                for line in {lines!r}:
                    print(line, flush=True)
                    time.sleep(0.01)
                sys.exit({code})
                """
            )
        )
        script.chmod(0o755)
        monkeypatch.setattr(run_cli, "DAGSTER", str(script))
        monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))

    return _make


def test_main_fails_naming_the_step_and_keeps_the_log(fake_dagster, tmp_path, capsys):
    fake_dagster(FAILURE, 1)
    assert run_cli.main() == 1
    out = capsys.readouterr().out
    assert "FAILED at step mart_reconciliation" in out
    assert "  Asset check 'rows_match_staging' on 'marts/dim_cadres' did not pass." in out
    (log,) = (tmp_path / "warehouse" / "private" / "logs").glob("refresh-*.log")
    assert log.read_text(encoding="utf-8").splitlines() == FAILURE
    assert f"Full log: {log}" in out
    assert len(out.splitlines()) <= 40


def test_only_the_newest_logs_are_kept(tmp_path):
    names = [f"refresh-20261201-{second:06d}.log" for second in range(32)]
    for name in names:
        (tmp_path / name).touch()
    run_cli.prune_logs(tmp_path, keep=30)
    assert sorted(p.name for p in tmp_path.iterdir()) == names[2:]
