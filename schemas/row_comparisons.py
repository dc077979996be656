"""The rules that compare rows with each other, as SQL stages: copies, keys, overlapping periods.

They run after the row-local checks of schemas/sql.py, in the rule order of schemas/rules.py,
and see only rows no earlier rule rejected (CONTRACT.md §3). Each is an UPDATE of the table
of checked rows, setting `_violation` ('rule:column') and `_across` (rejected for a clash
with another unit's row: never counted toward a unit's reject rate) of the rows it rejects;
the few rows a comparison rejects are written, not the whole table again.
"""

from __future__ import annotations

from schemas.contract import SeedFile
from schemas.sql import literal, quote_ident

_OPEN_START, _OPEN_END = "DATE '0001-01-01'", "DATE '9999-12-31'"


def overlaps(a: str, b: str) -> str:
    """SQL: the periods (valid_from, valid_to) of rows `a` and `b` share a day.

    An open end reaches as far as a period can; consecutive periods (one ends on D, the
    next starts on D + 1) do not overlap: that is a move.
    """
    return (
        f"coalesce({a}.valid_from, {_OPEN_START}) <= coalesce({b}.valid_to, {_OPEN_END}) "
        f"AND coalesce({b}.valid_from, {_OPEN_START}) <= coalesce({a}.valid_to, {_OPEN_END})"
    )


def _matches(table: str, other: str, columns: list[str]) -> str:
    """SQL: `table`'s row has the same values as `other`'s in `columns`, NULL matching NULL."""
    return " AND ".join(
        f"{table}.{column} IS NOT DISTINCT FROM {other}.{column}" for column in columns
    )


def _period_filled(table: str, units: str) -> str:
    """Empty period ends take the unit's validity: later rules compare cleaned values."""
    return f"""
        UPDATE {table} SET
            valid_from = coalesce({table}.valid_from, u.valid_from),
            valid_to = coalesce({table}.valid_to, u.valid_to)
        FROM {units} u
        WHERE u.unit_code = {table}.unit_code
          AND ({table}.valid_from IS NULL OR {table}.valid_to IS NULL)
        """


def _duplicate_rows(seed: SeedFile, table: str) -> str:
    """Of identical rows the first is kept (by unit folder, then line); with
    copies_across_units, rows differing only in unit_code count as identical.

    The groups of copies are found by aggregation first; only their rows are ordered.
    """
    values = [
        quote_ident(c.name)
        for c in seed.columns
        if not (seed.copies_across_units and c.name == "unit_code")
    ]
    scope = values if seed.copies_across_units else ["_unit", *values]
    listed = ", ".join(scope)
    return f"""
        UPDATE {table} SET _violation = 'duplicate_row:', _across = {table}._across OR d._across
        FROM (
            SELECT t._unit, t._pos, row_number() OVER copies AS n,
                   first_value(t._unit) OVER copies <> t._unit AS _across
            FROM {table} t SEMI JOIN (
                SELECT {listed} FROM {table} WHERE _violation IS NULL
                GROUP BY ALL HAVING count(*) > 1
            ) g ON {_matches("t", "g", scope)}
            WHERE t._violation IS NULL
            WINDOW copies AS (PARTITION BY {", ".join("t." + c for c in scope)}
                              ORDER BY t._unit, t._pos)
        ) d
        WHERE d.n > 1 AND {table}._unit = d._unit AND {table}._pos = d._pos
        """


def _duplicate_keys(seed: SeedFile, table: str) -> str:
    """Rows sharing a key but differing elsewhere are all rejected: nobody can tell which
    is right. A city-wide key compares rows of every unit."""
    key = [quote_ident(name) for name in seed.key]
    scope = key if seed.key_city_wide else ["_unit", *key]
    rule = literal("duplicate_key:" + "+".join(seed.key))
    return f"""
        UPDATE {table} SET _violation = {rule}, _across = {table}._across OR k._across
        FROM (
            SELECT {", ".join(scope)}, min(_unit) <> max(_unit) AS _across
            FROM {table} WHERE _violation IS NULL
            GROUP BY {", ".join(scope)} HAVING count(*) > 1
        ) k
        WHERE {table}._violation IS NULL AND {_matches(table, "k", scope)}
        """


def _listed_twice(table: str) -> str:
    """Every period of a person that overlaps another of their periods, in any unit."""
    return f"""
        UPDATE {table} SET _violation = 'person_listed_twice:national_id', _across = true
        FROM (
            SELECT DISTINCT a._unit, a._pos
            FROM {table} a JOIN {table} b
              ON a.national_id = b.national_id AND (a._unit <> b._unit OR a._pos <> b._pos)
            WHERE a._violation IS NULL AND b._violation IS NULL AND {overlaps("a", "b")}
        ) o
        WHERE {table}._unit = o._unit AND {table}._pos = o._pos
        """


def comparison_statements(
    seed: SeedFile, table: str, reference_tables: dict[str, str]
) -> list[str]:
    """The UPDATEs of `table` (every row with its row-local verdict) that apply these rules,
    in order: each sees the verdicts of the one before."""
    statements: list[str] = []
    if seed.unit_period:
        statements.append(_period_filled(table, reference_tables["units"]))
    statements.append(_duplicate_rows(seed, table))
    statements.append(_duplicate_keys(seed, table))
    if "person_listed_twice" in seed.extra_rules:
        statements.append(_listed_twice(table))
    return statements
