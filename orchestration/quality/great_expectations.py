"""Run the GX suites of schemas.expectations on the marts: one blocking check per mart.

One step runs every suite in one ephemeral GX context (creating it and importing GX are
the slow parts). GX has no DuckDB source, so each mart is read from the build database
into a pandas frame, whole for the aggregates and as a bounded sample for person-grain
tables, then validated through a pandas data source. Data Docs are rebuilt under
<warehouse>/data_docs/ on every run.
"""

import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)
from dagster_duckdb import DuckDBResource

from orchestration.settings import current_settings
from schemas.expectations import KNOWN_UNIT_CODES, MARTS_SCHEMA, SUITES, MartSuite

CHECK_NAME = "great_expectations"
DATA_DOCS_FOLDER = "data_docs"
DATA_DOCS_SITE = "nhanluc"
# Unexpected values kept per failed expectation in the check metadata.
MAX_UNEXPECTED_VALUES = 5


@dataclass
class SuiteOutcome:
    """The validation summary of one mart's suite."""

    mart: str
    rows_validated: int = 0
    sampled: bool = False
    evaluated: int = 0
    failed: list[dict] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.failed

    @property
    def failed_expectations(self) -> list[str]:
        return [failure["expectation"] for failure in self.failed]


@dataclass
class MartFrames:
    """What the suites validate, read from the build database before GX starts."""

    frames: dict[str, object]
    known_unit_codes: list[str]
    errors: dict[str, str]


def read_mart_frames(con: duckdb.DuckDBPyConnection, suites=SUITES) -> MartFrames:
    """Each suite's frame (a whole aggregate mart, or a sample) and the known unit codes."""
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = ?",
            [MARTS_SCHEMA],
        ).fetchall()
    }
    frames: dict[str, object] = {}
    errors: dict[str, str] = {}
    for suite in suites:
        if suite.mart not in tables:
            errors[suite.mart] = f"table {MARTS_SCHEMA}.{suite.mart} does not exist"
            continue
        try:
            frame = con.execute(suite.read_query()).df()
        except duckdb.Error as error:
            errors[suite.mart] = f"cannot read {MARTS_SCHEMA}.{suite.mart}: {error}"
            continue
        frames[suite.mart] = _for_gx(frame, suite)
    known = []
    if "dim_units" in tables:
        known = [
            code
            for (code,) in con.execute(
                f"SELECT DISTINCT unit_code FROM {MARTS_SCHEMA}.dim_units "
                "WHERE unit_code IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
    return MartFrames(frames, known, errors)


def _for_gx(frame, suite: MartSuite):
    """The frame in dtypes on which GX's pandas metrics compute in numpy; values unchanged.

    GX compares a range in numpy only on int64 and float64 columns and calls Python once
    per value on others: DuckDB's INTEGER reads as int32, a nullable one as Int32.
    """
    for column in set(suite.columns_of("ExpectColumnValuesToBeBetween")) & set(frame.columns):
        values = frame[column]
        if values.dtype.kind in "iu" and values.dtype != "int64":
            frame[column] = values.astype("float64" if values.hasnans else "int64")
    return frame


def _context(docs_dir: Path):
    import great_expectations as gx
    from great_expectations.data_context.types import base

    config = base.DataContextConfig(
        store_backend_defaults=base.InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=base.ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.add_data_docs_site(
        site_name=DATA_DOCS_SITE,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context


def _plain(value):
    """A JSON-friendly copy of an unexpected value (numpy scalars, pairs of them, dates)."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def _suite_outcome(suite: MartSuite, frame, checkpoint_result) -> SuiteOutcome:
    outcome = SuiteOutcome(
        suite.mart, rows_validated=len(frame), sampled=suite.sample_rows is not None
    )
    for validation in checkpoint_result.run_results.values():
        for result in validation.results:
            outcome.evaluated += 1
            if result.success:
                continue
            config = result.expectation_config
            # The declaration's label travels in the expectation's meta.
            label = (config.meta or {}).get("label", config.type)
            details = result.result or {}
            exception = (result.exception_info or {}).get("exception_message")
            outcome.failed.append(
                {
                    "expectation": label,
                    "unexpected_count": details.get("unexpected_count"),
                    "unexpected_percent": details.get("unexpected_percent"),
                    "unexpected_values": [
                        _plain(value)
                        for value in (details.get("partial_unexpected_list") or [])[
                            :MAX_UNEXPECTED_VALUES
                        ]
                    ],
                    **({"exception": exception} if exception else {}),
                }
            )
    return outcome


def _replace_folder(built: Path, target: Path) -> None:
    """Swap a freshly built folder into place; the old one is removed afterwards."""
    old = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
    if target.exists():
        os.replace(target, old)
    os.replace(built, target)
    shutil.rmtree(old, ignore_errors=True)


def run_mart_suites(marts: MartFrames, docs_dir: Path, suites=SUITES) -> dict[str, SuiteOutcome]:
    """Validate every suite's frame in one GX context; write Data Docs to `docs_dir`."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    outcomes = {mart: SuiteOutcome(mart, error=error) for mart, error in marts.errors.items()}
    built = docs_dir.with_name(f".{docs_dir.name}.{uuid.uuid4().hex}.tmp")
    built.mkdir(parents=True)
    try:
        context = _context(built)
        source = context.data_sources.add_pandas(MARTS_SCHEMA)
        for suite in suites:
            if suite.mart not in marts.frames:
                continue
            frame = marts.frames[suite.mart]
            batch = source.add_dataframe_asset(suite.mart).add_batch_definition_whole_dataframe(
                "sample" if suite.sample_rows else "whole"
            )
            expectations = [
                getattr(gxe, expectation.type)(
                    **expectation.kwargs, meta={"label": expectation.label}
                )
                for expectation in suite.expectations
            ]
            gx_suite = context.suites.add(
                gx.ExpectationSuite(name=suite.name, expectations=expectations)
            )
            validation = context.validation_definitions.add(
                gx.ValidationDefinition(data=batch, suite=gx_suite, name=suite.mart)
            )
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(
                    name=f"{suite.mart}_checkpoint",
                    validation_definitions=[validation],
                    # No UpdateDataDocsAction: it re-renders the whole site after every
                    # checkpoint (≈ 0.7 s each); one build below renders the same pages.
                    actions=[],
                    # BASIC: the counts and first unexpected values the metadata and Data
                    # Docs show; SUMMARY adds value counts and indexes, even for passes.
                    result_format={"result_format": "BASIC"},
                )
            )
            result = checkpoint.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters={KNOWN_UNIT_CODES: marts.known_unit_codes},
            )
            outcomes[suite.mart] = _suite_outcome(suite, frame, result)
        context.build_data_docs(site_names=[DATA_DOCS_SITE])
        _replace_folder(built, docs_dir)
    finally:
        shutil.rmtree(built, ignore_errors=True)
    return outcomes


def check_result(outcome: SuiteOutcome, docs_dir: Path) -> AssetCheckResult:
    key = AssetKey([MARTS_SCHEMA, outcome.mart])
    failed = outcome.failed_expectations
    description = None
    if outcome.error:
        description = outcome.error
    elif failed:
        description = f"{len(failed)} of {outcome.evaluated} expectations failed: " + ", ".join(
            failed
        )
    return AssetCheckResult(
        asset_key=key,
        check_name=CHECK_NAME,
        passed=outcome.passed,
        description=description,
        metadata={
            "expectations_evaluated": outcome.evaluated,
            "expectations_failed": len(failed),
            "failed_expectations": MetadataValue.json(outcome.failed),
            "rows_validated": outcome.rows_validated,
            "sampled": outcome.sampled,
            "data_docs": MetadataValue.path(str(docs_dir / "index.html")),
            **({"error": outcome.error} if outcome.error else {}),
        },
    )


@multi_asset_check(
    name="mart_expectations",
    specs=[
        AssetCheckSpec(
            CHECK_NAME,
            asset=AssetKey([MARTS_SCHEMA, suite.mart]),
            blocking=True,
            description=f"great-expectations suite {suite.name} on {suite.mart} "
            f"(one row per {suite.grain})"
            + (f", on a sample of {suite.sample_rows:,} rows" if suite.sample_rows else ""),
        )
        for suite in SUITES
    ],
    can_subset=True,
    description="Runs the great-expectations suites of every selected mart in one GX context "
    "and rebuilds the Data Docs.",
)
def mart_expectation_checks(context: AssetCheckExecutionContext, build_duckdb: DuckDBResource):
    selected = {key.asset_key.path[-1] for key in context.selected_asset_check_keys}
    suites = [suite for suite in SUITES if suite.mart in selected]
    started = time.perf_counter()
    with build_duckdb.get_connection() as con:
        marts = read_mart_frames(con, suites)
    read_seconds = time.perf_counter() - started
    docs_dir = current_settings().warehouse_dir / DATA_DOCS_FOLDER
    outcomes = run_mart_suites(marts, docs_dir, suites)
    context.log.info(
        f"read {len(marts.frames)} mart frames in {read_seconds:.1f} s; validated "
        f"{len(outcomes)} suites in {time.perf_counter() - started - read_seconds:.1f} s"
    )
    for suite in suites:
        yield check_result(outcomes[suite.mart], docs_dir)
