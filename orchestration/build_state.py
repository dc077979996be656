"""What the published file was built from, so a refresh with nothing new skips dbt onwards."""

import hashlib
import os
from datetime import date
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, Settings

MARKER = "published_inputs.sha256"
# What the build database's tables were last built with, all of them at once.
BUILT_WITH = "built_with.sha256"


def dbt_project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """Every file that shapes the dbt project: models, macros, tests, plugins, configs."""
    digest = hashlib.sha256()
    for folder in ("models", "macros", "tests", "plugins"):
        for path in sorted((project_dir / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(project_dir)).encode())
                digest.update(path.read_bytes())
    for name in ("dbt_project.yml", "profiles.yml"):
        digest.update((project_dir / name).read_bytes())
    return digest.hexdigest()


def inputs_fingerprint(settings: Settings, as_of_date: date) -> str:
    """Every ingest input (the per-file load states), the dbt project, the engine and the
    as-of date: a new day rebuilds what depends on it."""
    digest = hashlib.sha256(f"{settings.engine} {as_of_date.isoformat()}".encode())
    for path in sorted(settings.status_dir.glob("*.state.json")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(dbt_project_fingerprint().encode())
    return digest.hexdigest()


def run_as_of_date(settings: Settings, instance, run_id: str) -> date:
    """The as-of date of a Dagster run: fixed by when the run started, so every step of one
    refresh describes the same day even when it runs past midnight."""
    record = instance.get_run_record_by_id(run_id)
    started = None
    if record is not None:
        started = record.start_time or record.create_timestamp.timestamp()
    return settings.as_of_date_for(started)


def _marker(settings: Settings) -> Path:
    return settings.private_dir / MARKER


def already_published(settings: Settings, as_of_date: date) -> bool:
    """Whether the published file was built, checked and published from these inputs."""
    marker = _marker(settings)
    return (
        marker.exists()
        and settings.published_database.exists()
        and settings.build_database.exists()
        and marker.read_text(encoding="utf-8") == inputs_fingerprint(settings, as_of_date)
    )


def record_published(settings: Settings, as_of_date: date) -> None:
    """Written after a successful publish, never before: a failed gate rebuilds next time."""
    marker = _marker(settings)
    temporary = marker.with_name(marker.name + ".tmp")
    temporary.write_text(inputs_fingerprint(settings, as_of_date), encoding="utf-8")
    os.replace(temporary, marker)


def forget_published(settings: Settings) -> None:
    """Make the next refresh rebuild everything from dbt onwards."""
    _marker(settings).unlink(missing_ok=True)


def _models_fingerprint(settings: Settings) -> str:
    return hashlib.sha256((settings.engine + dbt_project_fingerprint()).encode()).hexdigest()


def needs_full_refresh(settings: Settings) -> bool:
    """Whether incremental models must be rebuilt whole: the dbt project or the engine
    changed since every model was last built together, or that was never recorded.

    A new pseudonym key needs no full refresh: the models keep the key's fingerprint on
    every row and restage what another key produced (macros/incremental_by_unit.sql).
    """
    marker = settings.private_dir / BUILT_WITH
    if not settings.build_database.exists():
        return False  # nothing to refresh: every model is built from scratch
    return not marker.exists() or marker.read_text(encoding="utf-8") != _models_fingerprint(
        settings
    )


def record_built(settings: Settings) -> None:
    """Written after dbt built every model (not a subset) without error."""
    marker = settings.private_dir / BUILT_WITH
    temporary = marker.with_name(marker.name + ".tmp")
    temporary.write_text(_models_fingerprint(settings), encoding="utf-8")
    os.replace(temporary, marker)


def forget_built(settings: Settings) -> None:
    """Make the next dbt build a full refresh (a failed build may have left any state)."""
    (settings.private_dir / BUILT_WITH).unlink(missing_ok=True)
