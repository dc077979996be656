"""Feedback to units: one CSV per unit listing every rejected row, refused file and warning.

`<warehouse>/feedback/<unit_code>.csv` is UTF-8 with a BOM so that Excel opens the
Vietnamese text correctly; it holds only that unit's own submissions, is rewritten on
every run, and disappears once the unit has nothing rejected or warned. Raw values stay in the
private rejects: the line number is enough for the unit to find its row.
"""

import csv
import os
import uuid
from dataclasses import dataclass, field

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.ingest.assets import REPORT_KEY
from orchestration.settings import UNIT_FOLDER_PATTERN, Settings, current_settings
from schemas.sql import literal

FEEDBACK_KEY = AssetKey(["quality", "unit_feedback"])
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
    cursor = con.execute(
        "SELECT unit_code, file || '.csv', line, \"column\", rule, message, outcome "
        "FROM feedback ORDER BY unit_code, file, line NULLS FIRST, outcome"
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
                handle = temporary.open("w", encoding="utf-8-sig", newline="")
                writer = csv.writer(handle)
                writer.writerow(HEADER)
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


@asset(
    key=FEEDBACK_KEY,
    group_name="quality",
    deps=[REPORT_KEY],
    description="Per unit with rejections or warnings, <warehouse>/feedback/<unit_code>.csv "
    "(UTF-8 with BOM, for Excel): file, line, column, rule, the Vietnamese message and the "
    "outcome of every rejected row, refused file or warned row, ready to send back. Units "
    "with nothing rejected or warned get no file.",
    kinds={"duckdb", "csv"},
)
def unit_feedback(context: AssetExecutionContext) -> MaterializeResult:
    settings = current_settings()
    report = write_unit_feedback(settings)
    units = report.rows_by_unit
    context.log.info(f"feedback written for {len(units)} unit(s)")
    table = "\n".join(
        ["| unit | rows |", "|---|---|"] + [f"| {unit} | {rows} |" for unit, rows in units.items()]
    )
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(settings.warehouse_dir / FEEDBACK_FOLDER)),
            "units_with_feedback": len(units),
            "rows": sum(units.values()),
            "per_unit": MetadataValue.md(table),
            "refused_folders": MetadataValue.json(report.refused_folders),
        }
    )
