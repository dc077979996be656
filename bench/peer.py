"""The peer: what most users would write with Dagster for the same warehouse.

    dagster job execute -m bench.peer -j peer_refresh

As in the Dagster examples: one asset per seed file returning a pandas DataFrame
(`pandas.read_csv` of every unit's file, typed from the declaration, concatenated),
stored by `DuckDBPandasIOManager` as table `raw.<file>` of the build database, then the
same dbt project built by `@dbt_assets` with a plain `DbtCliResource`. The dbt project
is a copy of dbt_project/ (BENCH_PEER_DBT_DIR, prepared by the harness) whose sources
read those tables instead of the Parquet slices; models, macros, tests and profile are
unchanged. The peer does no cleaning and applies no rule: on the generated (clean) tiers
it accepts what the project accepts, and does less work than the project does
(bench/floors.py PEER_SKIPS lists what it leaves out).
"""

import dataclasses
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Definitions,
    MaterializeResult,
    asset,
    define_asset_job,
    in_process_executor,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_duckdb import DuckDBResource
from dagster_duckdb_pandas import DuckDBPandasIOManager

from orchestration.ingest.outcomes import FileOutcome
from schemas import SEED_FILES, SeedFile

SEEDS_DIR = Path(os.environ.get("NHANLUC_SEEDS_DIR", "seeds")).resolve()
WAREHOUSE_DIR = Path(os.environ.get("NHANLUC_WAREHOUSE_DIR", "warehouse")).resolve()
DBT_DIR = Path(os.environ["BENCH_PEER_DBT_DIR"]).resolve()
DATABASE = WAREHOUSE_DIR / "private" / "build.duckdb"
RAW = "raw"

_PANDAS_TYPES = {"integer": "Int64", "fraction": "float64", "boolean": "boolean"}


def _files(seed: SeedFile) -> list[Path]:
    if seed.folder == "reference":
        return [SEEDS_DIR / "reference" / seed.filename]
    return sorted(SEEDS_DIR.glob(f"submissions/*/{seed.filename}"))


def read_seed(seed: SeedFile) -> pd.DataFrame:
    """pandas.read_csv per file, typed from the declaration, concatenated."""
    dtypes = {c.name: _PANDAS_TYPES.get(c.kind, "string") for c in seed.columns}
    dates = [c.name for c in seed.columns if c.kind == "date"]
    for name in dates:
        del dtypes[name]
    frames = [
        pd.read_csv(
            path,
            dtype=dtypes,
            parse_dates=dates,
            date_format="%Y-%m-%d",
            true_values=["true"],
            false_values=["false"],
        )
        for path in _files(seed)
    ]
    frame = pd.concat(frames, ignore_index=True)
    for name in dates:
        frame[name] = frame[name].dt.date  # DATE in DuckDB, as the contract declares
    return frame


def build_peer_asset(seed: SeedFile):
    @asset(key=AssetKey([RAW, seed.name]), group_name="peer_ingest", kinds={"pandas", "duckdb"})
    def _load() -> pd.DataFrame:
        return read_seed(seed)

    return _load


@asset(key=AssetKey([RAW, "file_status"]), group_name="peer_ingest", kinds={"pandas", "duckdb"})
def file_status() -> pd.DataFrame:
    """Rows per file, in the loader's status columns (every row accepted: no rules here)."""
    rows = []
    for seed in SEED_FILES:
        for path in _files(seed):
            count = sum(1 for _ in path.open("rb")) - 1
            unit = "reference" if seed.folder == "reference" else path.parent.name
            rows.append(FileOutcome(unit, seed.name, count, count, 0))
    columns = [f.name for f in dataclasses.fields(FileOutcome) if f.name != "rejected_by_rule"]
    frame = pd.DataFrame(
        [[getattr(row, name) for name in columns] for row in rows], columns=columns
    )
    text = [name for name in columns if not name.startswith("rows_")]
    return frame.astype({name: "string" for name in text})


@asset(key=AssetKey([RAW, "rejected_rows"]), group_name="peer_ingest", kinds={"duckdb"})
def rejected_rows(build_duckdb: DuckDBResource) -> MaterializeResult:
    # The IO manager writes no table for an empty frame, and the peer rejects nothing.
    with build_duckdb.get_connection() as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW}")
        con.execute(
            f"CREATE OR REPLACE TABLE {RAW}.rejected_rows (unit_code VARCHAR, file VARCHAR, "
            'line BIGINT, "column" VARCHAR, rule VARCHAR, message VARCHAR, raw_values VARCHAR)'
        )
    return MaterializeResult(metadata={"dagster/row_count": 0})


@asset(key=AssetKey([RAW, "warned_rows"]), group_name="peer_ingest", kinds={"duckdb"})
def warned_rows(build_duckdb: DuckDBResource) -> MaterializeResult:
    # The peer repairs nothing and checks no row, so it warns of nothing.
    with build_duckdb.get_connection() as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW}")
        con.execute(
            f"CREATE OR REPLACE TABLE {RAW}.warned_rows (unit_code VARCHAR, file VARCHAR, "
            'line BIGINT, "column" VARCHAR, rule VARCHAR, message VARCHAR)'
        )
    return MaterializeResult(metadata={"dagster/row_count": 0})


class PeerTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([RAW, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)


peer_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


@dbt_assets(
    manifest=peer_project.manifest_path,
    project=peer_project,
    dagster_dbt_translator=PeerTranslator(),
    name="peer_dbt",
)
def peer_dbt(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context).stream()


peer_refresh = define_asset_job(
    "peer_refresh", selection=AssetSelection.all(), executor_def=in_process_executor
)

defs = Definitions(
    assets=[
        *(build_peer_asset(seed) for seed in SEED_FILES),
        file_status,
        rejected_rows,
        warned_rows,
        peer_dbt,
    ],
    jobs=[peer_refresh],
    resources={
        "io_manager": DuckDBPandasIOManager(database=str(DATABASE), schema=RAW),
        "build_duckdb": DuckDBResource(database=str(DATABASE)),
        "dbt": DbtCliResource(
            project_dir=peer_project,
            profiles_dir=str(DBT_DIR),
            # The venv's dbt, whether or not the venv is on PATH.
            dbt_executable=str(Path(sys.executable).with_name("dbt")),
        ),
    },
    executor=in_process_executor,
)
