"""What a `dagster job execute` log says: run id, step durations, dbt's own timings."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

_FINISHED = r' - (?P<step>\S+) - STEP_SUCCESS - Finished execution of step "[^"]+" in '
_STEP = re.compile(_FINISHED + r"(?P<value>[\d.]+)(?P<unit>ms|s|m)\b")
_STEP_MIN = re.compile(_FINISHED + r"(?P<m>\d+)m(?P<s>\d+)s")
_RUN = re.compile(r" - (?P<run>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) - ")
_DBT_DONE = re.compile(r"Finished running (?P<what>.+?) in .*?\((?P<seconds>[\d.]+)s\)")


def step_seconds(text: str) -> dict[str, float]:
    """{step key: seconds} of every successful step, in log order."""
    steps: dict[str, float] = {}
    for line in text.splitlines():
        match = _STEP_MIN.search(line)
        if match:
            steps[match["step"]] = int(match["m"]) * 60 + int(match["s"])
            continue
        match = _STEP.search(line)
        if match:
            value = float(match["value"])
            steps[match["step"]] = value / 1000 if match["unit"] == "ms" else value
    return steps


_EVENT = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}) - dagster - \w+ - .*? - "
    r"(?P<step>\S+) - (?P<event>STEP_START|STEP_SUCCESS|STEP_FAILURE) - "
)


def step_at(text: str, moment: float) -> str | None:
    """The step (or steps) running at epoch second `moment`, from the log's timestamps."""
    starts: dict[str, float] = {}
    windows: list[tuple[float, float, str]] = []
    for line in text.splitlines():
        match = _EVENT.match(line)
        if not match:
            continue
        when = dt.datetime.strptime(match["time"], "%Y-%m-%d %H:%M:%S %z").timestamp()
        if match["event"] == "STEP_START":
            starts[match["step"]] = when
        elif match["step"] in starts:
            windows.append((starts.pop(match["step"]), when + 1, match["step"]))
    running = [step for start, end, step in windows if start <= moment <= end]
    return ", ".join(running) or None


def run_id(text: str) -> str | None:
    match = _RUN.search(text)
    return match["run"] if match else None


def dbt_reported(text: str) -> list[dict]:
    """dbt's own summary lines: what it ran and the seconds it says it took."""
    return [
        {"ran": match["what"], "seconds": float(match["seconds"])}
        for match in _DBT_DONE.finditer(text)
    ]


def collect_dbt_run_results(
    project_dir: Path, run: str | None, keep: Path, warehouse: Path | None, since: float
) -> dict | None:
    """Copy the run_results.json of the run's dbt invocation to `keep`; summarise its timings.

    The refresh writes dbt's artefacts to <warehouse>/private/dbt_target/ (kept there, one
    folder per warehouse); a plain DbtCliResource (the peer) to a new
    <project>/target/<op>-<run id[:7]>-<uuid>/, which is removed once read. A file older
    than the measurement (`since`, epoch seconds) belongs to an earlier run: dbt did not run.
    """
    found = None
    if warehouse is not None:
        candidate = warehouse / "private" / "dbt_target" / "run_results.json"
        if candidate.exists() and candidate.stat().st_mtime >= since:
            found = candidate
    folders = sorted((project_dir / "target").glob(f"*-{run[:7]}-*")) if run else []
    for folder in folders:
        if found is None and (folder / "run_results.json").exists():
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / "run_results.json", keep)
            found = keep
        shutil.rmtree(folder, ignore_errors=True)
    if found is None:
        return None
    if found != keep:
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(found, keep)
    return summarise_run_results(json.loads(keep.read_text()))


def summarise_run_results(results: dict, top: int = 8) -> dict:
    """Per resource type: count and summed seconds; the slowest nodes."""
    by_type: dict[str, dict] = {}
    nodes = []
    for result in results.get("results", []):
        unique_id = result["unique_id"]
        kind = unique_id.split(".", 1)[0]
        seconds = float(result.get("execution_time") or 0.0)
        entry = by_type.setdefault(kind, {"count": 0, "seconds": 0.0})
        entry["count"] += 1
        entry["seconds"] += seconds
        nodes.append((seconds, unique_id))
    for entry in by_type.values():
        entry["seconds"] = round(entry["seconds"], 2)
    nodes.sort(reverse=True)
    return {
        "elapsed_s": round(float(results.get("elapsed_time") or 0.0), 2),
        "by_type": by_type,
        "slowest": [{"node": node, "seconds": round(s, 2)} for s, node in nodes[:top]],
    }
