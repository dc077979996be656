"""dbt models as Dagster assets: sources tied to the ingest assets, tests as asset checks."""

import json
import subprocess
import sys
from collections.abc import Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, MetadataValue, Output
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_duckdb import DuckDBResource

from orchestration import build_state, prewarm, spark, spark_requirements
from orchestration.dagster_internals.dbt_cli import FastStartDbtCliResource
from orchestration.ingest.assets import INGEST_GROUP, REPORT_KEY
from orchestration.resources import RefreshLock
from orchestration.settings import DBT_PROJECT_DIR, current_settings

FINGERPRINT_FILE = "nhanluc_manifest.sha256"
# The dbt installed beside this interpreter, whether or not the venv is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest(project: DbtProject = dbt_project) -> Path:
    """Parse the dbt project once, again only when its files change.

    `prepare_if_dev()` does nothing outside `dagster dev`, so tests, CI and `make run`
    would otherwise find no manifest; parsing at every import would cost seconds.
    """
    fingerprint = build_state.dbt_project_fingerprint(project.project_dir)
    stamp = project.project_dir / "target" / FINGERPRINT_FILE
    if project.manifest_path.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return project.manifest_path
    subprocess.run(
        [DBT_EXECUTABLE, "parse", "--quiet", "--profiles-dir", str(project.profiles_dir)],
        cwd=project.project_dir,
        check=True,
    )
    stamp.write_text(fingerprint)
    return project.manifest_path


class NhanlucTranslator(DagsterDbtTranslator):
    """Sources map onto ingest assets; models are grouped by their folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props["source_name"] == "ingest":
                return REPORT_KEY
            return AssetKey([INGEST_GROUP, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if len(fqn) <= 2:
            return super().get_group_name(dbt_resource_props)
        # Intermediate models only exist to build marts; the UI shows them with the marts.
        return "marts" if fqn[1] == "intermediate" else fqn[1]


translator = NhanlucTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_source_tests_as_checks=True,
        enable_duplicate_source_asset_keys=True,
    )
)


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="dbt_models",
)
def dbt_models(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    build_duckdb: DuckDBResource,
    refresh_lock: RefreshLock,
):
    settings = current_settings()
    if settings.engine == "spark":
        # Without the adapter dbt would report the profile's credentials as invalid.
        spark_requirements.check()
    as_of_date = build_state.run_as_of_date(settings, context.instance, context.run.run_id)
    if not context.is_subset and build_state.already_published(settings, as_of_date):
        # Nothing new since the last publish: no output is yielded, so the checks on the
        # marts and the publish step are skipped and the published file stays as it is.
        context.log.info("no input changed since the last publish: dbt and publish skipped")
        return
    # The marts' great-expectations checks follow this step: their import overlaps dbt.
    prewarm.import_in_background("great_expectations", "great_expectations.expectations")
    published_tables: list[Output] = []
    # dbt unit tests check model logic on fixtures; they run in the test suite, not nightly.
    build = ["build", "--exclude-resource-type", "unit_test"]
    # The day the marts describe as "now" (macros/as_of_date.sql), fixed for the run.
    dbt_vars = {"as_of_date": as_of_date.isoformat()}
    context.log.info(f"as-of date {as_of_date.isoformat()}")
    # Staging is rebuilt unit by unit on DuckDB (macros/incremental_by_unit.sql); a new
    # model definition or engine rebuilds everything. A subset never records a complete
    # build, so the next full run refreshes what it did not select.
    full_refresh = build_state.needs_full_refresh(settings)
    if full_refresh:
        build.append("--full-refresh")
        build_state.forget_built(settings)
        context.log.info("the dbt project or engine changed since the last build: full refresh")
    # NHANLUC_ENGINE=spark: the same models on Spark, in a scratch folder of this run, then
    # copied into the build database, which everything downstream reads (docs/spark.md).
    on_spark = settings.engine == "spark"
    with spark.spark_run(settings) if on_spark else nullcontext() as spark_dir:
        if on_spark:
            spark.build_upstream_of_subset(context, spark_dir, dbt_project.manifest_path)
            build += spark.SPARK_TARGET
            dbt_vars |= spark.spark_vars(spark_dir)
        build += ["--vars", json.dumps(dbt_vars)]
        # One target folder per warehouse: dbt's partial parsing reuses its own last
        # parse, and no run leaves a folder behind.
        target_path = (
            spark.dbt_target_path(spark_dir) if on_spark else settings.private_dir / "dbt_target"
        )
        for event in dbt.cli(build, context=context, target_path=target_path).stream():
            if isinstance(event, Output) and _published_table(event) is not None:
                # Row counts need the build database, which dbt holds until it exits: these
                # outputs are yielded once dbt is done, with their counts.
                published_tables.append(event)
            else:
                yield event
        if on_spark:
            with build_duckdb.get_connection() as con:
                copied = spark.load_spark_tables(con, spark_dir, spark.read_manifest(spark_dir))
            context.log.info(f"{spark.COPIED_MESSAGE}: {len(copied)} tables")
    if not context.is_subset:
        build_state.record_built(settings)
    with build_duckdb.get_connection() as con:
        for output in published_tables:
            yield output.with_metadata({**output.metadata, **_table_metadata(con, output)})


def _published_table(output: Output) -> str | None:
    """'schema.table' for an output of a model in a published schema, else None."""
    schema, _, table = output.output_name.partition("__")
    return f"{schema}.{table}" if schema in ("marts", "quality") and table else None


def _table_metadata(con, output: Output) -> dict[str, object]:
    table = _published_table(output)
    metadata: dict[str, object] = {
        "dagster/row_count": con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    }
    if table == "marts.mart_target_attainment":
        metadata["city_targets"] = MetadataValue.md(_city_targets_markdown(con))
    return metadata


def _city_targets_markdown(con) -> str:
    rows = con.execute(
        """
        SELECT target_code, term_code, population, metric,
               round(actual_value, 3), comparator, threshold, met
        FROM marts.mart_target_attainment WHERE scope = 'city'
        ORDER BY term_code, target_code
        """
    ).fetchall()
    lines = [
        "| target | term | population | metric | actual | comparator | threshold | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def dbt_resource() -> DbtCliResource:
    return FastStartDbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=spark.NHANLUC_DBT,
    )
