"""The report site built from a small published file written here with the contract's columns.

Every figure asserted is worked out by hand from the rows below. The file is built with and
without the optional tables (quality.refresh and the two history marts) so both shapes of
the site are covered, and the link swap is checked: one version left, and a failed build
leaves the previous site in place.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import duckdb
import pytest

from orchestration.report.site import LINK_NAME, VERSION_PREFIX, build_report

CORE = """
CREATE SCHEMA marts; CREATE SCHEMA quality;
CREATE TABLE marts.dim_units AS SELECT * FROM (VALUES
  ('01', 'Thành ủy Hà Nội', 'thanh_uy', NULL, NULL::DATE, NULL::DATE, true),
  ('001', 'Quận Ba Đình', 'quan', '01', DATE '2008-08-01', DATE '2025-06-30', false),
  ('00004', 'Phường Ba Đình', 'phuong', '01', DATE '2025-07-01', NULL::DATE, true)
) t(unit_code, unit_name, unit_kind, parent_code, valid_from, valid_to, is_current);
CREATE TABLE marts.fct_classes AS SELECT * FROM (VALUES
  ('C1', '001', 'P1', 'ly_luan_chinh_tri', NULL, '2020-2025', NULL,
   DATE '2021-03-01', DATE '2021-05-01', 1200, 1100),
  ('C2', '001', 'P2', 'tin_hoc', NULL, '2020-2025', NULL,
   DATE '2021-09-01', DATE '2021-10-01', 34, 30),
  ('C3', '01', 'P3', 'nguon_quy_hoach', 'bch_thanh_pho', '2020-2025', '2025-2030',
   DATE '2024-02-01', DATE '2024-06-01', 86, 86)
) t(class_code, unit_code, program_code, program_kind, target_group, term_code,
    target_term_code, start_date, end_date, enrolled_count, graduated_count);
CREATE TABLE marts.fct_trainees AS SELECT * FROM (VALUES
  ('k1', '001', '2020-2025'), ('k2', '001', '2020-2025'), ('k3', '01', '2020-2025')
) t(person_key, unit_code, term_code);
CREATE TABLE marts.mart_unit_training_summary AS SELECT * FROM (VALUES
  ('001', '2020-2025', 2, 1234, 2), ('01', '2020-2025', 1, 86, 1)
) t(unit_code, term_code, classes_count, enrolments_count, distinct_trainees);
CREATE TABLE marts.mart_planning_pool AS SELECT * FROM (VALUES
  ('01', 'BCH_TP', '2015-2020', 113, 168, 168 / 113, 81 / 168, 156 / 168, 38 / 168,
   0.1, false),
  ('01', 'BCH_TP', '2020-2025', 113, 224, 224 / 113, 164 / 224, 209 / 224, 41 / 224,
   0.2, false)
) t(unit_code, title_code, term_code, seats, planned_count, planning_coefficient,
    share_masters_plus, share_political_advanced, share_women, share_under_40,
    over_planning_limit);
CREATE TABLE marts.mart_committee_composition AS SELECT * FROM (VALUES
  ('001', 'co_so', '2020-2025', 50, 0.4, 0.94)
) t(unit_code, committee_level, term_code, members, share_women, share_university_plus);
CREATE TABLE marts.mart_target_attainment AS SELECT * FROM (VALUES
  ('T1', '2015-2020', 'city', NULL, 'btv_thanh_uy', 'share_postgrad', DATE '2020-09-30',
   215, 350, 215 / 350, 0.35, '>=', true, 215 / 350 - 0.35),
  ('T1', '2015-2020', 'unit', '001', 'btv_thanh_uy', 'share_postgrad', DATE '2020-09-30',
   1, 4, 0.25, 0.35, '>=', false, -0.1),
  ('T2', '2015-2020', 'city', NULL, 'chu_chot_xa', 'share_university_plus',
   DATE '2020-09-30', 2897, 3465, 2897 / 3465, 0.9, '>', false, 2897 / 3465 - 0.9)
) t(target_code, term_code, scope, unit_code, population, metric, reference_date,
    numerator, denominator, actual_value, threshold, comparator, met, gap);
CREATE TABLE quality.submission_files AS SELECT * FROM (VALUES
  ('001', 'cadres', 10, 8, 2, 'accepted', NULL),
  ('001', 'classes', 5, 0, 5, 'held_back', 'Tệp nộp lại bị giữ lại'),
  ('reference', 'units', 3, 3, 0, 'accepted', NULL)
) t(unit_code, file, rows_read, rows_accepted, rows_rejected, status, message);
CREATE TABLE quality.rejections AS SELECT * FROM (VALUES
  ('001', 'cadres', 'invalid_date', 2), ('001', 'classes', 'held_back', 5)
) t(unit_code, file, rule, rows_rejected);
"""

REFRESH = """
CREATE TABLE quality.refresh AS
SELECT DATE '2025-06-30' AS as_of_date, '2025-06-30T19:05:00Z' AS built_at;
"""

HISTORY = """
CREATE TABLE marts.mart_unit_transitions AS SELECT * FROM (VALUES
  ('001', '00004', DATE '2025-06-30', true, 40, 5),
  ('001', '01', DATE '2025-06-30', false, 5, 1),
  ('001', NULL, DATE '2025-06-30', NULL, 5, 0)
) t(unit_code, destination_code, end_date, is_successor, people_count, key_cadres_count);
CREATE TABLE marts.mart_current_unit_training AS SELECT * FROM (VALUES
  ('00004', '2020-2025', DATE '2025-10-15', 40, 30, 4, 0.75),
  ('00004', '2025-2030', DATE '2025-10-15', 40, 10, 0, 0.25)
) t(unit_code, term_code, as_of_date, cadres_count, trained_count,
    planning_source_trained_count, share_trained);
"""


def _published(path: Path, *parts: str) -> Path:
    con = duckdb.connect(str(path))
    for sql in (CORE, *parts):
        con.execute(sql)
    con.close()
    return path


def _text(path: Path) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<(svg|title)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def full_site(tmp_path):
    published = _published(tmp_path / "nhanluc.duckdb", REFRESH, HISTORY)
    return build_report(published, tmp_path)


def test_overview_shows_training_targets_and_city_pool(full_site):
    text = _text(full_site.overview)
    assert "Số liệu tính đến ngày 30/06/2025" in text
    assert "dựng lúc 01/07/2025 02:05" in text
    # 2020-2025: 3 classes, 1200 + 34 + 86 enrolments, 3 people.
    assert "2020-2025 3 1.320 3" in text
    # T1: 215 / 350 = 61,4 %, met; T2: 2897 / 3465 = 83,6 % is not above 90 %.
    assert "215 / 350 61,4 % ≥ 35,0 % +26,4 điểm % ✓ Đạt" in text
    assert "2.897 / 3.465 83,6 % > 90,0 % -6,4 điểm % ✗ Chưa đạt" in text
    assert "1 chỉ tiêu đạt, 1 chỉ tiêu chưa đạt" in text
    # 168 / 113 = 1,49 and 224 / 113 = 1,98; 81 / 168 = 48,2 %, 164 / 224 = 73,2 %.
    assert "Hệ số quy hoạch 1,49 1,98 +0,49" in text
    assert "Thạc sĩ trở lên 48,2 % 73,2 % +25,0 điểm %" in text
    assert "Dưới 40 tuổi 10,0 % 20,0 % +10,0 điểm %" in text
    svg = full_site.overview.read_text(encoding="utf-8")
    assert svg.count("<svg") == 1 and "<rect" in svg
    assert full_site.targets_met == 1 and full_site.targets_missed == 1


def test_one_page_per_target_and_unit_and_the_quality_page(full_site):
    folder = full_site.overview.parent
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "chat-luong-du-lieu.html",
        "chi-tieu-T1.html",
        "chi-tieu-T2.html",
        "don-vi-00004.html",
        "don-vi-001.html",
        "don-vi-01.html",
        "don-vi.html",
        "index.html",
        "sap-xep-don-vi-2025.html",
        "style.css",
    ]
    assert full_site.pages == 9
    # The City Party Committee first, then districts, then communes.
    units = _text(folder / "don-vi.html")
    assert units.index("01 Thành ủy") < units.index("001 Quận Ba Đình") < units.index("00004")
    target = _text(folder / "chi-tieu-T1.html")
    assert "001 Quận Ba Đình 1 / 4 25,0 % ≥ 35,0 % -10,0 điểm % ✗ Chưa đạt" in target
    unit = _text(folder / "don-vi-001.html")
    # 2021: 1200 enrolments in one political-theory class, 34 in one IT class.
    assert "2021 1.200 1 lớp 34 1 lớp 1.234 2 lớp" in unit
    assert "Cấp ủy cơ sở 2020-2025 50 40,0 % 94,0 %" in unit
    assert "Lớp học (classes) 5 0 5 Giữ lại bản cũ Tệp nộp lại bị giữ lại" in unit
    assert "cadres invalid_date 2" in unit
    quality = _text(folder / "chat-luong-du-lieu.html")
    assert "Đã đọc 18 dòng: 11 được chấp nhận, 7 bị từ chối" in quality
    assert "held_back 5 1 classes" in quality
    assert "invalid_date 2 1 cadres" in quality


def test_reorganisation_page_from_the_history_marts(full_site):
    text = _text(full_site.overview.parent / "sap-xep-don-vi-2025.html")
    # 50 people left 001: 40 to its successor, 5 to the City Party Committee, 5 nowhere.
    assert "50 người có giai đoạn công tác kết thúc cùng ngày với đơn vị; 45 người (90,0 %)" in text
    assert "001 Quận Ba Đình 30/06/2025 50 80,0 % 10,0 % 0,0 % 10,0 % 6" in text
    assert "00004 Phường Ba Đình Có 40 5" in text
    # The new ward: 30 of its 40 cadres trained in 2020-2025, 10 in 2025-2030.
    assert "00004 Phường Ba Đình Phường 40 75,0 % 25,0 %" in text
    assert "Sắp xếp đơn vị 2025" in _text(full_site.overview)


def test_optional_tables_absent_leave_their_lines_out(tmp_path):
    built = build_report(_published(tmp_path / "nhanluc.duckdb"), tmp_path)
    folder = built.overview.parent
    assert not (folder / "sap-xep-don-vi-2025.html").exists()
    overview = _text(built.overview)
    assert "Số liệu tính đến" not in overview
    assert "Sắp xếp đơn vị 2025" not in overview
    assert built.pages == 8


def test_the_link_is_swapped_and_old_versions_removed(tmp_path):
    published = _published(tmp_path / "nhanluc.duckdb", REFRESH)
    leftover = tmp_path / f"{VERSION_PREFIX}killed"  # what a killed build leaves
    leftover.mkdir()
    first = build_report(published, tmp_path)
    link = tmp_path / LINK_NAME
    assert link.is_symlink() and link.resolve() == first.folder.resolve()
    second = build_report(published, tmp_path)
    assert link.resolve() == second.folder.resolve()
    versions = sorted(p.name for p in tmp_path.glob(f"{VERSION_PREFIX}*"))
    assert versions == [second.folder.name]
    assert not leftover.exists()
    assert not list(tmp_path.glob(f".{LINK_NAME}.*"))


def test_a_failed_build_keeps_the_previous_site(tmp_path):
    published = _published(tmp_path / "nhanluc.duckdb")
    first = build_report(published, tmp_path)
    con = duckdb.connect(str(published))
    con.execute("DROP TABLE marts.fct_classes")
    con.close()
    with pytest.raises(duckdb.CatalogException):
        build_report(published, tmp_path)
    assert (tmp_path / LINK_NAME).resolve() == first.folder.resolve()
    assert [p.name for p in tmp_path.glob(f"{VERSION_PREFIX}*")] == [first.folder.name]
    assert (tmp_path / LINK_NAME / "index.html").exists()
