"""Read-only access to the published file: rows as dicts, and which tables and columns exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb


class Published:
    """The published warehouse, opened read-only; tables added later are optional."""

    def __init__(self, path: Path):
        self.con = duckdb.connect(str(path), read_only=True)
        self._columns: dict[str, set[str]] = {}
        for schema, table, column in self.con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database()"
        ).fetchall():
            self._columns.setdefault(f"{schema}.{table}", set()).add(column)

    def has(self, *tables: str) -> bool:
        return all(table in self._columns for table in tables)

    def has_column(self, table: str, column: str) -> bool:
        return column in self._columns.get(table, set())

    def optional(self, table: str, column: str, alias: str | None = None) -> str:
        """`column`, or NULL under its name when the table lacks it."""
        name = alias or column
        return f"{column} AS {name}" if self.has_column(table, column) else f"NULL AS {name}"

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, list(params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Published:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
