"""Shared fixtures: temporary seeds and warehouse folders, a dbt runner, one published refresh."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.settings import DBT_PROJECT_DIR, Settings

FIXTURES = Path(__file__).parent / "fixtures"
DBT = str(Path(sys.executable).with_name("dbt"))
# Every test describes the same day, the shipped data's as-of date (docs/dataset.md), so
# no result depends on the day the suite runs; a test of the default unsets it.
AS_OF_DATE = "2026-11-30"
os.environ["NHANLUC_AS_OF_DATE"] = AS_OF_DATE


@pytest.fixture
def warehouse_env(tmp_path, monkeypatch):
    """Point the project at an empty warehouse folder under tmp_path."""

    def _use(seeds_dir: Path) -> Settings:
        warehouse = tmp_path / "warehouse"
        monkeypatch.setenv("NHANLUC_SEEDS_DIR", str(seeds_dir))
        monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(warehouse))
        monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", "test-key")
        monkeypatch.delenv("NHANLUC_MAX_REJECT_RATE", raising=False)
        return Settings(seeds_dir, warehouse, 0.05)

    return _use


@pytest.fixture
def valid_seeds(tmp_path, warehouse_env):
    """A copy of tests/fixtures/quality/valid (loads with no reject) and its Settings."""
    seeds = tmp_path / "seeds"
    shutil.copytree(FIXTURES / "quality" / "valid", seeds)
    return seeds, warehouse_env(seeds)


@pytest.fixture
def copy_fixture(tmp_path):
    """Copy a fixture seeds folder into tmp_path so a test may change it."""

    def _copy(name: str) -> Path:
        target = tmp_path / "seeds"
        shutil.copytree(FIXTURES / name, target)
        return target

    return _copy


def run_dbt(*args: str, warehouse: Path) -> subprocess.CompletedProcess:
    """Run dbt on the project against `warehouse`; raise with dbt's output on failure."""
    env = {**os.environ, "NHANLUC_WAREHOUSE_DIR": str(warehouse)}
    completed = subprocess.run(
        [
            DBT,
            *args,
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(warehouse / "dbt_target"),
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{completed.stdout[-5000:]}")
    return completed


def build_fixture_marts(fixture: str, root: Path, as_of: str, key: str, prepare=None):
    """Ingest tests/fixtures/<fixture> into `root` and `dbt build` it as of `as_of`; return a
    read-only connection to the build database. `prepare(seeds)` may change the copy first."""
    import duckdb

    from orchestration.ingest.loader import ingest_all

    seeds, warehouse = root / "seeds", root / "warehouse"
    shutil.copytree(FIXTURES / fixture, seeds)
    if prepare is not None:
        prepare(seeds)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NHANLUC_SEEDS_DIR", str(seeds))
        patch.setenv("NHANLUC_WAREHOUSE_DIR", str(warehouse))
        patch.setenv("NHANLUC_PSEUDONYM_KEY", key)
        patch.delenv("NHANLUC_MAX_REJECT_RATE", raising=False)
        ingest_all(Settings(seeds, warehouse, 0.05))
        run_dbt("build", "--vars", f'{{"as_of_date": "{as_of}"}}', warehouse=warehouse)
    return duckdb.connect(str(warehouse / "private" / "build.duckdb"), read_only=True)


# The pseudonym key of the `marts` fixture's build (tests/test_marts.py computes keys with it).
MARTS_KEY = "test-key"


@pytest.fixture(scope="session")
def marts_fixture_build(tmp_path_factory):
    """tests/fixtures/marts ingested and built once for the session (read-only)."""
    con = build_fixture_marts("marts", tmp_path_factory.mktemp("marts"), AS_OF_DATE, MARTS_KEY)
    yield con
    con.close()


@dataclass(frozen=True)
class PublishedRefresh:
    """A warehouse published by one nightly refresh, and each asset's materialization metadata."""

    warehouse: Path
    metadata: dict[str, dict]

    @property
    def published(self) -> Path:
        return self.warehouse / "nhanluc.duckdb"


@pytest.fixture(scope="session")
def published_refresh(tmp_path_factory) -> PublishedRefresh:
    """One `nightly_refresh` of the shipped seeds into a temporary warehouse, for the session."""
    from dagster import DagsterInstance

    from orchestration.settings import REPO_ROOT

    warehouse = tmp_path_factory.mktemp("published") / "warehouse"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NHANLUC_SEEDS_DIR", str(REPO_ROOT / "seeds"))
        patch.setenv("NHANLUC_WAREHOUSE_DIR", str(warehouse))
        patch.setenv("NHANLUC_PSEUDONYM_KEY", "session-key")
        patch.delenv("NHANLUC_MAX_REJECT_RATE", raising=False)
        from orchestration.definitions import build_definitions

        job = build_definitions().resolve_job_def("nightly_refresh")
        with DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(instance=instance, raise_on_error=False)
            assert result.success, [e.message for e in result.all_events if e.is_failure]
            metadata = {
                event.asset_key.to_user_string(): dict(event.materialization.metadata)
                for event in result.get_asset_materialization_events()
            }
    return PublishedRefresh(warehouse, metadata)
