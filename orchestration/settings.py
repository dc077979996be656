"""Where things live, read from the environment at run time (CONTRACT.md §5)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
UNIT_FOLDER_PATTERN = re.compile(r"[A-Za-z0-9]+")
PUBLISHED_FILE = "nhanluc.duckdb"
# NHANLUC_ENGINE: which engine runs the dbt models (docs/spark.md); publish is DuckDB either way.
ENGINES = ("duckdb", "spark")
# The as-of date defaults to the day a refresh starts, here (CONTRACT.md §5).
TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Settings:
    seeds_dir: Path
    warehouse_dir: Path
    max_reject_rate: float
    engine: str = "duckdb"
    # NHANLUC_AS_OF_DATE; None: the day the refresh starts (as_of_date_for).
    as_of_date: date | None = None

    def as_of_date_for(self, started_at: float | None) -> date:
        """The day the warehouse describes as "now" for a refresh started at `started_at`
        (a POSIX time; None: now)."""
        if self.as_of_date is not None:
            return self.as_of_date
        moment = datetime.now(TIME_ZONE) if started_at is None else None
        return (moment or datetime.fromtimestamp(started_at, TIME_ZONE)).date()

    @property
    def private_dir(self) -> Path:
        """Personal data lives here and is never published."""
        return self.warehouse_dir / "private"

    @property
    def raw_dir(self) -> Path:
        return self.private_dir / "raw"

    @property
    def rejects_dir(self) -> Path:
        return self.private_dir / "rejects"

    @property
    def status_dir(self) -> Path:
        return self.private_dir / "status"

    @property
    def warnings_dir(self) -> Path:
        """Accepted rows a rule warned about, with the unit's line and column."""
        return self.private_dir / "warnings"

    @property
    def changes_dir(self) -> Path:
        """Rows a partial load changed, for the files whose rules read them."""
        return self.private_dir / "changes"

    @property
    def scratch_dir(self) -> Path:
        return self.private_dir / "tmp"

    @property
    def spark_dir(self) -> Path:
        """Spark's scratch: one folder per run (metastore, tables, shuffle files)."""
        return self.private_dir / "spark"

    @property
    def build_database(self) -> Path:
        return self.private_dir / "build.duckdb"

    @property
    def published_database(self) -> Path:
        return self.warehouse_dir / PUBLISHED_FILE


def current_settings() -> Settings:
    seeds = os.environ.get("NHANLUC_SEEDS_DIR") or str(REPO_ROOT / "seeds")
    warehouse = os.environ.get("NHANLUC_WAREHOUSE_DIR") or str(REPO_ROOT / "warehouse")
    rate = float(os.environ.get("NHANLUC_MAX_REJECT_RATE") or 0.05)
    engine = (os.environ.get("NHANLUC_ENGINE") or "duckdb").strip().lower()
    if engine not in ENGINES:
        raise ValueError(f"NHANLUC_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
    as_of_text = (os.environ.get("NHANLUC_AS_OF_DATE") or "").strip()
    try:
        as_of = date.fromisoformat(as_of_text) if as_of_text else None
    except ValueError:
        raise ValueError(
            f"NHANLUC_AS_OF_DATE must be a date written YYYY-MM-DD, not {as_of_text!r}"
        ) from None
    return Settings(Path(seeds).resolve(), Path(warehouse).resolve(), rate, engine, as_of)
