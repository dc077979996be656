"""The nightly job, its 02:00 schedule, the submission sensor and the run-failure sensor."""

import hashlib
import json
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    in_process_executor,
    run_failure_sensor,
    sensor,
)

from orchestration.ingest.assets import REPORT_KEY, ingest_key
from orchestration.ingest.files import file_sha256
from orchestration.settings import current_settings
from schemas import SEED_FILES, seed_file

# One process runs the whole refresh: every step in it shares the imports already paid
# for, and the build database has exactly one writer at a time (dbt, then publish).
nightly_refresh = define_asset_job(
    "nightly_refresh",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Load every seed file, build every dbt model and test, publish the warehouse.",
    tags={"nhanluc/refresh": "true"},
)

nightly_schedule = ScheduleDefinition(
    name="nightly_refresh_schedule",
    job=nightly_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Refresh the warehouse every night at 02:00 Hà Nội time.",
)


def seed_fingerprints(seeds_dir: Path, previous: dict[str, list]) -> dict[str, list]:
    """{relative path: [size, mtime_ns, sha256]}; files whose size and mtime did not
    change keep their previous hash, so an idle tick reads no file content."""
    current: dict[str, list] = {}
    for path in sorted(seeds_dir.glob("*/**/*.csv")):
        relative = str(path.relative_to(seeds_dir))
        stat = path.stat()
        known = previous.get(relative)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            current[relative] = known
        else:
            current[relative] = [stat.st_size, stat.st_mtime_ns, file_sha256(path)]
    return current


def changed_seed_files(previous: dict[str, list], current: dict[str, list]) -> set[str]:
    """Seed file names (e.g. 'cadres') whose content changed, appeared or disappeared."""
    changed = set()
    for relative in set(previous) | set(current):
        before, after = previous.get(relative), current.get(relative)
        if (before and before[2]) != (after and after[2]):
            changed.add(Path(relative).stem)
    return {name for name in changed if name in {seed.name for seed in SEED_FILES}}


def _with_dependents(names: set[str]) -> set[str]:
    """Seed files whose ingest reads the accepted rows of `names` (reference rules)."""
    result = set(names)
    grew = True
    while grew:
        grew = False
        for seed in SEED_FILES:
            if seed.name not in result and result & set(seed.upstream):
                result.add(seed.name)
                grew = True
    return result


@sensor(
    job=nightly_refresh,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Notices changed submission files by content hash and refreshes what they feed.",
)
def submission_sensor(context: SensorEvaluationContext):
    seeds_dir = current_settings().seeds_dir
    previous = json.loads(context.cursor) if context.cursor else None
    current = seed_fingerprints(seeds_dir, previous or {})
    cursor = json.dumps(current, sort_keys=True)
    if previous is None:
        return SensorResult(skip_reason="recorded the current seed files", cursor=cursor)
    changed = changed_seed_files(previous, current)
    if not changed:
        return SensorResult(skip_reason=SkipReason("no seed file changed"), cursor=cursor)
    names = sorted(_with_dependents(changed))
    selection = [ingest_key(seed_file(name)) for name in names] + [REPORT_KEY]
    downstream = AssetSelection.assets(*selection).downstream()
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=hashlib.sha256(cursor.encode()).hexdigest(),
                asset_selection=list(downstream.resolve(context.repository_def.asset_graph)),
                tags={"nhanluc/changed_files": ",".join(names)},
            )
        ],
        cursor=cursor,
    )


@run_failure_sensor(
    default_status=DefaultSensorStatus.RUNNING,
    description="Logs one line naming the failed run and step.",
)
def refresh_failure_sensor(context: RunFailureSensorContext):
    event = context.failure_event
    step = event.step_key or "(run)"
    message = event.message or ""
    context.log.error(
        f"nhanluc run {context.dagster_run.run_id} of {context.dagster_run.job_name} "
        f"failed at step {step}: {message}"
    )


__all__ = [
    "nightly_refresh",
    "nightly_schedule",
    "refresh_failure_sensor",
    "submission_sensor",
]
