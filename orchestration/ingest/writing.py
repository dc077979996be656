"""Writing a load's outputs: accepted slices, warnings, rejects and per-unit status.

Every file is written beside its target and swapped in whole; for a partial load the
units not read again keep their rows in the rejects and status files.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb

from orchestration.ingest.files import (
    SCHEMA_SLICE,
    insert_rows,
    list_literal,
    write_parquet_atomically,
    write_slices_atomically,
)
from orchestration.ingest.outcomes import FileOutcome
from orchestration.settings import Settings
from schemas import sql
from schemas.contract import SeedFile
from schemas.rules import ROW_WARNINGS, RULE_BY_CODE, RULES_ACROSS_UNITS

_STATUS_COLUMNS = (
    "unit_code VARCHAR, file VARCHAR, rows_read BIGINT, rows_accepted BIGINT, "
    "rows_rejected BIGINT, status VARCHAR, message VARCHAR, content_sha256 VARCHAR, rule VARCHAR, "
    "source_file VARCHAR"
)


def count_outcomes(con: duckdb.DuckDBPyConnection, outcomes: dict[str, FileOutcome]) -> None:
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


def write_slices(
    con: duckdb.DuckDBPyConnection,
    seed: SeedFile,
    settings: Settings,
    units: list[str],
    written: list[str],
) -> None:
    """Replace the slices of the units in `written`, drop those of vanished unit folders."""
    values = ", ".join(sql.quote_ident(c.name) for c in seed.columns)
    raw_dir = settings.raw_dir / seed.name
    raw_dir.mkdir(parents=True, exist_ok=True)
    if written:
        write_slices_atomically(
            con,
            f"SELECT {values}, _line AS source_line, _unit FROM checked "
            f"WHERE _violation IS NULL AND _unit IN {list_literal(written, parens=True)} "
            "ORDER BY _unit, _pos",
            {unit: raw_dir / f"{unit}.parquet" for unit in written},
            settings.scratch_dir,
        )
    # A typed, empty slice keeps the file's schema readable even when no unit submits it.
    write_parquet_atomically(
        con,
        f"SELECT {values}, _line AS source_line FROM checked WHERE false",
        raw_dir / f"{SCHEMA_SLICE}.parquet",
        settings.scratch_dir,
    )
    for stale in raw_dir.glob("*.parquet"):
        if stale.stem not in units and stale.stem != SCHEMA_SLICE:
            stale.unlink()


def write_warnings(
    con: duckdb.DuckDBPyConnection,
    seed: SeedFile,
    settings: Settings,
    held: set[str],
    kept: list[str],
) -> None:
    """Warnings about rows that will load: the repairs of rows just accepted, the earlier
    ones of units not read again or held back, and those judged on the slices on disk."""
    slices = sql.literal(str(settings.raw_dir / seed.name / "*.parquet"))
    path = settings.warnings_dir / f"{seed.name}.parquet"
    messages = " ".join(
        f"WHEN {sql.literal(code)} THEN {sql.literal(RULE_BY_CODE[code].message)}"
        for code in ROW_WARNINGS
    )
    not_held = f"_unit NOT IN {list_literal(sorted(held), parens=True)}" if held else "true"
    # Repairs are row-local: those of units not read again or held back still stand.
    earlier = previous_rows_of(
        path,
        sorted({*kept, *held}),
        f"rule IN {list_literal(list(ROW_WARNINGS), parens=True)}",
    )
    write_parquet_atomically(
        con,
        f"""
        WITH repairs AS (
            SELECT _unit AS unit_code, _line AS line, unnest(_warnings) AS warning
            FROM checked WHERE _violation IS NULL AND {not_held}
        )
        SELECT unit_code, {sql.literal(seed.name)} AS file, line,
               split_part(warning, ':', 2) AS "column", split_part(warning, ':', 1) AS rule,
               replace(CASE split_part(warning, ':', 1) {messages} END, '{{column}}',
                       split_part(warning, ':', 2)) AS message
        FROM repairs
        {earlier}
        UNION ALL SELECT * FROM ({sql.warnings_query(seed, f"read_parquet({slices})")})
        ORDER BY unit_code, line, rule
        """,
        path,
        settings.scratch_dir,
    )


def write_rejects(
    con: duckdb.DuckDBPyConnection,
    seed: SeedFile,
    settings: Settings,
    held: set[str],
    kept: list[str],
) -> None:
    """Every rejected row with file, line, column, rule, message and its raw values; the
    valid rows of a held-back file count under held_back."""
    held_units = ", ".join(sql.literal(unit) for unit in sorted(held)) or "NULL"
    rejects_path = settings.rejects_dir / f"{seed.name}.parquet"
    con.execute("CREATE TEMP TABLE rule_messages (rule VARCHAR, template VARCHAR)")
    insert_rows(con, "rule_messages", [(code, rule.message) for code, rule in RULE_BY_CODE.items()])
    write_parquet_atomically(
        con,
        f"""
        WITH rejected AS (
            SELECT _unit AS unit_code, _line AS line,
                   nullif(split_part(_violation, ':', 2), '') AS "column",
                   split_part(_violation, ':', 1) AS rule, _raw AS raw_values
            FROM checked JOIN raw_values USING (_unit, _pos) WHERE _violation IS NOT NULL
            UNION ALL
            SELECT _unit, _line, NULL, 'held_back', _raw
            FROM checked JOIN raw_values USING (_unit, _pos)
            WHERE _violation IS NULL AND _unit IN ({held_units})
            UNION ALL
            SELECT _unit, _line, NULL, 'malformed_row',
                   json_object('csv_line', csv_line, 'error', error)
            FROM malformed
        )
        SELECT r.unit_code, {sql.literal(seed.name)} AS file, r.line, r."column", r.rule,
               replace(m.template, '{{column}}', coalesce(r."column", '')) AS message,
               r.raw_values
        FROM rejected r JOIN rule_messages m USING (rule)
        {previous_rows_of(rejects_path, kept)}
        ORDER BY unit_code, line
        """,
        rejects_path,
        settings.scratch_dir,
    )


def write_status(
    con: duckdb.DuckDBPyConnection,
    seed: SeedFile,
    settings: Settings,
    outcomes: list[FileOutcome],
    kept: list[str],
) -> None:
    """One row per unit and file: counts, status, message, content hash and rule."""
    status_path = settings.status_dir / f"{seed.name}.parquet"
    con.execute(f"CREATE TEMP TABLE status ({_STATUS_COLUMNS})")
    rows = [
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
            o.source_file or None,
        )
        for o in outcomes
    ]
    insert_rows(con, "status", rows)
    write_parquet_atomically(
        con,
        f"SELECT * FROM status {previous_rows_of(status_path, kept)} ORDER BY unit_code",
        status_path,
        settings.scratch_dir,
    )


def previous_rows_of(path: Path, kept: list[str], condition: str = "true") -> str:
    """A UNION ALL of the rows `path` holds for the units not read again (partial loads)
    that meet `condition`."""
    if not kept or not path.exists():
        return ""
    return (
        f"UNION ALL SELECT * FROM read_parquet({sql.literal(str(path))}) "
        f"WHERE unit_code IN {list_literal(kept, parens=True)} AND {condition}"
    )


def previous_outcomes(seed: SeedFile, settings: Settings, units: set[str]) -> list[FileOutcome]:
    """Outcomes recorded by the last load, for `units` (all when empty)."""
    status = settings.status_dir / f"{seed.name}.parquet"
    if not status.exists():
        return []
    con = duckdb.connect()
    rows = con.execute(
        "SELECT unit_code, file, rows_read, rows_accepted, rows_rejected, status, "
        f"coalesce(message, ''), content_sha256, rule, coalesce(source_file, '') "
        f"FROM read_parquet({sql.literal(str(status))}) "
        "ORDER BY unit_code"
    ).fetchall()
    outcomes = [
        FileOutcome(*row[:9], source_file=row[9]) for row in rows if not units or row[0] in units
    ]
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
