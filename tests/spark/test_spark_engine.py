"""The Spark engine builds the same warehouse as DuckDB on the shipped seeds (make test-spark).

`nightly_refresh` runs twice in one warehouse folder, with NHANLUC_ENGINE=duckdb and then
spark; every mart and quality table of the two published files, and every staging and
intermediate table of the two build databases, must agree: same columns and types, same
comments, same rows (sorted by every column, floats to 1e-9). Not collected by `make test`:
Spark needs Java 17 and the `spark` dependency group, and takes minutes.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

from dbt_project.plugins.person_key import hmac_pads
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, current_settings
from orchestration.spark import COPIED_MESSAGE
from tests.spark.compare import compare_table, tables

KEY = "spark-engine-key"
PUBLISHED_SCHEMAS = ("marts", "quality")
PRIVATE_SCHEMAS = ("staging", "intermediate")
MODELS = DBT_PROJECT_DIR / "models"
# Spark's default files, which must never appear in the working directory.
SPARK_LEFTOVERS = ("metastore_db", "spark-warehouse", "derby.log")


def _models(*folders: str) -> list[str]:
    return sorted(
        f"{folder}.{path.stem}" for folder in folders for path in (MODELS / folder).glob("*.sql")
    )


def _run(engine: str, monkeypatch, selection: list[AssetKey] | None = None) -> None:
    monkeypatch.setenv("NHANLUC_ENGINE", engine)
    from orchestration.definitions import build_definitions

    job = build_definitions().get_job_def("nightly_refresh")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, asset_selection=selection
        )
        messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert result.success, [event.message for event in result.all_events if event.is_failure]
    # The run really built on the engine asked for (a refresh with nothing new skips dbt).
    assert any(COPIED_MESSAGE in message for message in messages) == (engine == "spark")


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Both engines' published file and build database, attached to one connection."""
    started = time.time()
    root = tmp_path_factory.mktemp("spark")
    warehouse = root / "warehouse"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NHANLUC_SEEDS_DIR", str(REPO_ROOT / "seeds"))
        patch.setenv("NHANLUC_WAREHOUSE_DIR", str(warehouse))
        patch.setenv("NHANLUC_PSEUDONYM_KEY", KEY)
        patch.delenv("NHANLUC_MAX_REJECT_RATE", raising=False)
        settings = current_settings()
        copies = {}
        for engine in ("duckdb", "spark"):
            _run(engine, patch)
            copies[engine] = root / engine
            copies[engine].mkdir()
            shutil.copy(settings.published_database, copies[engine] / "published.duckdb")
            shutil.copy(settings.build_database, copies[engine] / "build.duckdb")
    con = duckdb.connect()
    for engine, folder in copies.items():
        for name in ("published", "build"):
            con.execute(f"ATTACH '{folder / name}.duckdb' AS {engine}_{name} (READ_ONLY)")
    yield con, settings, started
    con.close()


def test_both_engines_publish_the_same_tables(builds):
    con, _, _ = builds
    expected = tables(con, "duckdb_published", PUBLISHED_SCHEMAS)
    assert expected == _models(*PUBLISHED_SCHEMAS)
    assert tables(con, "spark_published", PUBLISHED_SCHEMAS) == expected


@pytest.mark.parametrize("table", _models(*PUBLISHED_SCHEMAS))
def test_published_table_is_identical(builds, table):
    con, _, _ = builds
    difference = compare_table(con, "duckdb_published", "spark_published", table)
    assert difference.identical, difference.problems


@pytest.mark.parametrize("table", _models(*PRIVATE_SCHEMAS))
def test_private_table_is_identical(builds, table):
    con, _, _ = builds
    difference = compare_table(con, "duckdb_build", "spark_build", table)
    assert difference.identical, difference.problems


def test_spark_scratch_is_removed_and_never_in_the_working_directory(builds):
    _, settings, _ = builds
    assert not settings.spark_dir.exists()
    for folder in (REPO_ROOT, DBT_PROJECT_DIR):
        assert not [name for name in SPARK_LEFTOVERS if (folder / name).exists()]


def _files_written_since(folder: Path, started: float) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.stat().st_mtime >= started]


def test_no_file_holds_the_key_or_its_pads(builds):
    """Neither the database files nor dbt's compiled SQL and logs of these runs."""
    _, settings, started = builds
    inner, outer = hmac_pads(KEY.encode())
    secrets = [KEY.encode(), inner.encode(), outer.encode(), bytes.fromhex(inner)]
    folders = (settings.warehouse_dir, DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs")
    written = [path for folder in folders for path in _files_written_since(folder, started)]
    assert written
    for path in written:
        content = path.read_bytes()
        assert not [secret for secret in secrets if secret in content], path


def test_a_subset_run_builds_what_it_reads_first(builds, monkeypatch):
    """The submission sensor selects a subset; Spark's warehouse starts empty every run."""
    con, settings, _ = builds
    monkeypatch.setenv("NHANLUC_SEEDS_DIR", str(settings.seeds_dir))
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(settings.warehouse_dir))
    monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", KEY)
    _run("spark", monkeypatch, selection=[AssetKey(["marts", "mart_unit_training_summary"])])
    con.execute(f"ATTACH '{settings.build_database}' AS subset_build (READ_ONLY)")
    try:
        difference = compare_table(
            con, "duckdb_build", "subset_build", "marts.mart_unit_training_summary"
        )
    finally:
        con.execute("DETACH subset_build")
    assert difference.identical, difference.problems
    assert not settings.spark_dir.exists()
