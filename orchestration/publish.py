"""Publish: copy the marts and quality schemas into a new file, then rename it into place.

Readers of the published file never block the run and never see a half-written file:
the new file is built beside it, checkpointed, closed and swapped in with os.replace; a
reader that still holds the old file keeps reading the old inode.
"""

import os
import uuid
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    RetryRequested,
    asset,
)
from dagster_duckdb import DuckDBResource

from orchestration import build_state
from orchestration.dbt import dbt_models
from orchestration.resources import RefreshLock
from orchestration.settings import current_settings
from schemas import SEED_FILES
from schemas.sql import literal, quote_ident

PUBLISHED_SCHEMAS = ("marts", "quality")
STORAGE_VERSION = "v1.4.0"
PERSONAL_COLUMNS = frozenset(
    column.name for seed in SEED_FILES for column in seed.columns if column.personal
)


class PersonalDataError(RuntimeError):
    pass


def publish_warehouse(build: DuckDBResource, published: Path) -> dict[str, int]:
    """Copy the published schemas of the build database into `published`; return row counts."""
    published.parent.mkdir(parents=True, exist_ok=True)
    temporary = published.with_name(f".{published.name}.{uuid.uuid4().hex}.tmp")
    counts: dict[str, int] = {}
    try:
        with build.get_connection() as con:
            # DuckDB 1.4 (what most analysts' tools embed) reads this storage version too.
            storage = f"(STORAGE_VERSION {literal(STORAGE_VERSION)})"
            con.execute(f"ATTACH {literal(str(temporary))} AS published {storage}")
            columns = con.execute(
                "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                "WHERE database_name = current_database() AND schema_name IN ('marts', 'quality')"
            ).fetchall()
            personal = sorted({f"{s}.{t}.{c}" for s, t, c in columns if c in PERSONAL_COLUMNS})
            if personal:
                raise PersonalDataError(f"refusing to publish personal columns: {personal}")
            tables = sorted({(schema, table) for schema, table, _ in columns})
            for schema in PUBLISHED_SCHEMAS:
                con.execute(f"CREATE SCHEMA published.{schema}")
            for schema, table in tables:
                name = f"{quote_ident(schema)}.{quote_ident(table)}"
                con.execute(f"CREATE TABLE published.{name} AS SELECT * FROM {name}")
                counts[f"{schema}.{table}"] = con.execute(
                    f"SELECT count(*) FROM published.{name}"
                ).fetchone()[0]
                _copy_comments_from(con, schema, table)
            con.execute("CHECKPOINT published")
            con.execute("DETACH published")
        os.replace(temporary, published)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return counts


def _copy_comments_from(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    database = con.execute("SELECT current_database()").fetchone()[0]
    comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = ? "
        "AND schema_name = ? AND table_name = ?",
        [database, schema, table],
    ).fetchone()
    target = f"published.{quote_ident(schema)}.{quote_ident(table)}"
    if comment and comment[0]:
        con.execute(f"COMMENT ON TABLE {target} IS {literal(comment[0])}")
    for column, text in con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [database, schema, table],
    ).fetchall():
        con.execute(f"COMMENT ON COLUMN {target}.{quote_ident(column)} IS {literal(text)}")


@asset(
    key=AssetKey(["publish", "nhanluc_duckdb"]),
    group_name="publish",
    deps=[dbt_models],
    description="The published warehouse <NHANLUC_WAREHOUSE_DIR>/nhanluc.duckdb: the marts "
    "and quality schemas, no direct identifiers, swapped in atomically.",
    kinds={"duckdb"},
)
def published_warehouse(
    context: AssetExecutionContext, build_duckdb: DuckDBResource, refresh_lock: RefreshLock
):
    settings = current_settings()
    target = settings.published_database
    try:
        counts = publish_warehouse(build_duckdb, target)
    except (OSError, duckdb.IOException) as error:
        # Transient: the previous file is untouched, so trying again is safe.
        raise RetryRequested(max_retries=2, seconds_to_wait=5) from error
    build_state.record_published(
        settings, build_state.run_as_of_date(settings, context.instance, context.run.run_id)
    )
    context.log.info(f"published {len(counts)} tables to {target}")
    table = "\n".join(
        ["| table | rows |", "|---|---|"] + [f"| {n} | {c} |" for n, c in counts.items()]
    )
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(target)),
            "tables": len(counts),
            "row_counts": MetadataValue.md(table),
        }
    )
