"""`make run`: the nightly refresh with progress by stage and a short summary; the full log
goes to a file under the warehouse's private state.

Runs `dagster job execute` as a subprocess with its output in the log file, follows the
step events in that file, then reads the published file (read-only) for the summary.
Exit status: 0 when the run succeeded, 1 when it failed (the failed step is named).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import duckdb

from orchestration.settings import REPO_ROOT, Settings, current_settings

DAGSTER = str(Path(sys.executable).with_name("dagster"))
JOB = "nightly_refresh"
REPORT_ASSET = "publish/report"
KEEP_LOGS = 30
NOTHING_NEW = "no input changed since the last publish"
STAGES = {
    "ingest": "ingest   load and check the seed files",
    "dbt": "dbt      build and test the models",
    "checks": "checks   data quality gate",
    "publish": "publish  swap in the published file",
    "report": "report   build the report site",
}
# `<time> - dagster - <LEVEL> - <job> - <run id> - [<pid> - ][<step> - ][<EVENT> - ]<message>`
EVENT = re.compile(
    r" - dagster - \w+ - \S+ - [0-9a-f-]{36} - (?:\d+ - )?(?:(?P<step>[a-z]\S*) - )?"
    r"(?:(?P<event>[A-Z][A-Z_]+) - )?(?P<message>.*)$"
)
# An exception's closing line; the CLI's own "Error: Run … resulted in failure." adds nothing.
ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?\w+(?:Error|Exception|Failure)\b: .+")


def stage_of(step: str) -> str:
    if step.startswith("ingest__"):
        return "ingest"
    if step.startswith("dbt_"):
        return "dbt"
    if step == "publish__report":
        return "report"
    return "publish" if step.startswith("publish__") else "checks"


@dataclass
class Progress:
    """What the log has said so far; prints a line per stage as the run moves on."""

    out: TextIO = sys.stdout
    current: str | None = None
    started: float = 0.0
    steps: int = 0
    seen: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    failed_steps: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    nothing_new: bool = False
    run_failed: bool = False

    def line(self, text: str) -> None:
        match = EVENT.search(text)
        if match is None:
            error = text.strip()
            if self.failed_steps and ERROR_LINE.match(error) and error not in self.errors:
                self.errors.append(error)
            return
        step, event, message = match["step"], match["event"], match["message"]
        if NOTHING_NEW in message:
            self.nothing_new = True
        if event == "STEP_START" and step:
            self._enter(stage_of(step))
            self.steps += 1
        elif event == "STEP_SKIPPED" and step:
            self.skipped.add(stage_of(step))
        elif event == "STEP_FAILURE" and step:
            self.failed_steps.append(step)
        elif event == "ASSET_CHECK_EVALUATION" and " passed." not in message:
            self.failed_checks.append(message)
        elif event == "RUN_FAILURE":
            self.run_failed = True

    def _enter(self, stage: str) -> None:
        if stage == self.current:
            return
        self.finish()
        self.seen.add(stage)
        self.current, self.started, self.steps = stage, time.monotonic(), 0
        self.out.write(f"  {STAGES[stage]} …")
        self.out.flush()

    def close(self) -> None:
        """The stages whose every step was skipped, once no more output will come."""
        self.finish()
        for stage, label in STAGES.items():
            if stage in self.skipped and stage not in self.seen:
                self.out.write(f"  {label} … skipped\n")
        self.out.flush()

    def finish(self) -> None:
        if self.current is None:
            return
        seconds = time.monotonic() - self.started
        verdict = "failed" if any(stage_of(s) == self.current for s in self.failed_steps) else "ok"
        plural = "" if self.steps == 1 else "s"
        self.out.write(f" {verdict} ({self.steps} step{plural}, {seconds:.0f} s)\n")
        self.out.flush()
        self.current = None


def follow(command: list[str], log_path: Path, progress: Progress) -> int:
    """Run `command` with its output appended to `log_path`, feeding each line to progress."""
    with log_path.open("ab") as sink, log_path.open("rb") as source:
        source.seek(0, os.SEEK_END)
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=sink, stderr=subprocess.STDOUT)
        pending = b""
        while True:
            # Whether it had exited before this read: then the read has seen all it wrote.
            exited = process.poll() is not None
            chunk = source.read()
            if chunk:
                # Whole lines only: a chunk may end inside a line, or inside a character.
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    progress.line(line.decode("utf-8", errors="replace"))
            elif exited:
                break
            else:
                time.sleep(0.2)
        if pending:
            progress.line(pending.decode("utf-8", errors="replace"))
    progress.finish()
    return process.returncode


def summary(settings: Settings, nothing_new: bool) -> list[str]:
    """The closing lines, read from the published file."""
    published = settings.published_database
    report = settings.warehouse_dir / "report" / "index.html"
    state = "unchanged, nothing new since the last publish" if nothing_new else "replaced"
    lines = [f"Published file: {published} ({state})"]
    con = duckdb.connect(str(published), read_only=True)
    try:
        tables = {
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        if "refresh" in tables:
            as_of = con.execute("SELECT as_of_date FROM quality.refresh").fetchone()
            if as_of:
                lines.append(f"As of:          {as_of[0]}")
        read, accepted, rejected = con.execute(
            "SELECT sum(rows_read), sum(rows_accepted), sum(rows_rejected) "
            "FROM quality.submission_files"
        ).fetchone()
        lines.append(f"Rows:           {read:,} read, {accepted:,} accepted, {rejected:,} rejected")
        by_term = con.execute(
            "SELECT term_code, count(*) FILTER (met), count(*) FROM marts.mart_target_attainment "
            "WHERE scope = 'city' GROUP BY term_code ORDER BY term_code"
        ).fetchall()
        met, total = sum(row[1] for row in by_term), sum(row[2] for row in by_term)
        terms = ", ".join(f"{term} {m}/{n}" for term, m, n in by_term)
        lines.append(f"Targets met:    {met} of {total} city targets ({terms})")
        held = con.execute(
            "SELECT unit_code || ' ' || file FROM quality.submission_files "
            "WHERE status = 'held_back' ORDER BY ALL"
        ).fetchall()
        refused = con.execute(
            "SELECT count(*) FROM quality.submission_files WHERE status = 'rejected_whole'"
        ).fetchone()[0]
    finally:
        con.close()
    units = sorted({row[0].split(" ")[0] for row in held})
    lines.append(
        f"Held back:      {len(units)} unit(s)"
        + (f": {', '.join(row[0] for row in held)}" if held else "")
        + (f"; {refused} file(s) refused whole" if refused else "")
    )
    lines.append(f"Report:         {report if report.exists() else '(none)'}")
    return lines


def prune_logs(folder: Path, keep: int = KEEP_LOGS) -> None:
    """Keep the newest `keep` logs: every `make run` writes one, nothing else removes them."""
    for old in sorted(folder.glob("refresh-*.log"))[:-keep]:
        old.unlink(missing_ok=True)


def main() -> int:
    settings = current_settings()
    logs = settings.private_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"refresh-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    log_path.touch()
    prune_logs(logs)
    print(f"nhanluc: nightly refresh of {settings.seeds_dir} into {settings.warehouse_dir}")
    print(f"Full Dagster log: {log_path}")
    progress = Progress()
    code = follow(
        [DAGSTER, "job", "execute", "-m", "orchestration.definitions", "-j", JOB],
        log_path,
        progress,
    )
    report = settings.warehouse_dir / "report" / "index.html"
    if code == 0 and not progress.run_failed and not report.exists():
        # Nothing new since the last publish skips the report too; build it when missing.
        code = follow(
            [
                DAGSTER,
                "asset",
                "materialize",
                "-m",
                "orchestration.definitions",
                "--select",
                REPORT_ASSET,
            ],
            log_path,
            progress,
        )
    progress.close()
    if code != 0 or progress.run_failed:
        where = ", ".join(progress.failed_steps) or "(no step named; see the log)"
        print(f"FAILED at step {where}")
        for text in (progress.failed_checks + progress.errors[-2:])[:6]:
            print(f"  {text[:300]}")
        print(f"Full log: {log_path}")
        return 1
    for line in summary(settings, progress.nothing_new):
        print(line)
    print(f"Full log:       {log_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
