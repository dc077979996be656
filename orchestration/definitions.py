"""The nhanluc code location: every asset, check, job, schedule, sensor and resource."""

import gc

from dagster import Definitions, in_process_executor
from dagster_duckdb import DuckDBResource

from orchestration.automation import (
    nightly_refresh,
    nightly_schedule,
    refresh_failure_sensor,
    submission_sensor,
)
from orchestration.dbt import dbt_models, dbt_resource
from orchestration.ingest.assets import ingest_assets, submission_report
from orchestration.publish import published_warehouse
from orchestration.quality import quality_assets, quality_checks
from orchestration.report.asset import report_site
from orchestration.resources import RefreshLock
from orchestration.settings import current_settings


def build_definitions() -> Definitions:
    """Definitions bound to the folders the environment names (CONTRACT.md §5)."""
    settings = current_settings()
    return Definitions(
        assets=[
            *ingest_assets,
            submission_report,
            dbt_models,
            *quality_assets,
            published_warehouse,
            report_site,
        ],
        asset_checks=quality_checks,
        jobs=[nightly_refresh],
        schedules=[nightly_schedule],
        sensors=[submission_sensor, refresh_failure_sensor],
        resources={
            "dbt": dbt_resource(),
            "build_duckdb": DuckDBResource(database=str(settings.build_database)),
            "refresh_lock": RefreshLock(),
        },
        executor=in_process_executor,
    )


defs = build_definitions()
# What is loaded by now (Dagster, dbt's manifest, the asset graph) lives as long as the
# process. Freezing it moves it out of the cyclic collector's reach: later collections no
# longer walk it, and the interpreter's exit no longer collects it (≈ 1 s of a refresh
# with nothing new).
gc.freeze()
