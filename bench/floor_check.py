"""The honest floor's database against a refresh's: every mart row for row, file counts.

The marts are compared with EXCEPT ALL both ways (DOUBLEs rounded to DOUBLE_DIGITS
decimals: parallel sums may differ in their last bits); rows read, accepted and rejected
per unit and file (bench_floor.file_counts) with quality.submission_files.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from schemas import sql

DOUBLE_DIGITS = 9


def _select(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> str:
    """The table's columns in the published order, DOUBLEs rounded to DOUBLE_DIGITS."""
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'published' "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, table],
    ).fetchall()
    values = ", ".join(
        f"round({sql.quote_ident(name)}, {DOUBLE_DIGITS}) AS {sql.quote_ident(name)}"
        if kind in ("DOUBLE", "FLOAT")
        else sql.quote_ident(name)
        for name, kind in columns
    )
    return f"SELECT {values} FROM {database}.{sql.quote_ident(schema)}.{sql.quote_ident(table)}"


def _differences(con: duckdb.DuckDBPyConnection, floor: str, published: str) -> list[int]:
    return [
        con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone()[0]
        for a, b in ((floor, published), (published, floor))
    ]


def compare(floor_database: Path, published_database: Path) -> dict:
    """Every published mart against the floor's, row for row (EXCEPT ALL both ways), and
    rows read, accepted and rejected per unit and file against quality.submission_files."""
    con = duckdb.connect()
    con.execute(f"ATTACH {sql.literal(str(floor_database))} AS floor (READ_ONLY)")
    con.execute(f"ATTACH {sql.literal(str(published_database))} AS published (READ_ONLY)")
    marts = {}
    for (table,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'published' "
        "AND schema_name = 'marts' ORDER BY 1"
    ).fetchall():
        rows = con.execute(f"SELECT count(*) FROM published.marts.{sql.quote_ident(table)}")
        item = {"rows": rows.fetchone()[0]}
        try:
            item["only_in_floor"], item["only_in_refresh"] = _differences(
                con,
                _select(con, "floor", "marts", table),
                _select(con, "published", "marts", table),
            )
        except duckdb.Error as error:  # a table or column the floor lacks
            item["error"] = str(error).splitlines()[0]
        marts[table] = item
    counts = "unit_code, file, rows_read, rows_accepted, rows_rejected"
    only_floor, only_refresh = _differences(
        con,
        f"SELECT {counts} FROM floor.bench_floor.file_counts",
        f"SELECT {counts} FROM published.quality.submission_files",
    )
    totals = con.execute(
        "SELECT coalesce(f.file, p.file), f.rejected, p.rejected FROM "
        "(SELECT file, sum(rows_rejected) AS rejected FROM floor.bench_floor.file_counts "
        "GROUP BY ALL) f FULL JOIN (SELECT file, sum(rows_rejected) AS rejected "
        "FROM published.quality.submission_files GROUP BY ALL) p USING (file) ORDER BY 1"
    ).fetchall()
    con.close()
    differing = sorted(
        name
        for name, item in marts.items()
        if "error" in item or item["only_in_floor"] or item["only_in_refresh"]
    )
    return {
        "equal": not differing and not only_floor and not only_refresh and bool(marts),
        "marts_compared": len(marts),
        "marts_differing": differing,
        "marts": marts,
        "file_counts": {"only_in_floor": only_floor, "only_in_refresh": only_refresh},
        "rejected_per_file": {file: {"floor": f, "refresh": p} for file, f, p in totals},
    }
