"""The Spark engine (NHANLUC_ENGINE=spark): a scratch folder per run, and its tables into DuckDB.

dbt's `spark` target (dbt_project/profiles.yml) writes every model as Parquet under
`<private>/spark/<run id>/warehouse/<schema>.db/<table>/`. Once dbt exits, the tables are
copied into the build database, so the checks, the row counts and the publish step read
the same tables, with the same names, types and comments, whichever engine built them.
Run `python -m orchestration.spark build` to run dbt on Spark by hand (docs/spark.md).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb

from orchestration import dbt_command
from orchestration.settings import DBT_PROJECT_DIR, Settings, current_settings
from schemas.sql import literal, quote_ident

SPARK_TARGET = ["--target", "spark"]
COPIED_MESSAGE = "copied the tables built on Spark into the build database"
# The dbt the refresh runs (orchestration/dbt_command.py): the as-of date and the warehouse
# it is given, and the person_key pads for the Spark target, in its environment.
NHANLUC_DBT = str(Path(sys.executable).with_name("nhanluc-dbt"))
# The schemas dbt builds; all of them are copied, so the build database holds what a
# DuckDB build would (the reconciliation checks read staging too).
DBT_SCHEMAS = ("staging", "intermediate", "marts", "quality")
# The only types the models produce (each cast explicitly where engines differ). Spark's
# Parquet of these reads back as the DuckDB type of the same name; anything else (a
# DECIMAL from Spark arithmetic, a TIMESTAMP) would differ from the DuckDB build.
PORTABLE_TYPES = frozenset({"VARCHAR", "BOOLEAN", "INTEGER", "BIGINT", "DOUBLE", "DATE"})
# A run folder left by a killed run is removed by a later run once it is this old.
STALE_RUN_SECONDS = 24 * 3600


class SparkTypeError(RuntimeError):
    pass


def _remove_stale_runs(settings: Settings) -> None:
    if not settings.spark_dir.is_dir():
        return
    cutoff = time.time() - STALE_RUN_SECONDS
    for folder in settings.spark_dir.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def spark_run(settings: Settings, run_id: str | None = None) -> Iterator[Path]:
    """A fresh run folder for dbt on Spark (`spark_vars` names it to dbt's profile).

    The folder (metastore, tables, shuffle files, dbt's compiled SQL and logs) is deleted
    on exit, whether the run succeeded or not.
    """
    _remove_stale_runs(settings)
    run_dir = settings.spark_dir / (run_id or uuid.uuid4().hex[:12])
    run_dir.mkdir(parents=True)
    try:
        yield run_dir
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
        if settings.spark_dir.is_dir() and not any(settings.spark_dir.iterdir()):
            settings.spark_dir.rmdir()


def spark_vars(run_dir: Path) -> dict[str, str]:
    """dbt vars of a Spark run: the run folder the profile puts Spark's files in."""
    return {"spark_run": run_dir.name}


def dbt_target_path(run_dir: Path) -> Path:
    """dbt's artifacts, compiled SQL and logs for a Spark run: inside the run's folder."""
    return run_dir / "dbt_target"


def _dbt_on_spark(
    args: list[str], run_dir: Path, as_of_date: date | None = None
) -> subprocess.CompletedProcess:
    target = dbt_target_path(run_dir)
    command = [NHANLUC_DBT, *dbt_command.options(as_of_date=as_of_date), *args, *SPARK_TARGET]
    command += ["--profiles-dir", str(DBT_PROJECT_DIR)]
    command += ["--vars", json.dumps(spark_vars(run_dir))]
    command += ["--target-path", str(target), "--log-path", str(target)]
    return subprocess.run(command, cwd=DBT_PROJECT_DIR, check=False)


def build_upstream_of_subset(context, run_dir: Path, manifest_path: Path, as_of_date: date) -> None:
    """Build, without tests, what a subset of the dbt assets reads, before Dagster's build.

    A run's Spark warehouse starts empty, so when Dagster selects only some models (the
    submission sensor does), the models they read, and those their tests read, must be
    built first in the same run folder. The DuckDB build keeps its tables between runs
    and needs none of this.
    """
    assets_def = context.assets_def
    if assets_def.keys_by_output_name == assets_def.node_keys_by_output_name:
        return
    selected = {key.path[-1] for key in assets_def.keys_by_output_name.values()}
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]
    selected_ids = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model" and node["name"] in selected
    }
    needed = set(selected)
    for node in nodes.values():
        parents = set(node.get("depends_on", {}).get("nodes", []))
        if node["resource_type"] == "test" and parents & selected_ids:
            needed |= {nodes[parent]["name"] for parent in parents if parent in nodes}
    context.log.info(f"Spark: building what {len(selected)} selected models and tests read")
    args = ["run", "--select", *(f"+{model}" for model in sorted(needed))]
    if _dbt_on_spark(args, run_dir, as_of_date).returncode != 0:
        raise RuntimeError("dbt on Spark failed building what the selected models read")


def spark_tables(run_dir: Path, schemas: tuple[str, ...] = DBT_SCHEMAS) -> list[tuple[str, str]]:
    """(schema, table) of every table Spark wrote in the run, as Spark names them on disk."""
    warehouse = run_dir / "warehouse"
    return [
        (schema, folder.name)
        for schema in schemas
        for folder in sorted((warehouse / f"{schema}.db").glob("*"))
        if folder.is_dir() and any(folder.glob("*.parquet"))
    ]


def _model_docs(manifest: Mapping) -> dict[tuple[str, str], dict]:
    """{(schema, table): model node} of every model; _comment heeds its persist_docs."""
    docs = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "model":
            docs[(node["schema"], node.get("alias") or node["name"])] = node
    return docs


def _comment(con: duckdb.DuckDBPyConnection, schema: str, table: str, node: Mapping) -> None:
    """What dbt-duckdb's persist_docs writes: the model's and its columns' descriptions."""
    persist = node.get("config", {}).get("persist_docs") or {}
    name = f"{quote_ident(schema)}.{quote_ident(table)}"
    if persist.get("relation") and node.get("description"):
        con.execute(f"COMMENT ON TABLE {name} IS {literal(node['description'])}")
    if persist.get("columns"):
        existing = {
            column
            for (column,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
        }
        for column, spec in node.get("columns", {}).items():
            if column in existing and spec.get("description"):
                con.execute(
                    f"COMMENT ON COLUMN {name}.{quote_ident(column)} "
                    f"IS {literal(spec['description'])}"
                )


def load_spark_tables(
    con: duckdb.DuckDBPyConnection, run_dir: Path, manifest: Mapping | None = None
) -> dict[str, int]:
    """Replace the dbt schemas' tables in `con` by Spark's, in one transaction; row counts.

    A column of a type outside PORTABLE_TYPES stops the load: the model needs a cast.
    """
    tables = spark_tables(run_dir)
    if not tables:
        raise FileNotFoundError(f"Spark wrote no table under {run_dir / 'warehouse'}")
    docs = _model_docs(manifest or {})
    counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for schema, table in tables:
            files = literal(str(run_dir / "warehouse" / f"{schema}.db" / table / "*.parquet"))
            types = con.execute(f"DESCRIBE SELECT * FROM read_parquet({files})").fetchall()
            odd = [f"{column} {kind}" for column, kind, *_ in types if kind not in PORTABLE_TYPES]
            if odd:
                raise SparkTypeError(
                    f"{schema}.{table}: {', '.join(odd)} would differ from the DuckDB build; "
                    "cast it in the model"
                )
            name = f"{quote_ident(schema)}.{quote_ident(table)}"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet({files})")
            if (schema, table) in docs:
                _comment(con, schema, table, docs[(schema, table)])
            counts[f"{schema}.{table}"] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def read_manifest(run_dir: Path) -> dict:
    path = dbt_target_path(run_dir) / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def main(argv: list[str]) -> int:
    """`python -m orchestration.spark <dbt args>`: dbt on Spark, tables into the build database."""
    settings = current_settings()
    with spark_run(settings) as run_dir:
        returncode = _dbt_on_spark(argv, run_dir).returncode
        if returncode == 0 and spark_tables(run_dir):
            with duckdb.connect(str(settings.build_database)) as con:
                counts = load_spark_tables(con, run_dir, read_manifest(run_dir))
            print(f"copied {len(counts)} Spark tables into {settings.build_database}")
    return returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
