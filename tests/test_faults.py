"""Faults driven for real: runs killed at each stage, a reader holding the published file,
the same files loaded twice, two runs started together. Nothing is lost or corrupted."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from orchestration.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "fixtures" / "quality" / "valid"
DAGSTER = str(Path(sys.executable).with_name("dagster"))


class Warehouse:
    """A seeds copy, a warehouse and a Dagster instance, all under tmp_path."""

    def __init__(self, root: Path):
        self.seeds = root / "seeds"
        self.dir = root / "warehouse"
        self.home = root / "dagster_home"
        shutil.copytree(FIXTURE, self.seeds)
        self.home.mkdir()
        shutil.copy(REPO_ROOT / "dagster.yaml", self.home / "dagster.yaml")
        self.env = {
            **os.environ,
            "NHANLUC_SEEDS_DIR": str(self.seeds),
            "NHANLUC_WAREHOUSE_DIR": str(self.dir),
            "NHANLUC_PSEUDONYM_KEY": "fault-key",
            "DAGSTER_HOME": str(self.home),
        }

    @property
    def published(self) -> Path:
        return self.dir / "nhanluc.duckdb"

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(
            [DAGSTER, "job", "execute", "-m", "orchestration.definitions", "-j", "nightly_refresh"],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: dbt dies with it
        )

    def refresh(self) -> str:
        process = self.start()
        output, _ = process.communicate(timeout=600)
        assert process.returncode == 0, output[-4000:]
        return output

    def kill_when(self, marker: str, delay: float = 0.0) -> str:
        """Start a refresh and SIGKILL its process group once `marker` is logged."""
        process = self.start()
        seen = []
        for line in process.stdout:
            seen.append(line)
            if marker in line:
                time.sleep(delay)
                os.killpg(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL, "".join(seen[-50:])
        return "".join(seen)

    def run_records(self) -> list[dict]:
        """Every run of this instance, oldest first: status, the assets it materialised, and
        the times its first step started and its last step ended (from Dagster's event log,
        not its output)."""
        with pytest.MonkeyPatch.context() as patch:
            # dagster.yaml names its folder through DAGSTER_HOME, as every run's process has it.
            patch.setenv("DAGSTER_HOME", str(self.home))
            instance = DagsterInstance.from_config(str(self.home))
            records = []
            for run in reversed(instance.get_runs()):
                events = instance.all_logs(run.run_id)

                def times(kind, events=events):
                    return [e.timestamp for e in events if e.dagster_event_type == kind]

                records.append(
                    {
                        "status": run.status,
                        "materialized": {
                            e.dagster_event.asset_key.to_user_string()
                            for e in events
                            if e.dagster_event_type == DagsterEventType.ASSET_MATERIALIZATION
                        },
                        "first_step": min(times(DagsterEventType.STEP_START), default=None),
                        # Its steps end before the refresh lock is released.
                        "last_step_end": max(
                            times(DagsterEventType.STEP_SUCCESS)
                            + times(DagsterEventType.STEP_FAILURE),
                            default=None,
                        ),
                    }
                )
            instance.dispose()
        return records

    def mart_hashes(self) -> dict[str, str]:
        """A content hash of every published table (order-independent)."""
        con = duckdb.connect(str(self.published), read_only=True)
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
        # quality.refresh records when each build ran: its as-of date is compared, not that.
        hashes = {
            f"{schema}.{table}": con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, '|' "
                f"ORDER BY t::VARCHAR), '')) FROM (SELECT * EXCLUDE (built_at) "
                f"FROM {schema}.{table}) t"
                if (schema, table) == ("quality", "refresh")
                else f"SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, '|' "
                f"ORDER BY t::VARCHAR), '')) FROM {schema}.{table} t"
            ).fetchone()
            for schema, table in tables
        }
        con.close()
        return {name: f"{count}:{digest}" for name, (count, digest) in hashes.items()}

    def class_count(self) -> int:
        con = duckdb.connect(str(self.published), read_only=True)
        count = con.execute("SELECT count(*) FROM marts.fct_classes").fetchone()[0]
        con.close()
        return count

    def add_class(self, code: str = "003-2020-9999") -> None:
        classes = self.seeds / "submissions" / "003" / "classes.csv"
        first = classes.read_text(encoding="utf-8").splitlines()[1].split(",")
        first[0] = code
        with classes.open("a", encoding="utf-8") as handle:
            handle.write(",".join(first) + "\n")


def _rebuilt(run: dict) -> bool:
    """Whether the run built marts or published: a run with nothing new does neither."""
    return any(
        key.startswith("marts/") or key == "publish/nhanluc_duckdb" for key in run["materialized"]
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    warehouse = Warehouse(tmp_path_factory.mktemp("faults"))
    warehouse.refresh()
    return warehouse


def test_killed_runs_leave_yesterdays_file_and_the_next_run_recovers(warehouse):
    yesterday = _digest(warehouse.published)
    classes_before = warehouse.class_count()
    warehouse.add_class()

    warehouse.kill_when('Started execution of step "ingest__classes"')
    assert _digest(warehouse.published) == yesterday
    warehouse.kill_when("Running dbt command", delay=3)
    assert _digest(warehouse.published) == yesterday
    assert warehouse.class_count() == classes_before  # openable, yesterday's data
    log = warehouse.kill_when('Started execution of step "publish__nhanluc_duckdb"')
    assert "publish__nhanluc_duckdb" in log
    # Killed inside publish: either yesterday's file or the complete new one, never half.
    assert warehouse.class_count() in (classes_before, classes_before + 1)

    warehouse.refresh()  # no manual clean-up
    assert warehouse.class_count() == classes_before + 1
    assert not list(warehouse.dir.glob(".nhanluc.duckdb.*"))
    assert not [p for p in (warehouse.dir / "private" / "tmp").glob("**/*") if p.is_file()]
    # The three killed runs were marked failed by the next one; none is left STARTED.
    statuses = [run["status"] for run in warehouse.run_records()]
    assert DagsterRunStatus.STARTED not in statuses
    assert statuses.count(DagsterRunStatus.FAILURE) == 3
    assert statuses[-1] == DagsterRunStatus.SUCCESS


READER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("ready", con.execute("SELECT count(*) FROM marts.fct_classes").fetchone()[0], flush=True)
counts = set()
deadline = time.monotonic() + 600
while time.monotonic() < deadline:
    counts.add(con.execute("SELECT count(*) FROM marts.fct_classes").fetchone()[0])
    if sys.stdin.readable() and select.select([sys.stdin], [], [], 0.05)[0]:
        break
print("counts", sorted(counts), flush=True)
"""


def test_a_reader_never_blocks_the_refresh(warehouse):
    classes_before = warehouse.class_count()
    reader = subprocess.Popen(
        [sys.executable, "-c", "import select\n" + READER, str(warehouse.published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().startswith("ready")
    warehouse.add_class(code="003-2020-9998")
    warehouse.refresh()  # while the reader keeps querying the published file
    output, _ = reader.communicate("stop\n", timeout=60)
    assert reader.returncode == 0
    # Its queries kept working, on the file it opened: it never saw the new class.
    assert output.strip() == f"counts [{classes_before}]"
    assert warehouse.class_count() == classes_before + 1  # a new reader process does


def test_same_files_give_identical_marts_and_a_rerun_changes_nothing(warehouse, tmp_path):
    twin = Warehouse(tmp_path)
    shutil.rmtree(twin.seeds)
    shutil.copytree(warehouse.seeds, twin.seeds)
    twin.refresh()
    assert twin.mart_hashes() == warehouse.mart_hashes()  # same files, same marts
    published = _digest(twin.published)
    twin.refresh()  # nothing changed: noticed, nothing rebuilt
    rerun = twin.run_records()[-1]
    assert rerun["status"] == DagsterRunStatus.SUCCESS
    assert not _rebuilt(rerun)
    assert _digest(twin.published) == published
    con = duckdb.connect(str(twin.published), read_only=True)
    duplicates = con.execute(
        "SELECT count(*) - count(DISTINCT (class_code, person_key)) FROM marts.fct_enrolments"
    ).fetchone()[0]
    con.close()
    assert duplicates == 0


def test_two_runs_started_together_take_turns(warehouse):
    warehouse.add_class(code="003-2020-9997")
    first, second = warehouse.start(), warehouse.start()
    outputs = [process.communicate(timeout=600)[0] for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs[0][-3000:]
    earlier, later = sorted(warehouse.run_records()[-2:], key=lambda run: run["first_step"])
    # The refresh lock: the second run's first step came after the first run's last one.
    assert earlier["last_step_end"] <= later["first_step"]
    # One built the new class; the other, once the first was done, found nothing new.
    assert _rebuilt(earlier) and not _rebuilt(later)
    con = duckdb.connect(str(warehouse.published), read_only=True)
    codes = con.execute(
        "SELECT count(*) FROM marts.fct_classes WHERE class_code LIKE '003-2020-999%'"
    ).fetchone()[0]
    con.close()
    assert codes == 3
