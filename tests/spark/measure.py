"""Wall time and peak memory of `nightly_refresh` on each engine, for docs/spark.md.

    python -m tests.spark.measure [--engines duckdb spark] [--repeat 1]

Each run starts from an empty warehouse folder (a full refresh of the shipped seeds) in a
fresh `dagster job execute` process; then, in that warehouse, one dbt invocation that
builds a single three-row model shows an engine's fixed cost (Spark's start-up). Peak
memory is the largest sum of the resident set sizes of the process and all its
descendants (dbt, and Spark's JVM), sampled every 0.1 s; shared pages count once per
process, so it errs high. The CPU the rest of the machine used meanwhile is printed too:
a number taken on a busy machine is marked.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

MB = 1024 * 1024
DAGSTER = str(Path(sys.executable).with_name("dagster"))
DBT = str(Path(sys.executable).with_name("dbt"))
TINY_MODEL = "stg_reference__terms"
STEP_TIME = re.compile(r'Finished execution of step "dbt_models" in (?:(\d+)m)?\s*([\d.]+)(ms|s)')


def _sample_tree(process: psutil.Process, cpu_by_pid: dict[int, float]) -> int:
    """The tree's resident memory now; records each member's CPU time so far.

    Spark's JVM is not always reaped by its parent, so wait4's CPU misses it: the
    sampled CPU times fill that in.
    """
    total = 0
    with contextlib.suppress(psutil.Error):
        for member in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error), member.oneshot():
                total += member.memory_info().rss
                times = member.cpu_times()
                cpu_by_pid[member.pid] = times.user + times.system
    return total


def _busy_cpu() -> float:
    times = psutil.cpu_times()
    return times.user + times.nice + times.system


def _measure(command: list[str], env: dict, cwd: Path, log: Path) -> dict:
    busy_before, peak, stop = _busy_cpu(), 0, threading.Event()
    cpu_by_pid: dict[int, float] = {}
    started = time.perf_counter()
    with log.open("wb") as out:
        child = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=out)
        process = psutil.Process(child.pid)

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _sample_tree(process, cpu_by_pid))
                stop.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        stop.set()
        sampler.join()
    cpu = max(usage.ru_utime + usage.ru_stime, sum(cpu_by_pid.values()))
    return {
        "ok": os.waitstatus_to_exitcode(status) == 0,
        "wall_s": round(wall, 1),
        "peak_tree_mb": round(peak / MB),
        "largest_process_mb": round(usage.ru_maxrss / 1024),
        "cpu_s": round(cpu, 1),
        "other_cpu_s": round(max(0.0, _busy_cpu() - busy_before - cpu), 1),
    }


def measure(engine: str, workdir: Path) -> list[dict]:
    warehouse = workdir / f"warehouse-{engine}"
    shutil.rmtree(warehouse, ignore_errors=True)
    env = {
        **os.environ,
        "NHANLUC_ENGINE": engine,
        "NHANLUC_WAREHOUSE_DIR": str(warehouse),
        "NHANLUC_SEEDS_DIR": str(REPO_ROOT / "seeds"),
        "NHANLUC_PSEUDONYM_KEY": "measure-key",
        "DAGSTER_HOME": str(workdir / "dagster_home"),
    }
    Path(env["DAGSTER_HOME"]).mkdir(exist_ok=True)
    command = [DAGSTER, "job", "execute", "-m", "orchestration.definitions"]
    command += ["-j", "nightly_refresh"]
    log = workdir / f"{engine}.log"
    refresh = {
        "engine": engine,
        "what": "nightly_refresh",
        **_measure(command, env, REPO_ROOT, log),
    }
    steps = STEP_TIME.findall(log.read_text(errors="replace"))
    step = [int(m or 0) * 60 + float(v) / (1000 if unit == "ms" else 1) for m, v, unit in steps]
    refresh["dbt_step_s"] = round(step[-1], 1) if step else None
    if engine == "spark":
        command = [sys.executable, "-m", "orchestration.spark", "run", "--select", TINY_MODEL]
        cwd = REPO_ROOT
    else:
        command = [DBT, "run", "--select", TINY_MODEL, "--profiles-dir", str(DBT_PROJECT_DIR)]
        command += ["--target-path", str(warehouse / "dbt_target")]
        cwd = DBT_PROJECT_DIR
    tiny = _measure(command, env, cwd, workdir / f"{engine}-tiny.log")
    return [refresh, {"engine": engine, "what": f"dbt run --select {TINY_MODEL}", **tiny}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nhanluc-measure-") as folder:
        for _ in range(args.repeat):
            for engine in args.engines:
                for result in measure(engine, Path(folder)):
                    print(result, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
