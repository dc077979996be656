"""The unit feedback CSV: file, line, column, rule, message and outcome, UTF-8 with a BOM.

`write_unit_feedback` turns a private state's status, rejects and warnings into one CSV
per unit (`<warehouse>/feedback/<unit_code>.csv`); `write_feedback_csv` writes one such
file anywhere. Neither needs Dagster, so the check a unit runs before submitting
(orchestration/check.py) writes the same file the warehouse sends back.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import duckdb

from orchestration.settings import UNIT_FOLDER_PATTERN, Settings
from schemas.sql import literal

FEEDBACK_FOLDER = "feedback"
# Bilingual headers: the unit reads Vietnamese, scripts read the English name.
HEADER = (
    "Tệp (file)",
    "Dòng (line)",
    "Cột (column)",
    "Quy tắc (rule)",
    "Nội dung (message)",
    "Kết quả (outcome)",
)
REJECTED = "bị loại (rejected)"
WARNED = "đã nhận, cần xem lại (accepted with a warning)"
_BATCH_ROWS = 10_000


@dataclass
class FeedbackReport:
    rows_by_unit: dict[str, int] = field(default_factory=dict)
    # Folders refused as not being unit codes: there is no unit code to address them to.
    refused_folders: list[str] = field(default_factory=list)


def _open_feedback(path: Path) -> tuple[TextIO, Any]:
    """A feedback file opened for writing, its header written (the BOM is for Excel)."""
    handle = path.open("w", encoding="utf-8-sig", newline="")
    writer = csv.writer(handle)
    writer.writerow(HEADER)
    return handle, writer


def write_feedback_csv(path: Path, rows: Iterable[Iterable[object]]) -> None:
    """Write `rows` (file, line, column, rule, message, outcome) to `path`, swapped in whole."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    handle, writer = _open_feedback(temporary)
    with handle:
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    os.replace(temporary, path)


def _file_level_rows(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[tuple]:
    """One feedback row per file refused whole or held back (unit, file, rule, message)."""
    status_files = sorted(settings.status_dir.glob("*.parquet"))
    if not status_files:
        return []
    paths = "[" + ", ".join(literal(str(path)) for path in status_files) + "]"
    rows = con.execute(
        f"SELECT unit_code, file, rule, coalesce(message, status) FROM read_parquet({paths}) "
        "WHERE status <> 'accepted'"
    ).fetchall()
    return [(unit, file, None, None, rule, message, REJECTED) for unit, file, rule, message in rows]


def write_unit_feedback(settings: Settings) -> FeedbackReport:
    """Write every unit's feedback CSV, remove those of units with nothing rejected."""
    target_dir = settings.warehouse_dir / FEEDBACK_FOLDER
    target_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE feedback (unit_code VARCHAR, file VARCHAR, line BIGINT, "
        '"column" VARCHAR, rule VARCHAR, message VARCHAR, outcome VARCHAR)'
    )
    file_rows = _file_level_rows(con, settings)
    if file_rows:
        con.executemany("INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?)", file_rows)
    for folder, outcome in ((settings.rejects_dir, REJECTED), (settings.warnings_dir, WARNED)):
        files = sorted(folder.glob("*.parquet"))
        if files:
            paths = "[" + ", ".join(literal(str(path)) for path in files) + "]"
            con.execute(
                'INSERT INTO feedback SELECT unit_code, file, line, "column", rule, message, '
                f"{literal(outcome)} FROM read_parquet({paths})"
            )
    # The file as the unit saved it (`cadres.xlsx`), from the status; `.csv` by default.
    con.execute("CREATE TEMP TABLE saved_as (unit_code VARCHAR, file VARCHAR, name VARCHAR)")
    status_files = sorted(settings.status_dir.glob("*.parquet"))
    if status_files:
        paths = "[" + ", ".join(literal(str(path)) for path in status_files) + "]"
        con.execute(
            "INSERT INTO saved_as SELECT unit_code, file, source_file "
            f"FROM read_parquet({paths}, union_by_name = true) WHERE source_file IS NOT NULL"
        )
    cursor = con.execute(
        "SELECT f.unit_code, coalesce(s.name, f.file || '.csv'), f.line, f.\"column\", f.rule, "
        "f.message, f.outcome FROM feedback f LEFT JOIN saved_as s USING (unit_code, file) "
        'ORDER BY f.unit_code, f.file, f.line NULLS FIRST, f.outcome, f."column", f.rule'
    )
    report = FeedbackReport()
    written = report.rows_by_unit
    refused: set[str] = set()
    current: str | None = None
    handle = writer = temporary = None

    def finish() -> None:
        if handle is not None:
            handle.close()
            os.replace(temporary, target_dir / f"{current}.csv")

    while batch := cursor.fetchmany(_BATCH_ROWS):
        for unit, *row in batch:
            if not UNIT_FOLDER_PATTERN.fullmatch(unit):
                refused.add(unit)
                continue
            if unit != current:
                finish()
                current = unit
                temporary = target_dir / f".{unit}.{uuid.uuid4().hex}.tmp"
                handle, writer = _open_feedback(temporary)
                written[unit] = 0
            writer.writerow(["" if value is None else value for value in row])
            written[unit] += 1
    finish()
    con.close()
    for stale in target_dir.glob("*.csv"):
        if stale.stem not in written:
            stale.unlink()
    for leftover in target_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    report.refused_folders = sorted(refused)
    return report
