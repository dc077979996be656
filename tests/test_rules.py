"""Every rule of schemas/rules.py, triggered by one bad row (or file) in a valid fixture.

Each case copies tests/fixtures/quality/valid, puts one bad row on line 3 of one file (or
one bad file in place), runs the whole ingest and asserts exactly what was rejected: unit,
line, column, rule and the Vietnamese message, and that every other row still loads.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import ingest_all
from orchestration.settings import Settings
from schemas.rules import FILE_RULES, RULES

VALID = Path(__file__).parent / "fixtures" / "quality" / "valid"


@dataclass(frozen=True)
class RowCase:
    """One bad `row` inserted as line 3 of `path`; `rejected` lists every expected reject."""

    rule: str
    path: str
    row: str
    rejected: tuple[tuple[str, int, str | None, str, str], ...]


def _unit(path: str) -> str:
    """The slice a seed path loads into: its unit folder, or `reference`."""
    return path.split("/")[1] if path.startswith("submissions/") else "reference"


def _one(rule, path, row, column, message, line=3):
    return RowCase(rule, path, row, ((_unit(path), line, column, rule, message),))


CADRES = "submissions/003/cadres.csv"
WARD_CADRES = "submissions/00004/cadres.csv"
LISTED_TWICE = (
    "Cán bộ ở cột national_id có hai giai đoạn công tác trùng thời gian "
    "(cùng lúc ở hai đơn vị, hoặc hai lần trong một đơn vị)"
)
OUTSIDE = "Ngày hoặc nhiệm kỳ ở cột {column} nằm ngoài thời gian tồn tại của đơn vị (units.csv)"
CLASSES = "submissions/003/classes.csv"
ENROLMENTS = "submissions/003/enrolments.csv"

ROW_CASES = (
    _one(
        "malformed_row",
        CADRES,
        "001080000009,003,Trần Văn Giáp,nam",
        None,
        "Dòng CSV sai cấu trúc (số cột không khớp tiêu đề)",
    ),
    _one(
        "missing_value",
        CADRES,
        "001080000009,003,,nam,1980-01-01,khac,co_quan,",
        "full_name",
        "Thiếu giá trị bắt buộc ở cột full_name",
    ),
    _one(
        "invalid_national_id",
        CADRES,
        "00108000009,003,Trần Văn Giáp,nam,1980-01-01,khac,co_quan,",
        "national_id",
        "Số CCCD ở cột national_id phải gồm đúng 12 chữ số",
    ),
    _one(
        "national_id_scientific",
        CADRES,
        "1.08E+11,003,Trần Văn Giáp,nam,1980-01-01,khac,co_quan,",
        "national_id",
        "Số CCCD ở cột national_id bị Excel ghi dạng số mũ (như 1,08E+11) nên đã mất chữ số; "
        "hãy định dạng cột là Văn bản (Text) rồi nhập lại số CCCD",
    ),
    _one(
        "invalid_date",
        CADRES,
        "001080000009,003,Trần Văn Giáp,nam,31/4/1980,khac,co_quan,",
        "birth_date",
        "Ngày ở cột birth_date không hợp lệ (dùng YYYY-MM-DD hoặc D/M/YYYY)",
    ),
    _one(
        "invalid_integer",
        CLASSES,
        "003-2020-0009,003,LLCT_TC,2020-03-01,2020-04-01,1.000,",
        "planned_sessions",
        "Giá trị ở cột planned_sessions phải là số nguyên",
    ),
    _one(
        "invalid_number",
        "reference/targets.csv",
        'T9,2015-2020,chu_chot_xa,share_women,>=,"0,3",,',
        "threshold",
        "Giá trị ở cột threshold phải là số",
    ),
    _one(
        "invalid_boolean",
        ENROLMENTS,
        "003-2019-0001,001075000003,003,5,0,kha,đã xong",
        "graduated",
        "Giá trị ở cột graduated phải là có/không (true/false, 1/0)",
    ),
    _one(
        "invalid_code",
        CLASSES,
        "003 2020 0009,003,LLCT_TC,2020-03-01,2020-04-01,10,",
        "class_code",
        "Mã ở cột class_code chỉ được gồm chữ, số, '_' và '-'",
    ),
    _one(
        "invalid_enum",
        CADRES,
        "001080000009,003,Trần Văn Giáp,khác,1980-01-01,khac,co_quan,",
        "gender",
        "Giá trị ở cột gender không thuộc danh mục cho phép",
    ),
    _one(
        "out_of_range",
        "submissions/003/evaluations.csv",
        "001080000001,003,2101,htt",
        "year",
        "Giá trị ở cột year nằm ngoài khoảng cho phép",
    ),
    _one(
        "unit_code_mismatch",
        CADRES,
        "001080000009,273,Trần Văn Giáp,nam,1980-01-01,khac,co_quan,",
        "unit_code",
        "Mã đơn vị ở cột unit_code khác với thư mục nộp",
    ),
    _one(
        "invalid_level",
        "submissions/003/qualifications.csv",
        "001180000002,chuyen_mon,cu_nhan,2005-01-01,003",
        "level",
        "Trình độ ở cột level không thuộc danh mục của loại trình độ",
    ),
    _one(
        "end_before_start",
        CLASSES,
        "003-2020-0009,003,LLCT_TC,2020-03-01,29/2/2020,10,",
        "end_date",
        "Ngày kết thúc ở cột end_date trước ngày bắt đầu",
    ),
    _one(
        "unknown_reference",
        CLASSES,
        "003-2020-0009,003,NO_SUCH_PROGRAM,2020-03-01,2020-04-01,10,",
        "program_code",
        "Mã ở cột program_code không có trong danh mục tham chiếu",
    ),
    _one(
        "class_of_other_unit",
        "submissions/273/enrolments.csv",
        "003-2019-0001,001085000005,273,5,0,kha,true",
        "class_code",
        "Lớp ở cột class_code do đơn vị khác tổ chức",
    ),
    _one(
        "sessions_over_plan",
        ENROLMENTS,
        "003-2019-0001,001075000003,003,11,0,kha,true",
        "sessions_attended",
        "Số buổi dự ở cột sessions_attended vượt số buổi theo kế hoạch của lớp",
    ),
    _one(
        "duplicate_row",
        CADRES,
        "001080000001,003,Nguyễn Văn An,nam,1980-03-05,khac,co_quan,",
        None,
        "Dòng trùng lặp hoàn toàn với một dòng trước",
    ),
    RowCase(
        "duplicate_key",
        "submissions/003/evaluations.csv",
        "001080000001,003,2020,ht",
        tuple(
            (
                "003",
                line,
                "national_id+year",
                "duplicate_key",
                "Trùng khóa national_id+year với dòng khác có nội dung khác",
            )
            for line in (2, 3)
        ),
    ),
    RowCase(
        "person_listed_twice",
        "submissions/273/cadres.csv",
        "001080000001,273,Nguyễn Văn An,nam,1980-03-05,khac,xa,",
        tuple(
            (
                unit,
                line,
                "national_id",
                "person_listed_twice",
                LISTED_TWICE,
            )
            for unit, line in (("003", 2), ("273", 3))
        ),
    ),
    _one(
        "invalid_period",
        WARD_CADRES,
        "001180000009,00004,Trần Thị Hoa,nu,1990-01-01,khac,phuong,,2026-01-01,31/12/2025",
        "valid_to",
        "Ngày kết thúc giai đoạn ở cột valid_to trước ngày bắt đầu",
    ),
    _one(
        "tier_not_in_unit",
        WARD_CADRES,
        "001080000010,00004,Trần Văn Hùng,nam,1980-01-01,btv_cap_huyen,phuong,,,",
        "management_tier",
        "Diện quản lý ở cột management_tier chỉ có ở đơn vị cấp huyện "
        "(quận, huyện, thị xã, đảng ủy trực thuộc) còn tồn tại trong giai đoạn này",
    ),
    _one(
        "outside_unit_validity",
        CLASSES,
        "003-2025-0001,003,LLCT_TC,2025-07-01,2025-08-01,10,",
        "start_date",
        OUTSIDE.format(column="start_date"),
    ),
    _one(
        "succession_dates_mismatch",
        "reference/unit_successions.csv",
        "273,00004,2025-07-01",
        "effective_date",
        "Ngày hiệu lực ở cột effective_date phải là ngày đầu của đơn vị kế thừa "
        "và ngày sau ngày cuối của đơn vị cũ",
    ),
)

# Rules the same code path serves with other columns or kinds: worth one case each.
VARIANT_CASES = (
    _one(
        "invalid_date",
        CADRES,
        "001080000009,003,Trần Văn Giáp,nam,12/31/1980,khac,co_quan,",
        "birth_date",
        "Ngày ở cột birth_date không hợp lệ (dùng YYYY-MM-DD hoặc D/M/YYYY)",
    ),
    _one(
        "out_of_range",
        CADRES,
        "001080000009,003,Trần Văn Giáp,nam,1899-12-31,khac,co_quan,",
        "birth_date",
        "Giá trị ở cột birth_date nằm ngoài khoảng cho phép",
    ),
    _one(
        "out_of_range",
        CLASSES,
        "003-2020-0009,003,LLCT_TC,2020-03-01,2020-04-01,0,",
        "planned_sessions",
        "Giá trị ở cột planned_sessions nằm ngoài khoảng cho phép",
    ),
    _one(
        "end_before_start",
        "reference/terms.csv",
        "2010-2015,dai_hoi,2010-10-01,2010-09-30",
        "end_date",
        "Ngày kết thúc ở cột end_date trước ngày bắt đầu",
    ),
    _one(
        "outside_unit_validity",
        "submissions/00004/committee_members.csv",
        "001180000002,00004,co_so,2015-2020,uy_vien",
        "term_code",
        OUTSIDE.format(column="term_code"),
    ),
    _one(
        "outside_unit_validity",
        WARD_CADRES,
        "001080000011,00004,Lê Văn Long,nam,1985-01-01,khac,phuong,,2025-06-01,",
        "valid_from",
        OUTSIDE.format(column="valid_from"),
    ),
    _one(
        "unknown_reference",
        "reference/unit_successions.csv",
        "003,99999,2025-07-01",
        "successor_code",
        "Mã ở cột successor_code không có trong danh mục tham chiếu",
    ),
    # Two wards list one person at once: both periods go back to their units.
    RowCase(
        "person_listed_twice",
        "submissions/00008/cadres.csv",
        "001180000002,00008,Đỗ Thị Bình,nu,1981-12-24,chu_chot_cap_xa,phuong,,2025-09-01,",
        tuple(
            (unit, line, "national_id", "person_listed_twice", LISTED_TWICE)
            for unit, line in (("00004", 2), ("00008", 3))
        ),
    ),
    _one(
        "unknown_reference",
        "submissions/003/planning.csv",
        "001080000001,003,NO_TITLE,2020-2025,2019-05-20,approved",
        "title_code",
        "Mã ở cột title_code không có trong danh mục tham chiếu",
    ),
)


def _insert_line_3(path: Path, row: str) -> list[int]:
    """Put `row` on physical line 3; return the lines the file's original rows now hold."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:2], row, *lines[2:]]) + "\n", encoding="utf-8")
    return [2, *range(4, len(lines) + 2)]


def _rejects(settings: Settings) -> list[tuple]:
    return (
        duckdb.connect()
        .execute(
            f"""SELECT unit_code, line, "column", rule, message
        FROM read_parquet('{settings.rejects_dir}/*.parquet') ORDER BY unit_code, line"""
        )
        .fetchall()
    )


def _accepted_lines(settings: Settings, relative: str) -> list[int]:
    slice_path = settings.raw_dir / Path(relative).stem / f"{_unit(relative)}.parquet"
    return [
        line
        for (line,) in duckdb.connect()
        .execute(f"SELECT source_line FROM read_parquet('{slice_path}') ORDER BY 1")
        .fetchall()
    ]


def test_every_rule_has_a_case():
    covered = {case.rule for case in ROW_CASES} | {"held_back"}
    assert covered == {rule.code for rule in RULES}
    assert {case[0] for case in FILE_CASES} == {rule.code for rule in FILE_RULES}


def test_valid_fixture_loads_without_a_reject(valid_seeds):
    _, settings = valid_seeds
    results = ingest_all(settings)
    assert all(result.rows_rejected == 0 for result in results)
    assert _rejects(settings) == []


@pytest.mark.parametrize(
    "case",
    ROW_CASES + VARIANT_CASES,
    ids=lambda case: f"{case.rule}-{case.path.split('/')[-1].removesuffix('.csv')}",
)
def test_bad_row_is_rejected_under_its_rule(valid_seeds, case):
    seeds, settings = valid_seeds
    original_lines = _insert_line_3(seeds / case.path, case.row)
    ingest_all(settings)

    assert _rejects(settings) == sorted(case.rejected, key=lambda r: (r[0], r[1]))
    # Every expected reject sits in the case's file; only its own unit's lines leave it.
    rejected_here = {line for unit, line, *_ in case.rejected if unit == _unit(case.path)}
    expected = [line for line in original_lines if line not in rejected_here]
    assert _accepted_lines(settings, case.path) == expected


def test_resubmission_over_the_reject_rate_is_held_back(valid_seeds):
    seeds, settings = valid_seeds
    ingest_all(settings)
    evaluations = seeds / "submissions/003/evaluations.csv"
    evaluations.write_text(
        "national_id,unit_code,year,rating\n"
        "001080000001,003,2021,htt\n"
        "001180000002,003,2021,xx\n"
        "001075000003,003,2021,htxs\n",
        encoding="utf-8",
    )
    results = ingest_all(settings)

    outcome = next(
        o
        for r in results
        if r.seed.name == "evaluations"
        for o in r.outcomes
        if o.unit_code == "003"
    )
    assert (outcome.status, outcome.rows_read, outcome.rows_rejected) == ("held_back", 3, 3)
    held = "Tệp nộp lại bị giữ lại; dữ liệu được chấp nhận trước đó vẫn giữ nguyên"
    assert _rejects(settings) == [
        ("003", 2, None, "held_back", held),
        ("003", 3, "rating", "invalid_enum", "Giá trị ở cột rating không thuộc danh mục cho phép"),
        ("003", 4, None, "held_back", held),
    ]
    # Yesterday's three accepted rows (lines 2-4, year 2020) stay.
    assert _accepted_lines(settings, "submissions/003/evaluations.csv") == [2, 3, 4]
    assert duckdb.connect().execute(
        f"SELECT DISTINCT year FROM read_parquet('{settings.raw_dir}/evaluations/003.parquet')"
    ).fetchall() == [(2020,)]


def _write_cp1258(path: Path) -> None:
    """Vietnamese text saved by an old Excel in Windows-1258 (names it can encode)."""
    path.write_bytes(
        "national_id,unit_code,full_name,gender,birth_date,management_tier,workplace_kind,"
        "current_title_code\n001180000004,273,Đào Thu Hà,nu,1985-07-09,chu_chot_cap_xa,xa,\n"
        "001085000005,273,Hoàng Văn Em,nam,1985-01-01,chu_chot_cap_xa,xa,\n".encode("cp1258")
    )


def _replace_by_xls(path: Path) -> None:
    """The unit saved its evaluations in Excel 97-2003 format instead of the CSV."""
    path.with_suffix(".csv").unlink()
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))


FILE_CASES = (
    (
        "folder_not_unit_code",
        "submissions/27-3/cadres.csv",
        lambda path: shutil.copy(VALID / "submissions/273/cadres.csv", path),
        "27-3",
        "Thư mục '27-3' không phải mã đơn vị (chỉ gồm chữ và số)",
    ),
    (
        "file_ambiguous",
        "submissions/273/evaluations.xlsx",
        lambda path: path.write_bytes(b"a workbook saved beside the CSV"),
        "273",
        "submissions/273/evaluations.csv: Thư mục có nhiều bản của cùng một tệp "
        "(evaluations.csv, evaluations.xlsx); không biết bản nào là đúng, hãy chỉ giữ lại một "
        "bản (.xlsx hoặc .csv)",
    ),
    (
        "file_unsupported",
        "submissions/273/evaluations.xls",
        _replace_by_xls,
        "273",
        "submissions/273/evaluations.xls: Định dạng tệp evaluations.xls không được nhận; hãy "
        "lưu lại dưới dạng Excel Workbook (.xlsx) hoặc CSV UTF-8 (.csv)",
    ),
    (
        "file_empty",
        "submissions/273/evaluations.csv",
        lambda path: path.write_bytes(b""),
        "273",
        "submissions/273/evaluations.csv: Tệp rỗng (0 byte); tệp chỉ có dòng tiêu đề mới là "
        "tệp hợp lệ không có dữ liệu",
    ),
    (
        "file_not_utf8",
        "submissions/273/cadres.csv",
        _write_cp1258,
        "273",
        "submissions/273/cadres.csv: Tệp không mã hóa UTF-8 (có vẻ là Windows-1258); trong "
        "Excel chọn Lưu thành (Save As) → CSV UTF-8 (Comma delimited) hoặc Excel Workbook "
        "(.xlsx)",
    ),
    (
        "file_missing_column",
        "submissions/273/evaluations.csv",
        lambda path: path.write_text(
            "national_id,unit_code,year\n001180000004,273,2019\n", encoding="utf-8"
        ),
        "273",
        "submissions/273/evaluations.csv: Tệp thiếu cột bắt buộc: rating",
    ),
    (
        "file_unparseable",
        "submissions/273/evaluations.csv",
        lambda path: path.write_text(
            "national_id,unit_code,year,rating,Rating\n001180000004,273,2019,ht,ht\n",
            encoding="utf-8",
        ),
        "273",
        "submissions/273/evaluations.csv: Không đọc được tệp (CSV hoặc sổ tính .xlsx): tiêu đề "
        "có cột trùng tên",
    ),
)


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda case: case[0])
def test_bad_file_is_refused_whole_naming_the_file(valid_seeds, case):
    _rule, relative, spoil, unit, message = case
    seeds, settings = valid_seeds
    path = seeds / relative
    path.parent.mkdir(exist_ok=True)
    spoil(path)
    results = ingest_all(settings)

    file = path.stem
    result = next(r for r in results if r.seed.name == file)
    outcome = next(o for o in result.outcomes if o.unit_code == unit)
    assert (outcome.status, outcome.message) == ("rejected_whole", message)
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (0, 0, 0)
    # No row of a refused file loads, and nothing else is rejected.
    assert _rejects(settings) == []
    assert (
        not (settings.raw_dir / file / f"{unit}.parquet").exists()
        or _accepted_lines(settings, f"submissions/{unit}/{file}.csv") == []
    )
    # Every other unit's copy of the file still loads.
    for other in result.outcomes:
        if other.unit_code != unit:
            assert other.status == "accepted"
            assert other.rows_accepted == other.rows_read > 0


def _outcome(results, file: str, unit: str):
    return next(
        o for r in results if r.seed.name == file for o in r.outcomes if o.unit_code == unit
    )


def test_overlap_with_another_unit_never_holds_a_resubmission_back(valid_seeds):
    seeds, settings = valid_seeds
    ingest_all(settings)
    # Half of the ward's resubmitted rows clash with the other ward: a rule across units,
    # so the file still loads (its own reject rate is 0) and both clashing periods go back.
    (seeds / "submissions/00008/cadres.csv").write_text(
        "national_id,unit_code,full_name,gender,birth_date,management_tier,workplace_kind,"
        "current_title_code,valid_from,valid_to\n"
        "001090000006,00008,Vũ Văn Phúc,nam,1990-04-02,khac,phuong,,1/4/2026,\n"
        "001180000002,00008,Đỗ Thị Bình,nu,1981-12-24,chu_chot_cap_xa,phuong,,2025-09-01,\n",
        encoding="utf-8",
    )
    results = ingest_all(settings)

    outcome = _outcome(results, "cadres", "00008")
    assert (outcome.status, outcome.rows_read, outcome.rows_accepted) == ("accepted", 2, 1)
    assert _rejects(settings) == [
        ("00004", 2, "national_id", "person_listed_twice", LISTED_TWICE),
        ("00008", 3, "national_id", "person_listed_twice", LISTED_TWICE),
    ]
    assert _accepted_lines(settings, "submissions/00004/cadres.csv") == [3]


def test_a_move_fills_empty_dates_from_the_units(valid_seeds):
    _, settings = valid_seeds
    ingest_all(settings)
    periods = (
        duckdb.connect()
        .execute(
            "SELECT unit_code, valid_from, valid_to FROM read_parquet("
            f"'{settings.raw_dir}/cadres/*.parquet') WHERE national_id = '001180000002' "
            "ORDER BY valid_from"
        )
        .fetchall()
    )
    # Tây Hồ's undated row runs over the district's whole life; the ward's from its first day.
    assert [(u, str(f), str(t)) for u, f, t in periods] == [
        ("003", "2008-08-01", "2025-06-30"),
        ("00004", "2025-07-01", "None"),
    ]


def test_copies_of_an_award_from_two_units_keep_the_first(valid_seeds):
    seeds, settings = valid_seeds
    (seeds / "submissions/00004/qualifications.csv").write_text(
        "national_id,qualification_kind,level,awarded_date,unit_code\n"
        "001075000003,chuyen_mon,thac_si,2010-06-30,00004\n",
        encoding="utf-8",
    )
    results = ingest_all(settings)

    # Units are read in folder-name order: 00004 comes before 003, so its copy is kept.
    assert _rejects(settings) == [
        ("003", 3, None, "duplicate_row", "Dòng trùng lặp hoàn toàn với một dòng trước")
    ]
    outcome = _outcome(results, "qualifications", "003")
    assert (outcome.rows_rejected, outcome.rows_rejected_across) == (1, 1)
    assert _accepted_lines(settings, "submissions/00004/qualifications.csv") == [2]


def test_periods_that_disagree_on_a_birth_date_load_with_a_warning(valid_seeds):
    seeds, settings = valid_seeds
    ward = seeds / WARD_CADRES
    ward.write_text(
        ward.read_text(encoding="utf-8").replace("1981-12-24", "1981-12-25"), encoding="utf-8"
    )
    results = ingest_all(settings)

    assert all(result.rows_rejected == 0 for result in results)
    warnings = (
        duckdb.connect()
        .execute(
            f"""SELECT unit_code, file, line, "column", rule, message
            FROM read_parquet('{settings.warnings_dir}/*.parquet') ORDER BY unit_code, line"""
        )
        .fetchall()
    )
    message = (
        "Các giai đoạn của cùng một cán bộ khác nhau ở cột birth_date; "
        "dùng giá trị của giai đoạn hiện tại (hoặc gần nhất)"
    )
    assert warnings == [
        ("00004", "cadres", 2, "birth_date", "person_attributes_differ", message),
        ("003", "cadres", 3, "birth_date", "person_attributes_differ", message),
    ]
