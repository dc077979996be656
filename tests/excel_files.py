"""Seed files as Excel writes them, made from clean CSV text for the tests.

`csv_to_workbook` saves what a clerk gets by opening a CSV in Excel and saving it as a
workbook: digits-only values become numbers (IDs lose their leading zeros) and ISO dates
become date cells. The other writers give Excel's other exports of the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import xlsxwriter

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def csv_to_workbook(path: Path, target: Path) -> None:
    """`path`'s rows as a workbook at `target`, cells typed the way Excel guesses them."""
    rows = csv_rows(path)
    book = xlsxwriter.Workbook(str(target))
    sheet = book.add_worksheet(path.stem)
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if r > 0 and value.isdigit():
                sheet.write_number(r, c, int(value))
            elif r > 0 and _ISO_DATE.fullmatch(value):
                sheet.write_datetime(r, c, dt.datetime.fromisoformat(value), dates)
            elif value:
                sheet.write_string(r, c, value)
    book.close()


def csv_to_semicolons(path: Path, target: Path, sep_line: bool = False) -> None:
    """Excel's "CSV" in a Vietnamese locale: `;` between values, a decimal comma."""
    out = io.StringIO()
    if sep_line:
        out.write("sep=;\r\n")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for r, row in enumerate(csv_rows(path)):
        writer.writerow([_decimal_comma(v) if r else v for v in row])
    target.write_text(out.getvalue(), encoding="utf-8")


def csv_to_unicode_text(path: Path, target: Path) -> None:
    """Excel's "Unicode Text": tab-separated UTF-16 with a byte-order mark."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(csv_rows(path))
    target.write_bytes(out.getvalue().encode("utf-16"))


def _decimal_comma(value: str) -> str:
    return value.replace(".", ",") if re.fullmatch(r"\d+\.\d+", value) else value
