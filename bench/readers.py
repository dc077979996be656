"""Reader speed: one unit's enrolments read by ingest as CSV and as an .xlsx workbook.

`python -m bench.readers [--tier x10]` takes the tier's largest enrolments file, saves
the same rows as a workbook the way Excel types them (numbers, date cells), and reads each
into the load's `src` table with ingest's own readers (orchestration/ingest/reading.py,
workbook.py), best of three runs. openpyxl's read-only mode iterating the same workbook is
the alternative reader the choice of python-calamine was measured against. Results go to
bench/results/readers-<tier>.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import tempfile
import time
from pathlib import Path

import duckdb
import xlsxwriter

from bench.tiers import REPO_ROOT, TIERS, tier_data
from orchestration.ingest.reading import create_source_tables, read_csv_file
from orchestration.ingest.workbook import read_workbook
from schemas.contract import SEED_FILES

RUNS = 3
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _largest_enrolments(seeds: Path) -> Path:
    files = (seeds / "submissions").glob("*/enrolments.csv")
    return max(files, key=lambda path: path.stat().st_size)


def _as_workbook(source: Path, target: Path) -> int:
    """Write `source`'s rows to `target` as Excel would type them; return the data rows."""
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    sheet = book.add_worksheet("enrolments")
    rows = 0
    with source.open(encoding="utf-8-sig", newline="") as handle:
        for r, row in enumerate(csv.reader(handle)):
            for c, value in enumerate(row):
                if r and value.isdigit():
                    sheet.write_number(r, c, int(value))
                elif r and _ISO_DATE.fullmatch(value):
                    sheet.write_datetime(r, c, dt.datetime.fromisoformat(value))
                else:
                    sheet.write_string(r, c, value)
            rows = r
    book.close()
    return rows


def _best_of(read) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    return min(times)


def _ingest_reader(read, path: Path):
    seed = next(seed for seed in SEED_FILES if seed.name == "enrolments")

    def run() -> None:
        con = duckdb.connect()
        create_source_tables(con, seed)
        read(con, path, seed, path.parent.name)
        con.close()

    return run


def _openpyxl(path: Path):
    import openpyxl

    def run() -> None:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for _ in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()

    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="x10", choices=sorted(TIERS))
    args = parser.parse_args(argv)
    seeds, _ = tier_data(TIERS[args.tier])
    source = _largest_enrolments(seeds)
    with tempfile.TemporaryDirectory() as scratch:
        workbook = Path(scratch) / source.parent.name / "enrolments.xlsx"
        workbook.parent.mkdir()
        rows = _as_workbook(source, workbook)
        seconds = {
            "csv (DuckDB read_csv)": _best_of(_ingest_reader(read_csv_file, source)),
            "xlsx (python-calamine)": _best_of(_ingest_reader(read_workbook, workbook)),
            "xlsx (openpyxl read-only, cells only)": _best_of(_openpyxl(workbook)),
        }
    result = {
        "tier": args.tier,
        "file": str(source.relative_to(seeds)),
        "rows": rows,
        "runs": RUNS,
        "readers": {
            name: {"seconds": round(s, 3), "rows_per_second": round(rows / s)}
            for name, s in seconds.items()
        },
    }
    out = REPO_ROOT / "bench" / "results" / f"readers-{args.tier}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for name, figures in result["readers"].items():
        print(f"{name:40} {figures['seconds']:7.2f} s {figures['rows_per_second']:>10,} rows/s")
    print(f"{rows:,} rows of {result['file']}; written to {out.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
