"""Where a seed file's copies are, what version each is, and writes that swap in whole."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import duckdb

from orchestration.settings import UNIT_FOLDER_PATTERN, Settings
from schemas import sql
from schemas.contract import SeedFile

REFERENCE_SLICE = "reference"
# Not a valid unit code (it has a dash), and no leading "_" or ".", which Spark would skip.
SCHEMA_SLICE = "schema-only"
# Footer key of a unit slice's version (macros/incremental_by_unit.sql reads it).
SLICE_VERSION = "nhanluc_slice_version"
# status/<this>: the recorded hash of every submitted file (HashCache).
CSV_HASHES = "csv_sha256.json"


def unit_folders(settings: Settings) -> tuple[list[str], list[str]]:
    """(valid unit folders, refused folder names), both sorted."""
    root = settings.seeds_dir / "submissions"
    if not root.is_dir():
        return [], []
    names = sorted(entry.name for entry in root.iterdir() if entry.is_dir())
    valid = [name for name in names if UNIT_FOLDER_PATTERN.fullmatch(name)]
    return valid, [name for name in names if name not in valid]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stat_key(path: Path) -> list[int]:
    """What the file system says of a file's version: any write changes one of these
    (the change time cannot be set back by a tool that restores the modification time)."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]


class HashCache:
    """SHA-256 of the submitted files, read again only for files written since last time.

    A night with nothing new otherwise reads every CSV in full (1.07 GB at the national
    tier, ≈ 1.3 s) to find that nothing changed; like git's index, a file whose size,
    times, inode and device are unchanged keeps its recorded hash.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            recorded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            recorded = {}
        self.entries: dict[str, list] = recorded if isinstance(recorded, dict) else {}
        self.changed = False

    def sha256(self, file: Path) -> str:
        key = stat_key(file)
        known = self.entries.get(str(file))
        if isinstance(known, list) and len(known) == 2 and known[0] == key:
            return known[1]
        digest = file_sha256(file)
        self.entries[str(file)] = [key, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if not self.changed:
            return
        write_text_atomically(self.path, json.dumps(self.entries, sort_keys=True))


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` beside `path`, then swap it in: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_parquet_atomically(
    con: duckdb.DuckDBPyConnection,
    query: str,
    target: Path,
    scratch: Path,
    version_slice: bool = False,
) -> None:
    """Write `query` to `target` as Parquet, swapped in whole.

    A unit slice (`version_slice`) gets a new SLICE_VERSION in its footer on every write:
    dbt's staging models on DuckDB rebuild only the units whose version changed.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = scratch / f"{target.stem}-{uuid.uuid4().hex}.parquet"
    options = "FORMAT parquet"
    if version_slice:
        options += f", KV_METADATA {{{SLICE_VERSION}: {sql.literal(uuid.uuid4().hex)}}}"
    con.execute(f"COPY ({query}) TO {sql.literal(str(temporary))} ({options})")
    os.replace(temporary, target)


def write_slices_atomically(
    con: duckdb.DuckDBPyConnection,
    query: str,
    targets: dict[str, Path],
    scratch: Path,
) -> None:
    """Write the rows of `query` to one versioned Parquet slice per value of its `_unit`
    column ({unit: target}), each swapped in whole; a unit with no row gets an empty slice.

    One partitioned COPY, not one COPY per unit: each of those would scan every row of
    the load again to keep its unit's.
    """
    folder = scratch / f"slices-{uuid.uuid4().hex}"
    version = sql.literal(uuid.uuid4().hex)
    con.execute(
        f"COPY ({query}) TO {sql.literal(str(folder))} (FORMAT parquet, PARTITION_BY (_unit), "
        f"KV_METADATA {{{SLICE_VERSION}: {version}}})"
    )
    for unit, target in targets.items():
        written = sorted((folder / f"_unit={unit}").glob("*.parquet"))
        target.parent.mkdir(parents=True, exist_ok=True)
        if len(written) == 1:
            os.replace(written[0], target)
        else:  # no row (or, should DuckDB split a partition, several files): on its own
            write_parquet_atomically(
                con,
                f"SELECT * EXCLUDE (_unit) FROM ({query}) WHERE _unit = {sql.literal(unit)}",
                target,
                scratch,
                version_slice=True,
            )
    shutil.rmtree(folder, ignore_errors=True)


# What a seed file may be saved as: read (CONTRACT.md §2), or refused whole as a format
# the loader does not read (file_unsupported), never taken for an absent file. `.txt` is
# where Excel saves "Unicode Text", which loads once named `.csv`.
READABLE_SUFFIXES = (".csv", ".xlsx")
UNSUPPORTED_SUFFIXES = (".xls", ".xlsm", ".ods", ".txt")


def submission_files(folder: Path, seed: SeedFile) -> list[Path]:
    """Every version of `seed` in `folder` (`cadres.csv`, `cadres.xlsx`, `cadres.xls`...)."""
    names = (f"{seed.name}{suffix}" for suffix in READABLE_SUFFIXES + UNSUPPORTED_SUFFIXES)
    return [folder / name for name in names if (folder / name).is_file()]


def submission_path(folder: Path, seed: SeedFile) -> Path:
    """The file of `seed` a folder holds: its one version, the first of several (refused
    as file_ambiguous when read), or the absent `<name>.csv`."""
    versions = submission_files(folder, seed)
    return versions[0] if versions else folder / seed.filename


def submission_sha256(cache: HashCache, path: Path, seed: SeedFile) -> str:
    """The content hash of a unit's file; of every version when a folder holds several."""
    return "+".join(cache.sha256(version) for version in submission_files(path.parent, seed))


def submitted_paths(seed: SeedFile, settings: Settings) -> tuple[list[str], list[str], dict]:
    """(unit folders, refused folder names, {unit: path of this seed file})."""
    if seed.folder == "reference":
        folder = settings.seeds_dir / "reference"
        return [REFERENCE_SLICE], [], {REFERENCE_SLICE: submission_path(folder, seed)}
    units, refused = unit_folders(settings)
    root = settings.seeds_dir / "submissions"
    return units, refused, {unit: submission_path(root / unit, seed) for unit in units}


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert `rows` into `table` in one statement (executemany runs an INSERT per row)."""
    if not rows:
        return
    placeholders = "(" + ", ".join("?" * len(rows[0])) + ")"
    con.execute(
        f"INSERT INTO {table} VALUES {', '.join([placeholders] * len(rows))}",
        [value for row in rows for value in row],
    )


def list_literal(values: list[str], parens: bool = False) -> str:
    inner = ", ".join(sql.literal(value) for value in values)
    return f"({inner})" if parens else f"[{inner}]"
