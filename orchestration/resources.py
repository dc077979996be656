"""The refresh lock: one refresh at a time per warehouse, and recovery from killed runs."""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import (
    ConfigurableResource,
    DagsterEventType,
    DagsterRunStatus,
    InitResourceContext,
    RunsFilter,
)

from orchestration.settings import PUBLISHED_FILE, Settings, current_settings

LOCK_FILE = "refresh.lock"


def _process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_files(settings: Settings) -> list[Path]:
    """Temporary files a killed refresh left behind. Call only while holding the lock."""
    stale = [p for p in settings.scratch_dir.glob("**/*") if p.is_file()]
    stale += list(settings.warehouse_dir.glob(f".{PUBLISHED_FILE}.*.tmp*"))
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def fail_dead_runs(instance, current_run_id: str | None, job_name: str | None) -> list[str]:
    """Mark runs whose process is gone as failed, so nothing waits on them forever.

    A run killed with SIGKILL stays STARTED in Dagster's storage, and its queue slot
    stays taken; the run's process id is in its RUN_START event.
    """
    statuses = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.CANCELING]
    failed = []
    for run in instance.get_runs(filters=RunsFilter(statuses=statuses, job_name=job_name)):
        if run.run_id == current_run_id:
            continue
        starts = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_START)
        pid = starts[-1].dagster_event.pid if starts and starts[-1].dagster_event else None
        if _process_alive(pid):
            continue
        instance.report_run_failed(run, f"run process {pid} is gone (killed); marked failed")
        free = getattr(instance.event_log_storage, "free_concurrency_slots_for_run", None)
        if free is not None:
            free(run.run_id)
        failed.append(run.run_id)
    return failed


class RefreshLock(ConfigurableResource):
    """Held for a whole run: two refreshes of one warehouse never interleave.

    An advisory lock on `<private>/refresh.lock`. The kernel releases it when the holding
    process dies, so a killed run never leaves it held; the next holder then removes the
    temporary files and marks dead runs failed. A second run waits for the first.
    """

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["RefreshLock"]:
        settings = current_settings()
        settings.private_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(settings.private_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                context.log.info("another refresh holds this warehouse; waiting for it")
                started = time.monotonic()
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                context.log.info(f"lock acquired after {time.monotonic() - started:.0f} s")
            stale = remove_stale_files(settings)
            if stale:
                context.log.info(f"removed {len(stale)} temporary files of an earlier run")
            run = context.run
            dead = fail_dead_runs(
                context.instance, run.run_id if run else None, run.job_name if run else None
            )
            if dead:
                context.log.warning(f"marked failed: runs whose process is gone: {dead}")
            yield self
        finally:
            os.close(descriptor)  # closing the descriptor releases the lock
