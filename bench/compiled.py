"""The compiled dbt project run as plain SQL: what both floors share.

`dbt compile` (bench/prepare.py) writes every model's SQL into the manifest; `build`
executes it in dependency order as `CREATE TABLE|VIEW <relation> AS <compiled SQL>` on
one DuckDB connection, each source's relation (a `read_parquet(...)` of the private
slices) replaced by a table the caller loaded. No dbt, no tests.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterable
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import yaml

from schemas.sql import literal, quote_ident

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
# The compiled SQL names relations "build"."<schema>"."<table>": the database file's name.
DATABASE_NAME = "build"


def source_tables(manifest: dict, schema: str = "raw") -> dict[str, str]:
    """Compiled relation of every source -> `<schema>.<source table name>`."""
    return {
        source["relation_name"]: f"{schema}.{quote_ident(source['name'])}"
        for source in manifest["sources"].values()
    }


def models_in_order(manifest: dict) -> list[dict]:
    nodes = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }
    graph = {
        unique_id: [dep for dep in node["depends_on"]["nodes"] if dep in nodes]
        for unique_id, node in nodes.items()
    }
    return [nodes[unique_id] for unique_id in TopologicalSorter(graph).static_order()]


def models_reading(manifest: dict, sources: Iterable[str]) -> set[str]:
    """Models that read one of `sources` ("<source>" or "<source>.<table>"), directly or
    through another model."""
    names = set(sources)
    reached = {
        unique_id
        for unique_id, source in manifest["sources"].items()
        if {source["source_name"], f"{source['source_name']}.{source['name']}"} & names
    }
    for node in models_in_order(manifest):
        if reached & set(node["depends_on"]["nodes"]):
            reached.add(node["unique_id"])
    return {unique_id for unique_id in reached if unique_id in manifest["nodes"]}


def profile_settings() -> dict[str, object]:
    """The DuckDB settings of the dbt profile's default target (dbt_project/profiles.yml)."""
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    profile = profiles["nhanluc"]
    return dict(profile["outputs"][profile["target"]].get("settings") or {})


def apply_profile_settings(con: duckdb.DuckDBPyConnection) -> None:
    for name, value in profile_settings().items():
        value = str(value).lower() if isinstance(value, bool) else str(value)
        con.execute(f"SET {name} = {literal(value)}")


def build(
    con: duckdb.DuckDBPyConnection,
    manifest: dict,
    sources: dict[str, str],
    skip: set[str] = frozenset(),
) -> dict[str, dict]:
    """Every model but those in `skip`, in dependency order; seconds per model."""
    report = {}
    for node in models_in_order(manifest):
        if node["unique_id"] in skip:
            continue
        code = node.get("compiled_code")
        if code is None:
            raise SystemExit(f"{node['unique_id']} has no compiled SQL: run dbt compile first")
        for relation, table in sources.items():
            code = code.replace(relation, table)
        materialized = node["config"]["materialized"]
        if materialized == "ephemeral":
            continue  # inlined by dbt into the models that use it
        kind = "VIEW" if materialized == "view" else "TABLE"
        started = time.perf_counter()
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(node['schema'])}")
        con.execute(f"CREATE OR REPLACE {kind} {node['relation_name']} AS {code}")
        report[f"{node['schema']}.{node['alias']}"] = {
            "seconds": round(time.perf_counter() - started, 3)
        }
    return report


def row_counts(con: duckdb.DuckDBPyConnection, schemas=("marts", "quality")) -> dict[str, int]:
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name IN "
        f"({', '.join(literal(s) for s in schemas)}) ORDER BY 1, 2"
    ).fetchall()
    return {
        f"{schema}.{table}": con.execute(
            f"SELECT count(*) FROM {quote_ident(schema)}.{quote_ident(table)}"
        ).fetchone()[0]
        for schema, table in tables
    }


def floor_arguments(prog: str, argv: list[str] | None) -> argparse.Namespace:
    """The command line both floors take: seeds, a work folder, the compiled manifest and
    the file the results go to."""
    parser = argparse.ArgumentParser(prog=prog)
    for name in ("--seeds", "--work", "--manifest", "--out"):
        parser.add_argument(name, type=Path, required=True)
    return parser.parse_args(argv)


def run_floor(args: argparse.Namespace, prepare, load, transform) -> int:
    """Both floors' run: a fresh database in the work folder, `prepare(con)`, the timed load
    (`load(con)` returns its report) and transform (`transform(con, manifest)`), the row
    counts of the marts and quality tables; every figure written to `args.out`."""
    began = time.perf_counter()
    manifest = json.loads(args.manifest.read_text())
    args.work.mkdir(parents=True, exist_ok=True)
    database = args.work / f"{DATABASE_NAME}.duckdb"
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    con.execute(f"SET temp_directory = {literal(str(args.work / 'duckdb_tmp'))}")
    prepare(con)
    started = time.perf_counter()
    loaded = load(con)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    built = transform(con, manifest)
    transform_seconds = time.perf_counter() - started
    counts = row_counts(con)
    con.execute("CHECKPOINT")
    con.close()
    result = {
        "total_s": round(time.perf_counter() - began, 3),
        "load_s": round(load_seconds, 3),
        "transform_s": round(transform_seconds, 3),
        "load": loaded,
        "models": built,
        "row_counts": counts,
        "database": str(database),
    }
    args.out.write_text(json.dumps(result, indent=1))
    return 0
