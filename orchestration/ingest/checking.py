"""The rule pass: every row of the load checked against the rules of schemas/, in their order.

Row-local checks (schemas/sql.py) then the comparisons between rows (schemas/
row_comparisons.py) build the temp table `checked`; rules across units also look at the
slices of units this load does not read again.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.ingest.files import list_literal
from orchestration.settings import Settings
from schemas import sql
from schemas.contract import SeedFile
from schemas.lookups import lookup_select
from schemas.row_comparisons import comparison_statements, overlaps


def load_references(
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


def check_rows(
    con: duckdb.DuckDBPyConnection, seed: SeedFile, reference_tables: dict[str, str]
) -> None:
    """Build temp table `checked` from `src`: typed rows with `_violation` ('rule:column'
    or NULL), `_across` (rejected for a clash with another unit's rows) and `_warnings`
    (the 'warning:column' of each repair made to the row); and view `raw_values`, each
    row's values as read (`_raw`, JSON), by `_unit` and `_pos`."""
    checks = sql.row_checks(seed)
    con.execute(
        f"CREATE TEMP VIEW cleaned AS SELECT _unit, _pos, _line, {sql.cleaned_select(seed)} "
        "FROM src"
    )
    # What Excel damaged in a known way is repaired and warned before any rule sees it.
    con.execute(f"CREATE TEMP VIEW repaired AS SELECT {sql.repaired_select(seed)} FROM cleaned")
    # Views: cleaning and casting are computed once, inside the rule pass below, which
    # keeps only the typed values (the text the rules read is not stored).
    con.execute(f"CREATE TEMP VIEW typed AS SELECT *, {sql.typed_select(seed)} FROM repaired")
    # The referenced rows' columns the rules read, joined once by the references' keys.
    con.execute(f"CREATE TEMP VIEW looked_up AS {lookup_select(seed, reference_tables, 'typed')}")
    values = ", ".join(f"s.{sql.quote_ident(c.name)}" for c in seed.columns)
    con.execute(
        f"CREATE TEMP TABLE checked AS SELECT s._unit, s._pos, s._line, {values}, s._warnings, "
        f"{sql.violation_case(checks)} AS _violation, false AS _across FROM looked_up s"
    )
    for statement in comparison_statements(seed, "checked", reference_tables):
        con.execute(statement)
    # Only rejected rows need their values as read: built from `src` when written.
    raw_json = (
        "to_json({"
        + ", ".join(f"{sql.literal(c.name)}: {sql.quote_ident(c.name)}" for c in seed.columns)
        + "})"
    )
    con.execute(f"CREATE TEMP VIEW raw_values AS SELECT _unit, _pos, {raw_json} AS _raw FROM src")


def touches_kept_units(
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
        matches += " AND " + overlaps("k", "c")
    if slices:
        shared = con.execute(
            f"SELECT count(*) FROM checked c WHERE c._violation IS NULL AND EXISTS ("
            f"SELECT 1 FROM read_parquet({list_literal(slices)}) k WHERE {matches})"
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
            f"WHERE unit_code IN {list_literal(kept, parens=True)} "
            "AND rule IN ('duplicate_key', 'person_listed_twice')"
        ).fetchone()[0]
    )


def reject_clashes_with(
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
    slices = list_literal([str(settings.raw_dir / seed.name / f"{u}.parquet") for u in held])
    matches = " AND ".join(f"k.{sql.quote_ident(c)} = checked.{sql.quote_ident(c)}" for c in key)
    if seed.unit_period:
        matches += " AND " + overlaps("k", "checked")
    clashes = con.execute(
        f"UPDATE checked SET _violation = {sql.literal(rule)}, _across = true "
        f"WHERE _violation IS NULL AND _unit NOT IN {list_literal(held, parens=True)} "
        f"AND EXISTS (SELECT 1 FROM read_parquet({slices}) k WHERE {matches})"
    ).fetchone()[0]
    return clashes > 0
