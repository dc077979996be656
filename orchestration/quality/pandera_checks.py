"""pandera contract checks on the accepted raw slices: one blocking check per ingest asset.

Changed slices are read and validated in batches of bounded size, so memory stays
bounded whatever the tier; keys unique city-wide are checked across slices reading only
the key and the line. A slice whose bytes passed the same schema before is not validated
again: `status/<file>.pandera.json` records the SHA-256 of every slice that passed, with the
version of the schema code, so a nightly run with nothing new (or one unit's
resubmission) validates only what changed. Any change of bytes, a corrupted slice
included, gives a new digest and a full validation of that slice.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from dagster import AssetCheckResult, AssetChecksDefinition, MetadataValue, asset_check

from orchestration.ingest.assets import ingest_key
from orchestration.ingest.files import REFERENCE_SLICE, SCHEMA_SLICE, stat_key
from orchestration.quality.pandera_record import (
    read_passed,
    slice_set_digest,
    slice_sha256,
    write_passed,
)
from orchestration.settings import Settings, current_settings
from schemas import SEED_FILES, SeedFile
from schemas.pandera_schemas import SLICE_UNIT, SOURCE_LINE, batch_schema, pandera_schema, scan_keys

CHECK_NAME = "pandera_contract"
MAX_FAILURE_CASES = 20
# Rows of changed slices validated in one pandera pass: memory stays bounded whatever the
# tier, and a file of many small unit slices costs one pass, not one per unit.
BATCH_ROWS = 1_000_000


@functools.cache
def _schema_version() -> str:
    """The code that decides what a valid slice is: a change to it invalidates every pass."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("pandera").encode())
    schemas = Path(__file__).resolve().parents[2] / "schemas"
    for path in (Path(__file__), *sorted(schemas.glob("*.py"))):
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class SliceValidation:
    """What validating every accepted slice of one seed file found."""

    file: str
    slices: int = 0
    rows: int = 0
    # Slices whose bytes passed the same schema before, so not read again.
    slices_unchanged: int = 0
    failure_count: int = 0
    failure_cases: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.failure_count == 0

    def add(self, cases: list[dict]) -> None:
        self.failure_count += len(cases)
        room = MAX_FAILURE_CASES - len(self.failure_cases)
        self.failure_cases.extend(cases[: max(room, 0)])


def _slice_unit(path: Path) -> str | None:
    """The unit a slice belongs to; None for the reference and the empty schema slice."""
    return None if path.stem in (REFERENCE_SLICE, SCHEMA_SLICE) else path.stem


def _failure_cases(seed: SeedFile, path: Path, frame, failures) -> list[dict]:
    """pandera's failure cases as plain rows, with the source line and no personal value."""
    personal = {column.name for column in seed.columns if column.personal}
    lines = frame[SOURCE_LINE] if SOURCE_LINE in frame.columns else None
    cases = []
    for case in failures.iter_rows(named=True):
        index = case.get("index")
        line = None
        if lines is not None and index is not None and 0 <= index < len(lines):
            line = lines[index]
        row_level = case["schema_context"] == "DataFrameSchema" and index is not None
        value = case["failure_case"]
        if row_level or case["column"] in personal:
            # The whole row, or a national ID: the line number finds it, the value stays private.
            value = None
        cases.append(
            {
                "slice": path.name,
                "column": None if case["schema_context"] == "DataFrameSchema" else case["column"],
                "check": case["check"],
                "source_line": line,
                "value": value,
            }
        )
    return cases


def _city_wide_duplicates(seed: SeedFile, slice_paths: list[Path]) -> list[dict]:
    """Keys that more than one row holds across all units' slices (CONTRACT.md §2-§3)."""
    if not slice_paths:
        return []
    import polars as pl

    names = {str(path): path.name for path in slice_paths}
    key = list(seed.key)
    try:
        rows = (
            scan_keys(seed, list(names), "_slice")
            .filter(pl.struct(key).is_duplicated())
            .group_by(key)
            .agg(
                pl.col("_slice").replace_strict(names).unique().sort(),
                pl.col(SOURCE_LINE).sort(),
                pl.len().alias("_rows"),
            )
            .sort("_slice", SOURCE_LINE)
            .collect()
        )
    except pl.exceptions.PolarsError as error:
        return [_case(", ".join(names.values()), seed, f"slices not comparable: {error}")]
    return [
        _case(", ".join(slices), seed, f"{count} rows share the key (lines {lines})", lines[0])
        for slices, lines, count in rows.select("_slice", SOURCE_LINE, "_rows").iter_rows()
    ]


def _case(slices: str, seed: SeedFile, value: str, line: int | None = None) -> dict:
    return {
        "slice": slices,
        "column": "+".join(seed.key),
        "check": "key_unique_city_wide",
        "source_line": line,
        "value": value,
    }


def validate_seed_slices(seed: SeedFile, settings: Settings, reuse: bool = True) -> SliceValidation:
    """Validate every accepted slice of `seed` against its pandera schema.

    Slices whose bytes already passed under the same schema code count as validated
    without being read (their row count comes from the record of that pass); with
    `reuse` False every slice is read and validated. The others are validated together
    in batches of up to BATCH_ROWS rows (one pandera pass instead of one per unit); a
    batch that fails is validated again slice by slice, so failures name their slice.
    """
    started = time.perf_counter()
    report = SliceValidation(seed.name)
    version = _schema_version()
    before, across_before = read_passed(seed, settings, version) if reuse else ({}, "")
    passed: dict[str, dict] = {}
    pending: list[tuple[Path, str, list[int]]] = []
    slice_paths = sorted((settings.raw_dir / seed.name).glob("*.parquet"))
    for path in slice_paths:
        report.slices += 1
        recorded = before.get(path.name)
        key = stat_key(path)
        # Not written since it passed: its bytes are the ones that passed (HashCache).
        digest = recorded["sha256"] if recorded and recorded.get("stat") == key else None
        digest = digest or slice_sha256(path)
        if recorded and recorded.get("sha256") == digest:
            report.rows += int(recorded.get("rows", 0))
            report.slices_unchanged += 1
            passed[path.name] = {**recorded, "stat": key}
        else:
            pending.append((path, digest, key))
    for batch in _batches(pending):
        for path, digest, key, rows in _validate_batch(seed, batch, report):
            passed[path.name] = {"sha256": digest, "rows": rows, "stat": key}
    across = ""
    if seed.key_city_wide or "person_listed_twice" in seed.extra_rules:
        # The same slices, byte for byte, as when the comparison across units last passed
        # give the same verdict: it is not run again.
        every_slice = slice_set_digest(passed) if len(passed) == len(slice_paths) else ""
        if every_slice and every_slice == across_before:
            across = every_slice
        else:
            cases = _city_wide_duplicates(seed, slice_paths)
            report.add(cases)
            across = every_slice if not cases else ""
    write_passed(seed, settings, version, passed, across)
    report.seconds = time.perf_counter() - started
    return report


def _batches(pending: list[tuple[Path, str, list[int]]]) -> list[list[tuple]]:
    """Consecutive slices grouped up to BATCH_ROWS rows (a larger slice alone), each as
    (path, digest, stat, rows)."""
    import pyarrow.parquet as pq

    batches: list[list[tuple]] = []
    total = 0
    for item in pending:
        rows = pq.read_metadata(item[0]).num_rows
        if not batches or total + rows > BATCH_ROWS:
            batches.append([])
            total = 0
        batches[-1].append((*item, rows))
        total += rows
    return batches


def _validate_batch(seed: SeedFile, batch: list[tuple], report: SliceValidation) -> list[tuple]:
    """Validate `batch` ((path, digest, stat, rows) of slices); the items that passed."""
    # Imported here: a run where no slice changed never pays for pandera.
    import pandera.errors
    import polars as pl

    report.rows += sum(item[3] for item in batch)
    units = {str(item[0]): _slice_unit(item[0]) for item in batch}
    try:
        # One read of every slice (polars reads the files in parallel); slices whose
        # columns or types differ cannot be read together, and are judged one by one.
        frame = pl.read_parquet(list(units), glob=False, include_file_paths=SLICE_UNIT)
        unit = pl.col(SLICE_UNIT).replace_strict(units, return_dtype=pl.Utf8)
        batch_schema(seed).validate(frame.with_columns(unit), lazy=True)
    except (pandera.errors.SchemaErrors, pl.exceptions.PolarsError):
        pass
    else:
        return batch
    # Judged slice by slice, so that each failure names its slice and line.
    passing = []
    for item in batch:
        path = item[0]
        frame = pl.read_parquet(path)
        try:
            pandera_schema(seed, _slice_unit(path)).validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            report.add(_failure_cases(seed, path, frame, errors.failure_cases))
        else:
            passing.append(item)
    return passing


def check_result(report: SliceValidation) -> AssetCheckResult:
    return AssetCheckResult(
        passed=report.passed,
        description=None
        if report.passed
        else f"{report.failure_count} contract violation(s) in the accepted rows of "
        f"{report.file}; first {len(report.failure_cases)} in failure_cases",
        metadata={
            "slices_validated": report.slices,
            "slices_unchanged_since_last_pass": report.slices_unchanged,
            "rows_validated": report.rows,
            "failure_count": report.failure_count,
            "failure_cases": MetadataValue.json(report.failure_cases),
            "seconds": round(report.seconds, 3),
        },
    )


def build_pandera_check(seed: SeedFile) -> AssetChecksDefinition:
    @asset_check(
        asset=ingest_key(seed),
        name=CHECK_NAME,
        blocking=True,
        description=f"The accepted rows of {seed.filename}, slice by slice, satisfy the pandera "
        "schema generated from the contract: types, required columns, enumerations, codes, "
        "ranges and the key unique.",
    )
    def _check() -> AssetCheckResult:
        return check_result(validate_seed_slices(seed, current_settings()))

    return _check


pandera_checks = [build_pandera_check(seed) for seed in SEED_FILES]
