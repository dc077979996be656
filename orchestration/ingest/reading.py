"""Read one unit's CSV as text into the load's `src` and `malformed` tables, physical lines kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

from orchestration.ingest.outcomes import WholeFileRejection
from schemas import sql
from schemas.contract import SeedFile

CSV_OPTIONS = (
    "header = false, skip = 1, auto_detect = false, delim = ',', quote = '\"', "
    "escape = '\"', store_rejects = true, rejects_table = 'csv_rejects', "
    "rejects_scan = 'csv_scans'"
)


def create_source_tables(con: duckdb.DuckDBPyConnection, seed: SeedFile) -> None:
    """`src` (every parsed row as text, with its unit, position and line) and `malformed`."""
    column_defs = ", ".join(f"{sql.quote_ident(c.name)} VARCHAR" for c in seed.columns)
    con.execute(f"CREATE TEMP TABLE src (_unit VARCHAR, _pos BIGINT, _line BIGINT, {column_defs})")
    con.execute(
        "CREATE TEMP TABLE malformed (_unit VARCHAR, _line BIGINT, csv_line VARCHAR, error VARCHAR)"
    )


def legacy_encoding_hint(path: Path) -> str:
    sample = path.read_bytes()[: 1 << 20]
    try:
        sample.decode("cp1258")
    except UnicodeDecodeError:
        return ""
    return " (có vẻ là Windows-1258)"


def read_header(path: Path, seed: SeedFile) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline(1 << 16)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WholeFileRejection("file_not_utf8", legacy_encoding_hint(path)) from None
    try:
        header = next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as error:
        raise WholeFileRejection("file_unparseable", str(error)) from None
    names = [name.strip().lower() for name in header]
    if len(set(names)) != len(names):
        raise WholeFileRejection("file_unparseable", "tiêu đề có cột trùng tên")
    missing = [c.name for c in seed.columns if c.required and c.name not in names]
    if missing:
        raise WholeFileRejection("file_missing_column", ", ".join(missing))
    return names


def read_unit_file(con: duckdb.DuckDBPyConnection, path: Path, seed: SeedFile, unit: str) -> None:
    """Append the file's rows to temp tables `src` (parsed) and `malformed` (CSV errors)."""
    header = read_header(path, seed)
    columns = "{" + ", ".join(f"{sql.literal(name)}: 'VARCHAR'" for name in header) + "}"
    present = set(header)
    projected = ", ".join(
        sql.quote_ident(c.name) if c.name in present else f"NULL AS {sql.quote_ident(c.name)}"
        for c in seed.columns
    )
    contract_columns = [sql.quote_ident(c.name) for c in seed.columns if c.name in present]
    # Newlines inside quoted values make a record span several physical lines.
    newlines = (
        "length(concat_ws('', " + ", ".join(contract_columns) + ")) - "
        "length(replace(concat_ws('', " + ", ".join(contract_columns) + "), chr(10), ''))"
    )
    con.execute("DROP TABLE IF EXISTS csv_rejects; DROP TABLE IF EXISTS csv_scans")
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE unit_src AS
            SELECT row_number() OVER () AS _pos, {projected}, {newlines} AS _nl
            FROM read_csv({sql.literal(str(path))}, columns = {columns}, {CSV_OPTIONS})
            """
        )
    except duckdb.Error as error:
        text = str(error)
        if "unicode" in text.lower() or "utf-8" in text.lower():
            raise WholeFileRejection("file_not_utf8", legacy_encoding_hint(path)) from None
        raise WholeFileRejection("file_unparseable", text.splitlines()[0][:300]) from None
    # DuckDB numbers records, not physical lines: map both onto physical lines, the header
    # being line 1 (CONTRACT.md §2). A CSV error row is taken to span one line.
    if con.execute(
        "SELECT count(*) FROM csv_rejects WHERE error_type = 'INVALID ENCODING'"
    ).fetchone()[0]:
        # DuckDB rejects undecodable rows one by one; a file in another encoding is refused
        # whole instead, so it never loads half-garbled (CONTRACT.md §2).
        raise WholeFileRejection("file_not_utf8", legacy_encoding_hint(path))
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE unit_errors AS
        SELECT line AS record, row_number() OVER (ORDER BY line) AS nth,
               any_value(csv_line) AS csv_line, string_agg(error_message, '; ') AS error
        FROM csv_rejects GROUP BY line
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE unit_src AS
        WITH numbered AS (
            SELECT s.*, s._pos + 1 + (
                SELECT count(*) FROM unit_errors e WHERE e.record - e.nth + 1 <= s._pos + 1
            ) AS _record
            FROM unit_src s
        )
        SELECT *, _record + coalesce(sum(_nl) OVER (
            ORDER BY _pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS _line
        FROM numbered
        """
    )
    con.execute(
        f"""
        INSERT INTO malformed
        SELECT {sql.literal(unit)}, e.record + coalesce((
            SELECT sum(s._nl) FROM unit_src s WHERE s._record < e.record), 0),
            e.csv_line, e.error
        FROM unit_errors e
        """
    )
    names = ", ".join(sql.quote_ident(c.name) for c in seed.columns)
    con.execute(f"INSERT INTO src SELECT {sql.literal(unit)}, _pos, _line, {names} FROM unit_src")
