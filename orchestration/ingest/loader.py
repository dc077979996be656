"""Load one seed file for every unit: read, clean, split accepted from rejected, write slices.

Plain Python over an in-memory DuckDB connection, so it runs the same inside a Dagster
asset, a test or the benchmark. Accepted rows go to `raw/<file>/<unit>.parquet`, rejected
rows to `rejects/<file>.parquet`, per-unit counts to `status/<file>.parquet`; each file is
written beside its target and swapped in with `os.replace`, so readers never see half a
file and ingest never touches the build database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.ingest import state
from orchestration.settings import UNIT_FOLDER_PATTERN, Settings
from schemas import sql
from schemas.contract import SEED_FILES, SeedFile, seed_file
from schemas.rules import RULE_BY_CODE, RULES_ACROSS_UNITS, message_for

REFERENCE_SLICE = "reference"
# Not a valid unit code (it has a dash), and no leading "_" or ".", which Spark would skip.
SCHEMA_SLICE = "schema-only"
INGEST_MEMORY_LIMIT = "2GB"
# Footer key of a unit slice's version (macros/incremental_by_unit.sql reads it).
SLICE_VERSION = "nhanluc_slice_version"
# status/<this>: the recorded hash of every submitted CSV (HashCache).
CSV_HASHES = "csv_sha256.json"
_CSV_OPTIONS = (
    "header = false, skip = 1, auto_detect = false, delim = ',', quote = '\"', "
    "escape = '\"', store_rejects = true, rejects_table = 'csv_rejects', "
    "rejects_scan = 'csv_scans'"
)


@dataclass
class FileOutcome:
    """What happened to one unit's copy of one seed file (a row of quality.submission_files)."""

    unit_code: str
    file: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    status: str = "accepted"
    message: str = ""
    content_sha256: str = ""
    # The rule of a file refused whole or held back; None for an accepted file.
    rule: str | None = None
    rejected_by_rule: Counter = field(default_factory=Counter)
    # Rows rejected by a rule across units (kept out of the reject rate).
    rows_rejected_across: int = 0


@dataclass
class IngestResult:
    seed: SeedFile
    outcomes: list[FileOutcome]
    # True when no input changed since the last load and nothing was read.
    skipped: bool = False
    # Units whose CSV was read by this load (the others kept their last load).
    units_read: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(outcome.rows_read for outcome in self.outcomes)

    @property
    def rows_accepted(self) -> int:
        return sum(outcome.rows_accepted for outcome in self.outcomes)

    @property
    def rows_rejected(self) -> int:
        return sum(outcome.rows_rejected for outcome in self.outcomes)

    @property
    def rejected_by_rule(self) -> Counter:
        total: Counter = Counter()
        for outcome in self.outcomes:
            total.update(outcome.rejected_by_rule)
        return total


class _WholeFileRejection(Exception):
    def __init__(self, rule: str, detail: str = ""):
        super().__init__(message_for(rule, detail))
        self.rule = rule


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
    """SHA-256 of the submitted CSVs, read again only for files written since last time.

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.path)


def _legacy_encoding_hint(path: Path) -> str:
    sample = path.read_bytes()[: 1 << 20]
    try:
        sample.decode("cp1258")
    except UnicodeDecodeError:
        return ""
    return " (có vẻ là Windows-1258)"


def _read_header(path: Path, seed: SeedFile) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline(1 << 16)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _WholeFileRejection("file_not_utf8", _legacy_encoding_hint(path)) from None
    try:
        header = next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as error:
        raise _WholeFileRejection("file_unparseable", str(error)) from None
    names = [name.strip().lower() for name in header]
    if len(set(names)) != len(names):
        raise _WholeFileRejection("file_unparseable", "tiêu đề có cột trùng tên")
    missing = [c.name for c in seed.columns if c.required and c.name not in names]
    if missing:
        raise _WholeFileRejection("file_missing_column", ", ".join(missing))
    return names


def _read_unit_file(con: duckdb.DuckDBPyConnection, path: Path, seed: SeedFile, unit: str) -> None:
    """Append the file's rows to temp tables `src` (parsed) and `malformed` (CSV errors)."""
    header = _read_header(path, seed)
    columns = "{" + ", ".join(f"{sql.literal(name)}: 'VARCHAR'" for name in header) + "}"
    present = set(header)
    projected = ", ".join(
        sql.quote_ident(c.name) if c.name in present else f"NULL AS {sql.quote_ident(c.name)}"
        for c in seed.columns
    )
    contract_columns = [sql.quote_ident(c.name) for c in seed.columns if c.name in present]
    # Newlines inside quoted values make a record span several physical lines.
    newlines = (
        "length(concat_ws('', " + ", ".join(contract_columns) + ")) - "
        "length(replace(concat_ws('', " + ", ".join(contract_columns) + "), chr(10), ''))"
    )
    con.execute("DROP TABLE IF EXISTS csv_rejects; DROP TABLE IF EXISTS csv_scans")
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE unit_src AS
            SELECT row_number() OVER () AS _pos, {projected}, {newlines} AS _nl
            FROM read_csv({sql.literal(str(path))}, columns = {columns}, {_CSV_OPTIONS})
            """
        )
    except duckdb.Error as error:
        text = str(error)
        if "unicode" in text.lower() or "utf-8" in text.lower():
            raise _WholeFileRejection("file_not_utf8", _legacy_encoding_hint(path)) from None
        raise _WholeFileRejection("file_unparseable", text.splitlines()[0][:300]) from None
    # DuckDB numbers records, not physical lines: map both onto physical lines, the header
    # being line 1 (CONTRACT.md §2). A CSV error row is taken to span one line.
    if con.execute(
        "SELECT count(*) FROM csv_rejects WHERE error_type = 'INVALID ENCODING'"
    ).fetchone()[0]:
        # DuckDB rejects undecodable rows one by one; a file in another encoding is refused
        # whole instead, so it never loads half-garbled (CONTRACT.md §2).
        raise _WholeFileRejection("file_not_utf8", _legacy_encoding_hint(path))
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE unit_errors AS
        SELECT line AS record, row_number() OVER (ORDER BY line) AS nth,
               any_value(csv_line) AS csv_line, string_agg(error_message, '; ') AS error
        FROM csv_rejects GROUP BY line
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE unit_src AS
        WITH numbered AS (
            SELECT s.*, s._pos + 1 + (
                SELECT count(*) FROM unit_errors e WHERE e.record - e.nth + 1 <= s._pos + 1
            ) AS _record
            FROM unit_src s
        )
        SELECT *, _record + coalesce(sum(_nl) OVER (
            ORDER BY _pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS _line
        FROM numbered
        """
    )
    con.execute(
        f"""
        INSERT INTO malformed
        SELECT {sql.literal(unit)}, e.record + coalesce((
            SELECT sum(s._nl) FROM unit_src s WHERE s._record < e.record), 0),
            e.csv_line, e.error
        FROM unit_errors e
        """
    )
    names = ", ".join(sql.quote_ident(c.name) for c in seed.columns)
    con.execute(f"INSERT INTO src SELECT {sql.literal(unit)}, _pos, _line, {names} FROM unit_src")


def _previous_rows(path: Path) -> int:
    if not path.exists():
        return 0
    query = f"SELECT count(*) FROM read_parquet({sql.literal(str(path))})"
    return duckdb.connect().execute(query).fetchone()[0]


def _atomic_copy(
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


def _submitted_paths(seed: SeedFile, settings: Settings) -> tuple[list[str], list[str], dict]:
    """(unit folders, refused folder names, {unit: path of this seed file})."""
    if seed.folder == "reference":
        return (
            [REFERENCE_SLICE],
            [],
            {REFERENCE_SLICE: settings.seeds_dir / "reference" / seed.filename},
        )
    units, refused = unit_folders(settings)
    paths = {unit: settings.seeds_dir / "submissions" / unit / seed.filename for unit in units}
    return units, refused, paths


def ingest_seed_file(seed: SeedFile, settings: Settings) -> IngestResult:
    """Load `seed` for every unit (or once, for a reference file) and write its slices.

    Work is keyed by content: when no input of the file changed since the last load
    (its CSVs, the accepted rows it references, the rules), nothing is read; when only
    some units' CSVs changed, only those units are read and only their slices rewritten,
    unless a rule across units (a city-wide key, a person listed by two units) ties them
    to an unchanged unit, in which case the whole file is loaded again. When a file this
    one references was loaded partially since, the units whose rows name one of the rows
    that load changed are read as well (see `_units_naming_changes`); any other change
    upstream reads every unit.
    """
    units, refused, paths = _submitted_paths(seed, settings)
    cache = HashCache(settings.status_dir / CSV_HASHES)
    hashes = {unit: cache.sha256(path) for unit, path in paths.items() if path.exists()}
    cache.save()
    for name in refused:
        if (settings.seeds_dir / "submissions" / name / seed.filename).exists():
            hashes[f"refused:{name}"] = "refused"
    current = state.InputState.build(seed, settings, hashes)
    previous = state.InputState.read(seed, settings)
    if previous is not None and previous == current and state.outputs_exist(seed, settings):
        return IngestResult(seed, _previous_outcomes(seed, settings, set()), skipped=True)
    only = current.changed_csvs(previous)
    if only is not None and previous is not None:
        for upstream in current.changed_upstream(previous):
            naming = _units_naming_changes(
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
    if seed.name in _REFERENCED and previous is not None:
        changes = _ChangeLog(seed, settings, previous.fingerprint, current.fingerprint)
    result = _ingest(seed, settings, units, refused, paths, hashes, only, changes)
    if result is None:  # a rule across units reached an unchanged unit
        result = _ingest(seed, settings, units, refused, paths, hashes, None, None)
    current.write(seed, settings)
    return result


# Files some other file's rules read (the upstream of a reference).
_REFERENCED = {name for seed in SEED_FILES for name in seed.upstream}


@dataclass
class _ChangeLog:
    """The rows a partial load of `seed` added or removed, between two of its input states.

    Written to `changes/<file>.<from>-<to>.parquet` before any slice is replaced, so a crash
    between the two loses nothing: the next attempt (same `from`) adds to the same record.
    """

    seed: SeedFile
    settings: Settings
    before: str
    after: str

    def path(self, after: str | None = None) -> Path:
        name = f"{self.seed.name}.{self.before[:32]}-{(after or self.after)[:32]}.parquet"
        return self.settings.changes_dir / name

    def earlier(self) -> list[Path]:
        """Records of an interrupted attempt that started from the same state."""
        return sorted(self.settings.changes_dir.glob(f"{self.seed.name}.{self.before[:32]}-*"))

    def write(self, con: duckdb.DuckDBPyConnection, replaced: list[str], removed: list[str]):
        values = ", ".join(sql.quote_ident(c.name) for c in self.seed.columns)
        raw_dir = self.settings.raw_dir / self.seed.name
        parts = []
        for unit in replaced:
            new = f"SELECT {values} FROM checked WHERE _violation IS NULL AND _unit = " + (
                sql.literal(unit)
            )
            old_path = raw_dir / f"{unit}.parquet"
            if old_path.exists():
                old = f"SELECT {values} FROM read_parquet({sql.literal(str(old_path))})"
                parts += [f"({old} EXCEPT {new})", f"({new} EXCEPT {old})"]
            else:
                parts.append(f"({new})")
        for unit in removed:
            old_path = raw_dir / f"{unit}.parquet"
            parts.append(f"(SELECT {values} FROM read_parquet({sql.literal(str(old_path))}))")
        earlier = self.earlier()
        parts += [f"(SELECT {values} FROM read_parquet({sql.literal(str(p))}))" for p in earlier]
        parts.append(f"(SELECT {values} FROM checked WHERE false)")
        self.settings.changes_dir.mkdir(parents=True, exist_ok=True)
        _atomic_copy(con, " UNION ".join(parts), self.path(), self.settings.scratch_dir)
        for path in self.settings.changes_dir.glob(f"{self.seed.name}.*.parquet"):
            if path != self.path():
                path.unlink()

    @classmethod
    def forget(cls, seed: SeedFile, settings: Settings) -> None:
        for path in settings.changes_dir.glob(f"{seed.name}.*.parquet"):
            path.unlink()


def _units_naming_changes(
    seed: SeedFile, settings: Settings, upstream: str, before: str | None, after: str | None
) -> set[str] | None:
    """Units of `seed` with a row (accepted or rejected) that names a row of `upstream`
    changed between its states `before` and `after`; None when that is not on record.

    Every rule of `seed` that reads `upstream` matches on a reference's columns (the
    class rules of enrolments read classes by class_code, the reference's own key), so
    a row naming no changed row gets the same verdict as at its last load.
    """
    if before is None or after is None:
        return None
    upstream_seed = seed_file(upstream)
    record = _ChangeLog(upstream_seed, settings, before, after).path()
    if not record.exists():
        return None
    references = [r for r in seed.references if r.target == upstream]
    con = duckdb.connect()
    con.execute(
        f"CREATE TEMP TABLE changed AS SELECT * FROM read_parquet({sql.literal(str(record))})"
    )
    units: set[str] = set()
    slices = settings.raw_dir / seed.name / "*.parquet"
    rejects = settings.rejects_dir / f"{seed.name}.parquet"
    for reference in references:
        pairs = list(zip(reference.columns, reference.target_columns, strict=True))
        on = " AND ".join(f"s.{sql.quote_ident(c)} = c.{sql.quote_ident(t)}" for c, t in pairs)
        units.update(
            row[0]
            for row in con.execute(
                f"SELECT DISTINCT parse_filename(s.filename, true) "
                f"FROM read_parquet({sql.literal(str(slices))}, filename = true) s "
                f"SEMI JOIN changed c ON {on}"
            ).fetchall()
        )
        if not rejects.exists():
            continue
        # A rejected row keeps its values as raw text: clean and cast them as a load would.
        raw = ", ".join(
            f"{sql.typed_value(seed.column(c), sql.clean_text(_raw_value(c)))} "
            f"AS {sql.quote_ident(c)}"
            for c, _ in pairs
        )
        units.update(
            row[0]
            for row in con.execute(
                f"SELECT DISTINCT s.unit_code FROM (SELECT unit_code, {raw} "
                f"FROM read_parquet({sql.literal(str(rejects))})) s SEMI JOIN changed c ON {on}"
            ).fetchall()
        )
    con.close()
    return units - {SCHEMA_SLICE}


def _raw_value(column: str) -> str:
    return f"json_extract_string(raw_values, {sql.literal('$.' + sql.quote_ident(column))})"


def _ingest(
    seed: SeedFile,
    settings: Settings,
    units: list[str],
    refused: list[str],
    paths: dict,
    hashes: dict[str, str],
    only: set[str] | None,
    changes: _ChangeLog | None,
) -> IngestResult | None:
    """Read the units in `only` (all when None); None when a partial load must widen."""
    settings.scratch_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET temp_directory = {sql.literal(str(settings.scratch_dir / 'duckdb'))}")
    con.execute("SET preserve_insertion_order = true")
    # Bounded memory whatever the tier: past this DuckDB spills to the temp directory
    # (the national tier's enrolments otherwise held several copies in memory).
    con.execute(f"SET memory_limit = {sql.literal(INGEST_MEMORY_LIMIT)}")
    # Progress goes to the Dagster event log; DuckDB's bar would only fill the step's stderr.
    con.execute("SET enable_progress_bar = false")
    column_defs = ", ".join(f"{sql.quote_ident(c.name)} VARCHAR" for c in seed.columns)
    con.execute(f"CREATE TEMP TABLE src (_unit VARCHAR, _pos BIGINT, _line BIGINT, {column_defs})")
    con.execute(
        "CREATE TEMP TABLE malformed (_unit VARCHAR, _line BIGINT, csv_line VARCHAR, error VARCHAR)"
    )
    processed = [unit for unit in units if only is None or unit in only]
    outcomes: dict[str, FileOutcome] = {}
    for unit in processed:
        path = paths[unit]
        if not path.exists():
            continue
        outcome = outcomes[unit] = FileOutcome(unit, seed.name, content_sha256=hashes[unit])
        try:
            if path.stat().st_size == 0:
                raise _WholeFileRejection("file_empty")
            _read_unit_file(con, path, seed, unit)
        except _WholeFileRejection as rejection:
            outcome.status = "rejected_whole"
            outcome.message = f"{path.relative_to(settings.seeds_dir)}: {rejection}"
            outcome.rule = rejection.rule
            outcome.rejected_by_rule[rejection.rule] += 0
    for name in refused:
        if (settings.seeds_dir / "submissions" / name / seed.filename).exists():
            outcomes[name] = FileOutcome(
                name,
                seed.name,
                status="rejected_whole",
                message=message_for("folder_not_unit_code", name),
                rule="folder_not_unit_code",
            )

    reference_tables = _load_references(con, seed, settings)
    _split(con, seed, reference_tables)
    kept = sorted(set(units) - set(processed))
    if only is not None and _touches_kept_units(con, seed, settings, kept):
        con.close()
        return None
    result = _write(
        con, seed, settings, units, processed, kept, outcomes, changes if only is not None else None
    )
    result.units_read = processed
    if kept:
        result.outcomes = sorted(
            result.outcomes + _previous_outcomes(seed, settings, set(kept)),
            key=lambda outcome: outcome.unit_code,
        )
    return result


def _touches_kept_units(
    con: duckdb.DuckDBPyConnection, seed: SeedFile, settings: Settings, kept: list[str]
) -> bool:
    """Whether a rule across units links the rows just read to a unit not read again."""
    if not kept or not (seed.key_city_wide or "person_listed_twice" in seed.extra_rules):
        return False
    key = ("national_id",) if "person_listed_twice" in seed.extra_rules else seed.key
    slices = [str(settings.raw_dir / seed.name / f"{unit}.parquet") for unit in kept]
    slices = [path for path in slices if Path(path).exists()]
    matches = " AND ".join(f"k.{sql.quote_ident(c)} = c.{sql.quote_ident(c)}" for c in key)
    if seed.unit_period:
        # A person's periods in two units clash only when they overlap; a move does not.
        matches += " AND " + _overlaps("k", "c")
    if slices:
        shared = con.execute(
            f"SELECT count(*) FROM checked c WHERE c._violation IS NULL AND EXISTS ("
            f"SELECT 1 FROM read_parquet({_list_literal(slices)}) k WHERE {matches})"
        ).fetchone()[0]
        if shared:
            return True
    rejects = settings.rejects_dir / f"{seed.name}.parquet"
    if not rejects.exists():
        return False
    # A kept unit whose row was rejected for a clash with another unit may be clear now.
    return bool(
        con.execute(
            f"SELECT count(*) FROM read_parquet({sql.literal(str(rejects))}) "
            f"WHERE unit_code IN {_list_literal(kept, parens=True)} "
            "AND rule IN ('duplicate_key', 'person_listed_twice')"
        ).fetchone()[0]
    )


def _list_literal(values: list[str], parens: bool = False) -> str:
    inner = ", ".join(sql.literal(value) for value in values)
    return f"({inner})" if parens else f"[{inner}]"


def _previous_outcomes(seed: SeedFile, settings: Settings, units: set[str]) -> list[FileOutcome]:
    """Outcomes recorded by the last load, for `units` (all when empty)."""
    status = settings.status_dir / f"{seed.name}.parquet"
    if not status.exists():
        return []
    con = duckdb.connect()
    rows = con.execute(
        "SELECT unit_code, file, rows_read, rows_accepted, rows_rejected, status, "
        f"coalesce(message, ''), content_sha256, rule "
        f"FROM read_parquet({sql.literal(str(status))}) "
        "ORDER BY unit_code"
    ).fetchall()
    outcomes = [FileOutcome(*row) for row in rows if not units or row[0] in units]
    rejects = settings.rejects_dir / f"{seed.name}.parquet"
    by_unit = {outcome.unit_code: outcome for outcome in outcomes}
    if rejects.exists():
        for unit, rule, count in con.execute(
            f"SELECT unit_code, rule, count(*) FROM read_parquet({sql.literal(str(rejects))}) "
            "GROUP BY ALL"
        ).fetchall():
            if unit in by_unit:
                by_unit[unit].rejected_by_rule[rule] += count
    con.close()
    return outcomes


def _load_references(
    con: duckdb.DuckDBPyConnection, seed: SeedFile, settings: Settings
) -> dict[str, str]:
    tables = {}
    for upstream in seed.upstream:
        table = f"ref_{upstream}"
        pattern = settings.raw_dir / upstream / "*.parquet"
        con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT * FROM read_parquet({sql.literal(str(pattern))})"
        )
        tables[upstream] = table
    return tables


def _split(
    con: duckdb.DuckDBPyConnection, seed: SeedFile, reference_tables: dict[str, str]
) -> None:
    """Build temp table `checked`: typed rows with `_violation` = 'rule:column' or NULL."""
    checks = sql.row_checks(seed, reference_tables)
    raw_json = (
        "to_json({"
        + ", ".join(f"{sql.literal(c.name)}: {sql.quote_ident(c.name)}" for c in seed.columns)
        + "})"
    )
    con.execute(
        f"""
        CREATE TEMP VIEW cleaned AS
        SELECT _unit, _pos, _line, {sql.cleaned_select(seed)}, {raw_json} AS _raw FROM src
        """
    )
    # Views: cleaning and casting are computed once, inside the rule pass below.
    con.execute(f"CREATE TEMP VIEW typed AS SELECT *, {sql.typed_select(seed)} FROM cleaned")
    # `_across`: the row was rejected by a rule comparing it with another unit's rows,
    # which never counts toward a unit's reject rate (CONTRACT.md §3).
    con.execute(
        f"CREATE TEMP TABLE row_checked AS SELECT s.*, {sql.violation_case(checks)} AS _violation, "
        "false AS _across FROM typed s"
    )
    checked = "row_checked"
    if seed.unit_period:
        # The rules after this compare cleaned values: empty ends take the unit's validity.
        units = reference_tables["units"]
        con.execute(
            f"""
            CREATE TEMP TABLE period_filled AS
            SELECT s.* REPLACE (
                coalesce(s.valid_from, u.valid_from) AS valid_from,
                coalesce(s.valid_to, u.valid_to) AS valid_to)
            FROM row_checked s LEFT JOIN {units} u ON u.unit_code = s.unit_code
            ORDER BY s._unit, s._pos
            """
        )
        checked = "period_filled"
    values = ", ".join(
        sql.quote_ident(c.name)
        for c in seed.columns
        if not (seed.copies_across_units and c.name == "unit_code")
    )
    key = ", ".join(sql.quote_ident(name) for name in seed.key)
    key_scope = key if seed.key_city_wide else f"_unit, {key}"
    copy_scope = values if seed.copies_across_units else f"_unit, {values}"
    # Of identical rows the first is kept; rows sharing a key but differing are all
    # rejected (CONTRACT.md §3). Each stage only looks at rows no earlier rule rejected.
    con.execute(
        f"""
        CREATE TEMP TABLE dedup_rows AS
        SELECT * REPLACE (
            CASE WHEN _violation IS NULL AND row_number() OVER copies > 1
                THEN 'duplicate_row:' ELSE _violation END AS _violation,
            _across OR (_violation IS NULL AND first_value(_unit) OVER copies <> _unit)
                AS _across)
        FROM {checked}
        WINDOW copies AS (PARTITION BY _violation IS NULL, {copy_scope} ORDER BY _unit, _pos)
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE dedup_keys AS
        SELECT * REPLACE (
            CASE WHEN _violation IS NULL AND count(*) OVER keys > 1
                THEN {sql.literal("duplicate_key:" + "+".join(seed.key))} ELSE _violation END
                AS _violation,
            _across OR (_violation IS NULL AND count(*) OVER keys > 1
                AND min(_unit) OVER keys <> max(_unit) OVER keys) AS _across)
        FROM dedup_rows
        WINDOW keys AS (PARTITION BY _violation IS NULL, {key_scope})
        """
    )
    final = "dedup_keys"
    if "person_listed_twice" in seed.extra_rules:
        # Periods of one person overlap when each starts before the other ends; an open
        # end reaches as far as a period can (CONTRACT.md §3: consecutive periods are a move).
        con.execute(
            f"""
            CREATE TEMP TABLE overlapping AS
            SELECT DISTINCT a._unit, a._pos
            FROM dedup_keys a JOIN dedup_keys b
              ON a.national_id = b.national_id AND (a._unit <> b._unit OR a._pos <> b._pos)
            WHERE a._violation IS NULL AND b._violation IS NULL
              AND {_overlaps("a", "b")}
            """
        )
        con.execute(
            """
            CREATE TEMP TABLE listed_twice AS
            SELECT d.* REPLACE (
                CASE WHEN o._pos IS NOT NULL THEN 'person_listed_twice:national_id'
                    ELSE d._violation END AS _violation,
                d._across OR o._pos IS NOT NULL AS _across)
            FROM dedup_keys d LEFT JOIN overlapping o ON o._unit = d._unit AND o._pos = d._pos
            ORDER BY d._unit, d._pos
            """
        )
        final = "listed_twice"
    con.execute(f"ALTER TABLE {final} RENAME TO checked")


_OPEN_START, _OPEN_END = "DATE '0001-01-01'", "DATE '9999-12-31'"


def _overlaps(a: str, b: str) -> str:
    """SQL: the periods (valid_from, valid_to) of rows `a` and `b` share a day."""
    return (
        f"coalesce({a}.valid_from, {_OPEN_START}) <= coalesce({b}.valid_to, {_OPEN_END}) "
        f"AND coalesce({b}.valid_from, {_OPEN_START}) <= coalesce({a}.valid_to, {_OPEN_END})"
    )


def _write(
    con: duckdb.DuckDBPyConnection,
    seed: SeedFile,
    settings: Settings,
    units: list[str],
    processed: list[str],
    kept: list[str],
    outcomes: dict[str, FileOutcome],
    changes: _ChangeLog | None,
) -> IngestResult:
    _count(con, outcomes)
    values = ", ".join(sql.quote_ident(c.name) for c in seed.columns)
    raw_dir = settings.raw_dir / seed.name
    raw_dir.mkdir(parents=True, exist_ok=True)
    kept_previous = _units_to_hold_back(seed, settings, processed, outcomes)
    if kept_previous and _reject_clashes_with(con, seed, settings, sorted(kept_previous)):
        _count(con, outcomes)
    for unit in kept_previous:
        _hold_back(outcomes[unit], settings.max_reject_rate)
    if changes is None:
        _ChangeLog.forget(seed, settings)
    else:
        changes.write(
            con,
            [unit for unit in processed if unit not in kept_previous],
            [p.stem for p in raw_dir.glob("*.parquet") if p.stem not in [*units, SCHEMA_SLICE]],
        )
    for unit in processed:
        if unit in kept_previous:
            continue
        _atomic_copy(
            con,
            f"SELECT {values}, _line AS source_line FROM checked "
            f"WHERE _violation IS NULL AND _unit = {sql.literal(unit)} ORDER BY _pos",
            raw_dir / f"{unit}.parquet",
            settings.scratch_dir,
            version_slice=True,
        )
    # A typed, empty slice keeps the file's schema readable even when no unit submits it.
    _atomic_copy(
        con,
        f"SELECT {values}, _line AS source_line FROM checked WHERE false",
        raw_dir / f"{SCHEMA_SLICE}.parquet",
        settings.scratch_dir,
    )
    # A unit folder that disappeared no longer submits anything.
    for stale in raw_dir.glob("*.parquet"):
        if stale.stem not in units and stale.stem != SCHEMA_SLICE:
            stale.unlink()

    # The slices on disk are now the set that will load: warnings are judged on it whole.
    _atomic_copy(
        con,
        sql.warnings_query(seed, f"read_parquet({sql.literal(str(raw_dir / '*.parquet'))})"),
        settings.warnings_dir / f"{seed.name}.parquet",
        settings.scratch_dir,
    )
    held = ", ".join(sql.literal(unit) for unit in kept_previous) or "NULL"
    rejects_path = settings.rejects_dir / f"{seed.name}.parquet"
    status_path = settings.status_dir / f"{seed.name}.parquet"
    file_name = sql.literal(seed.name)
    con.execute("CREATE TEMP TABLE rule_messages (rule VARCHAR, template VARCHAR)")
    con.executemany(
        "INSERT INTO rule_messages VALUES (?, ?)",
        [(code, rule.message) for code, rule in RULE_BY_CODE.items()],
    )
    _atomic_copy(
        con,
        f"""
        WITH rejected AS (
            SELECT _unit AS unit_code, _line AS line,
                   nullif(split_part(_violation, ':', 2), '') AS "column",
                   split_part(_violation, ':', 1) AS rule, _raw AS raw_values
            FROM checked WHERE _violation IS NOT NULL
            UNION ALL
            SELECT _unit, _line, NULL, 'held_back', _raw
            FROM checked WHERE _violation IS NULL AND _unit IN ({held})
            UNION ALL
            SELECT _unit, _line, NULL, 'malformed_row',
                   json_object('csv_line', csv_line, 'error', error)
            FROM malformed
        )
        SELECT r.unit_code, {file_name} AS file, r.line, r."column", r.rule,
               replace(m.template, '{{column}}', coalesce(r."column", '')) AS message,
               r.raw_values
        FROM rejected r JOIN rule_messages m USING (rule)
        {_previous_rows_of(rejects_path, kept)}
        ORDER BY unit_code, line
        """,
        rejects_path,
        settings.scratch_dir,
    )
    ordered = [outcomes[unit] for unit in sorted(outcomes)]
    status_rows = [
        (
            o.unit_code,
            o.file,
            o.rows_read,
            o.rows_accepted,
            o.rows_rejected,
            o.status,
            o.message or None,
            o.content_sha256,
            o.rule,
        )
        for o in ordered
    ]
    con.execute(
        "CREATE TEMP TABLE status (unit_code VARCHAR, file VARCHAR, rows_read BIGINT, "
        "rows_accepted BIGINT, rows_rejected BIGINT, status VARCHAR, message VARCHAR, "
        "content_sha256 VARCHAR, rule VARCHAR)"
    )
    if status_rows:
        con.executemany("INSERT INTO status VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", status_rows)
    _atomic_copy(
        con,
        f"SELECT * FROM status {_previous_rows_of(status_path, kept)} ORDER BY unit_code",
        status_path,
        settings.scratch_dir,
    )
    con.close()
    shutil.rmtree(settings.scratch_dir / "duckdb", ignore_errors=True)
    return IngestResult(seed, ordered)


def _count(con: duckdb.DuckDBPyConnection, outcomes: dict[str, FileOutcome]) -> None:
    """Set each outcome's read, accepted and rejected counts from `checked`."""
    for outcome in outcomes.values():
        outcome.rows_read = outcome.rows_accepted = outcome.rows_rejected = 0
        outcome.rows_rejected_across = 0
        outcome.rejected_by_rule = Counter({r: 0 for r in outcome.rejected_by_rule if r})
    counts = con.execute(
        """
        SELECT _unit, split_part(_violation, ':', 1) AS rule, _across, count(*)
        FROM checked GROUP BY ALL
        UNION ALL
        SELECT _unit, 'malformed_row', false, count(*) FROM malformed GROUP BY ALL
        """
    ).fetchall()
    for unit, rule, across, count in counts:
        outcome = outcomes[unit]
        outcome.rows_read += count
        if rule:
            outcome.rows_rejected += count
            outcome.rejected_by_rule[rule] += count
            if across or rule in RULES_ACROSS_UNITS:
                outcome.rows_rejected_across += count
        else:
            outcome.rows_accepted += count


def _units_to_hold_back(
    seed: SeedFile, settings: Settings, processed: list[str], outcomes: dict[str, FileOutcome]
) -> set[str]:
    """Resubmissions refused whole or over the reject rate, where earlier rows exist."""
    if seed.folder != "submission":
        return set()
    held = set()
    for unit in processed:
        outcome = outcomes.get(unit)
        if outcome is None:
            continue
        # Rules across units judge other units' rows too: they never hold a unit back.
        own_rejections = outcome.rows_rejected - outcome.rows_rejected_across
        too_many = outcome.rows_read and own_rejections / outcome.rows_read > (
            settings.max_reject_rate
        )
        slice_path = settings.raw_dir / seed.name / f"{unit}.parquet"
        if (outcome.status == "rejected_whole" or too_many) and _previous_rows(slice_path):
            held.add(unit)
    return held


def _reject_clashes_with(
    con: duckdb.DuckDBPyConnection, seed: SeedFile, settings: Settings, held: list[str]
) -> bool:
    """Rules across units also hold against the rows a held-back unit keeps: a row of
    another unit that shares a city-wide key or a person with them is rejected."""
    if "person_listed_twice" in seed.extra_rules:
        key, rule = ("national_id",), "person_listed_twice:national_id"
    elif seed.key_city_wide:
        key, rule = seed.key, "duplicate_key:" + "+".join(seed.key)
    else:
        return False
    slices = _list_literal([str(settings.raw_dir / seed.name / f"{u}.parquet") for u in held])
    matches = " AND ".join(f"k.{sql.quote_ident(c)} = checked.{sql.quote_ident(c)}" for c in key)
    if seed.unit_period:
        matches += " AND " + _overlaps("k", "checked")
    clashes = con.execute(
        f"UPDATE checked SET _violation = {sql.literal(rule)}, _across = true "
        f"WHERE _violation IS NULL AND _unit NOT IN {_list_literal(held, parens=True)} "
        f"AND EXISTS (SELECT 1 FROM read_parquet({slices}) k WHERE {matches})"
    ).fetchone()[0]
    return clashes > 0


def _previous_rows_of(path: Path, kept: list[str]) -> str:
    """A UNION ALL of the rows `path` holds for the units not read again (partial loads)."""
    if not kept or not path.exists():
        return ""
    return (
        f"UNION ALL SELECT * FROM read_parquet({sql.literal(str(path))}) "
        f"WHERE unit_code IN {_list_literal(kept, parens=True)}"
    )


def ingest_all(settings: Settings) -> list[IngestResult]:
    """Every seed file in dependency order (reference files first): ingest without Dagster."""
    return [ingest_seed_file(seed, settings) for seed in SEED_FILES]


def _hold_back(outcome: FileOutcome, max_reject_rate: float) -> None:
    """The unit's last accepted rows stay; this submission's valid rows count as held_back."""
    reason = (
        outcome.message
        if outcome.status == "rejected_whole"
        else "tỷ lệ dòng bị loại "
        f"{(outcome.rows_rejected - outcome.rows_rejected_across) / outcome.rows_read:.1%} "
        f"vượt ngưỡng {max_reject_rate:.1%}"
    )
    outcome.rejected_by_rule["held_back"] += outcome.rows_accepted
    outcome.rows_rejected += outcome.rows_accepted
    outcome.rows_accepted = 0
    outcome.status = "held_back"
    outcome.rule = "held_back"
    outcome.message = f"Giữ lại dữ liệu đã chấp nhận trước đó: {reason}"
