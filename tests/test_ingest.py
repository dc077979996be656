"""Ingest on tiny hand-made files: exact cleaned values, rejected rows and whole-file refusals."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.ingest.loader import ingest_all, ingest_seed_file
from schemas import seed_file


def _rows(path, query="SELECT * FROM t"):
    con = duckdb.connect()
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{path}')")
    return con.execute(query).fetchall()


def _outcome(results, file, unit):
    result = next(r for r in results if r.seed.name == file)
    return next(o for o in result.outcomes if o.unit_code == unit)


@pytest.fixture
def tiny(copy_fixture, warehouse_env):
    seeds = copy_fixture("tiny")
    return warehouse_env(seeds)


def test_excel_quirks_are_cleaned_to_exact_values(tiny):
    ingest_all(tiny)
    cadres = _rows(
        tiny.raw_dir / "cadres" / "003.parquet",
        "SELECT national_id, unit_code, full_name, gender, birth_date::VARCHAR, "
        "management_tier, workplace_kind, current_title_code, source_line FROM t ORDER BY 1",
    )
    assert cadres == [
        # NFD name made NFC; 'Nam' lower-cased; 5/3/1980 read day-first.
        ("001080000001", "003", "Nguyễn Văn An", "nam", "1980-03-05", "khac", "co_quan", None, 2),
        # U+00D0 became U+0110, padding trimmed, '  NU ' matched case-insensitively.
        (
            "001180000002",
            "003",
            "Đỗ Thị Bình",
            "nu",
            "1981-12-24",
            "chu_chot_cap_xa",
            "phuong",
            None,
            3,
        ),
    ]
    assert "\u0110" in cadres[1][2] and "\u00d0" not in cadres[1][2]
    enrolments = _rows(
        tiny.raw_dir / "enrolments" / "003.parquet",
        "SELECT national_id, result, graduated, sessions_attended, unexcused_absences "
        "FROM t ORDER BY 1",
    )
    assert enrolments == [
        ("001080000001", "kha", True, 9, 1),
        ("001180000002", "gioi", False, 10, 0),
    ]
    classes = _rows(
        tiny.raw_dir / "classes" / "003.parquet",
        "SELECT class_code, start_date::VARCHAR, end_date::VARCHAR FROM t",
    )
    assert classes == [("003-2019-0001", "2019-12-16", "2020-01-20")]


def test_bad_rows_are_rejected_with_file_line_column_and_rule(tiny):
    results = ingest_all(tiny)
    rejects = _rows(
        tiny.rejects_dir / "*.parquet",
        'SELECT file, unit_code, line, "column", rule FROM t ORDER BY file, line',
    )
    assert rejects == [
        ("cadres", "003", 4, "unit_code", "unit_code_mismatch"),
        ("cadres", "003", 5, "national_id", "invalid_national_id"),
        ("classes", "003", 3, "end_date", "invalid_date"),
        ("enrolments", "003", 4, None, "duplicate_row"),
        ("enrolments", "003", 5, "sessions_attended", "sessions_over_plan"),
    ]
    cadres = _outcome(results, "cadres", "003")
    assert (cadres.rows_read, cadres.rows_accepted, cadres.rows_rejected) == (4, 2, 2)
    messages = _rows(tiny.rejects_dir / "cadres.parquet", "SELECT message, raw_values FROM t")
    assert messages[0][0] == "Mã đơn vị ở cột unit_code khác với thư mục nộp"
    assert '"unit_code":"273"' in messages[0][1]


def test_rule_order_decides_which_rule_a_row_counts_under(copy_fixture, warehouse_env):
    seeds = copy_fixture("tiny")
    (seeds / "submissions/003/evaluations.csv").write_text(
        "national_id,unit_code,year,rating\n"
        # bad id AND wrong unit AND bad enum: counted once, under invalid_national_id.
        "123,273,2019,xx\n"
        # bad enum AND wrong unit: unit_code_mismatch comes after invalid_enum.
        "001080000001,273,2019,xx\n"
        # same key, different rating: both rows duplicate_key.
        "001180000002,003,2019,htt\n"
        "001180000002,003,2019,kht\n"
        "001180000002,003,2020,HTXS\n",
        encoding="utf-8",
    )
    settings = warehouse_env(seeds)
    ingest_all(settings)
    rejects = _rows(
        settings.rejects_dir / "evaluations.parquet", "SELECT line, rule FROM t ORDER BY line"
    )
    assert rejects == [
        (2, "invalid_national_id"),
        (3, "invalid_enum"),
        (4, "duplicate_key"),
        (5, "duplicate_key"),
    ]
    accepted = _rows(settings.raw_dir / "evaluations/003.parquet", "SELECT year, rating FROM t")
    assert accepted == [(2020, "htxs")]


def test_whole_file_rejections_name_the_file(copy_fixture, warehouse_env):
    seeds = copy_fixture("tiny")
    unit = seeds / "submissions" / "273"
    unit.mkdir()
    (unit / "cadres.csv").write_bytes(b"")
    (unit / "classes.csv").write_bytes(
        "class_code,unit_code,program_code,start_date,end_date,planned_sessions,"
        "target_term_code\n273-1,273,NN_TA,2019-01-01,2019-02-01,5,\nĐông Anh,273,x,"
        "2019-01-01,2019-01-02,1,\n".encode("cp1258")
    )
    (unit / "enrolments.csv").write_text(
        "class_code,national_id,unit_code,sessions_attended,unexcused_absences,result\n",
        encoding="utf-8",
    )
    (unit / "evaluations.csv").write_text("national_id,unit_code,year,rating\n", encoding="utf-8")
    settings = warehouse_env(seeds)
    results = ingest_all(settings)

    empty = _outcome(results, "cadres", "273")
    assert empty.status == "rejected_whole"
    assert empty.message.startswith("submissions/273/cadres.csv: Tệp rỗng (0 byte)")
    legacy = _outcome(results, "classes", "273")
    assert legacy.status == "rejected_whole"
    assert "không mã hóa UTF-8 (có vẻ là Windows-1258)" in legacy.message
    missing = _outcome(results, "enrolments", "273")
    assert missing.status == "rejected_whole"
    assert missing.message.endswith("Tệp thiếu cột bắt buộc: graduated")
    header_only = _outcome(results, "evaluations", "273")
    assert (header_only.status, header_only.rows_read, header_only.rows_accepted) == (
        "accepted",
        0,
        0,
    )
    # A first submission rejected whole leaves an empty slice, never garbled rows.
    assert _rows(settings.raw_dir / "classes/273.parquet", "SELECT count(*) FROM t") == [(0,)]


def test_folder_that_is_not_a_unit_code_is_refused(copy_fixture, warehouse_env):
    seeds = copy_fixture("tiny")
    bad = seeds / "submissions" / "00'3; DROP"
    bad.mkdir()
    (bad / "cadres.csv").write_text(
        (seeds / "submissions/003/cadres.csv").read_text(encoding="utf-8-sig"), encoding="utf-8"
    )
    settings = warehouse_env(seeds)
    result = ingest_seed_file(seed_file("units"), settings)
    result = ingest_seed_file(seed_file("cadres"), settings)
    refused = next(o for o in result.outcomes if o.unit_code == "00'3; DROP")
    assert refused.status == "rejected_whole"
    assert "không phải mã đơn vị" in refused.message
    # Unit 003 gets a slice; the refused folder gets none.
    assert sorted(p.name for p in (settings.raw_dir / "cadres").iterdir()) == [
        "003.parquet",
        "schema-only.parquet",
    ]


def test_malformed_rows_keep_physical_line_numbers(copy_fixture, warehouse_env):
    seeds = copy_fixture("tiny")
    (seeds / "submissions/003/qualifications.csv").write_text(
        "national_id,qualification_kind,level,awarded_date,unit_code\n"
        "001080000001,chuyen_mon,dai_hoc,2002-06-30,003\n"
        '001080000001,ngoai_ngu,"B1\nTOEIC",2010-01-01,003\n'
        "001080000001,chuyen_mon,thac_si\n"
        "001180000002,ly_luan_chinh_tri,Cao_Cap,1/9/2015,003\n"
        "001180000002,chuyen_mon,tien_si_x,2015-09-01,003\n",
        encoding="utf-8",
    )
    settings = warehouse_env(seeds)
    results = ingest_all(settings)
    rejects = _rows(
        settings.rejects_dir / "qualifications.parquet", "SELECT line, rule FROM t ORDER BY line"
    )
    # The quoted value spans lines 3-4 (and is no valid code), so the short row is on
    # line 5 and the last row on line 7.
    assert rejects == [(3, "invalid_code"), (5, "malformed_row"), (7, "invalid_level")]
    accepted = _rows(
        settings.raw_dir / "qualifications/003.parquet",
        "SELECT qualification_kind, level, source_line FROM t ORDER BY source_line",
    )
    # Ranked levels are enumerations, matched case-insensitively.
    assert accepted == [("chuyen_mon", "dai_hoc", 2), ("ly_luan_chinh_tri", "cao_cap", 6)]
    outcome = _outcome(results, "qualifications", "003")
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (5, 2, 3)


def test_person_listed_by_two_units_is_rejected_in_both(copy_fixture, warehouse_env):
    seeds = copy_fixture("tiny")
    unit = seeds / "submissions/273"
    unit.mkdir()
    (unit / "cadres.csv").write_text(
        "national_id,unit_code,full_name,gender,birth_date,management_tier,workplace_kind,"
        "current_title_code\n001180000002,273,Đỗ Thị Bình,nu,1981-12-24,khac,xa,\n",
        encoding="utf-8",
    )
    settings = warehouse_env(seeds)
    ingest_all(settings)
    rejects = _rows(
        settings.rejects_dir / "cadres.parquet",
        "SELECT unit_code, line, rule FROM t WHERE rule = 'person_listed_twice' ORDER BY 1",
    )
    assert rejects == [("003", 3, "person_listed_twice"), ("273", 2, "person_listed_twice")]


def test_resubmission_with_too_many_rejects_is_held_back(copy_fixture, warehouse_env):
    seeds = copy_fixture("tiny")
    settings = warehouse_env(seeds)
    ingest_all(settings)
    classes = seeds / "submissions/003/classes.csv"
    classes.write_text(
        "class_code,unit_code,program_code,start_date,end_date,planned_sessions,target_term_code\n"
        "003-2020-0001,003,LLCT_TC,2020-03-01,2020-04-01,12,\n"
        "003-2020-0002,003,NO_SUCH_PROGRAM,2020-03-01,2020-04-01,12,\n",
        encoding="utf-8",
    )
    outcome = _outcome([ingest_seed_file(seed_file("classes"), settings)], "classes", "003")
    assert outcome.status == "held_back"
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (2, 0, 2)
    assert dict(outcome.rejected_by_rule) == {"unknown_reference": 1, "held_back": 1}
    assert "50.0%" in outcome.message
    # Yesterday's accepted class stays.
    kept = _rows(settings.raw_dir / "classes/003.parquet", "SELECT class_code FROM t")
    assert kept == [("003-2019-0001",)]


def test_first_submission_loads_its_valid_rows_whatever_the_reject_rate(
    copy_fixture, warehouse_env
):
    seeds = copy_fixture("tiny")
    settings = warehouse_env(seeds)
    results = ingest_all(settings)
    classes = _outcome(results, "classes", "003")  # 1 of 2 rows rejected: 50 % > 5 %
    assert (classes.status, classes.rows_accepted) == ("accepted", 1)


def test_a_held_back_unit_keeps_its_people_against_other_units(copy_fixture, warehouse_env):
    seeds = copy_fixture("tiny")
    settings = warehouse_env(seeds)
    ingest_all(settings)
    # 003 resubmits an empty cadres file (held back: its rows stay), while 273 now lists
    # one of 003's people: that row clashes with the kept slice and is rejected.
    (seeds / "submissions/003/cadres.csv").write_bytes(b"")
    unit = seeds / "submissions/273"
    unit.mkdir()
    (unit / "cadres.csv").write_text(
        "national_id,unit_code,full_name,gender,birth_date,management_tier,workplace_kind,"
        "current_title_code\n001080000001,273,Nguyễn Văn An,nam,1980-03-05,khac,xa,\n"
        "001080000099,273,Phạm Thị Hoa,nu,1990-01-01,khac,xa,\n",
        encoding="utf-8",
    )
    results = ingest_all(settings)
    held = _outcome(results, "cadres", "003")
    assert (held.status, held.rule) == ("held_back", "held_back")
    other = _outcome(results, "cadres", "273")
    assert dict(other.rejected_by_rule) == {"person_listed_twice": 1}
    assert (other.rows_accepted, other.status) == (1, "accepted")
    people = _rows(
        settings.raw_dir / "cadres" / "*.parquet",
        "SELECT national_id, unit_code FROM t ORDER BY 1",
    )
    assert people == [("001080000001", "003"), ("001080000099", "273"), ("001180000002", "003")]
    status = _rows(
        settings.status_dir / "cadres.parquet", "SELECT unit_code, status, rule FROM t ORDER BY 1"
    )
    assert status == [("003", "held_back", "held_back"), ("273", "accepted", None)]
