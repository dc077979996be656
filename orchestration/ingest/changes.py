"""Incremental planning: which units a load must read again, and the record of what it changed.

A partial load (some units read again) records the rows it added or removed, so a file that
references it reads only the units naming one of those rows instead of every unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.files import SCHEMA_SLICE, write_parquet_atomically
from orchestration.settings import Settings
from schemas import sql
from schemas.contract import SEED_FILES, SeedFile, seed_file

# Files some other file's rules read (the upstream of a reference).
REFERENCED = {name for seed in SEED_FILES for name in seed.upstream}


@dataclass
class ChangeLog:
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
        write_parquet_atomically(con, " UNION ".join(parts), self.path(), self.settings.scratch_dir)
        for path in self.settings.changes_dir.glob(f"{self.seed.name}.*.parquet"):
            if path != self.path():
                path.unlink()

    @classmethod
    def forget(cls, seed: SeedFile, settings: Settings) -> None:
        for path in settings.changes_dir.glob(f"{seed.name}.*.parquet"):
            path.unlink()


def units_naming_changes(
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
    record = ChangeLog(upstream_seed, settings, before, after).path()
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
            f"{sql.typed_value(seed.column(c), sql.clean_text(raw_value(c)))} "
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


def raw_value(column: str) -> str:
    return f"json_extract_string(raw_values, {sql.literal('$.' + sql.quote_ident(column))})"
