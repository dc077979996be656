"""The resubmission path: a `submission_sensor` tick, then the run it requests.

    python -m bench.sensor --before DIR --out X.json [--run]

NHANLUC_SEEDS_DIR names the seeds as they are now; `--before` the same seeds before the
resubmission, from which the sensor's previous cursor is rebuilt (as the daemon would
have stored it; not timed). The tick is the sensor function itself, as the daemon calls
it in the already-loaded code location. With `--run`, the run request it returns is
executed like the daemon's run worker does: a fresh process loads the definitions and
runs `nightly_refresh` restricted to the requested assets (and their checks), in process.
The timings inside (definitions import, tick, run) are written to `--out`.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sensor")
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--run", action="store_true")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from dagster import DagsterInstance, SensorResult, build_sensor_context

    from orchestration.automation import seed_fingerprints, submission_sensor
    from orchestration.definitions import defs

    imported = time.perf_counter()
    cursor = json.dumps(seed_fingerprints(args.before.resolve(), {}), sort_keys=True)
    cursor_built = time.perf_counter()

    instance = DagsterInstance.get()
    repository = defs.get_repository_def()
    context = build_sensor_context(instance=instance, cursor=cursor, repository_def=repository)
    result = submission_sensor(context)
    ticked = time.perf_counter()
    requests = result.run_requests if isinstance(result, SensorResult) else []
    report = {
        "import_s": round(imported - started, 3),
        "cursor_s": round(cursor_built - imported, 3),
        "tick_s": round(ticked - cursor_built, 3),
        "run_requests": len(requests or []),
        "skip_reason": str(getattr(result, "skip_reason", "") or ""),
    }
    if requests:
        request = requests[0]
        selection = list(request.asset_selection or [])
        report["changed_files"] = request.tags.get("nhanluc/changed_files")
        report["assets_selected"] = len(selection)
        report["assets"] = sorted("/".join(key.path) for key in selection)
        if args.run:
            job = defs.get_job_def("nightly_refresh")
            run_started = time.perf_counter()
            outcome = job.execute_in_process(
                instance=instance,
                asset_selection=selection,
                tags=dict(request.tags),
                raise_on_error=False,
            )
            report["run_s"] = round(time.perf_counter() - run_started, 3)
            report["run_success"] = outcome.success
            report["steps"] = {
                event.step_key: None
                for event in outcome.all_events
                if event.event_type_value == "STEP_SUCCESS"
            }
            report["steps"] = sorted(report["steps"])
            if not outcome.success:
                args.out.write_text(json.dumps(report, indent=1))
                return 1
    args.out.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
