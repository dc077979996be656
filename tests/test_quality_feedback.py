"""Feedback CSVs to units: one per unit with rejections, UTF-8 with BOM, only its own rows."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from dagster import materialize

from orchestration.ingest.loader import ingest_all
from orchestration.quality.feedback import (
    HEADER,
    REJECTED,
    WARNED,
    unit_feedback,
    write_unit_feedback,
)

VALID = Path(__file__).parent / "fixtures" / "quality" / "valid"
BOM = b"\xef\xbb\xbf"
EMPTY = (
    "submissions/273/evaluations.csv: Tệp rỗng (0 byte); tệp chỉ có dòng tiêu đề mới là "
    "tệp hợp lệ không có dữ liệu"
)


def _insert_line_3(path: Path, row: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:2], row, *lines[2:]]) + "\n", encoding="utf-8")


@pytest.fixture
def spoiled(tmp_path, warehouse_env):
    """The valid fixture with two bad rows from 003, an empty file from 273 and a folder
    that is no unit code; feedback left over from an earlier run for 999."""
    seeds = tmp_path / "seeds"
    shutil.copytree(VALID, seeds)
    _insert_line_3(
        seeds / "submissions/003/cadres.csv",
        "001080000009,273,Trần Văn Giáp,nam,1980-01-01,khac,co_quan,",
    )
    _insert_line_3(
        seeds / "submissions/003/enrolments.csv", "003-2019-0001,001075000003,003,11,0,kha,true"
    )
    (seeds / "submissions/273/evaluations.csv").write_bytes(b"")
    (seeds / "submissions/27-3").mkdir()
    shutil.copy(VALID / "submissions/273/cadres.csv", seeds / "submissions/27-3/cadres.csv")
    settings = warehouse_env(seeds)
    stale = settings.warehouse_dir / "feedback" / "999.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    ingest_all(settings)
    return seeds, settings


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_each_unit_gets_its_own_rows_in_excel_ready_csv(spoiled):
    _, settings = spoiled
    report = write_unit_feedback(settings)
    folder = settings.warehouse_dir / "feedback"

    assert sorted(path.name for path in folder.iterdir()) == ["003.csv", "273.csv"]
    assert report.rows_by_unit == {"003": 2, "273": 1}
    assert report.refused_folders == ["27-3"]
    for path in folder.iterdir():
        assert path.read_bytes().startswith(BOM + HEADER[0].encode("utf-8"))
    # The row claiming unit 273 was submitted by 003: it goes back to 003, not to 273.
    assert _read(folder / "003.csv") == [
        list(HEADER),
        [
            "cadres.csv",
            "3",
            "unit_code",
            "unit_code_mismatch",
            "Mã đơn vị ở cột unit_code khác với thư mục nộp",
            REJECTED,
        ],
        [
            "enrolments.csv",
            "3",
            "sessions_attended",
            "sessions_over_plan",
            "Số buổi dự ở cột sessions_attended vượt số buổi theo kế hoạch của lớp",
            REJECTED,
        ],
    ]
    assert _read(folder / "273.csv") == [
        list(HEADER),
        ["evaluations.csv", "", "", "file_empty", EMPTY, REJECTED],
    ]


def test_feedback_disappears_once_the_unit_resubmits_clean_files(spoiled):
    seeds, settings = spoiled
    write_unit_feedback(settings)
    for name in ("003/cadres.csv", "003/enrolments.csv", "273/evaluations.csv"):
        shutil.copy(VALID / "submissions" / name, seeds / "submissions" / name)
    shutil.rmtree(seeds / "submissions/27-3")
    ingest_all(settings)

    report = write_unit_feedback(settings)
    assert report.rows_by_unit == {}
    assert list((settings.warehouse_dir / "feedback").iterdir()) == []


def test_a_held_back_resubmission_is_explained_at_file_level(spoiled):
    seeds, settings = spoiled
    (seeds / "submissions/003/evaluations.csv").write_bytes(b"")
    ingest_all(settings)
    write_unit_feedback(settings)

    rows = _read(settings.warehouse_dir / "feedback" / "003.csv")
    held = [row for row in rows if row[0] == "evaluations.csv"]
    assert held == [
        [
            "evaluations.csv",
            "",
            "",
            "held_back",
            "Giữ lại dữ liệu đã chấp nhận trước đó: submissions/003/evaluations.csv: "
            "Tệp rỗng (0 byte); tệp chỉ có dòng tiêu đề mới là tệp hợp lệ không có dữ liệu",
            REJECTED,
        ]
    ]


def test_unit_feedback_asset_reports_what_it_wrote(spoiled):
    result = materialize([unit_feedback])
    assert result.success
    metadata = result.asset_materializations_for_node("quality__unit_feedback")[0].metadata
    assert metadata["units_with_feedback"].value == 2
    assert metadata["rows"].value == 3
    assert metadata["refused_folders"].value == ["27-3"]


def test_a_warning_goes_back_to_every_unit_of_the_person(tmp_path, warehouse_env):
    seeds = tmp_path / "seeds"
    shutil.copytree(VALID, seeds)
    ward = seeds / "submissions/00004/cadres.csv"
    ward.write_text(
        ward.read_text(encoding="utf-8").replace("Đỗ Thị Bình", "Đỗ Thị Bình An"), encoding="utf-8"
    )
    settings = warehouse_env(seeds)
    ingest_all(settings)
    report = write_unit_feedback(settings)

    assert report.rows_by_unit == {"00004": 1, "003": 1}
    message = (
        "Các giai đoạn của cùng một cán bộ khác nhau ở cột full_name; "
        "dùng giá trị của giai đoạn hiện tại (hoặc gần nhất)"
    )
    folder = settings.warehouse_dir / "feedback"
    assert _read(folder / "003.csv")[1:] == [
        ["cadres.csv", "3", "full_name", "person_attributes_differ", message, WARNED]
    ]
    assert _read(folder / "00004.csv")[1:] == [
        ["cadres.csv", "2", "full_name", "person_attributes_differ", message, WARNED]
    ]


def test_the_submission_report_counts_warned_rows(tmp_path, warehouse_env):
    from orchestration.ingest.assets import submission_report
    from orchestration.resources import RefreshLock

    seeds = tmp_path / "seeds"
    shutil.copytree(VALID, seeds)
    ward = seeds / "submissions/00004/cadres.csv"
    ward.write_text(
        ward.read_text(encoding="utf-8").replace(",nu,1981-12-24,", ",nam,1981-12-24,"),
        encoding="utf-8",
    )
    ingest_all(warehouse_env(seeds))
    result = materialize([submission_report], resources={"refresh_lock": RefreshLock()})
    assert result.success
    metadata = result.asset_materializations_for_node("ingest__submission_report")[0].metadata
    # Tây Hồ's and the ward's periods of one person disagree on the gender: two rows.
    assert metadata["rows_warned"].value == 2
    assert "| cadres | person_attributes_differ | 2 |" in metadata["warned_by_rule"].value
