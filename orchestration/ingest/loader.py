"""Load one seed file for every unit: read, check, settle hold-backs, write slices.

The public entry points of ingest (`ingest_seed_file`, `ingest_all`, `load_rows`). Plain
Python over an in-memory DuckDB connection, so it runs the same inside a Dagster asset, a
test or the benchmark. Accepted rows go to `raw/<file>/<unit>.parquet`, rejected rows to
`rejects/<file>.parquet`, warnings to `warnings/<file>.parquet`, per-unit counts to
`status/<file>.parquet`; each file is swapped in whole, so readers never see half a file
and ingest never touches the build database.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from orchestration.ingest import state
from orchestration.ingest.changes import REFERENCED, ChangeLog, units_naming_changes
from orchestration.ingest.checking import (
    check_rows,
    load_references,
    reject_clashes_with,
    touches_kept_units,
)
from orchestration.ingest.files import (
    CSV_HASHES,
    SCHEMA_SLICE,
    HashCache,
    submission_files,
    submission_sha256,
    submitted_paths,
)
from orchestration.ingest.holdback import hold_back, units_to_hold_back
from orchestration.ingest.outcomes import FileOutcome, IngestResult
from orchestration.ingest.reading import create_source_tables, read_unit_files
from orchestration.ingest.writing import (
    count_outcomes,
    previous_outcomes,
    write_rejects,
    write_slices,
    write_status,
    write_warnings,
)
from orchestration.settings import Settings
from schemas import sql
from schemas.contract import SEED_FILES, SeedFile
from schemas.rules import message_for

INGEST_MEMORY_LIMIT = "2GB"


def ingest_seed_file(seed: SeedFile, settings: Settings) -> IngestResult:
    """Load `seed` for every unit (or once, for a reference file) and write its slices.

    Work is keyed by content: when no input of the file changed since the last load
    (its files, the accepted rows it references, the rules), nothing is read; when only
    some units' files changed, only those units are read and only their slices rewritten,
    unless a rule across units (a city-wide key, overlapping periods of one person) ties
    them to an unchanged unit, in which case the whole file is loaded again. When a file
    this one references was loaded partially since, the units whose rows name one of the
    rows that load changed are read as well (changes.units_naming_changes); any other
    change upstream reads every unit.
    """
    units, refused, paths = submitted_paths(seed, settings)
    cache = HashCache(settings.status_dir / CSV_HASHES)
    hashes = {
        unit: submission_sha256(cache, path, seed) for unit, path in paths.items() if path.exists()
    }
    cache.save()
    for name in refused:
        if submission_files(settings.seeds_dir / "submissions" / name, seed):
            hashes[f"refused:{name}"] = "refused"
    current = state.InputState.build(seed, settings, hashes)
    previous = state.InputState.read(seed, settings)
    if previous is not None and previous == current and state.outputs_exist(seed, settings):
        return IngestResult(seed, previous_outcomes(seed, settings, set()), skipped=True)
    only = current.changed_csvs(previous)
    if only is not None and previous is not None:
        for upstream in current.changed_upstream(previous):
            naming = units_naming_changes(
                seed,
                settings,
                upstream,
                previous.upstream.get(upstream),
                current.upstream.get(upstream),
            )
            if naming is None:
                only = None
                break
            only |= naming
    # What this load changed is recorded for the files that reference this one, and only
    # for a partial load: after a full load they read every unit again anyway.
    changes = None
    if seed.name in REFERENCED and previous is not None:
        changes = ChangeLog(seed, settings, previous.fingerprint, current.fingerprint)
    result = _ingest(seed, settings, units, refused, paths, hashes, only, changes)
    if result is None:  # a rule across units reached an unchanged unit
        result = _ingest(seed, settings, units, refused, paths, hashes, None, None)
    current.write(seed, settings)
    return result


def ingest_all(settings: Settings) -> list[IngestResult]:
    """Every seed file in dependency order (reference files first): ingest without Dagster."""
    return [ingest_seed_file(seed, settings) for seed in SEED_FILES]


def open_connection(settings: Settings) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session bounded in memory, spilling to the private scratch."""
    settings.scratch_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET temp_directory = {sql.literal(str(settings.scratch_dir / 'duckdb'))}")
    con.execute("SET preserve_insertion_order = true")
    # Bounded memory whatever the tier: past this DuckDB spills to the temp directory
    # (the national tier's enrolments otherwise held several copies in memory).
    con.execute(f"SET memory_limit = {sql.literal(INGEST_MEMORY_LIMIT)}")
    # Progress goes to the Dagster event log; DuckDB's bar would only fill the step's stderr.
    con.execute("SET enable_progress_bar = false")
    return con


def load_rows(
    con: duckdb.DuckDBPyConnection,
    seed: SeedFile,
    settings: Settings,
    paths: dict[str, Path],
    hashes: dict[str, str] | None = None,
) -> dict[str, FileOutcome]:
    """Read the files of `paths` ({unit: path}) into `con` and check every row: the temp
    table `checked` holds each row with its verdict. Returns each unit's outcome, counted;
    nothing is written."""
    create_source_tables(con, seed)
    present = {unit: path for unit, path in paths.items() if path.exists()}
    outcomes = {
        unit: FileOutcome(
            unit, seed.name, content_sha256=(hashes or {}).get(unit, ""), source_file=path.name
        )
        for unit, path in present.items()
    }
    for unit, rejection in read_unit_files(con, present, seed).items():
        outcome = outcomes[unit]
        outcome.status = "rejected_whole"
        outcome.message = f"{present[unit].relative_to(settings.seeds_dir)}: {rejection}"
        outcome.rule = rejection.rule
        outcome.rejected_by_rule[rejection.rule] += 0
    check_rows(con, seed, load_references(con, seed, settings))
    count_outcomes(con, outcomes)
    return outcomes


def _ingest(
    seed: SeedFile,
    settings: Settings,
    units: list[str],
    refused: list[str],
    paths: dict,
    hashes: dict[str, str],
    only: set[str] | None,
    changes: ChangeLog | None,
) -> IngestResult | None:
    """Read the units in `only` (all when None); None when a partial load must widen."""
    con = open_connection(settings)
    processed = [unit for unit in units if only is None or unit in only]
    outcomes = load_rows(con, seed, settings, {u: paths[u] for u in processed}, hashes)
    for name in refused:
        if submission_files(settings.seeds_dir / "submissions" / name, seed):
            outcomes[name] = FileOutcome(
                name,
                seed.name,
                status="rejected_whole",
                message=message_for("folder_not_unit_code", name),
                rule="folder_not_unit_code",
            )
    kept = sorted(set(units) - set(processed))
    if only is not None and touches_kept_units(con, seed, settings, kept):
        con.close()
        return None
    held = units_to_hold_back(seed, settings, processed, outcomes)
    if held and reject_clashes_with(con, seed, settings, sorted(held)):
        count_outcomes(con, outcomes)
    for unit in held:
        hold_back(outcomes[unit], settings.max_reject_rate)
    raw_dir = settings.raw_dir / seed.name
    if changes is None or only is None:
        ChangeLog.forget(seed, settings)
    else:
        vanished = [
            p.stem for p in raw_dir.glob("*.parquet") if p.stem not in [*units, SCHEMA_SLICE]
        ]
        changes.write(con, [unit for unit in processed if unit not in held], vanished)
    write_slices(con, seed, settings, units, [unit for unit in processed if unit not in held])
    write_warnings(con, seed, settings, held, kept)
    write_rejects(con, seed, settings, held, kept)
    ordered = [outcomes[unit] for unit in sorted(outcomes)]
    write_status(con, seed, settings, ordered, kept)
    con.close()
    shutil.rmtree(settings.scratch_dir / "duckdb", ignore_errors=True)
    result = IngestResult(seed, ordered, units_read=processed)
    if kept:
        result.outcomes = sorted(
            result.outcomes + previous_outcomes(seed, settings, set(kept)),
            key=lambda outcome: outcome.unit_code,
        )
    return result
