"""The rules that compare rows with each other, as SQL stages: copies, keys, overlapping periods.

They run after the row-local checks of schemas/sql.py, in the rule order of schemas/rules.py,
and see only rows no earlier rule rejected (CONTRACT.md §3). Each stage reads the table of
the stage before and returns every row with `_violation` ('rule:column' or NULL) and
`_across` (rejected for a clash with another unit's row: never counted toward a unit's
reject rate) brought up to date.
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


def _period_filled(source: str, units: str) -> str:
    """Empty period ends take the unit's validity: later rules compare cleaned values."""
    return f"""
        SELECT s.* REPLACE (
            coalesce(s.valid_from, u.valid_from) AS valid_from,
            coalesce(s.valid_to, u.valid_to) AS valid_to)
        FROM {source} s LEFT JOIN {units} u ON u.unit_code = s.unit_code
        ORDER BY s._unit, s._pos
        """


def _duplicate_rows(seed: SeedFile, source: str) -> str:
    """Of identical rows the first is kept (by unit folder, then line); with
    copies_across_units, rows differing only in unit_code count as identical."""
    values = ", ".join(
        quote_ident(c.name)
        for c in seed.columns
        if not (seed.copies_across_units and c.name == "unit_code")
    )
    scope = values if seed.copies_across_units else f"_unit, {values}"
    return f"""
        SELECT * REPLACE (
            CASE WHEN _violation IS NULL AND row_number() OVER copies > 1
                THEN 'duplicate_row:' ELSE _violation END AS _violation,
            _across OR (_violation IS NULL AND first_value(_unit) OVER copies <> _unit)
                AS _across)
        FROM {source}
        WINDOW copies AS (PARTITION BY _violation IS NULL, {scope} ORDER BY _unit, _pos)
        """


def _duplicate_keys(seed: SeedFile, source: str) -> str:
    """Rows sharing a key but differing elsewhere are all rejected: nobody can tell which
    is right. A city-wide key compares rows of every unit."""
    key = ", ".join(quote_ident(name) for name in seed.key)
    scope = key if seed.key_city_wide else f"_unit, {key}"
    rule = literal("duplicate_key:" + "+".join(seed.key))
    return f"""
        SELECT * REPLACE (
            CASE WHEN _violation IS NULL AND count(*) OVER keys > 1
                THEN {rule} ELSE _violation END AS _violation,
            _across OR (_violation IS NULL AND count(*) OVER keys > 1
                AND min(_unit) OVER keys <> max(_unit) OVER keys) AS _across)
        FROM {source}
        WINDOW keys AS (PARTITION BY _violation IS NULL, {scope})
        """


def _listed_twice(source: str) -> str:
    """Every period of a person that overlaps another of their periods, in any unit."""
    return f"""
        WITH overlapping AS (
            SELECT DISTINCT a._unit, a._pos
            FROM {source} a JOIN {source} b
              ON a.national_id = b.national_id AND (a._unit <> b._unit OR a._pos <> b._pos)
            WHERE a._violation IS NULL AND b._violation IS NULL AND {overlaps("a", "b")}
        )
        SELECT d.* REPLACE (
            CASE WHEN o._pos IS NOT NULL THEN 'person_listed_twice:national_id'
                ELSE d._violation END AS _violation,
            d._across OR o._pos IS NOT NULL AS _across)
        FROM {source} d LEFT JOIN overlapping o ON o._unit = d._unit AND o._pos = d._pos
        ORDER BY d._unit, d._pos
        """


def comparison_stages(
    seed: SeedFile, source: str, reference_tables: dict[str, str]
) -> list[tuple[str, str]]:
    """(table name, SELECT) for each stage after `source`, in order; the last is final."""
    stages: list[tuple[str, str]] = []
    previous = source
    if seed.unit_period:
        stages.append(("period_filled", _period_filled(previous, reference_tables["units"])))
        previous = "period_filled"
    stages.append(("dedup_rows", _duplicate_rows(seed, previous)))
    stages.append(("dedup_keys", _duplicate_keys(seed, "dedup_rows")))
    if "person_listed_twice" in seed.extra_rules:
        stages.append(("listed_twice", _listed_twice("dedup_keys")))
    return stages
