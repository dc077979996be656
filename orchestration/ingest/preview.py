"""What the next refresh would make of one unit's folder, worked out in a private scratch state.

The check a unit runs before submitting (orchestration/check.py). A temporary folder
plays the warehouse: its seeds hold the reference files of `$NHANLUC_SEEDS_DIR/reference`
and the checked folder; its raw/<file>/ holds links to the other units' accepted slices
of the real warehouse, for the files whose other rows bear on this unit's (the checked
unit's own slice is left out: the folder replaces it) and, once each file is checked in
SEED_FILES order, the rows of this folder that would be accepted, so that enrolments are
checked against this folder's classes and the others'.
Each file is loaded with the loader's own functions, then checked against the other
units' slices for the rules across units; rejects, warnings and statuses go to the
scratch state, and the feedback is written from there as the warehouse writes it. The
real warehouse is only read.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.checking import reject_clashes_with
from orchestration.ingest.files import list_literal, submitted_paths
from orchestration.ingest.holdback import hold_back, units_to_hold_back
from orchestration.ingest.loader import load_rows, open_connection
from orchestration.ingest.outcomes import FileOutcome
from orchestration.ingest.writing import (
    count_outcomes,
    write_rejects,
    write_slices,
    write_status,
    write_warnings,
)
from orchestration.quality.feedback_files import FEEDBACK_FOLDER, WARNED, write_unit_feedback
from orchestration.settings import UNIT_FOLDER_PATTERN, Settings
from schemas import sql
from schemas.contract import SEED_FILES, SeedFile


@dataclass
class FileCheck:
    """One seed file of the folder: its outcome (None when the folder has no such file)."""

    seed: SeedFile
    outcome: FileOutcome | None
    # (file, line, column, rule, message, outcome) rows of the unit's feedback for it.
    feedback: list[list[str]]

    @property
    def rows_warned(self) -> int:
        return len({row[1] for row in self.feedback if row[5] == WARNED})

    @property
    def rejects_anything(self) -> bool:
        outcome = self.outcome
        return outcome is not None and (outcome.rows_rejected > 0 or outcome.status != "accepted")


@dataclass
class FolderCheck:
    unit: str
    files: list[FileCheck]
    # Every row of the unit's feedback file, in the warehouse's order.
    feedback: list[list[str]]
    # Units whose accepted rows in the warehouse the rules across units compared against.
    other_units: list[str]
    # Rows (and whole files) of the reference files that their rules rejected.
    reference_rejections: int

    @property
    def rejects_anything(self) -> bool:
        return any(file.rejects_anything for file in self.files)


def check_folder(folder: Path, settings: Settings) -> FolderCheck:
    """Check every seed file of `folder` (named by its unit code) as the next refresh would
    load it against `settings`' reference files and warehouse; write nothing there."""
    unit = folder.resolve().name
    if not UNIT_FOLDER_PATTERN.fullmatch(unit):
        raise ValueError(f"{folder} is not named by a unit code")
    with tempfile.TemporaryDirectory(prefix="nhanluc-check-") as scratch:
        private = _scratch_settings(Path(scratch), folder, unit, settings)
        others: set[str] = set()
        reference_rejections = 0
        outcomes: dict[str, FileOutcome | None] = {}
        for seed in SEED_FILES:
            checked = _check_file(seed, unit, settings, private, others)
            if seed.folder == "reference":
                reference_rejections += sum(
                    o.rows_rejected + (o.status != "accepted") for o in checked.values()
                )
            else:
                outcomes[seed.name] = checked.get(unit)
        write_unit_feedback(private)
        feedback = _read_feedback(private.warehouse_dir / FEEDBACK_FOLDER / f"{unit}.csv")
    files = [
        FileCheck(
            seed,
            outcomes[seed.name],
            [row for row in feedback if Path(row[0]).stem == seed.name],
        )
        for seed in SEED_FILES
        if seed.folder == "submission"
    ]
    return FolderCheck(unit, files, feedback, sorted(others), reference_rejections)


def _scratch_settings(root: Path, folder: Path, unit: str, settings: Settings) -> Settings:
    """Settings over a scratch seeds tree (the reference files and this one folder, linked)
    and a scratch warehouse, so every path the loader names reads as in a refresh."""
    seeds = root / "seeds"
    (seeds / "submissions").mkdir(parents=True)
    reference = settings.seeds_dir / "reference"
    if reference.is_dir():
        (seeds / "reference").symlink_to(reference.resolve(), target_is_directory=True)
    (seeds / "submissions" / unit).symlink_to(folder.resolve(), target_is_directory=True)
    return Settings(
        seeds, root / "warehouse", settings.max_reject_rate, settings.engine, settings.as_of_date
    )


def _check_file(
    seed: SeedFile, unit: str, settings: Settings, private: Settings, others: set[str]
) -> dict[str, FileOutcome]:
    """Load one seed file into the scratch state; return the outcome per unit read."""
    linked = _link_accepted_slices(seed, unit, settings, private)
    others.update(linked)
    units, _, paths = submitted_paths(seed, private)
    con = open_connection(private)
    try:
        outcomes = load_rows(con, seed, private, paths)
        if linked and _reject_clashes(con, seed, private, unit, linked):
            count_outcomes(con, outcomes)
        # A resubmission over the reject rate keeps the unit's last accepted rows, which
        # the files checked next then see, as in a refresh.
        held = units_to_hold_back(seed, settings, list(outcomes), outcomes)
        for held_unit in held:
            hold_back(outcomes[held_unit], settings.max_reject_rate)
        written = [name for name in units if name in outcomes and name not in held]
        write_slices(con, seed, private, [*units, *linked], written)
        for held_unit in held:
            kept = settings.raw_dir / seed.name / f"{held_unit}.parquet"
            (private.raw_dir / seed.name / kept.name).symlink_to(kept.resolve())
        write_warnings(con, seed, private, held, [])
        write_rejects(con, seed, private, held, [])
        write_status(con, seed, private, [outcomes[name] for name in sorted(outcomes)], [])
    finally:
        con.close()
    return outcomes


def _link_accepted_slices(
    seed: SeedFile, unit: str, settings: Settings, private: Settings
) -> list[str]:
    """Link the other units' accepted slices of `seed` into the scratch state; their units."""
    target = private.raw_dir / seed.name
    target.mkdir(parents=True, exist_ok=True)
    source = settings.raw_dir / seed.name
    if not _bears_on_other_units(seed) or not source.is_dir():
        return []
    source = source.resolve()
    linked = []
    for name in sorted(os.listdir(source)):
        stem, suffix = os.path.splitext(name)
        # Slices are named by unit code; the schema-only slice is not a unit's.
        if suffix != ".parquet" or stem == unit or not UNIT_FOLDER_PATTERN.fullmatch(stem):
            continue
        os.symlink(source / name, target / name)
        linked.append(stem)
    return linked


def _bears_on_other_units(seed: SeedFile) -> bool:
    """Whether other units' rows of a submission file can change a verdict on this unit's:
    a rule or a warning across units, or a file that other files reference."""
    return seed.folder == "submission" and (
        seed.key_city_wide
        or "person_listed_twice" in seed.extra_rules
        or bool(seed.warnings)
        or any(seed.name in other.upstream for other in SEED_FILES)
    )


def _reject_clashes(
    con: duckdb.DuckDBPyConnection, seed: SeedFile, private: Settings, unit: str, others: list
) -> bool:
    """Rules across units against the other units' accepted rows: a city-wide key taken,
    an overlapping period of the same person; copies of one award or rating as below."""
    if seed.copies_across_units:
        return _reject_copies(con, seed, private, unit, others)
    return reject_clashes_with(con, seed, private, others)


def _reject_copies(
    con: duckdb.DuckDBPyConnection, seed: SeedFile, private: Settings, unit: str, others: list
) -> bool:
    """A fact several units may send (copies_across_units), against the accepted rows that
    hold at most one row per key: a copy of a unit that sorts first is duplicate_row (the
    refresh keeps that unit's copy); a row that differs under the same key is
    duplicate_key; a copy of a unit that sorts after this one is accepted (its copy is the
    one a refresh rejects)."""
    slices = list_literal([str(private.raw_dir / seed.name / f"{u}.parquet") for u in others])
    same_key = " AND ".join(
        f"k.{sql.quote_ident(c)} = checked.{sql.quote_ident(c)}" for c in seed.key
    )
    same_values = " AND ".join(
        f"k.{sql.quote_ident(c.name)} IS NOT DISTINCT FROM checked.{sql.quote_ident(c.name)}"
        for c in seed.columns
        if c.name != "unit_code"
    )
    copy_first = (
        f"EXISTS (SELECT 1 FROM read_parquet({slices}) k "
        f"WHERE {same_key} AND {same_values} AND k.unit_code < checked._unit)"
    )
    differs = (
        f"EXISTS (SELECT 1 FROM read_parquet({slices}) k WHERE {same_key} AND NOT ({same_values}))"
    )
    key_rule = sql.literal("duplicate_key:" + "+".join(seed.key))
    clashes = con.execute(
        f"UPDATE checked SET _across = true, _violation = CASE WHEN {copy_first} "
        f"THEN 'duplicate_row:' ELSE {key_rule} END "
        f"WHERE _violation IS NULL AND _unit = {sql.literal(unit)} "
        f"AND ({copy_first} OR {differs})"
    ).fetchone()[0]
    return clashes > 0


def _read_feedback(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]
