"""The .xlsx templates: generated from the declaration, and a template filled in by hand loads."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from orchestration.ingest.loader import ingest_all
from orchestration.settings import REPO_ROOT
from orchestration.templates import write_templates
from schemas.contract import DATE_MAX, DATE_MIN, SEED_FILES, SUBMISSION_FILES, seed_file
from schemas.rules import FILE_RULES, RULES, WARNINGS
from schemas.sql import FALSE_WORDS, TRUE_WORDS

TEXT_KINDS = ("national_id", "code", "level")
# Rule codes contract §2 and §3 name for Excel input, beside those of schemas/rules.py.
EXCEL_RULES = (
    "national_id_zero_padded",
    "national_id_scientific",
    "unit_code_zero_padded",
    "file_ambiguous",
    "file_unsupported",
)
GUIDE = REPO_ROOT / "docs" / "huong-dan-don-vi.md"


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    write_templates(folder)
    return folder


def _path(folder: Path, name: str) -> Path:
    seed = seed_file(name)
    return folder / ("" if seed.folder == "submission" else "reference") / f"{name}.xlsx"


def _open(folder: Path, name: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(_path(folder, name))


def _dimension(sheet, position: int):
    """The settings of the whole column `position` (1-based); adjacent alike columns share one."""
    (dimension,) = [
        dimension
        for dimension in sheet.column_dimensions.values()
        if dimension.min is not None and dimension.min <= position <= dimension.max
    ]
    return dimension


def _column_format(sheet, position: int) -> str:
    """The number format of the whole column `position`, as Excel applies it to new cells."""
    return _dimension(sheet, position).number_format


def _validations(sheet) -> dict[str, object]:
    """{column letter: its data validation}; each covers rows 2 to the sheet's last."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        (cells,) = validation.sqref.ranges
        letter = get_column_letter(cells.min_col)
        assert str(cells) == f"{letter}2:{letter}1048576"
        found[letter] = validation
    return found


def test_write_templates_returns_one_workbook_per_seed_file(tmp_path):
    written = write_templates(tmp_path)
    assert sorted(path.relative_to(tmp_path).as_posix() for path in written) == sorted(
        [f"{seed.name}.xlsx" for seed in SUBMISSION_FILES]
        + [
            "reference/programs.xlsx",
            "reference/targets.xlsx",
            "reference/terms.xlsx",
            "reference/titles.xlsx",
            "reference/unit_successions.xlsx",
            "reference/units.xlsx",
        ]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["reference", *(f"{seed.name}.xlsx" for seed in SUBMISSION_FILES)]
    )


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda seed: seed.name)
def test_data_sheet_comes_first_with_the_declared_header(templates, seed):
    workbook = _open(templates, seed.name)
    assert workbook.sheetnames == [seed.name, "Hướng dẫn"]
    assert [sheet.sheet_state for sheet in workbook.worksheets] == ["visible", "visible"]
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(seed.column_names)
    assert sheet.max_row == 1
    assert sheet.freeze_panes == "A2"
    for cell, column in zip(sheet[1], seed.columns, strict=True):
        assert column.description in cell.comment.text
        assert ("Không bắt buộc" in cell.comment.text) is not column.required
        assert _dimension(sheet, cell.column).width >= len(column.name)


def test_cadres_header_is_the_contract_header(templates):
    sheet = _open(templates, "cadres").worksheets[0]
    assert [cell.value for cell in sheet[1]] == [
        "national_id",
        "unit_code",
        "full_name",
        "gender",
        "birth_date",
        "management_tier",
        "workplace_kind",
        "current_title_code",
        "valid_from",
        "valid_to",
    ]


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda seed: seed.name)
def test_id_and_code_columns_are_text_and_dates_are_dates(templates, seed):
    sheet = _open(templates, seed.name).worksheets[0]
    for position, column in enumerate(seed.columns, start=1):
        if column.kind in TEXT_KINDS or column.name == "unit_code":
            assert _column_format(sheet, position) == "@", column.name
        if column.kind == "date":
            assert _column_format(sheet, position) == "dd/mm/yyyy", column.name


def test_national_id_and_unit_code_of_cadres_are_text(templates):
    sheet = _open(templates, "cadres").worksheets[0]
    assert _column_format(sheet, 1) == "@"  # national_id
    assert _column_format(sheet, 2) == "@"  # unit_code
    assert _column_format(sheet, 5) == "dd/mm/yyyy"  # birth_date


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda seed: seed.name)
def test_drop_downs_list_exactly_the_declared_values(templates, seed):
    validations = _validations(_open(templates, seed.name).worksheets[0])
    for position, column in enumerate(seed.columns, start=1):
        letter = get_column_letter(position)
        if column.kind == "enum":
            assert validations[letter].type == "list"
            assert validations[letter].formula1 == '"' + ",".join(column.values) + '"'
        elif column.kind == "boolean":
            assert validations[letter].type == "list"
            assert validations[letter].formula1 == '"có,không"'
        elif column.kind in ("text", "code", "level", "national_id"):
            assert letter not in validations, column.name


def test_drop_downs_known_by_hand(templates):
    cadres = _validations(_open(templates, "cadres").worksheets[0])
    assert cadres["D"].formula1 == '"nam,nu"'  # gender
    assert cadres["F"].formula1 == '"btv_thanh_uy,btv_cap_huyen,chu_chot_cap_xa,khac"'
    assert cadres["G"].formula1 == '"phuong,thi_tran,xa,co_quan"'
    enrolments = _validations(_open(templates, "enrolments").worksheets[0])
    assert enrolments["G"].formula1 == '"có,không"'  # graduated
    # Ingest reads both words of the drop-down as booleans.
    assert "có" in TRUE_WORDS and "không" in FALSE_WORDS


def test_dates_and_integers_are_validated_within_the_contract(templates):
    cadres = _validations(_open(templates, "cadres").worksheets[0])
    birth_date = cadres["E"]
    assert (birth_date.type, birth_date.operator) == ("date", None)  # None: between
    # Excel's day numbers: 1 is 1900-01-01, 73415 is 2100-12-31.
    assert (birth_date.formula1, birth_date.formula2) == ("1", "73415")
    assert from_excel(int(birth_date.formula1)).date() == date.fromisoformat(DATE_MIN)
    assert from_excel(int(birth_date.formula2)).date() == date.fromisoformat(DATE_MAX)
    assert {"E", "I", "J"} <= set(cadres)
    classes = _validations(_open(templates, "classes").worksheets[0])
    planned = classes["F"]  # planned_sessions: minimum 1, no maximum
    assert (planned.type, planned.formula1, planned.formula2) == ("whole", "1", "2147483647")
    evaluations = _validations(_open(templates, "evaluations").worksheets[0])
    year = evaluations["C"]  # year: 1900 to 2100
    assert (year.type, year.formula1, year.formula2) == ("whole", "1900", "2100")
    targets = _validations(_open(templates, "targets").worksheets[0])
    threshold = targets["F"]  # a fraction in [0, 1]
    assert (threshold.type, threshold.formula1, threshold.formula2) == ("decimal", "0", "1")


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda seed: seed.name)
def test_instruction_sheet_is_second_and_lists_every_column(templates, seed):
    workbook = _open(templates, seed.name)
    assert workbook.sheetnames.index("Hướng dẫn") == 1
    rows = [row for row in workbook.worksheets[1].iter_rows(values_only=True) if any(row)]
    assert rows[0][0].startswith(f"Mẫu {seed.name}.xlsx: ")
    header = rows.index(("Cột", "Bắt buộc", "Kiểu", "Giá trị cho phép", "Mô tả"))
    listed = rows[header + 1 : header + 1 + len(seed.columns)]
    assert [row[0] for row in listed] == list(seed.column_names)
    assert [row[1] for row in listed] == [
        "bắt buộc" if column.required else "không bắt buộc" for column in seed.columns
    ]
    for row, column in zip(listed, seed.columns, strict=True):
        if column.kind == "enum":
            assert row[3] == ", ".join(column.values)
        assert row[4] == column.description
    text = "\n".join(str(cell) for row in rows for cell in row if cell)
    assert "Excel Workbook (*.xlsx)" in text and "CSV UTF-8" in text
    assert ("make check DIR=seeds/submissions/<mã đơn vị>" in text) is (seed.folder == "submission")


def test_instruction_rows_known_by_hand(templates):
    rows = list(_open(templates, "cadres").worksheets[1].iter_rows(values_only=True))
    assert ("gender", "bắt buộc", "danh mục (chọn trong danh sách)", "nam, nu", "gender") in rows
    assert (
        "valid_to",
        "không bắt buộc",
        "ngày (ngày/tháng/năm)",
        "từ 01/01/1900 đến 31/12/2100",
        "last day of the period; empty = the unit's last day (open when current)",
    ) in rows


def _fill(sheet, rows: list[tuple]) -> None:
    """Type `rows` from row 2 as Excel would: each new cell takes its column's format."""
    for row_number, values in enumerate(rows, start=2):
        for position, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=position, value=value)
            cell.number_format = _column_format(sheet, position)


FILLED = {
    "cadres": [
        (
            "001090012345",
            "003",
            "Nguyễn Văn An",
            "nam",
            date(1990, 5, 3),
            "btv_cap_huyen",
            "co_quan",
            "BT_QH",
            date(2020, 10, 1),
            None,
        ),
        (
            "001190012346",
            "003",
            "Đỗ Thị Bình",
            "nu",
            date(1991, 12, 24),
            "khac",
            "phuong",
            None,
            None,
            None,
        ),
    ],
    "classes": [
        ("003-2019-0001", "003", "LLCT_TC", date(2019, 12, 16), date(2020, 1, 20), 10, None),
        ("003-2019-0002", "003", "NQH_BCH", date(2019, 4, 3), date(2019, 6, 28), 8, "2020-2025"),
    ],
    "enrolments": [
        ("003-2019-0001", "001090012345", "003", 9, 1, "kha", "có"),
        ("003-2019-0001", "001190012346", "003", 10, 0, "gioi", "không"),
    ],
}


def _rows(path: Path, query: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{path}')")
    return con.execute(query).fetchall()


def test_a_template_filled_in_by_hand_loads_with_no_rejection(
    tmp_path, templates, copy_fixture, warehouse_env
):
    seeds = copy_fixture("tiny")
    unit = seeds / "submissions" / "003"
    shutil.rmtree(unit)
    unit.mkdir()
    for seed in SUBMISSION_FILES:
        target = unit / f"{seed.name}.xlsx"
        shutil.copyfile(_path(templates, seed.name), target)
        if seed.name in FILLED:
            workbook = openpyxl.load_workbook(target)
            _fill(workbook.worksheets[0], FILLED[seed.name])
            workbook.save(target)
    settings = warehouse_env(seeds)

    results = {result.seed.name: result for result in ingest_all(settings)}

    for seed in SUBMISSION_FILES:
        (outcome,) = results[seed.name].outcomes
        assert (outcome.unit_code, outcome.status, outcome.message) == ("003", "accepted", "")
        expected = len(FILLED.get(seed.name, []))
        assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (
            expected,
            expected,
            0,
        ), seed.name
    raw = settings.raw_dir
    assert _rows(
        raw / "cadres" / "003.parquet",
        "SELECT national_id, unit_code, full_name, gender, birth_date::VARCHAR, "
        "management_tier, workplace_kind, current_title_code, valid_from::VARCHAR, "
        "valid_to::VARCHAR, source_line FROM t ORDER BY source_line",
    ) == [
        (
            "001090012345",
            "003",
            "Nguyễn Văn An",
            "nam",
            "1990-05-03",
            "btv_cap_huyen",
            "co_quan",
            "BT_QH",
            "2020-10-01",
            None,
            2,
        ),
        # An empty valid_from takes the unit's first day (units.csv: 003 from 2008-08-01).
        (
            "001190012346",
            "003",
            "Đỗ Thị Bình",
            "nu",
            "1991-12-24",
            "khac",
            "phuong",
            None,
            "2008-08-01",
            None,
            3,
        ),
    ]
    assert _rows(
        raw / "classes" / "003.parquet",
        "SELECT class_code, unit_code, program_code, start_date::VARCHAR, end_date::VARCHAR, "
        "planned_sessions, target_term_code, source_line FROM t ORDER BY source_line",
    ) == [
        ("003-2019-0001", "003", "LLCT_TC", "2019-12-16", "2020-01-20", 10, None, 2),
        ("003-2019-0002", "003", "NQH_BCH", "2019-04-03", "2019-06-28", 8, "2020-2025", 3),
    ]
    assert _rows(
        raw / "enrolments" / "003.parquet",
        "SELECT class_code, national_id, unit_code, sessions_attended, unexcused_absences, "
        "result, graduated, source_line FROM t ORDER BY source_line",
    ) == [
        ("003-2019-0001", "001090012345", "003", 9, 1, "kha", True, 2),
        ("003-2019-0001", "001190012346", "003", 10, 0, "gioi", False, 3),
    ]
    # Text-formatted IDs kept their zeros: nothing was padded or otherwise warned about.
    for warnings in settings.warnings_dir.glob("*.parquet"):
        assert _rows(warnings, "SELECT * FROM t WHERE unit_code = '003'") == [], warnings.name


def _guide_rule_codes() -> list[str]:
    """The codes in the first cell of the guide's rule table rows."""
    text = GUIDE.read_text(encoding="utf-8")
    return re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.MULTILINE)


def test_units_guide_explains_every_rule():
    listed = _guide_rule_codes()
    declared = [rule.code for rule in RULES + FILE_RULES + WARNINGS]
    assert len(listed) == len(set(listed))
    assert set(declared) <= set(listed), sorted(set(declared) - set(listed))
    assert set(EXCEL_RULES) <= set(listed)
    # No stale row: every code in the table is a rule of schemas/rules.py or the contract.
    assert set(listed) <= set(declared) | set(EXCEL_RULES)
    # The page says its row rules come in the order that decides which one a row counts under.
    row_rules = [rule.code for rule in RULES]
    assert [code for code in listed if code in row_rules] == row_rules


def test_units_guide_is_linked_from_the_readme():
    assert "(docs/huong-dan-don-vi.md)" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
