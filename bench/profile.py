"""Summarise a py-spy `--format raw` recording of the refresh (with its dbt subprocess).

Each line is `process <pid>:"<cmd>";frame;frame;... <samples>`, frames `func (file:line)`.
The summary gives, per process, the sampled CPU seconds by category (the first category
whose marker appears anywhere in the stack; the share spent importing modules is shown
for each) and the functions with the most inclusive time. py-spy samples only threads
that are running, so waiting (on dbt's output, on locks) is not counted.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

# (category, markers): a stack belongs to the first category one of whose markers it has.
CATEGORIES = (
    ("pandera checks", ("validate_seed_slices", "pandera_checks.py")),
    ("great_expectations checks", ("run_mart_suites", "read_mart_frames", "mart_expectation")),
    ("reconciliation / feedback", ("reconciliation.py", "feedback.py")),
    ("ingest (loader)", ("ingest_seed_file",)),
    ("publish", ("publish_warehouse",)),
    (
        "dbt step in Dagster (events, metadata)",
        ("dbt_models (orchestration/dbt.py", "stream_raw_events", "_table_metadata"),
    ),
    (
        "definitions load",
        (
            "definitions.py",
            "ensure_manifest",
            "load_definitions",
            "get_code_pointer",
            "loadable_targets",
        ),
    ),
    ("dbt: parse", ("dbt/parser/",)),
    ("dbt: run models and tests", ("dbt/task/",)),
    ("dbt: adapter / connections", ("dbt/adapters/",)),
    ("imports", ("_find_and_load",)),
)
_FRAME_LINE = re.compile(r":\d+\)$")


def _frame_name(frame: str) -> str:
    return _FRAME_LINE.sub(")", frame)


def _label(command: str) -> str:
    for word, label in (("bin/dbt", "dbt"), ("bin/dagster", "dagster"), ("bench.", "bench")):
        if word in command:
            return label
    return command.strip('"')[:60] or "?"


def _category(stack: str) -> str:
    for name, markers in CATEGORIES:
        if any(marker in stack for marker in markers):
            return name
    return "other (Dagster / dbt machinery)"


def summarise(raw: str, rate: int, top: int = 15) -> dict:
    per_process: dict[str, Counter] = defaultdict(Counter)
    imports: dict[str, Counter] = defaultdict(Counter)
    inclusive: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    labels: dict[str, str] = {}
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        # A subprocess's stacks are nested under its parent's: the last process frame owns them.
        owner = max(i for i, frame in enumerate(frames) if frame.startswith("process "))
        pid = frames[owner].split(":", 1)[0]
        frames = frames[owner:]
        stack = ";".join(frames)
        command = frames[0].split(":", 1)[1] if ":" in frames[0] else ""
        # py-spy sometimes reads no command line for the process it started: the refresh.
        labels.setdefault(pid, _label(command) if command.strip('"') or owner else "dagster")
        category = _category(stack)
        per_process[pid][category] += count
        if "_find_and_load" in stack:
            imports[pid][category] += count
        totals[pid] += count
        for name in {_frame_name(frame) for frame in frames[1:]}:
            inclusive[pid][name] += count
    processes = []
    for pid, total in totals.most_common():
        categories = [
            {
                "category": name,
                "cpu_s": round(count / rate, 1),
                "share": round(count / total, 3),
                "of_which_import_s": round(imports[pid][name] / rate, 1),
            }
            for name, count in per_process[pid].most_common()
        ]
        functions = [
            {"function": name, "cpu_s": round(count / rate, 1), "share": round(count / total, 3)}
            for name, count in inclusive[pid].most_common()
            if count < 0.9 * total
        ][:top]
        processes.append(
            {
                "process": labels.get(pid, "?"),
                "pid": pid.removeprefix("process "),
                "cpu_s": round(total / rate, 1),
                "categories": categories,
                "top_functions": functions,
            }
        )
    return {"rate_hz": rate, "processes": processes}


def render(summary: dict, categories: int = 12) -> str:
    lines = []
    for process in summary.get("processes", []):
        if process["cpu_s"] < 0.5:
            continue
        lines.append(f"{process['process']} (pid {process['pid']}): {process['cpu_s']} cpu-s")
        for item in process["categories"][:categories]:
            lines.append(
                f"  {item['cpu_s']:>7.1f} s {item['share']:>6.1%}  {item['category']}"
                f" (imports {item['of_which_import_s']:.1f} s)"
            )
    return "\n".join(lines)
