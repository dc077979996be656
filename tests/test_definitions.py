"""A snapshot of the code location: every asset key, check, job, schedule and sensor.

An accidental change to the graph shows up here in review. After an intended change run
`NHANLUC_UPDATE_SNAPSHOT=1 pytest tests/test_definitions.py` and commit the snapshot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def _describe() -> dict:
    repository = defs.get_repository_def()
    graph = repository.asset_graph
    assets = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    checks = sorted(
        f"{check.asset_key.to_user_string()}:{check.name}" for check in graph.asset_check_keys
    )
    return {
        "assets": dict(sorted(assets.items())),
        "checks": checks,
        "jobs": sorted(job.name for job in repository.get_all_jobs() if job.name != "__ASSET_JOB"),
        "schedules": {
            schedule.name: {
                "cron": schedule.cron_schedule,
                "timezone": schedule.execution_timezone,
                "job": schedule.job_name,
            }
            for schedule in repository.schedule_defs
        },
        "sensors": sorted(sensor.name for sensor in repository.sensor_defs),
    }


def test_definitions_match_snapshot():
    current = _describe()
    if os.environ.get("NHANLUC_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())


def test_groups_follow_the_flow():
    groups = set(_describe()["assets"].values())
    assert groups == {"ingest", "staging", "marts", "quality", "publish"}


def test_nightly_schedule_runs_at_two_in_hanoi():
    schedule = _describe()["schedules"]["nightly_refresh_schedule"]
    assert schedule == {
        "cron": "0 2 * * *",
        "timezone": "Asia/Ho_Chi_Minh",
        "job": "nightly_refresh",
    }


def test_every_seed_file_has_an_ingest_asset_feeding_its_staging_model():
    graph = defs.get_repository_def().asset_graph
    from dagster import AssetKey

    from schemas import SEED_FILES

    for seed in SEED_FILES:
        children = {
            key.to_user_string() for key in graph.get(AssetKey(["ingest", seed.name])).child_keys
        }
        assert any(child.startswith("staging/stg_") for child in children), seed.name
