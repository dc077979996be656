"""The dbt step's start: a refresh's dbt partially parses, whatever the warehouse and the date.

dbt parses the whole project again when its saved parse was made with other `--vars`, or
with another profile connection (the duckdb path). The refresh hands dbt the as-of date
in its environment, runs it inside the warehouse folder, which the profile then names `.`,
and seeds a warehouse's first run with the project's own parse (orchestration/dbt.py,
orchestration/dbt_command.py). These tests read what dbt says about its parse in its log,
never how long it took.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance
from dagster_dbt import DbtProject

from orchestration import dbt_command, spark
from orchestration.dbt import (
    PARTIAL_PARSE_FILE,
    PREPARED_TARGET,
    ensure_manifest,
    seed_partial_parse,
)
from orchestration.settings import DBT_PROJECT_DIR

VALID = Path(__file__).parent / "fixtures" / "quality" / "valid"
FULL_PARSE = "Unable to do partial parsing"
# What dbt logs when its saved parse matches every file: nothing is parsed again.
NOTHING_PARSED = "Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed."
ONE_FILE_PARSED = "Partial parsing enabled: 0 files deleted, 0 files added, 1 files changed."


def _dbt_logs(target: Path) -> list[Path]:
    """dbt.log and the files dbt rotated it into (it starts a new one past 10 MB)."""
    return sorted(target.glob("dbt.log*"))


def test_the_options_reach_dbt_environment_only(tmp_path, monkeypatch):
    monkeypatch.chdir(DBT_PROJECT_DIR)
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    before = dict(os.environ)
    argv = [
        *dbt_command.options(as_of_date=date(2026, 12, 1), in_warehouse=tmp_path),
        "build",
        "--exclude-resource-type",
        "unit_test",
    ]
    own, args = dbt_command.split_options(argv)
    assert args == ["build", "--exclude-resource-type", "unit_test"]
    assert own == {"--as-of-date": "2026-12-01", "--in-warehouse": str(tmp_path.resolve())}
    environment = dbt_command.dbt_environment(args, own)
    assert environment["NHANLUC_AS_OF_DATE"] == "2026-12-01"
    assert environment["NHANLUC_WAREHOUSE_DIR"] == "."
    # dbt starts in the warehouse, so it is told where the project and the profile are.
    assert environment["DBT_PROJECT_DIR"] == str(DBT_PROJECT_DIR)
    assert environment["DBT_PROFILES_DIR"] == str(DBT_PROJECT_DIR)
    assert dict(os.environ) == before
    # Without options, dbt's arguments and environment are left as they are.
    assert dbt_command.split_options(["parse", "--quiet"]) == ({}, ["parse", "--quiet"])
    assert dbt_command.dbt_environment(["parse"]) == before


def _nightly_refresh():
    from orchestration.definitions import build_definitions

    job = build_definitions().resolve_job_def("nightly_refresh")
    return job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)


@pytest.fixture(scope="module")
def two_refreshes(tmp_path_factory):
    """A fresh warehouse refreshed as of 30 November, then again as of 1 December; dbt's
    log of each run's dbt step, and the as-of date each build recorded."""
    root = tmp_path_factory.mktemp("parse")
    seeds, warehouse = root / "seeds", root / "warehouse"
    shutil.copytree(VALID, seeds)
    target = warehouse / "private" / "dbt_target"
    runs = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NHANLUC_SEEDS_DIR", str(seeds))
        patch.setenv("NHANLUC_WAREHOUSE_DIR", str(warehouse))
        patch.setenv("NHANLUC_PSEUDONYM_KEY", "test-key")
        patch.delenv("NHANLUC_MAX_REJECT_RATE", raising=False)
        for as_of in ("2026-11-30", "2026-12-01"):
            patch.setenv("NHANLUC_AS_OF_DATE", as_of)
            for log in _dbt_logs(target):
                log.unlink()
            result = _nightly_refresh()
            assert result.success, [e.message for e in result.all_events if e.is_failure]
            with duckdb.connect(str(warehouse / "private" / "build.duckdb"), read_only=True) as con:
                recorded = con.execute("select as_of_date from quality.refresh").fetchone()[0]
            log = "".join(path.read_text(encoding="utf-8") for path in _dbt_logs(target))
            runs.append({"log": log, "as_of_date": recorded})
    return runs


@pytest.mark.e2e
def test_a_fresh_warehouse_starts_from_the_projects_parse(two_refreshes):
    first = two_refreshes[0]
    assert FULL_PARSE not in first["log"]
    assert NOTHING_PARSED in first["log"]
    assert first["as_of_date"] == date(2026, 11, 30)


@pytest.mark.e2e
def test_a_new_as_of_date_is_read_at_run_time_not_parsed(two_refreshes):
    second = two_refreshes[1]
    assert FULL_PARSE not in second["log"]
    assert NOTHING_PARSED in second["log"]
    assert second["as_of_date"] == date(2026, 12, 1)


def _run_in_warehouse(project: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    """dbt as the refresh runs it: nhanluc-dbt in the warehouse, started in the project."""
    target = warehouse / "private" / "dbt_target"
    return subprocess.run(
        [
            spark.NHANLUC_DBT,
            *dbt_command.options(in_warehouse=warehouse),
            *args,
            "--profiles-dir",
            str(project),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        cwd=project,
        env={k: v for k, v in os.environ.items() if k != "DBT_PROJECT_DIR"},
        capture_output=True,
        text=True,
    )


def test_a_model_changed_since_the_projects_parse_is_parsed_again(tmp_path):
    """The seeded parse is older than the project: dbt parses the changed file again (and
    only it), and the refresh's manifest and the project's next parse both hold the edit."""
    project_dir = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    project = DbtProject(
        project_dir=project_dir, profiles_dir=project_dir, target_path=PREPARED_TARGET
    )
    ensure_manifest(project)
    warehouse = tmp_path / "warehouse"
    target = warehouse / "private" / "dbt_target"
    seed_partial_parse(target, project)
    assert (target / PARTIAL_PARSE_FILE).read_bytes() == (
        project_dir / PREPARED_TARGET / PARTIAL_PARSE_FILE
    ).read_bytes()

    model = project_dir / "models" / "quality" / "refresh.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    completed = _run_in_warehouse(project_dir, warehouse, "parse")
    assert completed.returncode == 0, completed.stdout[-3000:]
    log = (target / "dbt.log").read_text(encoding="utf-8")
    assert FULL_PARSE not in log
    assert ONE_FILE_PARSED in log
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    assert nodes["model.nhanluc.refresh"]["raw_code"].endswith("-- edited")

    ensure_manifest(project)
    prepared = json.loads(project.manifest_path.read_text(encoding="utf-8"))["nodes"]
    assert prepared["model.nhanluc.refresh"]["raw_code"].endswith("-- edited")
    # A warehouse's own saved parse is its last run's: seeding leaves it alone.
    own = (target / PARTIAL_PARSE_FILE).read_bytes()
    seed_partial_parse(target, project)
    assert (target / PARTIAL_PARSE_FILE).read_bytes() == own


def _compiled_as_of(warehouse: Path, *args: str, env: dict[str, str]) -> str:
    target = warehouse / "private" / "dbt_target"
    completed = subprocess.run(
        [
            spark.NHANLUC_DBT,
            *dbt_command.options(in_warehouse=warehouse),
            "compile",
            "--quiet",
            "--inline",
            "select {{ as_of_date() }} as as_of_date",
            *args,
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    return completed.stdout


def test_the_as_of_date_the_models_compile_with(tmp_path):
    """NHANLUC_AS_OF_DATE in dbt's environment; a var as_of_date wins; a bad date fails."""
    warehouse = tmp_path / "warehouse"
    (warehouse / "private").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "DBT_PROJECT_DIR"}
    env |= {"NHANLUC_PSEUDONYM_KEY": "test-key", "NHANLUC_AS_OF_DATE": "2026-12-01"}
    seed_partial_parse(warehouse / "private" / "dbt_target")
    assert "cast('2026-12-01' as date)" in _compiled_as_of(warehouse, env=env)
    # A day that does not exist fails the compile.
    failed = _compiled_as_of(warehouse, env=env | {"NHANLUC_AS_OF_DATE": "2026-02-30"})
    assert "day is out of range for month" in failed
    as_var = ["--vars", json.dumps({"as_of_date": "2020-09-30"})]
    assert "cast('2020-09-30' as date)" in _compiled_as_of(warehouse, *as_var, env=env)
