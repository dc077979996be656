"""The instance in dagster.yaml: Dagster's SQLite event log with its index connection kept.

A run's events, its asset check rows and its materialisations must be what Dagster's own
class writes, in the same files, so either class reads an instance the other wrote.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetKey,
    DagsterInstance,
    Definitions,
    asset,
    asset_check,
    define_asset_job,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.dagster_internals.event_log import KeptIndexSqliteEventLogStorage
from orchestration.settings import REPO_ROOT


@asset
def tiny():
    return 1


@asset_check(asset=tiny, blocking=True)
def tiny_is_fine():
    return AssetCheckResult(passed=True)


def _instance(home: Path) -> DagsterInstance:
    return DagsterInstance.from_config(str(home))


def test_the_instance_keeps_dagsters_files_and_records(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    job = define_asset_job("tiny_job")
    defs = Definitions(assets=[tiny], asset_checks=[tiny_is_fine], jobs=[job])

    with _instance(home) as instance:
        assert isinstance(instance.event_log_storage, KeptIndexSqliteEventLogStorage)
        for _ in range(2):
            result = defs.resolve_job_def("tiny_job").execute_in_process(instance=instance)
            assert result.success
        run_id = result.run_id
        written = [entry.dagster_event_type for entry in instance.all_logs(run_id)]

    runs_dir = home / "history" / "runs"
    assert (runs_dir / "index.db").exists()
    assert (runs_dir / f"{run_id}.db").exists()
    # Dagster's own class reads the same folder: same events, checks and materialisations.
    plain = SqliteEventLogStorage(str(runs_dir))
    assert [entry.dagster_event_type for entry in plain.get_logs_for_run(run_id)] == written
    check_key = next(iter(tiny_is_fine.check_keys))
    history = plain.get_asset_check_execution_history(check_key, limit=10)
    assert history[0].run_id == run_id
    assert len(history) == 2
    assert all(record.status.value == "SUCCEEDED" for record in history)
    latest = plain.get_latest_materialization_events([AssetKey("tiny")])[AssetKey("tiny")]
    assert latest is not None and latest.run_id == run_id
    plain.dispose()
