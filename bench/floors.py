"""The tier's floors: measured before the refresh, checked against what it published.

- `floor_sql`, DuckDB alone (plain SQL): bench/honest_floor.py. Its marts must equal the
  refresh's row for row and its rows read, accepted and rejected per unit and file must
  equal quality.submission_files; otherwise the measurement fails.
- `floor_loader`, the loader's functions and the compiled dbt SQL: bench/floor.py. Its
  marts' row counts are compared with the published file's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench import floor_check, honest_floor

FLOOR = "floor_sql"
LOADER_FLOOR = "floor_loader"
MODULES = {FLOOR: "bench.honest_floor", LOADER_FLOOR: "bench.floor"}
LABELS = {
    FLOOR: "DuckDB alone (plain SQL)",
    LOADER_FLOOR: "loader functions + compiled dbt SQL",
    "floor": "loader functions + compiled dbt SQL",  # results written before floor_sql
    "peer": "pandas + DuckDB IO manager",
}
# What the peer (bench/peer.py) does not do that the refresh does.
PEER_SKIPS = (
    "cleaning: NFC, Ð→Đ, trimming, empty text → NULL",
    "the declaration's casts: D/M/YYYY dates, có/không booleans, case-insensitive enums "
    "(pandas' parsers instead: a value they refuse fails the run)",
    "every row rule: missing and bad values, references, unit validity, duplicate rows and "
    "keys, overlapping periods; nothing is rejected",
    "whole-file rules, hold-back, rejects, warnings (quality.rejections and warnings empty; "
    "submission_files counts physical lines)",
    "pandera and great-expectations checks, reconciliation, feedback, publish, report",
)


def ratio_floor(measurements: dict) -> str:
    """The floor of the ratios and targets: floor_sql; in results written before it
    existed, "floor" (the loader's)."""
    return "floor" if "floor" in measurements and FLOOR not in measurements else FLOOR


def selected(only: set[str]) -> list[str]:
    """The floors `--only` asks for: `floor` means both."""
    if "floor" in only:
        return [FLOOR, LOADER_FLOOR]
    return [name for name in (FLOOR, LOADER_FLOOR) if name in only]


def measure(bench, name: str, seeds: Path, folder: Path) -> dict:
    out, work = folder / f"{name}.json", folder / name
    command = [bench.python, "-m", MODULES[name], "--seeds", seeds, "--work", work]
    command += ["--manifest", bench.manifest, "--out", out]
    run = bench.measure(name, command, bench.env(seeds), folder / f"{name}.log")
    run.details["label"] = LABELS[name]
    if out.exists():
        detail = json.loads(out.read_text())
        run.details.update(
            load_s=detail["load_s"],
            transform_s=detail["transform_s"],
            load=detail["load"],
            models=dict(sorted(detail["models"].items(), key=lambda item: -item[1]["seconds"])[:8]),
            row_counts=detail["row_counts"],
        )
        if name == FLOOR:
            run.details["skips"] = list(honest_floor.FLOOR_SKIPS)
    if name == LOADER_FLOOR:
        shutil.rmtree(work, ignore_errors=True)
    return run.to_json()


def check(measurements: dict, folder: Path, published: Path | None, log) -> None:
    """Compare the floors with the refresh's published file (None: no refresh ran)."""
    for name in (FLOOR, LOADER_FLOOR):
        item = measurements.get(name)
        if not item or not item["ok"]:
            continue
        details = item["details"]
        if published is None or not published.exists():
            details["compared"] = "no published refresh in this run"
            continue
        if name == LOADER_FLOOR:
            refresh = published_counts(published)
            counts = details.get("row_counts", {})
            details["row_counts_differing"] = sorted(
                table for table, rows in counts.items() if refresh.get(table) != rows
            )
            details["not_built"] = sorted(set(refresh) - set(counts))
            details["matches_refresh"] = bool(counts) and not details["row_counts_differing"]
            continue
        database = folder / name / "build.duckdb"
        comparison = floor_check.compare(database, published)
        details["equal_to_refresh"] = comparison
        if not comparison["equal"]:
            item["ok"] = False
            log(
                f"  {name}: DIFFERS FROM THE REFRESH: marts {comparison['marts_differing']}, "
                f"file counts {comparison['file_counts']}"
            )
        else:
            log(
                f"  {name}: {comparison['marts_compared']} marts equal to the refresh's row "
                "for row; rows read, accepted and rejected per unit and file equal"
            )
    shutil.rmtree(folder / FLOOR, ignore_errors=True)


def published_counts(published: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(published), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
            for s, t in tables
        }
    finally:
        con.close()


def notes(name: str, item: dict) -> list[str]:
    """What the table says of a floor's or the peer's row besides its numbers."""
    details = item.get("details", {})
    out = [LABELS[name]] if name in LABELS else []
    if name in (FLOOR, LOADER_FLOOR, "floor") and "load_s" in details:
        out.append(f"load {details['load_s']:.1f} s + transform {details['transform_s']:.1f} s")
    if "matches_refresh" in details:
        out.append("row counts = refresh" if details["matches_refresh"] else "ROW COUNTS DIFFER")
    comparison = details.get("equal_to_refresh")
    if comparison:
        out.append(
            f"{comparison['marts_compared']} marts and file counts = refresh"
            if comparison["equal"]
            else f"DIFFERS FROM REFRESH: {', '.join(comparison['marts_differing']) or 'counts'}"
        )
    if details.get("compared"):
        out.append(f"not compared: {details['compared']}")
    return out
