"""Read a unit's `.xlsx` workbook into the load's `src` table, as CSV rows would arrive.

python-calamine (Rust's calamine) reads the cells, chosen over openpyxl's read-only mode
by measurement (`python -m bench.readers`, docs/benchmark.md). The first visible worksheet
holds the data, its row 1 the header; line numbers are sheet row numbers and empty rows
are skipped (CONTRACT.md §2). Every cell becomes the text a CSV would hold, so the rules
of schemas/ judge both the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import duckdb
import pyarrow as pa
import python_calamine as calamine

from orchestration.ingest.files import insert_rows
from orchestration.ingest.header import header_names
from orchestration.ingest.outcomes import WholeFileRejection
from schemas import sql
from schemas.contract import SeedFile

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A cell of type `e` (error), with its reference, an optional formula and the cached value.
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*?t="e"[^>]*>(?:<f[^>]*(?:/>|>.*?</f>))?<v>([^<]*)</v>'
)


def read_workbook(con: duckdb.DuckDBPyConnection, path: Path, seed: SeedFile, unit: str) -> None:
    """Append the data rows of the workbook's first visible worksheet to `src`."""
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        visible = [
            index
            for index, sheet in enumerate(book.sheets_metadata)
            if sheet.visible == calamine.SheetVisibleEnum.Visible
            and sheet.typ == calamine.SheetTypeEnum.WorkSheet
        ]
        if not visible:
            raise WholeFileRejection("file_unparseable", "sổ tính không có trang tính hiển thị")
        rows = book.get_sheet_by_index(visible[0]).to_python(skip_empty_area=False)
        errors = _error_cells(path, visible[0])
    except calamine.CalamineError as error:
        raise WholeFileRejection("file_unparseable", _first_line(error)) from None
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError) as error:
        raise WholeFileRejection("file_unparseable", _first_line(error)) from None
    header = [cell_text(cell) or "" for cell in rows[0]] if rows else []
    while header and not header[-1]:
        header.pop()
    names = header_names(header, seed)
    positions = {name: index for index, name in enumerate(names)}
    columns: dict[str, list] = {c.name: [] for c in seed.columns}
    lines: list[int] = []
    malformed: list[tuple] = []
    for index, row in enumerate(rows[1:], start=1):
        texts = [cell_text(cell) for cell in row]
        for column, value in errors.get(index, {}).items():
            if column < len(texts):
                texts[column] = value
        if all(text is None for text in texts):
            continue  # an empty row is skipped and not counted
        if any(text is not None for text in texts[len(names) :]):
            malformed.append((index + 1, "giá trị ở cột không có tiêu đề"))
            continue
        lines.append(index + 1)
        texts += [None] * (len(names) - len(texts))
        for name, values in columns.items():
            position = positions.get(name)
            values.append(None if position is None else texts[position])
    _append(con, seed, unit, lines, columns, malformed)


def cell_text(cell: object) -> str | None:
    """The text a cell stands for: a whole number without decimals, a date as ISO text,
    a date-time as its date, a boolean as true/false; None for an empty cell."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        # Shortest decimal that reads back as the same number, written with '.'.
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell)


def _error_cells(path: Path, sheet_index: int) -> dict[int, dict[int, str]]:
    """Cells holding an error value (`#N/A`, `#VALUE!`), by 0-based row and column.

    python-calamine returns an error cell as an empty string, which would read as an
    empty value; the contract makes it a bad value, so the sheet's XML is searched for
    cells of type `e` (only when the sheet holds one) and their text put back.
    """
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet_index)
        data = archive.read(part)
    if b't="e"' not in data:
        return {}
    found: dict[int, dict[int, str]] = {}
    for letters, number, value in _ERROR_CELL.findall(data):
        row, column = int(number) - 1, _column_index(letters.decode())
        found.setdefault(row, {})[column] = value.decode() or "#ERROR"
    return found


def _sheet_part(archive: zipfile.ZipFile, sheet_index: int) -> str:
    """The zip member of the workbook's `sheet_index`-th sheet (workbook order)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = book.find(f"{_MAIN}sheets")
    relationship = list(sheets)[sheet_index].get(_RELATIONSHIP)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for entry in rels.iter(f"{_PACKAGE_RELS}Relationship"):
        if entry.get("Id") == relationship:
            target = entry.get("Target")
            if target.startswith("/"):
                return target.lstrip("/")
            return str(PurePosixPath("xl") / target)
    raise KeyError(relationship)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:300]


def _append(
    con: duckdb.DuckDBPyConnection,
    seed: SeedFile,
    unit: str,
    lines: list[int],
    columns: dict[str, list],
    malformed: list[tuple],
) -> None:
    table = pa.table(
        {
            "_unit": pa.array([unit] * len(lines), pa.string()),
            "_pos": pa.array(range(1, len(lines) + 1), pa.int64()),
            "_line": pa.array(lines, pa.int64()),
            **{name: pa.array(values, pa.string()) for name, values in columns.items()},
        }
    )
    con.register("workbook_rows", table)
    names = ", ".join(sql.quote_ident(c.name) for c in seed.columns)
    con.execute(f"INSERT INTO src SELECT _unit, _pos, _line, {names} FROM workbook_rows")
    con.unregister("workbook_rows")
    if malformed:
        insert_rows(con, "malformed", [(unit, line, None, error) for line, error in malformed])
