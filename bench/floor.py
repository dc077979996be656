"""The loader's floor: ingest's own functions and the compiled dbt SQL in one DuckDB session.

    python -m bench.floor --seeds DIR --work DIR --manifest target/manifest.json --out X.json

The benchmark's row `floor_loader` ("loader functions + compiled dbt SQL"). It prices
the refresh's orchestration around the same load code, not the load itself: the loader's
cost is inside this floor. bench/honest_floor.py is the floor written in plain SQL.

Load: for every seed file, in the declaration's order, every unit's file is read and
split by the loader's own public steps (`reading.read_unit_files`: the same readers,
dialect and header handling; `checking.check_rows`: the cleaning, repairs, casting and
rule SQL of schemas/sql.py and schemas/row_comparisons.py), and the accepted rows become
table `raw.<file>`; rejected rows and per-file counts become `raw.rejected_rows` and
`raw.file_status`. No Parquet slice, no rejects, status or warnings file is written:
those exist so that ingest never opens the build database, which is an orchestration
choice the floor does not need. The models on the warnings (quality.warnings) are not
built.

Transform: every other dbt model's compiled SQL from the manifest, in dependency order,
as `CREATE TABLE <relation> AS <compiled SQL>`, where each source's relation (a
`read_parquet(...)` expression) is replaced by the table the load made. The person_key
macro is created from dbt_project/plugins/person_key.py with the same key.
No dbt, no Dagster, no tests, no publish.
"""

from __future__ import annotations

import dataclasses
import time

import duckdb

from bench import compiled
from dbt_project.plugins.person_key import load_key, macro_sql
from orchestration.ingest import checking, files, reading, writing
from orchestration.ingest.loader import INGEST_MEMORY_LIMIT
from orchestration.ingest.outcomes import FileOutcome
from orchestration.settings import Settings
from schemas import SEED_FILES
from schemas.rules import RULE_BY_CODE
from schemas.sql import literal, quote_ident

MESSAGES = "bench_rule_messages"
# The loader's warnings file is not reproduced: the models reading it are not built.
WARNINGS_SOURCE = "ingest.warned_rows"
_SQL_TYPES = {int: "BIGINT", "int": "BIGINT"}


def _status_columns() -> list[tuple[str, str]]:
    """The loader's status columns: the fields of FileOutcome it writes, in order."""
    return [
        (item.name, _SQL_TYPES.get(item.type, "VARCHAR"))
        for item in dataclasses.fields(FileOutcome)
        if item.name not in ("rejected_by_rule", "rows_rejected_across")
    ]


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the loader's temporary tables and views, whatever it names them."""
    for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
    ).fetchall():
        con.execute(f"DROP VIEW {quote_ident(name)}")
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name <> ?", [MESSAGES]
    ).fetchall():
        con.execute(f"DROP TABLE {quote_ident(name)}")


def load(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, dict]:
    # The settings ingest gives its connections.
    con.execute("SET preserve_insertion_order = true")
    limit = INGEST_MEMORY_LIMIT
    if limit:
        con.execute(f"SET memory_limit = {literal(limit)}")
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"CREATE TEMP TABLE {MESSAGES} (rule VARCHAR, template VARCHAR)")
    con.executemany(
        f"INSERT INTO {MESSAGES} VALUES (?, ?)",
        [(code, rule.message) for code, rule in RULE_BY_CODE.items()],
    )
    con.execute(
        "CREATE TABLE raw.rejected_rows (unit_code VARCHAR, file VARCHAR, line BIGINT, "
        '"column" VARCHAR, rule VARCHAR, message VARCHAR, raw_values JSON)'
    )
    status_columns = _status_columns()
    con.execute(
        "CREATE TABLE raw.file_status ("
        + ", ".join(f"{quote_ident(name)} {kind}" for name, kind in status_columns)
        + ")"
    )
    units, _ = files.unit_folders(settings)
    report = {}
    for seed in SEED_FILES:
        started = time.perf_counter()
        reading.create_source_tables(con, seed)
        if seed.folder == "reference":
            paths = {files.REFERENCE_SLICE: settings.seeds_dir / "reference" / seed.filename}
        else:
            paths = {u: settings.seeds_dir / "submissions" / u / seed.filename for u in units}
        reading.read_unit_files(
            con, {u: p for u, p in paths.items() if p.exists() and p.stat().st_size}, seed
        )
        references = {upstream: f"raw.{quote_ident(upstream)}" for upstream in seed.upstream}
        checking.check_rows(con, seed, references)
        values = ", ".join(quote_ident(c.name) for c in seed.columns)
        con.execute(
            f"CREATE TABLE raw.{quote_ident(seed.name)} AS "
            f"SELECT {values}, _line AS source_line FROM checked "
            "WHERE _violation IS NULL ORDER BY _unit, _pos"
        )
        con.execute(
            f"""
            INSERT INTO raw.rejected_rows
            SELECT c._unit, {literal(seed.name)}, c._line,
                   nullif(split_part(c._violation, ':', 2), ''),
                   split_part(c._violation, ':', 1),
                   replace(m.template, '{{column}}', coalesce(
                       nullif(split_part(c._violation, ':', 2), ''), '')),
                   r._raw
            FROM checked c JOIN raw_values r USING (_unit, _pos)
            JOIN {MESSAGES} m ON m.rule = split_part(c._violation, ':', 1)
            WHERE c._violation IS NOT NULL
            """
        )
        outcomes = {
            unit: FileOutcome(unit, seed.name) for unit, path in paths.items() if path.exists()
        }
        writing.count_outcomes(con, outcomes)
        if outcomes:  # a file no unit submits has no status rows
            con.executemany(
                f"INSERT INTO raw.file_status VALUES ({', '.join('?' for _ in status_columns)})",
                [
                    [getattr(outcome, name) for name, _ in status_columns]
                    for outcome in outcomes.values()
                ],
            )
        rows = con.execute(f"SELECT count(*) FROM raw.{quote_ident(seed.name)}").fetchone()[0]
        _drop_temp(con)
        report[seed.name] = {"rows": rows, "seconds": round(time.perf_counter() - started, 3)}
    return report


def transform(con: duckdb.DuckDBPyConnection, manifest: dict) -> dict[str, dict]:
    con.execute("RESET memory_limit")  # dbt's connection has DuckDB's default
    compiled.apply_profile_settings(con)
    skip = compiled.models_reading(manifest, [WARNINGS_SOURCE])
    return compiled.build(con, manifest, compiled.source_tables(manifest), skip)


def main(argv: list[str] | None = None) -> int:
    args = compiled.floor_arguments("python -m bench.floor", argv)
    settings = Settings(args.seeds.resolve(), args.work.resolve(), 1.0)
    return compiled.run_floor(
        args,
        lambda con: con.execute(macro_sql(load_key())),
        lambda con: load(con, settings),
        transform,
    )


if __name__ == "__main__":
    raise SystemExit(main())
