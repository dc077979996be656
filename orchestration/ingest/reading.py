"""Read units' files as text into the load's `src` and `malformed` tables, lines kept.

A seed file is a CSV (comma, semicolon or tab; UTF-8 or UTF-16 with a BOM) or an Excel
workbook (orchestration/ingest/workbook.py); either way every value arrives as text with
its physical line, and the same rules of schemas/ judge it (CONTRACT.md §2).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.ingest.dialect import Dialect, legacy_encoding_hint, read_dialect
from orchestration.ingest.files import insert_rows, submission_files
from orchestration.ingest.outcomes import WholeFileRejection
from orchestration.ingest.workbook import read_workbook
from schemas import sql
from schemas.contract import SeedFile

_CSV_OPTIONS = (
    "header = false, auto_detect = false, quote = '\"', escape = '\"', "
    "store_rejects = true, rejects_table = 'csv_rejects', rejects_scan = 'csv_scans'"
)
# A fraction written with a decimal comma (`0,35`), which `;` and tab files may use.
_DECIMAL_COMMA = r"^(\s*[+-]?\d*),(\d+\s*)$"


def create_source_tables(con: duckdb.DuckDBPyConnection, seed: SeedFile) -> None:
    """`src` (every parsed row as text, with its unit, position and line) and `malformed`."""
    column_defs = ", ".join(f"{sql.quote_ident(c.name)} VARCHAR" for c in seed.columns)
    con.execute(f"CREATE TEMP TABLE src (_unit VARCHAR, _pos BIGINT, _line BIGINT, {column_defs})")
    con.execute(
        "CREATE TEMP TABLE malformed (_unit VARCHAR, _line BIGINT, csv_line VARCHAR, error VARCHAR)"
    )


def read_unit_file(con: duckdb.DuckDBPyConnection, path: Path, seed: SeedFile, unit: str) -> None:
    """Append the rows of a unit's `path` to temp tables `src` (parsed) and `malformed`."""
    dialect = _file_dialect(path, seed)
    if dialect is None:
        read_workbook(con, path, seed, unit)
    else:
        read_csv_file(con, path, seed, unit, dialect)


def read_unit_files(
    con: duckdb.DuckDBPyConnection, paths: dict[str, Path], seed: SeedFile
) -> dict[str, WholeFileRejection]:
    """Append the rows of every unit's file ({unit: path}) to `src` and `malformed`, as
    `read_unit_file` would one by one; returns the units whose file is rejected whole.

    CSVs written alike (encoding, delimiter, `sep=` line, header) are read by one
    `read_csv` over all of them: a scan per file costs more than its rows at a unit's
    size. A file of such a batch with a malformed record or a newline inside a value,
    and every file of a batch DuckDB cannot read whole, is read again on its own, where
    its lines are mapped and its errors named.
    """
    rejected: dict[str, WholeFileRejection] = {}
    batches: dict[tuple, list[tuple[str, Path]]] = {}
    for unit, path in paths.items():
        try:
            dialect = _file_dialect(path, seed)
            if dialect is None:
                read_workbook(con, path, seed, unit)
                continue
        except WholeFileRejection as rejection:
            rejected[unit] = rejection
            continue
        key = (dialect.encoding, dialect.delimiter, dialect.preamble, tuple(dialect.header))
        batches.setdefault(key, []).append((unit, path))
    for (encoding, delimiter, preamble, header), members in batches.items():
        dialect = Dialect(encoding, delimiter, preamble, list(header))
        alone = members if len(members) == 1 else _read_batch(con, seed, dialect, members)
        for unit, path in alone:
            try:
                read_csv_file(con, path, seed, unit, dialect)
            except WholeFileRejection as rejection:
                rejected[unit] = rejection
    return rejected


def _file_dialect(path: Path, seed: SeedFile) -> Dialect | None:
    """The rules on the file as a whole; a CSV's dialect, None for a workbook."""
    versions = submission_files(path.parent, seed)
    if len(versions) > 1:
        raise WholeFileRejection("file_ambiguous", ", ".join(p.name for p in versions))
    if path.suffix not in (".csv", ".xlsx"):
        raise WholeFileRejection("file_unsupported", path.name)
    if path.stat().st_size == 0:
        raise WholeFileRejection("file_empty")
    return None if path.suffix == ".xlsx" else read_dialect(path, seed)


def _scan_select(seed: SeedFile, dialect: Dialect, files: str, numbered: bool = True) -> str:
    """Every record of `files` (a path or a list of paths written alike) as text, with its
    file; `numbered`: also its position in the scan and the newlines inside its values
    (`_nl`)."""
    header = dialect.header
    columns = "{" + ", ".join(f"{sql.literal(name)}: 'VARCHAR'" for name in header) + "}"
    present = set(header)

    def projected(name: str) -> str:
        column = sql.quote_ident(name)
        if name not in present:
            return f"NULL AS {column}"
        if dialect.delimiter != "," and seed.column(name).kind == "fraction":
            return f"regexp_replace({column}, {sql.literal(_DECIMAL_COMMA)}, '\\1.\\2') AS {column}"
        return column

    contract_columns = [sql.quote_ident(c.name) for c in seed.columns if c.name in present]
    # Newlines inside quoted values make a record span several physical lines.
    joined = "concat_ws('', " + ", ".join(contract_columns) + ")"
    newlines = f"length({joined}) - length(replace({joined}, chr(10), ''))"
    options = (
        f"{_CSV_OPTIONS}, skip = {1 + dialect.preamble}, delim = {sql.literal(dialect.delimiter)}, "
        f"encoding = {sql.literal(dialect.encoding)}, filename = true"
    )
    numbering = f"row_number() OVER () AS _pos, {newlines} AS _nl, " if numbered else ""
    return (
        f"SELECT filename AS _file, {numbering}"
        f"{', '.join(projected(c.name) for c in seed.columns)} "
        f"FROM read_csv({files}, columns = {columns}, {options})"
    )


def _read_batch(
    con: duckdb.DuckDBPyConnection,
    seed: SeedFile,
    dialect: Dialect,
    members: list[tuple[str, Path]],
) -> list[tuple[str, Path]]:
    """Read `members` ({unit, path} pairs written alike) in one scan into `src`; returns
    the members left to read alone."""
    con.execute("DROP TABLE IF EXISTS csv_rejects; DROP TABLE IF EXISTS csv_scans")
    files = "[" + ", ".join(sql.literal(str(path)) for _, path in members) + "]"
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE batch_src AS "
            + _scan_select(seed, dialect, files, numbered=False)
        )
    except duckdb.Error:
        return members  # each file alone says which one fails, and how
    present = [sql.quote_ident(c.name) for c in seed.columns if c.name in dialect.header]
    newline = " OR ".join(f"contains({column}, chr(10))" for column in present) or "false"
    alone = {
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT _file FROM batch_src WHERE {newline} "
            "UNION SELECT s.file_path FROM csv_rejects r JOIN csv_scans s USING (scan_id, file_id)"
        ).fetchall()
    }
    con.execute("CREATE OR REPLACE TEMP TABLE batch_units (_file VARCHAR, _unit VARCHAR)")
    insert_rows(
        con, "batch_units", [(str(path), unit) for unit, path in members if str(path) not in alone]
    )
    # The scan keeps the files' order and each file's (preserve_insertion_order), so a
    # record's row id less its file's first is its position; a window numbering the
    # scan would hold it to one thread. Every record is one physical line, the header
    # line 1 (2 after `sep=`).
    names = ", ".join("b." + sql.quote_ident(c.name) for c in seed.columns)
    con.execute(
        f"""
        INSERT INTO src
        SELECT u._unit, b.rowid - f.first + 1, b.rowid - f.first + {dialect.preamble + 2}, {names}
        FROM batch_src b JOIN batch_units u USING (_file)
        JOIN (SELECT _file, min(rowid) AS first FROM batch_src GROUP BY _file) f USING (_file)
        """
    )
    con.execute("DROP TABLE batch_src; DROP TABLE batch_units")
    return [(unit, path) for unit, path in members if str(path) in alone]


def read_csv_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    seed: SeedFile,
    unit: str,
    dialect: Dialect | None = None,
) -> None:
    dialect = dialect or read_dialect(path, seed)
    con.execute("DROP TABLE IF EXISTS csv_rejects; DROP TABLE IF EXISTS csv_scans")
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE unit_src AS SELECT * EXCLUDE (_file) FROM ("
            f"{_scan_select(seed, dialect, sql.literal(str(path)))})"
        )
    except duckdb.Error as error:
        text = str(error)
        if "unicode" in text.lower() or "utf-8" in text.lower():
            raise WholeFileRejection("file_not_utf8", legacy_encoding_hint(path)) from None
        raise WholeFileRejection("file_unparseable", text.splitlines()[0][:300]) from None
    undecodable, errors, newlines = con.execute(
        "SELECT count(*) FILTER (error_type = 'INVALID ENCODING'), count(*), "
        "(SELECT coalesce(max(_nl), 0) FROM unit_src) FROM csv_rejects"
    ).fetchone()
    if undecodable:
        # DuckDB rejects undecodable rows one by one; a file in another encoding is refused
        # whole instead, so it never loads half-garbled (CONTRACT.md §2).
        raise WholeFileRejection("file_not_utf8", legacy_encoding_hint(path))
    first_record_line = 2 + dialect.preamble
    if errors or newlines:
        _map_lines(con, unit, seed, first_record_line)
        return
    # Every record is one physical line, in order: the common case needs no mapping.
    names = ", ".join(sql.quote_ident(c.name) for c in seed.columns)
    con.execute(
        f"INSERT INTO src SELECT {sql.literal(unit)}, _pos, _pos + {first_record_line - 1}, "
        f"{names} FROM unit_src"
    )


def _map_lines(
    con: duckdb.DuckDBPyConnection, unit: str, seed: SeedFile, first_record_line: int
) -> None:
    """DuckDB numbers records, not physical lines: map both onto physical lines, the header
    being line 1 (2 after a `sep=` line). A CSV error row is taken to span one line."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE unit_errors AS
        SELECT line AS record, row_number() OVER (ORDER BY line) AS nth,
               any_value(csv_line) AS csv_line, string_agg(error_message, '; ') AS error
        FROM csv_rejects GROUP BY line
        """
    )
    offset = first_record_line - 2
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE unit_src AS
        WITH numbered AS (
            SELECT s.*, s._pos + 1 + (
                SELECT count(*) FROM unit_errors e WHERE e.record - e.nth + 1 <= s._pos + 1
            ) AS _record
            FROM unit_src s
        )
        SELECT *, {offset} + _record + coalesce(sum(_nl) OVER (
            ORDER BY _pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS _line
        FROM numbered
        """
    )
    con.execute(
        f"""
        INSERT INTO malformed
        SELECT {sql.literal(unit)}, {offset} + e.record + coalesce((
            SELECT sum(s._nl) FROM unit_src s WHERE s._record < e.record), 0),
            e.csv_line, e.error
        FROM unit_errors e
        """
    )
    names = ", ".join(sql.quote_ident(c.name) for c in seed.columns)
    con.execute(f"INSERT INTO src SELECT {sql.literal(unit)}, _pos, _line, {names} FROM unit_src")
