"""Feedback to units: one CSV per unit listing every rejected row, refused file and warning.

`<warehouse>/feedback/<unit_code>.csv` is UTF-8 with a BOM so that Excel opens the
Vietnamese text correctly; it holds only that unit's own submissions, is rewritten on
every run, and disappears once the unit has nothing rejected or warned. Raw values stay in the
private rejects: the line number is enough for the unit to find its row. The files are
written by feedback_files.py, which needs no Dagster; this module is the asset.
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.ingest.assets import REPORT_KEY
from orchestration.quality.feedback_files import (
    FEEDBACK_FOLDER,
    HEADER,
    REJECTED,
    WARNED,
    FeedbackReport,
    write_unit_feedback,
)
from orchestration.settings import current_settings

__all__ = [
    "FEEDBACK_FOLDER",
    "FEEDBACK_KEY",
    "HEADER",
    "REJECTED",
    "WARNED",
    "FeedbackReport",
    "unit_feedback",
    "write_unit_feedback",
]

FEEDBACK_KEY = AssetKey(["quality", "unit_feedback"])


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
