"""dbt models as Dagster assets: sources tied to the ingest assets, tests as asset checks."""

import hashlib
import importlib.metadata
import json
import shutil
import subprocess
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

from orchestration import build_state, dbt_command, prewarm, spark, spark_requirements
from orchestration.dagster_internals.dbt_cli import FastStartDbtCliResource
from orchestration.ingest.assets import INGEST_GROUP, REPORT_KEY
from orchestration.resources import RefreshLock
from orchestration.settings import DBT_PROJECT_DIR, current_settings

FINGERPRINT_FILE = "nhanluc_manifest.sha256"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# The project's own parse, made as the refresh runs dbt: the manifest Dagster loads, and the
# saved parse each warehouse's first dbt run starts from. Kept apart from dbt_project/target,
# which dbt run by hand (`make docs`) rewrites with its own environment.
PREPARED_TARGET = Path("target") / "refresh"

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=PREPARED_TARGET
)


def ensure_manifest(project: DbtProject = dbt_project) -> Path:
    """Parse the dbt project once, again only when its files, dbt or the parse change.

    `prepare_if_dev()` does nothing outside `dagster dev`, so tests, CI and `make run`
    would otherwise find no manifest; parsing at every import would cost seconds. dbt
    parses as the refresh runs it (nhanluc-dbt inside a folder, no vars), so its saved
    parse is one a warehouse's dbt can start from; a parse opens no database, so the
    folder it runs in is its own target folder.
    """
    target = project.project_dir / project.target_path
    command = [
        spark.NHANLUC_DBT,
        *dbt_command.options(in_warehouse=target),
        "parse",
        "--quiet",
        "--profiles-dir",
        str(project.profiles_dir),
        "--target-path",
        str(target),
    ]
    parts = [build_state.dbt_project_fingerprint(project.project_dir)]
    parts += [importlib.metadata.version("dbt-core"), *command]
    fingerprint = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    stamp = target / FINGERPRINT_FILE
    if project.manifest_path.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return project.manifest_path
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(command, cwd=project.project_dir, check=True)
    stamp.write_text(fingerprint)
    return project.manifest_path


def seed_partial_parse(target_path: Path, project: DbtProject = dbt_project) -> None:
    """Give a warehouse's dbt target folder the project's saved parse, if it has none.

    dbt checks a saved parse against the hash of every file and parses again only what
    changed, so a copy older than the project costs that re-parse, never a stale model.
    A warehouse's own saved parse (its last run's) is kept.
    """
    saved = target_path / PARTIAL_PARSE_FILE
    prepared = project.project_dir / project.target_path / PARTIAL_PARSE_FILE
    if saved.exists() or not prepared.exists():
        return
    target_path.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(prepared, saved)


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
            spark.build_upstream_of_subset(
                context, spark_dir, dbt_project.manifest_path, as_of_date
            )
            build += spark.SPARK_TARGET
            build += ["--vars", json.dumps(spark.spark_vars(spark_dir))]
            # dbt's artifacts, compiled SQL and logs go with the run's scratch folder. Its
            # var `spark_run` is new every run, so dbt parses in full whatever it starts
            # from, and it starts in the project as it always has.
            target_path = spark.dbt_target_path(spark_dir)
            own_options = dbt_command.options(as_of_date=as_of_date)
        else:
            # One target folder per warehouse, where dbt keeps its last parse. dbt runs in
            # the warehouse, so every warehouse has the same profile and can use the same
            # parse: a first run starts from the project's (ensure_manifest).
            target_path = settings.private_dir / "dbt_target"
            seed_partial_parse(target_path)
            own_options = dbt_command.options(
                as_of_date=as_of_date, in_warehouse=settings.warehouse_dir
            )
        # The day the marts describe as "now" (macros/as_of_date.sql), fixed for the run,
        # reaches dbt in its environment: a new one each day needs no new parse.
        build = [*own_options, *build]
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
