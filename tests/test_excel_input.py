"""What Excel writes, loaded: workbooks, `;` and tab CSVs, UTF-16, damaged codes.

Each case starts from tests/fixtures/quality/valid, replaces one file by what Excel would
have written, runs the whole ingest and asserts the exact accepted values, the rejected
lines and rules, the warnings, and read = accepted + rejected.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from orchestration.ingest.loader import ingest_all
from orchestration.quality.feedback_files import write_unit_feedback
from schemas.rules import message_for
from tests.conftest import AS_OF_DATE, FIXTURES, MARTS_KEY, build_fixture_marts
from tests.excel_files import csv_to_semicolons, csv_to_unicode_text, csv_to_workbook

VALID = FIXTURES / "quality" / "valid"
CADRES_HEADER = [
    "national_id",
    "unit_code",
    "full_name",
    "gender",
    "birth_date",
    "management_tier",
    "workplace_kind",
    "current_title_code",
]


def _query(sql: str) -> list[tuple]:
    return duckdb.connect().execute(sql).fetchall()


def _rejects(settings, file: str) -> list[tuple]:
    path = settings.rejects_dir / f"{file}.parquet"
    return _query(
        f"SELECT unit_code, line, \"column\", rule FROM read_parquet('{path}') ORDER BY ALL"
    )


def _warnings(settings, file: str) -> list[tuple]:
    path = settings.warnings_dir / f"{file}.parquet"
    return _query(
        f"SELECT unit_code, line, \"column\", rule, message FROM read_parquet('{path}') "
        "ORDER BY ALL"
    )


def _outcome(results, file: str, unit: str):
    return next(
        o for r in results if r.seed.name == file for o in r.outcomes if o.unit_code == unit
    )


def _counts(outcome) -> tuple[int, int, int]:
    assert outcome.rows_read == outcome.rows_accepted + outcome.rows_rejected
    return outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected


def _write_cadres_workbook(path: Path) -> None:
    """Tây Hồ's cadres as a clerk's workbook: a hidden notes sheet first, numeric IDs and
    unit codes, date cells, a text date that does not exist, a formula and its error."""
    book = xlsxwriter.Workbook(str(path))
    notes = book.add_worksheet("ghi_chu")
    notes.write(0, 0, "national_id")
    sheet = book.add_worksheet("cadres")
    sheet.activate()
    notes.hide()
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, CADRES_HEADER)
    # Row 2: a Hà Nội ID and the unit code typed into numeric cells (zeros lost).
    sheet.write_number(1, 0, 1080000001)
    sheet.write_number(1, 1, 3)
    sheet.write_row(1, 2, ["Nguyễn Văn An", "nam"])
    sheet.write_datetime(1, 4, dt.datetime(1980, 3, 5), date)
    sheet.write_row(1, 5, ["khac", "co_quan"])
    # Row 3 is empty: skipped, not counted. Row 4: a text date that does not exist.
    sheet.write_row(3, 0, ["001090000099", "003", "Trịnh Văn Mới", "nam", "30/02/2024"])
    sheet.write_row(3, 5, ["khac", "co_quan"])
    # Row 5: a date-time cell gives its date.
    sheet.write_row(4, 0, ["001180000002", "003", "Đỗ Thị Bình", "nu"])
    sheet.write_datetime(4, 4, dt.datetime(1981, 12, 24, 8, 30), stamp)
    sheet.write_row(4, 5, ["chu_chot_cap_xa", "phuong"])
    # Row 6: a formula's cached value is read.
    sheet.write_string(5, 0, "001075000003")
    sheet.write_string(5, 1, "003")
    sheet.write_formula(5, 2, '="Lê Văn "&"Cường"', None, "Lê Văn Cường")
    sheet.write_row(5, 3, ["nam", "1975-02-01", "btv_thanh_uy", "co_quan", "BT_QH"])
    # Row 7: an ID Excel wrote in scientific notation; row 8: a 9-digit identity card.
    sheet.write_row(6, 0, ["1,08E+11", "003", "Trần Văn Giáp", "nam", "1980-01-01"])
    sheet.write_row(6, 5, ["khac", "co_quan"])
    sheet.write_number(7, 0, 123456789)
    sheet.write_row(7, 1, ["003", "Trần Văn Giáp", "nam", "1980-01-01", "khac", "co_quan"])
    # Row 9: a formula whose cached value is an error.
    sheet.write_row(8, 0, ["001070000010", "003", "Phan Văn Lỗi", "nam", "1970-01-01"])
    sheet.write_row(8, 5, ["khac", "co_quan"])
    sheet.write_formula(8, 7, '=VLOOKUP("x",A1:A2,2,FALSE)', None, "#N/A")
    book.close()


def test_workbook_rows_are_read_cleaned_and_checked_like_csv(valid_seeds):
    root, settings = valid_seeds
    (root / "submissions/003/cadres.csv").unlink()
    _write_cadres_workbook(root / "submissions/003/cadres.xlsx")
    results = ingest_all(settings)

    outcome = _outcome(results, "cadres", "003")
    assert (_counts(outcome), outcome.source_file) == ((7, 3, 4), "cadres.xlsx")
    assert _query(
        f"SELECT unit_code, source_file FROM read_parquet('{settings.status_dir}/cadres.parquet') "
        "ORDER BY unit_code"
    ) == [
        ("00004", "cadres.csv"),
        ("00008", "cadres.csv"),
        ("003", "cadres.xlsx"),
        ("273", "cadres.csv"),
    ]
    slice_path = settings.raw_dir / "cadres" / "003.parquet"
    assert _query(
        "SELECT source_line, national_id, unit_code, full_name, birth_date, management_tier "
        f"FROM read_parquet('{slice_path}') ORDER BY source_line"
    ) == [
        (2, "001080000001", "003", "Nguyễn Văn An", dt.date(1980, 3, 5), "khac"),
        (5, "001180000002", "003", "Đỗ Thị Bình", dt.date(1981, 12, 24), "chu_chot_cap_xa"),
        (6, "001075000003", "003", "Lê Văn Cường", dt.date(1975, 2, 1), "btv_thanh_uy"),
    ]
    assert _rejects(settings, "cadres") == [
        ("003", 4, "birth_date", "invalid_date"),
        ("003", 7, "national_id", "national_id_scientific"),
        ("003", 8, "national_id", "invalid_national_id"),
        ("003", 9, "current_title_code", "invalid_code"),
    ]
    assert _warnings(settings, "cadres") == [
        (
            "003",
            2,
            "national_id",
            "national_id_zero_padded",
            message_for("national_id_zero_padded", "national_id"),
        ),
        (
            "003",
            2,
            "unit_code",
            "unit_code_zero_padded",
            message_for("unit_code_zero_padded", "unit_code"),
        ),
    ]


def test_feedback_names_the_workbook_the_unit_saved(valid_seeds):
    root, settings = valid_seeds
    (root / "submissions/003/cadres.csv").unlink()
    _write_cadres_workbook(root / "submissions/003/cadres.xlsx")
    ingest_all(settings)
    write_unit_feedback(settings)

    with (settings.warehouse_dir / "feedback" / "003.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))[1:]
    assert [(file, line, rule) for file, line, _, rule, *_ in rows] == [
        ("cadres.xlsx", "2", "national_id_zero_padded"),
        ("cadres.xlsx", "2", "unit_code_zero_padded"),
        ("cadres.xlsx", "4", "invalid_date"),
        ("cadres.xlsx", "7", "national_id_scientific"),
        ("cadres.xlsx", "8", "invalid_national_id"),
        ("cadres.xlsx", "9", "invalid_code"),
    ]


def test_semicolon_csv_with_a_sep_line_and_decimal_commas(valid_seeds):
    root, settings = valid_seeds
    targets = root / "reference/targets.csv"
    csv_to_semicolons(targets, targets)
    classes = root / "submissions/273/classes.csv"
    classes.write_text(
        "sep=;\r\n"
        "class_code;unit_code;program_code;start_date;end_date;planned_sessions;target_term_code\r\n"
        "273-2018-0001;273;NN_TA;1/9/2018;1/12/2018;20;\r\n"
        "273-2018-0002;273;NN_TA;1/9/2018;1/12/2018;12,0;\r\n",
        encoding="utf-8",
    )
    results = ingest_all(settings)

    assert _query(
        "SELECT target_code, threshold FROM read_parquet("
        f"'{settings.raw_dir}/targets/reference.parquet') ORDER BY target_code"
    ) == [("T1", 0.35), ("T5", 0.8)]
    assert _counts(_outcome(results, "targets", "reference")) == (2, 2, 0)
    # Line 1 is `sep=;`, the header line 2: the bad integer is on line 4.
    assert _counts(_outcome(results, "classes", "273")) == (2, 1, 1)
    assert _rejects(settings, "classes") == [("273", 4, "planned_sessions", "invalid_integer")]
    assert _query(
        f"SELECT source_line, class_code, start_date, planned_sessions FROM read_parquet("
        f"'{settings.raw_dir}/classes/273.parquet')"
    ) == [(3, "273-2018-0001", dt.date(2018, 9, 1), 20)]


def test_unicode_text_is_tab_separated_utf16(valid_seeds):
    root, settings = valid_seeds
    path = root / "submissions/273/evaluations.csv"
    path.write_text(
        "national_id,unit_code,year,rating\n001180000004,273,2019,ht\n001085000005,273,2019,gioi\n",
        encoding="utf-8",
    )
    csv_to_unicode_text(path, path)
    assert path.read_bytes()[:2] == b"\xff\xfe"
    results = ingest_all(settings)

    assert _counts(_outcome(results, "evaluations", "273")) == (2, 1, 1)
    assert _rejects(settings, "evaluations") == [("273", 3, "rating", "invalid_enum")]
    assert _query(
        f"SELECT national_id, year, rating FROM read_parquet('{settings.raw_dir}/evaluations/"
        "273.parquet')"
    ) == [("001180000004", 2019, "ht")]


@pytest.mark.parametrize(
    ("write", "rule", "detail"),
    [
        (
            lambda p: p.write_text("national_id,unit_code,year,rating\n", encoding="utf-8"),
            "file_unparseable",
            None,
        ),
        (
            lambda p: xlsxwriter.Workbook(str(p)).close(),
            "file_missing_column",
            "national_id, unit_code, year, rating",
        ),
    ],
    ids=["renamed-text", "empty-workbook"],
)
def test_a_workbook_that_cannot_be_read_is_refused_whole(valid_seeds, write, rule, detail):
    root, settings = valid_seeds
    (root / "submissions/273/evaluations.csv").unlink()
    write(root / "submissions/273/evaluations.xlsx")
    results = ingest_all(settings)

    outcome = _outcome(results, "evaluations", "273")
    assert (outcome.status, outcome.rule, _counts(outcome)) == ("rejected_whole", rule, (0, 0, 0))
    prefix = "submissions/273/evaluations.xlsx: "
    if detail is None:
        assert outcome.message.startswith(prefix + message_for(rule, ""))
    else:
        assert outcome.message == prefix + message_for(rule, detail)
    assert _rejects(settings, "evaluations") == []


def test_ids_of_ten_or_eleven_digits_are_padded_only_with_a_province_code(valid_seeds):
    root, settings = valid_seeds
    (root / "submissions/273/evaluations.csv").write_text(
        "national_id,unit_code,year,rating\n"
        "1180000004,273,2019,ht\n"  # 10 digits: 001180000004 (Hà Nội)
        "96085000005,273,2019,ht\n"  # 11 digits: 096085000005 (Cà Mau)
        "97085000005,273,2020,ht\n"  # 11 digits: 097... is no province
        "180000004,273,2021,ht\n",  # 9 digits: an identity card number
        encoding="utf-8",
    )
    results = ingest_all(settings)

    assert _counts(_outcome(results, "evaluations", "273")) == (4, 2, 2)
    assert _rejects(settings, "evaluations") == [
        ("273", 4, "national_id", "invalid_national_id"),
        ("273", 5, "national_id", "invalid_national_id"),
    ]
    assert [w[:4] for w in _warnings(settings, "evaluations")] == [
        ("273", 2, "national_id", "national_id_zero_padded"),
        ("273", 3, "national_id", "national_id_zero_padded"),
    ]
    assert _query(
        f"SELECT national_id FROM read_parquet('{settings.raw_dir}/evaluations/273.parquet') "
        "ORDER BY source_line"
    ) == [("001180000004",), ("096085000005",)]


def _as_excel_exports(seeds: Path) -> None:
    """Every unit's files as one of Excel's exports; the reference targets as `;` CSV."""
    exports = (csv_to_workbook, csv_to_semicolons, csv_to_unicode_text)
    units = sorted(p for p in (seeds / "submissions").iterdir() if p.is_dir())
    for number, unit in enumerate(units):
        export = exports[number % len(exports)]
        for path in sorted(unit.glob("*.csv")):
            if export is csv_to_workbook:
                export(path, path.with_suffix(".xlsx"))
                path.unlink()
            else:
                export(path, path)
    csv_to_semicolons(seeds / "reference/targets.csv", seeds / "reference/targets.csv")


def test_marts_from_excel_exports_equal_those_from_clean_csv(tmp_path, marts_fixture_build):
    clean = marts_fixture_build
    excel = build_fixture_marts(
        "marts", tmp_path / "excel", AS_OF_DATE, MARTS_KEY, prepare=_as_excel_exports
    )
    tables = [
        name
        for (name,) in clean.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
            "ORDER BY 1"
        ).fetchall()
    ]
    assert len(tables) >= 12
    for table in tables:
        left = clean.execute(f"SELECT * FROM marts.{table} ORDER BY ALL").fetchall()
        right = excel.execute(f"SELECT * FROM marts.{table} ORDER BY ALL").fetchall()
        assert left == right, table
    # The workbooks' numeric IDs were padded back, each with a warning.
    assert (
        excel.execute(
            "SELECT count(*) FROM quality.warnings WHERE rule = 'national_id_zero_padded'"
        ).fetchone()[0]
        > 0
    )
    assert clean.execute("SELECT sum(rows_rejected) FROM quality.submission_files").fetchone() == (
        excel.execute("SELECT sum(rows_rejected) FROM quality.submission_files").fetchone()
    )


def test_unicode_text_saved_as_txt_is_refused_not_taken_for_absent(valid_seeds):
    root, settings = valid_seeds
    csv_path = root / "submissions/273/evaluations.csv"
    csv_to_unicode_text(csv_path, root / "submissions/273/evaluations.txt")
    csv_path.unlink()
    results = ingest_all(settings)

    outcome = _outcome(results, "evaluations", "273")
    assert (outcome.status, outcome.rule, outcome.message) == (
        "rejected_whole",
        "file_unsupported",
        "submissions/273/evaluations.txt: " + message_for("file_unsupported", "evaluations.txt"),
    )
    assert outcome.source_file == "evaluations.txt"
