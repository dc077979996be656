"""Hold-back: a resubmission refused whole or over the reject rate keeps the unit's last rows."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.ingest.outcomes import FileOutcome
from orchestration.settings import Settings
from schemas import sql
from schemas.contract import SeedFile


def previous_rows(path: Path) -> int:
    if not path.exists():
        return 0
    query = f"SELECT count(*) FROM read_parquet({sql.literal(str(path))})"
    return duckdb.connect().execute(query).fetchone()[0]


def units_to_hold_back(
    seed: SeedFile, settings: Settings, processed: list[str], outcomes: dict[str, FileOutcome]
) -> set[str]:
    """Resubmissions refused whole or over the reject rate, where earlier rows exist."""
    if seed.folder != "submission":
        return set()
    held = set()
    for unit in processed:
        outcome = outcomes.get(unit)
        if outcome is None:
            continue
        # Rules across units judge other units' rows too: they never hold a unit back.
        own_rejections = outcome.rows_rejected - outcome.rows_rejected_across
        too_many = outcome.rows_read and own_rejections / outcome.rows_read > (
            settings.max_reject_rate
        )
        slice_path = settings.raw_dir / seed.name / f"{unit}.parquet"
        if (outcome.status == "rejected_whole" or too_many) and previous_rows(slice_path):
            held.add(unit)
    return held


def hold_back(outcome: FileOutcome, max_reject_rate: float) -> None:
    """The unit's last accepted rows stay; this submission's valid rows count as held_back."""
    reason = (
        outcome.message
        if outcome.status == "rejected_whole"
        else "tỷ lệ dòng bị loại "
        f"{(outcome.rows_rejected - outcome.rows_rejected_across) / outcome.rows_read:.1%} "
        f"vượt ngưỡng {max_reject_rate:.1%}"
    )
    outcome.rejected_by_rule["held_back"] += outcome.rows_accepted
    outcome.rows_rejected += outcome.rows_accepted
    outcome.rows_accepted = 0
    outcome.status = "held_back"
    outcome.rule = "held_back"
    outcome.message = f"Giữ lại dữ liệu đã chấp nhận trước đó: {reason}"
