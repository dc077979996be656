"""The check a unit runs before submitting: hand-made folders, with and without a warehouse."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.check import main
from orchestration.ingest.loader import ingest_all
from orchestration.quality.feedback_files import HEADER, REJECTED, WARNED
from orchestration.settings import REPO_ROOT
from tests.excel_files import csv_to_workbook

TINY_REFERENCE = Path(__file__).parent / "fixtures" / "tiny" / "reference"
CADRES = (
    "national_id,unit_code,full_name,gender,birth_date,management_tier,workplace_kind,"
    "current_title_code\n"
)
AN = "001080000001,003,Nguyễn Văn An,nam,1980-03-05,khac,co_quan,\n"
BINH = "001180000002,003,Đỗ Thị Bình,nu,1981-12-24,chu_chot_cap_xa,phuong,\n"
CLASSES = (
    "class_code,unit_code,program_code,start_date,end_date,planned_sessions,target_term_code\n"
)
CLASS = "003-2019-0001,003,LLCT_TC,2019-12-16,2020-01-20,10,\n"
ENROLMENTS = (
    "class_code,national_id,unit_code,sessions_attended,unexcused_absences,result,graduated\n"
    "003-2019-0001,001080000001,003,9,1,kha,có\n"
    "003-2019-0001,001180000002,003,10,0,gioi,không\n"
)
BINH_IN_273_BEFORE = (
    "001180000002,273,Đỗ Thị Bình An,nu,1981-12-24,khac,xa,,2010-01-01,2015-12-31\n"
)
EVALUATIONS = "national_id,unit_code,year,rating\n"
NOT_SUBMITTED = "không có tệp (not submitted): đơn vị không có dòng loại này"
LISTED_TWICE = (
    "Cán bộ ở cột national_id có hai giai đoạn công tác trùng thời gian "
    "(cùng lúc ở hai đơn vị, hoặc hai lần trong một đơn vị)"
)


def _write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _clean_files() -> dict[str, str]:
    return {"cadres": CADRES + AN + BINH, "classes": CLASSES + CLASS, "enrolments": ENROLMENTS}


@pytest.fixture
def seeds(tmp_path, warehouse_env):
    """A seeds tree with the tiny reference files and no unit yet; an empty warehouse."""
    root = tmp_path / "seeds"
    shutil.copytree(TINY_REFERENCE, root / "reference")
    (root / "submissions").mkdir()
    settings = warehouse_env(root)
    return root, settings


def _python(*args: str) -> subprocess.CompletedProcess:
    """This Python in a new process, in the repository, with the test's environment."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
    )


def _feedback(folder: Path) -> list[list[str]]:
    path = folder.parent / f"{folder.name}-kiem-tra.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _rejects_of_refresh(settings, unit: str) -> list[list[str]]:
    """What the refresh rejected of `unit`: file, line, column, rule."""
    query = (
        'SELECT file, line::VARCHAR, "column", rule FROM read_parquet(?) '
        "WHERE unit_code = ? ORDER BY file, line"
    )
    con = duckdb.connect()
    rows = con.execute(query, [str(settings.rejects_dir / "*.parquet"), unit]).fetchall()
    return [list(row) for row in rows]


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(folder.rglob("*"))
    }


def test_a_clean_folder_exits_0_with_every_row_accepted(seeds):
    root, _ = seeds
    folder = _write_folder(root / "submissions" / "003", _clean_files())

    completed = _python("-m", "orchestration.check", str(folder))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    counts = "(read · would be accepted · rejected · warned)"
    assert f"cadres.csv: đọc 2 · sẽ nhận 2 · bị loại 0 · cảnh báo 0 {counts}" in lines
    assert f"classes.csv: đọc 1 · sẽ nhận 1 · bị loại 0 · cảnh báo 0 {counts}" in lines
    assert f"enrolments.csv: đọc 2 · sẽ nhận 2 · bị loại 0 · cảnh báo 0 {counts}" in lines
    for name in ("qualifications", "committee_members", "planning", "positions", "evaluations"):
        assert f"{name}: {NOT_SUBMITTED}" in lines
    assert not any("[bị loại]" in line or "[cảnh báo]" in line for line in lines)
    assert _feedback(folder) == [list(HEADER)]
    # The feedback lies beside the folder: the folder holds only what the unit submits.
    assert sorted(path.stem for path in folder.iterdir()) == sorted(_clean_files())


def test_a_bad_date_and_a_unit_code_mismatch_exit_1_naming_line_column_and_rule(seeds):
    root, _ = seeds
    files = _clean_files()
    files["cadres"] = CADRES + AN + BINH.replace(",003,", ",273,")
    files["classes"] = CLASSES + CLASS + "003-2019-0002,003,NQH_BCH,3/4/2019,30/02/2019,8,\n"
    folder = _write_folder(root / "submissions" / "003", files)

    completed = _python("-m", "orchestration.check", str(folder))

    assert completed.returncode == 1, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    mismatch = "Mã đơn vị ở cột unit_code khác với thư mục nộp"
    bad_date = "Ngày ở cột end_date không hợp lệ (dùng YYYY-MM-DD hoặc D/M/YYYY)"
    assert any(line.startswith("cadres.csv: đọc 2 · sẽ nhận 1 · bị loại 1 ·") for line in lines)
    assert any(line.startswith("classes.csv: đọc 2 · sẽ nhận 1 · bị loại 1 ·") for line in lines)
    # Both enrolments are of the class that stays.
    assert any(line.startswith("enrolments.csv: đọc 2 · sẽ nhận 2 · bị loại 0 ·") for line in lines)
    assert f"  [bị loại] dòng 3, cột unit_code, unit_code_mismatch: {mismatch}" in lines
    assert f"  [bị loại] dòng 3, cột end_date, invalid_date: {bad_date}" in lines
    assert _feedback(folder) == [
        list(HEADER),
        ["cadres.csv", "3", "unit_code", "unit_code_mismatch", mismatch, REJECTED],
        ["classes.csv", "3", "end_date", "invalid_date", bad_date, REJECTED],
    ]


def test_a_folder_not_named_by_a_unit_code_is_refused(seeds, capsys):
    root, _ = seeds
    folder = _write_folder(root / "outbox" / "tay-ho", _clean_files())

    assert main([str(folder)]) == 1
    out = capsys.readouterr().out
    assert "Thư mục 'tay-ho' không phải mã đơn vị (chỉ gồm chữ và số)" in out
    assert "folder_not_unit_code" in out
    assert not (folder.parent / "tay-ho-kiem-tra.csv").exists()


@pytest.fixture
def warehouse(seeds):
    """A warehouse that accepted 003 listing An and its class, and 273 listing Bình."""
    root, settings = seeds
    _write_folder(root / "submissions" / "003", {"cadres": CADRES + AN, "classes": CLASSES + CLASS})
    _write_folder(
        root / "submissions" / "273",
        {"cadres": CADRES + "001180000002,273,Đỗ Thị Bình,nu,1981-12-24,khac,xa,\n"},
    )
    ingest_all(settings)
    return root, settings


def test_against_the_warehouse_a_person_of_another_unit_and_a_held_back_file(
    warehouse, tmp_path, capsys
):
    root, settings = warehouse
    before = _snapshot(settings.warehouse_dir)
    # The new folder lists An again (its own earlier row is replaced, not a clash) and
    # Bình, whom 273 lists for the same time; half its classes are bad: over the reject
    # rate, so the class accepted before stays and the enrolments find it.
    files = _clean_files()
    files["classes"] += "003-2020-0001,003,NO_SUCH_PROGRAM,2020-03-01,2020-04-01,12,\n"
    folder = _write_folder(tmp_path / "outbox" / "003", files)

    assert main([str(folder)]) == 1

    lines = capsys.readouterr().out.splitlines()
    # The clash with 273 is a rule across units: it does not count toward the reject rate.
    assert any(line.startswith("cadres.csv: đọc 2 · sẽ nhận 1 · bị loại 1 ·") for line in lines)
    assert f"  [bị loại] dòng 3, cột national_id, person_listed_twice: {LISTED_TWICE}" in lines
    assert any(line.startswith("classes.csv: đọc 2 · sẽ nhận 0 · bị loại 2 ·") for line in lines)
    assert any(line.startswith("enrolments.csv: đọc 2 · sẽ nhận 2 · bị loại 0 ·") for line in lines)
    assert "so với dữ liệu đã nhận của 1 đơn vị khác" in "\n".join(lines)
    expected = [
        ["cadres.csv", "3", "national_id", "person_listed_twice"],
        ["classes.csv", "", "", "held_back"],
        ["classes.csv", "2", "", "held_back"],
        ["classes.csv", "3", "program_code", "unknown_reference"],
    ]
    assert [row[:4] for row in _feedback(folder)[1:]] == expected
    assert _snapshot(settings.warehouse_dir) == before
    # The refresh then says the same of 003's rows.
    shutil.rmtree(root / "submissions" / "003")
    shutil.copytree(folder, root / "submissions" / "003")
    ingest_all(settings)
    assert _rejects_of_refresh(settings, "003") == [
        [file.removesuffix(".csv"), line, column or None, rule]
        for file, line, column, rule in expected
        if line
    ]


def test_warnings_alone_exit_0_and_a_workbook_is_read(seeds, tmp_path):
    root, settings = seeds
    dated = CADRES.replace("current_title_code\n", "current_title_code,valid_from,valid_to\n")
    _write_folder(root / "submissions" / "273", {"cadres": dated + BINH_IN_273_BEFORE})
    ingest_all(settings)
    # Bình moved to 003 in 2016: no overlap, but her name differs from 273's period. Excel
    # took her ID and the unit code for numbers, dropping their leading zeros.
    (tmp_path / "cadres.csv").write_text(dated + BINH.replace(",\n", ",,2016-01-01,\n"), "utf-8")
    folder = _write_folder(tmp_path / "outbox" / "003", {})
    csv_to_workbook(tmp_path / "cadres.csv", folder / "cadres.xlsx")

    completed = _python("-m", "orchestration.check", str(folder))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert any(
        line.startswith("cadres.xlsx: đọc 1 · sẽ nhận 1 · bị loại 0 · cảnh báo 1 ")
        for line in lines
    )
    name_differs = (
        "Các giai đoạn của cùng một cán bộ khác nhau ở cột full_name; "
        "dùng giá trị của giai đoạn hiện tại (hoặc gần nhất)"
    )
    assert f"  [cảnh báo] dòng 2, cột full_name, person_attributes_differ: {name_differs}" in lines
    assert sorted(row[1:4] + row[5:] for row in _feedback(folder)[1:]) == [
        ["2", "full_name", "person_attributes_differ", WARNED],
        ["2", "national_id", "national_id_zero_padded", WARNED],
        ["2", "unit_code", "unit_code_zero_padded", WARNED],
    ]


def test_copies_of_another_units_ratings_are_judged_as_the_refresh_judges_them(
    seeds, tmp_path, capsys
):
    root, settings = seeds
    with (root / "reference" / "units.csv").open("a", encoding="utf-8") as units:
        units.write("002,Quận Hoàn Kiếm,quan,01,2008-08-01,\n")
    accepted = {"002": ["001080000001,002,2019,htt"], "273": ["001180000002,273,2019,htt"]}
    accepted["273"].append("001180000002,273,2020,ht")
    for unit, rows in accepted.items():
        _write_folder(root / "submissions" / unit, {"evaluations": EVALUATIONS + "\n".join(rows)})
    ingest_all(settings)
    folder = _write_folder(
        tmp_path / "outbox" / "003",
        {
            "evaluations": EVALUATIONS
            # A copy of 002's rating: the refresh keeps the copy of the unit sorting first.
            + "001080000001,003,2019,htt\n"
            # A copy of 273's rating: this one is kept, 273's becomes the duplicate.
            + "001180000002,003,2019,htt\n"
            # Another rating under 273's key: nobody can tell which is right.
            + "001180000002,003,2020,htxs\n"
        },
    )

    assert main([str(folder)]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert any(
        line.startswith("evaluations.csv: đọc 3 · sẽ nhận 1 · bị loại 2 ·") for line in lines
    )
    expected = [["2", "", "duplicate_row"], ["4", "national_id+year", "duplicate_key"]]
    assert [row[1:4] for row in _feedback(folder)[1:]] == expected
    shutil.copytree(folder, root / "submissions" / "003")
    ingest_all(settings)
    refreshed = _rejects_of_refresh(settings, "003")
    assert [[line, column or "", rule] for _, line, column, rule in refreshed] == expected


def test_the_check_imports_neither_dagster_nor_dbt(seeds):
    root, _ = seeds
    folder = _write_folder(root / "submissions" / "003", _clean_files())
    script = (
        "import json, sys\n"
        "from orchestration.check import main\n"
        f"code = main([{str(folder)!r}])\n"
        "names = {name.split('.')[0] for name in sys.modules}\n"
        "loaded = sorted(names & {'dagster', 'dagster_dbt', 'dbt'})\n"
        "print(json.dumps([code, loaded]))\n"
    )
    completed = _python("-c", script)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.splitlines()[-1]) == [0, []]
