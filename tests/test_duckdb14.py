"""The published file opens in DuckDB 1.4, the line most analysts' tools embed.

DuckDB 1.4 runs in a virtual environment of its own (`python -m venv` + pip), kept under
the git-ignored `.cache/duckdb14` so later runs reuse it. It opens a published file
read-only and reads a mart, its comments included.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from orchestration.settings import REPO_ROOT

VENV = REPO_ROOT / ".cache" / "duckdb14"
READY = VENV / ".ready"
PYTHON = VENV / "bin" / "python"

READER = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "coefficients": con.execute(
        "SELECT term_code, round(planning_coefficient, 2) FROM marts.mart_planning_pool "
        "WHERE unit_code = '01' AND title_code = 'BCH_TP' ORDER BY term_code"
    ).fetchall(),
    "column_comments": con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND table_name = 'mart_planning_pool' ORDER BY column_index"
    ).fetchall(),
    "table_comment": con.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' "
        "AND table_name = 'mart_planning_pool'"
    ).fetchone()[0],
}))
"""


def _duckdb14() -> str:
    """The cached DuckDB 1.4 interpreter, created once; a lock keeps two test runs apart."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with (VENV.parent / "duckdb14.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not READY.exists():
            shutil.rmtree(VENV, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run(
                [
                    str(PYTHON),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "duckdb==1.4.*",
                ],
                check=True,
            )
            READY.write_text("duckdb==1.4.*\n")
    return str(PYTHON)


@pytest.mark.e2e
def test_duckdb_14_reads_the_published_file_with_its_comments(published_refresh):
    published = published_refresh.published
    completed = subprocess.run(
        [_duckdb14(), "-c", READER, str(published)], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    seen = json.loads(completed.stdout)
    assert seen["version"].startswith("1.4.")
    # CONTRACT.md §6 F7: the City BCH planning coefficient 1.49 -> 1.98.
    assert [tuple(row) for row in seen["coefficients"][:2]] == [
        ("2015-2020", 1.49),
        ("2020-2025", 1.98),
    ]
    # The same comments as the project's DuckDB reads from the same file.
    con = duckdb.connect(str(published), read_only=True)
    expected = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND table_name = 'mart_planning_pool' ORDER BY column_index"
    ).fetchall()
    con.close()
    assert [tuple(row) for row in seen["column_comments"]] == expected
    comments = dict(expected)
    assert "hệ số quy hoạch" in comments["planning_coefficient"]
    assert seen["table_comment"]


def test_the_project_duckdb_writes_a_file_duckdb_14_opens(tmp_path):
    """The storage option publish uses, on a small table: fast, no refresh needed."""
    from orchestration.publish import STORAGE_VERSION

    path = tmp_path / "small.duckdb"
    con = duckdb.connect()
    con.execute(f"ATTACH '{path}' AS out (STORAGE_VERSION '{STORAGE_VERSION}')")
    con.execute("CREATE SCHEMA out.marts")
    con.execute(
        "CREATE TABLE out.marts.mart_planning_pool AS SELECT '01' AS unit_code, "
        "'BCH_TP' AS title_code, '2015-2020' AS term_code, 168 / 113 AS planning_coefficient"
    )
    con.execute(
        "COMMENT ON COLUMN out.marts.mart_planning_pool.planning_coefficient "
        "IS 'planning coefficient (hệ số quy hoạch)'"
    )
    con.execute("COMMENT ON TABLE out.marts.mart_planning_pool IS 'one row per pool'")
    con.execute("DETACH out")
    con.close()
    completed = subprocess.run(
        [_duckdb14(), "-c", READER, str(path)], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    seen = json.loads(completed.stdout)
    assert seen["coefficients"] == [["2015-2020", 1.49]]
    assert dict(seen["column_comments"])["planning_coefficient"] == (
        "planning coefficient (hệ số quy hoạch)"
    )
    assert seen["table_comment"] == "one row per pool"
