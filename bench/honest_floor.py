"""DuckDB alone: the warehouse's marts from the seed CSVs in plain SQL, one DuckDB process.

    python -m bench.honest_floor --seeds DIR --work DIR --manifest manifest.json --out X.json

Load, for every seed file in the declaration's order: ONE `read_csv` over the glob of
every unit folder (`submissions/*/<file>.csv`; the one file of `reference/`), every column
as text, header by name, the loader's quoting (`"` quoted and escaped), malformed records
kept aside by DuckDB (`store_rejects`), the unit taken from the path (`filename = true`).
The rules are the SQL the declaration generates: the cleaning, repairs and casting of
schemas/sql.py (`cleaned_select`, `repaired_select`, `typed_select`), its row checks
(`row_checks`, `violation_case`) and the stages comparing rows of
schemas/row_comparisons.py. The accepted rows become table
`raw.<file>`, which the compiled models read in place of the loader's Parquet slices;
`bench_floor.file_counts` holds rows read, accepted and rejected per unit and file.

Transform: the compiled SQL of every model (bench/compiled.py) but those reading what
ingest records about files and rows (quality.submission_files, rejections, warnings).
person_key is the contract's HMAC-SHA256 (§4) written here as a DuckDB macro.

Nothing of orchestration/ is used; bench/floor_check.py compares the result with a
published refresh. FLOOR_SKIPS says what the floor leaves out.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import duckdb

from bench import compiled
from schemas import SEED_FILES, sql
from schemas.contract import SeedFile
from schemas.lookups import lookup_select
from schemas.row_comparisons import comparison_statements

FLOOR_SKIPS = (
    "line numbers, rejected rows' details (column, message, raw values) and warnings",
    "whole-file rules (empty, not UTF-8, missing column, unparseable, folder not a unit "
    "code): such a file is read, or its folder skipped, and the count check then differs",
    "files of one seed file with different columns: DuckDB's reader takes the first "
    "file's (in any order); a later file without one stops the floor, a column only later "
    "files have is not read",
    "other formats: every file is read as a comma-separated UTF-8 CSV (no .xlsx, no ';' "
    "or tab delimiter, no sep= line, no UTF-16, no decimal comma)",
    "hold-back of a resubmission (every load is a first submission)",
    "hashes, load state, Parquet slices, rejects/status/warnings files",
    "models on ingest's records (quality.submission_files, rejections, warnings)",
    "dbt, Dagster, tests and checks, publish, report",
)
CSV_OPTIONS = (
    "header = true, all_varchar = true, filename = true, delim = ',', quote = '\"', escape = '\"'"
)
UNIT_FOLDER = "[A-Za-z0-9]+"
REFERENCE_UNIT = "reference"  # the unit_code ingest gives a reference file
MEMORY_LIMIT = "2GB"  # the cap ingest and the dbt profile each give DuckDB


def person_key_macro(key: bytes) -> str:
    """nhanluc_person_key(v): HMAC-SHA256 of v under `key`, lower-case hex (RFC 2104)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = bytes(byte ^ 0x36 for byte in key).hex()
    outer = bytes(byte ^ 0x5C for byte in key).hex()
    return (
        "CREATE OR REPLACE TEMP MACRO nhanluc_person_key(v) AS sha256(unhex('"
        f"{outer}') || unhex(sha256(unhex('{inner}') || encode(CAST(v AS VARCHAR)))))"
    )


def _pattern(seeds: Path, seed: SeedFile) -> str:
    if seed.folder == "reference":
        return str(seeds / "reference" / seed.filename)
    return str(seeds / "submissions" / "*" / seed.filename)


def _unit(path: str, seed: SeedFile) -> str:
    if seed.folder == "reference":
        return sql.literal(REFERENCE_UNIT)
    return f"parse_filename(parse_dirpath({path}))"


def _read_source(con: duckdb.DuckDBPyConnection, seed: SeedFile, pattern: str) -> None:
    """Temp table `src` (_unit, _pos, every contract column as text) and `malformed`."""
    columns = ", ".join(f"CAST(NULL AS VARCHAR) AS {sql.quote_ident(c.name)}" for c in seed.columns)
    files = con.execute(f"SELECT count(*) FROM glob({sql.literal(pattern)})").fetchone()[0]
    if not files:
        con.execute(
            f"CREATE TEMP TABLE src AS SELECT '' AS _unit, 0::BIGINT AS _pos, {columns} WHERE false"
        )
        con.execute("CREATE TEMP TABLE malformed AS SELECT '' AS _unit, 0::BIGINT AS n WHERE false")
        return
    reader = f"read_csv({sql.literal(pattern)}, {CSV_OPTIONS}"
    header = {
        name.lower()
        for name, *_ in con.execute(
            f"DESCRIBE SELECT * FROM {reader}, ignore_errors = true)"
        ).fetchall()
    }
    missing = [c.name for c in seed.columns if c.required and c.name not in header]
    if missing:
        raise SystemExit(f"{pattern}: no column {', '.join(missing)} (whole-file rules skipped)")
    projected = ", ".join(
        sql.quote_ident(c.name) if c.name in header else f"NULL AS {sql.quote_ident(c.name)}"
        for c in seed.columns
    )
    unit = _unit("filename", seed)
    con.execute("DROP TABLE IF EXISTS floor_csv_errors; DROP TABLE IF EXISTS floor_csv_scans")
    con.execute(
        f"""
        CREATE TEMP TABLE src AS
        SELECT * FROM (
            SELECT {unit} AS _unit, row_number() OVER () AS _pos, {projected}
            FROM {reader}, store_rejects = true, rejects_table = 'floor_csv_errors',
                 rejects_scan = 'floor_csv_scans')
        ) WHERE regexp_full_match(_unit, {sql.literal(UNIT_FOLDER)})
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE malformed AS
        SELECT {_unit("s.file_path", seed)} AS _unit,
               count(DISTINCT (e.file_id, e.line)) AS n
        FROM floor_csv_errors e JOIN floor_csv_scans s USING (scan_id, file_id)
        WHERE regexp_full_match(_unit, {sql.literal(UNIT_FOLDER)})
        GROUP BY ALL
        """
    )


def _check(con: duckdb.DuckDBPyConnection, seed: SeedFile) -> str:
    """The rule pass over `src`; returns the table holding each row's `_violation`."""
    references = {upstream: f"raw.{sql.quote_ident(upstream)}" for upstream in seed.upstream}
    checks = sql.row_checks(seed)
    con.execute(
        f"CREATE TEMP VIEW cleaned AS SELECT _unit, _pos, {sql.cleaned_select(seed)} FROM src"
    )
    con.execute(f"CREATE TEMP VIEW repaired AS SELECT {sql.repaired_select(seed)} FROM cleaned")
    con.execute(f"CREATE TEMP VIEW typed AS SELECT *, {sql.typed_select(seed)} FROM repaired")
    con.execute(f"CREATE TEMP VIEW looked_up AS {lookup_select(seed, references, 'typed')}")
    values = ", ".join(f"s.{sql.quote_ident(c.name)}" for c in seed.columns)
    con.execute(
        f"CREATE TEMP TABLE checked AS SELECT s._unit, s._pos, {values}, "
        f"{sql.violation_case(checks)} AS _violation, false AS _across FROM looked_up s"
    )
    for statement in comparison_statements(seed, "checked", references):
        con.execute(statement)
    return "checked"


def _count(con: duckdb.DuckDBPyConnection, seed: SeedFile, pattern: str, checked: str) -> None:
    """Rows read, accepted and rejected per unit, for every file of the glob (empty too)."""
    con.execute(
        f"""
        INSERT INTO bench_floor.file_counts
        WITH files AS (
            SELECT DISTINCT {_unit("file", seed)} AS _unit FROM glob({sql.literal(pattern)})
        ),
        rows AS (
            SELECT _unit, count(*) AS n, count(*) FILTER (_violation IS NULL) AS accepted
            FROM {checked} GROUP BY ALL
        )
        SELECT f._unit, {sql.literal(seed.name)},
               coalesce(r.n, 0) + coalesce(m.n, 0), coalesce(r.accepted, 0),
               coalesce(r.n, 0) + coalesce(m.n, 0) - coalesce(r.accepted, 0)
        FROM files f LEFT JOIN rows r USING (_unit) LEFT JOIN malformed m USING (_unit)
        """
    )


def load(con: duckdb.DuckDBPyConnection, seeds: Path) -> dict[str, dict]:
    con.execute("SET preserve_insertion_order = true")  # _pos follows each file's order
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA bench_floor")
    con.execute(
        "CREATE TABLE bench_floor.file_counts (unit_code VARCHAR, file VARCHAR, "
        "rows_read BIGINT, rows_accepted BIGINT, rows_rejected BIGINT)"
    )
    report = {}
    for seed in SEED_FILES:
        started = time.perf_counter()
        pattern = _pattern(seeds, seed)
        _read_source(con, seed, pattern)
        checked = _check(con, seed)
        values = ", ".join(sql.quote_ident(c.name) for c in seed.columns)
        con.execute(
            f"CREATE TABLE raw.{sql.quote_ident(seed.name)} AS SELECT {values} FROM {checked} "
            "WHERE _violation IS NULL ORDER BY _unit, _pos"
        )
        _count(con, seed, pattern, checked)
        rows, rejected = con.execute(
            "SELECT coalesce(sum(rows_accepted), 0), coalesce(sum(rows_rejected), 0) "
            "FROM bench_floor.file_counts WHERE file = ?",
            [seed.name],
        ).fetchone()
        for (name,) in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
        ).fetchall():
            con.execute(f"DROP VIEW {sql.quote_ident(name)}")
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary"
        ).fetchall():
            con.execute(f"DROP TABLE {sql.quote_ident(name)}")
        report[seed.name] = {
            "rows": rows,
            "rejected": rejected,
            "seconds": round(time.perf_counter() - started, 3),
        }
    return report


def transform(con: duckdb.DuckDBPyConnection, manifest: dict) -> dict[str, dict]:
    compiled.apply_profile_settings(con)
    skip = compiled.models_reading(manifest, ["ingest"])
    return compiled.build(con, manifest, compiled.source_tables(manifest), skip)


def main(argv: list[str] | None = None) -> int:
    args = compiled.floor_arguments("python -m bench.honest_floor", argv)
    key = os.environ.get("NHANLUC_PSEUDONYM_KEY")
    if not key:
        raise SystemExit("NHANLUC_PSEUDONYM_KEY must be set (the refresh's key)")

    def prepare(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"SET memory_limit = {sql.literal(MEMORY_LIMIT)}")
        con.execute(person_key_macro(key.encode("utf-8")))

    seeds = args.seeds.resolve()
    return compiled.run_floor(args, prepare, lambda con: load(con, seeds), transform)


if __name__ == "__main__":
    raise SystemExit(main())
