"""Validation alone, on a warehouse a refresh already built: one suite per process.

    python -m bench.validation pandera --out X.json   # NHANLUC_* name the tier's folders
    python -m bench.validation gx --out X.json

Calls the project's own quality functions (orchestration/quality/) with the settings the
refresh used; the import of the suite's library is timed apart from the work. When the
functions cannot be imported (the quality checks are unfinished), the result says so
and the measurement is recorded as not available. `dbt test` needs no runner: the
harness calls the dbt CLI itself.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import traceback
from pathlib import Path


def pandera_suite() -> dict:
    started = time.perf_counter()
    try:
        import pandera  # noqa: F401  (the library's own import, timed apart)

        from orchestration.quality.pandera_checks import validate_seed_slices
        from orchestration.settings import current_settings
        from schemas import SEED_FILES
    except Exception as error:
        return {"available": False, "reason": f"{type(error).__name__}: {error}"}
    imported = time.perf_counter()
    settings = current_settings()
    files = {}
    for seed in SEED_FILES:
        report = validate_seed_slices(seed, settings, reuse=False)
        files[seed.name] = {
            "rows": report.rows,
            "slices": report.slices,
            "failures": report.failure_count,
            "seconds": round(report.seconds, 3),
        }
    done = time.perf_counter()
    return {
        "available": True,
        "import_s": round(imported - started, 3),
        "work_s": round(done - imported, 3),
        "rows": sum(item["rows"] for item in files.values()),
        "failures": sum(item["failures"] for item in files.values()),
        "files": files,
    }


def gx_suite() -> dict:
    started = time.perf_counter()
    try:
        import duckdb
        import great_expectations  # noqa: F401

        from orchestration.quality.great_expectations import read_mart_frames, run_mart_suites
        from orchestration.settings import current_settings
    except Exception as error:
        return {"available": False, "reason": f"{type(error).__name__}: {error}"}
    imported = time.perf_counter()
    settings = current_settings()
    con = duckdb.connect(str(settings.build_database), read_only=True)
    marts = read_mart_frames(con)
    con.close()
    read = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-gx-") as folder:
        outcomes = run_mart_suites(marts, Path(folder) / "data_docs")
    done = time.perf_counter()
    return {
        "available": True,
        "import_s": round(imported - started, 3),
        "read_s": round(read - imported, 3),
        "suites_s": round(done - read, 3),
        "work_s": round(done - imported, 3),
        "rows": sum(outcome.rows_validated for outcome in outcomes.values()),
        "suites": len(outcomes),
        "failed_suites": sorted(mart for mart, outcome in outcomes.items() if not outcome.passed),
    }


SUITES = {"pandera": pandera_suite, "gx": gx_suite}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.validation")
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        result = SUITES[args.suite]()
    except Exception as error:
        result = {
            "available": False,
            "reason": f"{type(error).__name__}: {error}",
            "traceback": traceback.format_exc(limit=5),
        }
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
