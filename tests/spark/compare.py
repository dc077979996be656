"""Compare two DuckDB databases schema by schema: tables, columns, types, comments and rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb

FLOAT_TYPES = frozenset({"DOUBLE", "FLOAT", "REAL"})
FLOAT_TOLERANCE = 1e-9


@dataclass
class TableDifference:
    """What differs in one table; empty when the two builds agree."""

    table: str
    problems: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.problems


def tables(con: duckdb.DuckDBPyConnection, database: str, schemas: tuple[str, ...]) -> list[str]:
    placeholders = ", ".join("?" for _ in schemas)
    return [
        f"{schema}.{table}"
        for schema, table in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            f"WHERE database_name = ? AND schema_name IN ({placeholders}) ORDER BY 1, 2",
            [database, *schemas],
        ).fetchall()
    ]


# DuckDB's staging rows carry the version of the ingest slice they came from, which only
# the DuckDB build uses (macros/incremental_by_unit.sql), and quality.refresh records when
# each build ran: neither is part of the comparison.
BUILD_ONLY_COLUMNS = ("_slice_version", "built_at")


def _columns(con, database: str, table: str) -> list[tuple[str, str, str | None]]:
    schema, name = table.split(".")
    return con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = ? AND table_name = ? "
        "AND column_name NOT IN (SELECT unnest(?)) ORDER BY column_index",
        [database, schema, name, list(BUILD_ONLY_COLUMNS)],
    ).fetchall()


def _table_comment(con, database: str, table: str) -> str | None:
    schema, name = table.split(".")
    row = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ?",
        [database, schema, name],
    ).fetchone()
    return row[0] if row else None


def _same_value(left, right, is_float: bool) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if is_float:
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return abs(left - right) <= FLOAT_TOLERANCE
    return left == right


def compare_table(
    con: duckdb.DuckDBPyConnection, expected_db: str, actual_db: str, table: str
) -> TableDifference:
    """Compare `table` in two attached databases: the expected build and the actual one."""
    difference = TableDifference(table)
    expected_columns = _columns(con, expected_db, table)
    actual_columns = _columns(con, actual_db, table)
    if [c[:2] for c in expected_columns] != [c[:2] for c in actual_columns]:
        difference.problems.append(
            f"columns differ: expected {[c[:2] for c in expected_columns]}, "
            f"got {[c[:2] for c in actual_columns]}"
        )
        return difference
    if [c[2] for c in expected_columns] != [c[2] for c in actual_columns]:
        difference.problems.append("column comments differ")
    if _table_comment(con, expected_db, table) != _table_comment(con, actual_db, table):
        difference.problems.append("table comment differs")
    floats = [kind in FLOAT_TYPES for _, kind, _ in expected_columns]
    names = [f'"{name}"' for name, _, _ in expected_columns]
    # Every column sorts the rows; floats last, so that a last-digit difference cannot
    # change the order of rows that differ elsewhere.
    order = ", ".join(
        [n for n, f in zip(names, floats, strict=True) if not f]
        + [n for n, f in zip(names, floats, strict=True) if f]
    )
    select = ", ".join(names)
    expected = con.execute(
        f"SELECT {select} FROM {expected_db}.{table} ORDER BY {order} NULLS FIRST"
    ).fetchall()
    actual = con.execute(
        f"SELECT {select} FROM {actual_db}.{table} ORDER BY {order} NULLS FIRST"
    ).fetchall()
    if len(expected) != len(actual):
        difference.problems.append(f"{len(expected)} rows expected, {len(actual)} found")
        return difference
    for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
        same = all(
            _same_value(a, b, is_float) for a, b, is_float in zip(left, right, floats, strict=True)
        )
        if not same:
            difference.problems.append(f"row {index} differs: expected {left}, got {right}")
            break
    return difference
