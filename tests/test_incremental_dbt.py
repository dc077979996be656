"""Staging on DuckDB is rebuilt unit by unit: after one unit resubmits, an incremental
`dbt run` restages that unit only and the warehouse equals a full build of the same files."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from orchestration.ingest.loader import ingest_all
from orchestration.settings import Settings
from tests.conftest import FIXTURES, run_dbt

BY_UNIT = (
    "stg_submissions__cadres",
    "stg_submissions__committee_members",
    "stg_submissions__enrolments",
    "stg_submissions__evaluations",
    "stg_submissions__planning_decisions",
    "stg_submissions__qualifications",
)


def _tables(settings: Settings) -> dict[str, list]:
    """Rows of every staging, intermediate and mart table, sorted; the slice versions
    (which differ between any two loads) left out."""
    con = duckdb.connect(str(settings.build_database), read_only=True)
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE schema_name IN ('staging', 'intermediate', 'marts') ORDER BY ALL"
    ).fetchall()
    found = {}
    for schema, table in tables:
        columns = [
            row[0]
            for row in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? "
                "AND table_name = ? AND column_name <> '_slice_version' ORDER BY column_index",
                [schema, table],
            ).fetchall()
        ]
        select = ", ".join(f'"{c}"' for c in columns)
        found[f"{schema}.{table}"] = sorted(
            con.execute(f'SELECT {select} FROM {schema}."{table}"').fetchall(), key=repr
        )
    con.close()
    return found


def _staged_units(settings: Settings, model: str) -> dict[str, str]:
    """{unit: slice version} of the rows a staging model holds."""
    con = duckdb.connect(str(settings.build_database), read_only=True)
    rows = con.execute(f"SELECT DISTINCT unit_code, _slice_version FROM staging.{model}").fetchall()
    con.close()
    return dict(rows)


def _build(settings: Settings, *args: str) -> dict:
    ingest_all(settings)
    run_dbt("run", *args, warehouse=settings.warehouse_dir)
    results = json.loads((settings.warehouse_dir / "dbt_target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[-1]: r for r in results["results"]}


@pytest.fixture
def seeds(tmp_path, monkeypatch):
    monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", "test-key")
    target = tmp_path / "seeds"
    shutil.copytree(FIXTURES / "marts", target)
    return target


def _warehouse(seeds, tmp_path, name: str, monkeypatch) -> Settings:
    settings = Settings(seeds, tmp_path / name, 1.0)
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(settings.warehouse_dir))
    return settings


def test_one_unit_resubmitting_restages_that_unit_only(seeds, tmp_path, monkeypatch):
    settings = _warehouse(seeds, tmp_path, "warehouse", monkeypatch)
    _build(settings)
    before = {model: _staged_units(settings, model) for model in BY_UNIT}
    assert sorted(before["stg_submissions__enrolments"]) == ["003", "01", "272"]

    # 003 drops one enrolment and one rating; 272's folder is withdrawn from evaluations.
    enrolments = seeds / "submissions" / "003" / "enrolments.csv"
    lines = enrolments.read_text(encoding="utf-8").splitlines()
    enrolments.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    evaluations = seeds / "submissions" / "003" / "evaluations.csv"
    lines = evaluations.read_text(encoding="utf-8").splitlines()
    evaluations.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    (seeds / "submissions" / "272" / "evaluations.csv").unlink()
    _build(settings)
    after = {model: _staged_units(settings, model) for model in BY_UNIT}

    # Rows of unchanged slices keep their version: they were not staged again.
    assert after["stg_submissions__enrolments"]["01"] == before["stg_submissions__enrolments"]["01"]
    assert (
        after["stg_submissions__enrolments"]["003"] != before["stg_submissions__enrolments"]["003"]
    )
    assert after["stg_submissions__cadres"] == before["stg_submissions__cadres"]
    assert "272" not in after["stg_submissions__evaluations"]

    fresh = _warehouse(seeds, tmp_path, "fresh", monkeypatch)
    _build(fresh)
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(settings.warehouse_dir))
    assert _tables(settings) == _tables(fresh)


def test_a_new_pseudonym_key_restages_every_unit(seeds, tmp_path, monkeypatch):
    settings = _warehouse(seeds, tmp_path, "warehouse", monkeypatch)
    _build(settings)
    monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", "another-key")
    _build(settings)

    fresh = _warehouse(seeds, tmp_path, "fresh", monkeypatch)
    _build(fresh)
    assert _tables(settings) == _tables(fresh)
    # And they differ from the first key's: the comparison above is not vacuous.
    monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", "test-key")
    first = _warehouse(seeds, tmp_path, "first", monkeypatch)
    _build(first)
    assert _tables(first) != _tables(fresh)


def test_a_changed_project_or_engine_rebuilds_every_model(tmp_path, monkeypatch):
    from orchestration import build_state

    settings = Settings(tmp_path / "seeds", tmp_path / "warehouse", 0.05)
    # A first build has nothing to refresh.
    assert not build_state.needs_full_refresh(settings)
    settings.private_dir.mkdir(parents=True)
    settings.build_database.touch()
    # A build database nobody recorded (an older version's, a failed build's): refresh.
    assert build_state.needs_full_refresh(settings)
    build_state.record_built(settings)
    assert not build_state.needs_full_refresh(settings)
    spark = Settings(settings.seeds_dir, settings.warehouse_dir, 0.05, "spark")
    assert build_state.needs_full_refresh(spark)
    monkeypatch.setattr(build_state, "dbt_project_fingerprint", lambda: "another project")
    assert build_state.needs_full_refresh(settings)
    build_state.record_built(settings)
    assert not build_state.needs_full_refresh(settings)
    build_state.forget_built(settings)
    assert build_state.needs_full_refresh(settings)
