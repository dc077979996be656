"""One Dagster asset per seed file, built from the declaration, plus the ingest report."""

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    RetryRequested,
    TableColumn,
    TableSchema,
    asset,
)

from orchestration.ingest.loader import ingest_seed_file
from orchestration.ingest.outcomes import IngestResult
from orchestration.resources import RefreshLock
from orchestration.settings import current_settings
from schemas import SEED_FILES, SeedFile
from schemas.sql import literal

INGEST_GROUP = "ingest"
REPORT_KEY = AssetKey([INGEST_GROUP, "submission_report"])


def ingest_key(seed: SeedFile) -> AssetKey:
    return AssetKey([INGEST_GROUP, seed.name])


def table_schema(seed: SeedFile) -> TableSchema:
    return TableSchema(
        columns=[
            TableColumn(
                name=column.name,
                type=column.duckdb_type,
                description=column.description + (" (personal)" if column.personal else ""),
            )
            for column in seed.columns
        ]
    )


def _markdown_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _metadata(result: IngestResult) -> dict[str, object]:
    per_unit = _markdown_table(
        ["unit", "read", "accepted", "rejected", "status", "message"],
        [
            [o.unit_code, o.rows_read, o.rows_accepted, o.rows_rejected, o.status, o.message]
            for o in result.outcomes
        ],
    )
    by_rule = _markdown_table(
        ["rule", "rows"], [[rule, count] for rule, count in sorted(result.rejected_by_rule.items())]
    )
    return {
        "rows_read": result.rows_read,
        "rows_accepted": result.rows_accepted,
        "rows_rejected": result.rows_rejected,
        "dagster/row_count": result.rows_accepted,
        "files": len(result.outcomes),
        "units_read": len(result.units_read),
        "skipped_unchanged": result.skipped,
        "files_not_accepted": sum(o.status != "accepted" for o in result.outcomes),
        "per_unit": MetadataValue.md(per_unit),
        "rejected_by_rule": MetadataValue.md(by_rule),
    }


def build_ingest_asset(seed: SeedFile) -> AssetsDefinition:
    key = ingest_key(seed)

    @asset(
        key=key,
        group_name=INGEST_GROUP,
        deps=[AssetKey([INGEST_GROUP, upstream]) for upstream in seed.upstream],
        description=f"{seed.description} Loads seeds/{seed.folder}/.../{seed.filename} into "
        "per-unit Parquet slices; rejected rows go to the private rejects with their rule.",
        metadata={"dagster/column_schema": table_schema(seed), "file": seed.filename},
        kinds={"duckdb", "parquet"},
    )
    def _ingest(context: AssetExecutionContext, refresh_lock: RefreshLock) -> MaterializeResult:
        try:
            result = ingest_seed_file(seed, current_settings())
        except (OSError, duckdb.IOException) as error:
            # A full disk or a file briefly unavailable: worth two more tries. Any other
            # error is a bug or bad input and fails the step at once.
            raise RetryRequested(max_retries=2, seconds_to_wait=5) from error
        if result.skipped:
            context.log.info(f"{seed.filename}: no input changed since the last load")
        context.log.info(
            f"{seed.filename}: {result.rows_read} rows read, {result.rows_accepted} accepted, "
            f"{result.rows_rejected} rejected over {len(result.outcomes)} file(s)"
        )
        return MaterializeResult(metadata=_metadata(result))

    return _ingest


@asset(
    key=REPORT_KEY,
    group_name=INGEST_GROUP,
    deps=[ingest_key(seed) for seed in SEED_FILES],
    description="What ingest recorded for every submitted file: rows read, accepted, rejected, "
    "warned and the file's status. Feeds quality.submission_files, quality.rejections and "
    "quality.warnings.",
    check_specs=[
        AssetCheckSpec(
            "rows_reconcile",
            asset=REPORT_KEY,
            description="Per file: rows read = accepted + rejected, and the rejects written "
            "match the rejected count (nothing dropped silently).",
        ),
        AssetCheckSpec(
            "files_accepted",
            asset=REPORT_KEY,
            description="Warns when a unit's file was rejected whole or held back.",
        ),
    ],
    kinds={"duckdb", "parquet"},
)
def submission_report(context: AssetExecutionContext, refresh_lock: RefreshLock):
    settings = current_settings()
    status = literal(str(settings.status_dir / "*.parquet"))
    rejects = literal(str(settings.rejects_dir / "*.parquet"))
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT unit_code, file, rows_read, rows_accepted, rows_rejected, status, message "
        f"FROM read_parquet({status}) ORDER BY file, unit_code"
    ).fetchall()
    unbalanced = con.execute(
        f"""
        WITH written AS (
            SELECT unit_code, file, count(*) AS rejected_rows FROM read_parquet({rejects})
            GROUP BY ALL
        )
        SELECT s.file, s.unit_code, s.rows_read, s.rows_accepted, s.rows_rejected,
               coalesce(w.rejected_rows, 0) AS written
        FROM read_parquet({status}) s LEFT JOIN written w USING (unit_code, file)
        WHERE s.rows_read <> s.rows_accepted + s.rows_rejected
           OR s.rows_rejected <> coalesce(w.rejected_rows, 0)
        """
    ).fetchall()
    warned = []
    if any(settings.warnings_dir.glob("*.parquet")):
        warnings = literal(str(settings.warnings_dir / "*.parquet"))
        warned = con.execute(
            f"SELECT file, rule, count(*) FROM read_parquet({warnings}) GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    con.close()
    not_accepted = [row for row in rows if row[5] != "accepted"]
    yield MaterializeResult(
        metadata={
            "files": len(rows),
            "rows_read": sum(row[2] for row in rows),
            "rows_accepted": sum(row[3] for row in rows),
            "rows_rejected": sum(row[4] for row in rows),
            # Accepted rows the unit should look at again (quality.warnings).
            "rows_warned": sum(row[2] for row in warned),
            "warned_by_rule": MetadataValue.md(
                _markdown_table(["file", "rule", "rows"], [list(row) for row in warned])
            ),
            "files_not_accepted": MetadataValue.md(
                _markdown_table(
                    ["unit", "file", "read", "accepted", "rejected", "status", "message"],
                    [list(row) for row in not_accepted],
                )
            ),
        }
    )
    yield AssetCheckResult(
        check_name="rows_reconcile",
        passed=not unbalanced,
        metadata={"unbalanced_files": MetadataValue.json([list(row) for row in unbalanced])},
    )
    yield AssetCheckResult(
        check_name="files_accepted",
        passed=not not_accepted,
        severity=AssetCheckSeverity.WARN,
        metadata={"files_not_accepted": len(not_accepted)},
    )


ingest_assets = [build_ingest_asset(seed) for seed in SEED_FILES]
