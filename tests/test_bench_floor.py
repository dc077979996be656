"""The benchmark's honest floor on a tiny hand-made seeds tree: counts, marts, the check."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from bench import floor_check, honest_floor, prepare
from orchestration.ingest.loader import ingest_all
from orchestration.settings import Settings
from tests.conftest import FIXTURES

KEY = "floor-test-key"
# (unit, file) -> (rows read, accepted, rejected), worked out by hand from the tree below.
EXPECTED_COUNTS = {
    ("reference", "units"): (3, 3, 0),
    ("reference", "terms"): (3, 3, 0),
    ("reference", "titles"): (2, 2, 0),
    ("reference", "programs"): (3, 3, 0),
    ("reference", "targets"): (2, 2, 0),
    # unit_code 273 in folder 003, an ID of 11 digits that no zeros make a CCCD; the one
    # of 10 digits is padded and accepted.
    ("003", "cadres"): (5, 3, 2),
    # 30/02/2019 is no date.
    ("003", "classes"): (2, 1, 1),
    ("273", "classes"): (1, 1, 0),
    ("bad-folder", "classes"): (0, 0, 0),
    # A copy of the row before it, 11 sessions of 10 planned, a line with a column too many.
    ("003", "enrolments"): (5, 2, 3),
    ("273", "enrolments"): (0, 0, 0),
}


def _seeds(root: Path) -> Path:
    """tests/fixtures/tiny, plus a second unit (columns in another order, a file with only
    its header), an ID Excel stripped of its zeros, a malformed line and a folder that is
    not a unit code."""
    seeds = root / "seeds"
    shutil.copytree(FIXTURES / "tiny", seeds)
    unit = seeds / "submissions" / "273"
    unit.mkdir()
    (unit / "classes.csv").write_text(
        "unit_code,class_code,start_date,end_date,program_code,target_term_code,planned_sessions\n"
        "273,273-2020-0001,2020-11-02,2020-11-20,NN_TA,,5\n",
        encoding="utf-8",
    )
    (unit / "enrolments.csv").write_text(
        "class_code,national_id,unit_code,sessions_attended,unexcused_absences,result,graduated\n",
        encoding="utf-8",
    )
    with (seeds / "submissions" / "003" / "enrolments.csv").open("a", encoding="utf-8") as out:
        out.write("003-2019-0001,001080000009,003,1,0,kha,1,extra\n")
    with (seeds / "submissions" / "003" / "cadres.csv").open("a", encoding="utf-8") as out:
        out.write("1080000005,003,Phạm Văn Em,nam,1980-01-01,khac,co_quan,\n")
    refused = seeds / "submissions" / "bad-folder"
    refused.mkdir()
    shutil.copy(unit / "classes.csv", refused / "classes.csv")
    return seeds


@pytest.fixture(scope="module")
def floor(tmp_path_factory):
    """The tree, the compiled models and the floor's database, built once."""
    root = tmp_path_factory.mktemp("floor")
    seeds = _seeds(root)
    env = {**os.environ, "NHANLUC_WAREHOUSE_DIR": str(root / "compile_warehouse")}
    manifest = prepare.compile_models(sys.executable, env, root / "target", root / "compile.log")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NHANLUC_PSEUDONYM_KEY", KEY)
        out = root / "floor.json"
        command = ["--seeds", str(seeds), "--work", str(root / "work")]
        assert honest_floor.main([*command, "--manifest", str(manifest), "--out", str(out)]) == 0
    return seeds, root / "work" / "build.duckdb", json.loads(out.read_text())


def _counts(database: Path) -> dict:
    con = duckdb.connect(str(database), read_only=True)
    rows = con.execute("SELECT * FROM bench_floor.file_counts").fetchall()
    con.close()
    return {(unit, file): tuple(counts) for unit, file, *counts in rows}


def test_rows_read_accepted_and_rejected_per_file(floor, tmp_path, monkeypatch):
    seeds, database, report = floor
    assert _counts(database) == EXPECTED_COUNTS
    assert report["load"]["enrolments"]["rejected"] == 3
    # The loader's counts on the same tree agree.
    monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", KEY)
    results = ingest_all(Settings(seeds, tmp_path / "warehouse", 0.05))
    loader = {
        (o.unit_code, o.file): (o.rows_read, o.rows_accepted, o.rows_rejected)
        for result in results
        for o in result.outcomes
    }
    assert loader == EXPECTED_COUNTS


def test_marts_hold_the_values_worked_out_by_hand(floor):
    _, database, _ = floor
    con = duckdb.connect(str(database), read_only=True)
    summary = con.execute(
        "SELECT unit_code, term_code, classes_count, enrolments_count, distinct_trainees "
        "FROM marts.mart_unit_training_summary ORDER BY 1, 2"
    ).fetchall()
    keys = con.execute(
        "SELECT person_key, graduated FROM marts.fct_enrolments ORDER BY graduated"
    ).fetchall()
    con.close()
    # 003's one valid class (2015-2020 term) with its two enrolments; 273's class, none.
    assert summary == [("003", "2015-2020", 1, 2, 2), ("273", "2020-2025", 1, 0, 0)]
    person_key = hmac.new(KEY.encode(), b"001080000001", hashlib.sha256).hexdigest()
    assert keys[1] == (person_key, True)


def _published_copy(database: Path, target: Path) -> Path:
    """A file shaped as a published one (marts, quality.submission_files) from the floor's."""
    con = duckdb.connect(str(target))
    con.execute(f"ATTACH '{database}' AS floor (READ_ONLY)")
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA quality")
    for (table,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'floor' "
        "AND schema_name = 'marts'"
    ).fetchall():
        con.execute(f"CREATE TABLE marts.{table} AS SELECT * FROM floor.marts.{table}")
    con.execute(
        "CREATE TABLE quality.submission_files AS SELECT * FROM floor.bench_floor.file_counts"
    )
    con.close()
    return target


def test_the_check_passes_on_equal_files_and_names_what_differs(floor, tmp_path):
    _, database, _ = floor
    published = tmp_path / "published.duckdb"
    _published_copy(database, published)
    equal = floor_check.compare(database, published)
    assert equal["equal"] and equal["marts_compared"] == 16
    assert equal["rejected_per_file"]["enrolments"] == {"floor": 3, "refresh": 3}
    con = duckdb.connect(str(published))
    con.execute("UPDATE marts.fct_classes SET enrolled_count = enrolled_count + 1")
    con.execute("UPDATE quality.submission_files SET rows_rejected = 0 WHERE file = 'cadres'")
    con.close()
    differing = floor_check.compare(database, published)
    assert not differing["equal"]
    assert differing["marts_differing"] == ["fct_classes"]
    assert differing["file_counts"] == {"only_in_floor": 1, "only_in_refresh": 1}
