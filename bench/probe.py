"""Run one measurement in its own subprocess: wall time, peak memory of the process tree, CPU.

Peak memory is the largest sum of the resident set sizes of the child and all its
descendants (dbt's subprocess included), sampled every `interval` seconds with psutil.
`wait4` also gives the CPU time of the whole tree and the largest single process's peak
RSS (the kernel's own maxrss, which no sampling can miss). The CPU the rest of the machine
used meanwhile (other users' jobs on a shared box) is recorded too: a measurement taken
while something else was busy is marked, never silently mixed with quiet ones.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

MB = 1024 * 1024


@dataclass
class Measurement:
    name: str
    command: list[str]
    wall_s: float = 0.0
    peak_tree_mb: float = 0.0
    peak_at: float = 0.0  # epoch seconds of the peak sample
    started_at: float = 0.0  # epoch seconds
    max_process_mb: float = 0.0
    cpu_s: float = 0.0
    other_cpu_s: float = 0.0
    load_before: float = 0.0
    returncode: int = 0
    log: str = ""
    details: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def to_json(self) -> dict:
        data = asdict(self)
        data["command"] = " ".join(self.command)
        data.pop("peak_at")
        data.pop("started_at")
        data["ok"] = self.ok
        for key in ("wall_s", "peak_tree_mb", "max_process_mb", "cpu_s", "other_cpu_s"):
            data[key] = round(data[key], 2)
        data["load_before"] = round(self.load_before, 2)
        return data


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
    return total


def _busy_cpu_seconds() -> float:
    times = psutil.cpu_times()
    return (
        times.user
        + times.nice
        + times.system
        + getattr(times, "irq", 0.0)
        + getattr(times, "softirq", 0.0)
    )


def run(
    name: str,
    command: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    interval: float = 0.05,
    timeout: float | None = None,
) -> Measurement:
    """Run `command` to completion; stdout and stderr go to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    measurement = Measurement(name, [str(part) for part in command], log=str(log_path))
    measurement.load_before = os.getloadavg()[0]
    measurement.started_at = time.time()
    busy_before = _busy_cpu_seconds()
    peak, peak_at = 0, 0.0
    stop = threading.Event()
    with log_path.open("wb") as log:
        started = time.perf_counter()
        child = subprocess.Popen(
            measurement.command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT
        )
        process = psutil.Process(child.pid)

        def sample() -> None:
            nonlocal peak, peak_at
            while not stop.is_set():
                rss = _tree_rss(process)
                if rss > peak:
                    peak, peak_at = rss, time.time()
                stop.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                _kill_tree(process)
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.02)
        measurement.wall_s = time.perf_counter() - started
        stop.set()
        sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    measurement.returncode = child.returncode
    measurement.peak_tree_mb = peak / MB
    measurement.peak_at = peak_at
    measurement.max_process_mb = usage.ru_maxrss / 1024
    measurement.cpu_s = usage.ru_utime + usage.ru_stime
    measurement.other_cpu_s = max(0.0, _busy_cpu_seconds() - busy_before - measurement.cpu_s)
    return measurement


def wait_for_idle(limit: float, busy_cores: float = 0.2, window: float = 3.0) -> float | None:
    """Wait (up to `limit` s) until the machine's busy CPU over `window` s stays below
    `busy_cores`; the harness itself is idle meanwhile. Seconds waited, None if none."""
    started = time.perf_counter()
    while True:
        before = _busy_cpu_seconds()
        time.sleep(window)
        if (_busy_cpu_seconds() - before) / window < busy_cores:
            waited = time.perf_counter() - started - window
            return waited if waited > 0.5 else None
        if time.perf_counter() - started > limit:
            return time.perf_counter() - started


def _kill_tree(process: psutil.Process) -> None:
    """Stop a measurement that ran past its timeout, children first (only our own tree)."""
    try:
        members = process.children(recursive=True)
    except psutil.Error:
        members = []
    for member in [*reversed(members), process]:
        with contextlib.suppress(psutil.Error):
            member.kill()
