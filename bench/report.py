"""Ratios, targets and the tables printed for each tier and written into the README."""

from __future__ import annotations

from collections.abc import Mapping

from bench import floors

GB_MB = 1024


def step_groups(steps: Mapping[str, float]) -> dict[str, float]:
    """Dagster step seconds summed by what the step does."""
    groups: dict[str, float] = {}

    def add(group: str, seconds: float) -> None:
        groups[group] = round(groups.get(group, 0.0) + seconds, 2)

    for step, seconds in steps.items():
        if step.endswith("_pandera_contract"):
            add("pandera", seconds)
        elif step in ("dbt_models", "peer_dbt"):
            add("dbt", seconds)
        elif step == "mart_expectations":
            add("great_expectations", seconds)
        elif step.startswith("ingest__") or step.startswith("raw__"):
            add("ingest", seconds)
        elif step.startswith("publish__"):
            add("publish", seconds)
        else:
            add("other_quality", seconds)
    return groups


def top(items: Mapping[str, Mapping], count: int) -> dict[str, Mapping]:
    ordered = sorted(items.items(), key=lambda item: item[1].get("seconds", 0), reverse=True)
    return dict(ordered[:count])


def _wall(result: dict, name: str) -> float | None:
    item = result["measurements"].get(name)
    if not item or not item.get("ok"):
        return None
    return item["wall_s"]


def _div(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, 3)


def validation_seconds(result: dict) -> dict:
    """Validation work (library imports excluded) and wall (each suite's own process)."""
    m = result["measurements"]
    pandera, gx, dbt_test = (
        m.get("validation_pandera"),
        m.get("validation_gx"),
        m.get("validation_dbt_test"),
    )
    if not (pandera and gx and dbt_test):
        return {}
    unavailable = [
        name
        for name, item in (("pandera", pandera), ("gx", gx))
        if not item["details"].get("available")
    ]
    reported = dbt_test["details"].get("dbt_reported") or [{}]
    dbt_work = reported[-1].get("seconds", dbt_test["wall_s"])
    work = pandera["details"].get("work_s", 0.0) + gx["details"].get("work_s", 0.0) + dbt_work
    wall = pandera["wall_s"] + gx["wall_s"] + dbt_test["wall_s"]
    return {
        "work_s": round(work, 2),
        "wall_s": round(wall, 2),
        "unavailable": unavailable,
        "dbt_test_work_s": dbt_work,
    }


def ratios(result: dict) -> dict:
    m = result["measurements"]
    full, floor = _wall(result, "full"), _wall(result, floors.ratio_floor(result["measurements"]))
    out: dict[str, float | None] = {
        "refresh_over_floor": _div(full, floor),
        "refresh_over_honest_floor": _div(full, _wall(result, "floor_sql")),
        "refresh_over_loader_floor": _div(full, _wall(result, "floor_loader")),
        "peer_over_refresh": _div(_wall(result, "peer"), full),
        "refresh_over_peer": _div(full, _wall(result, "peer")),
        "peer_over_floor": _div(_wall(result, "peer"), floor),
        "incremental_over_full": _div(_wall(result, "incremental"), full),
        "incremental_sensor_over_full": _div(_wall(result, "incremental_sensor"), full),
        "nothing_changed_over_full": _div(_wall(result, "nothing_changed"), full),
    }
    floor_item = m.get(floors.ratio_floor(result["measurements"]))
    validation = validation_seconds(result)
    if floor_item and floor_item.get("ok") and validation:
        produce = floor_item["details"]["load_s"] + floor_item["details"]["transform_s"]
        out["validation_over_load_transform"] = _div(validation["work_s"], produce)
        out["validation_wall_over_floor_wall"] = _div(validation["wall_s"], floor)
    startup = result.get("startup")
    if startup:
        out["definitions_over_bare_import"] = _div(
            startup["definitions_import"]["wall_s"], startup["bare_import"]["wall_s"]
        )
    return out


def _target(name: str, value, limit, unit: str = "", note: str = "") -> dict:
    met = None if value is None or limit is None else value <= limit
    return {
        "target": name,
        "value": None if value is None else round(value, 3),
        "limit": None if limit is None else round(limit, 3),
        "unit": unit,
        "met": met,
        "note": note,
    }


# The refresh's limits against the honest floor, by tier; the national one also bounds memory.
FLOOR_LIMITS = {"shipped": None, "x10": 2.0, "national": 1.5}
SHIPPED_REFRESH_S = 20
NOTHING_CHANGED_S = 5
PEAK_GB = 4.0


def targets(result: dict) -> list[dict]:
    """The speed targets (issue 16) this tier's measurements speak to."""
    m = result["measurements"]
    r = result["ratios"]
    tier = result["tier"]
    full = _wall(result, "full")
    out = []
    if tier == "shipped":
        out.append(
            _target(
                f"refresh ≤ {SHIPPED_REFRESH_S} s (`make run`'s job, fresh warehouse)",
                full,
                SHIPPED_REFRESH_S,
                "s",
            )
        )
    limit = FLOOR_LIMITS.get(tier)
    if limit is not None:
        out.append(
            _target(
                f"refresh ≤ {limit} × honest floor", r.get("refresh_over_honest_floor"), limit, "×"
            )
        )
    if tier == "national":
        peak = m["full"]["peak_tree_mb"] / GB_MB if m.get("full") else None
        out.append(_target(f"peak memory of the refresh ≤ {PEAK_GB:g} GB", peak, PEAK_GB, "GB"))
    out.append(
        _target(
            "refresh no slower than the peer (which skips cleaning and rules)",
            r.get("refresh_over_peer"),
            1.0,
            "×",
        )
    )
    out.append(
        _target(
            f"nothing changed ≤ {NOTHING_CHANGED_S} s (nightly job rerun)",
            _wall(result, "nothing_changed"),
            NOTHING_CHANGED_S,
            "s",
        )
    )
    if full is not None:
        out.append(
            _target(
                "one unit resubmits ≤ 10 s + 10 % of a full refresh (nightly job)",
                _wall(result, "incremental"),
                10 + 0.1 * full,
                "s",
                "" if tier == "national" else "target stated for the national tier",
            )
        )
    return out


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return f"{value:,.{digits}f}"


def busy(item: dict) -> bool:
    """Whether other processes used more than a quarter of a core during the measurement."""
    return bool(item.get("wall_s")) and item.get("other_cpu_s", 0) / item["wall_s"] > 0.25


def _notes(name: str, item: dict) -> str:
    """What to say of one measurement besides its numbers."""
    details = item.get("details", {})
    notes = []
    if not item.get("ok"):
        notes.append(f"FAILED exit {item['returncode']}: {item['log']}")
    if busy(item):
        notes.append("BUSY MACHINE")
    notes += floors.notes(name, item)
    groups = details.get("step_groups_s")
    if groups:
        notes.append(", ".join(f"{k} {v:.1f}" for k, v in groups.items()))
    if name.startswith("validation_") and "work_s" in details:
        notes.append(f"work {details['work_s']:.1f} s, import {details.get('import_s', 0):.1f} s")
    if name.startswith("validation_") and details.get("available") is False:
        notes.append(f"not available: {details.get('reason')}")
    if name.endswith("_sensor"):
        if "tick_s" in details:
            notes.append(f"tick {details['tick_s']:.2f} s")
        if "run_s" in details:
            notes.append(f"run {details['run_s']:.1f} s, {details.get('assets_selected')} assets")
    return "; ".join(notes)


def _rows(result: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(name, wall s, peak MB, CPU s, others' CPU s, notes) of every measurement."""
    rows = [
        (
            name,
            _fmt(item["wall_s"]),
            _fmt(item["peak_tree_mb"], 0),
            _fmt(item["cpu_s"]),
            _fmt(item["other_cpu_s"]),
            _notes(name, item),
        )
        for name, item in result["measurements"].items()
    ]
    startup = result.get("startup")
    if startup:
        for name in ("definitions_import", "bare_import"):
            item = startup[name]
            samples = ", ".join(_fmt(s, 1) for s in item["samples_s"])
            rows.append(
                (
                    name,
                    _fmt(item["wall_s"]),
                    _fmt(item["peak_tree_mb"], 0),
                    "",
                    _fmt(item["other_cpu_s"]),
                    f"median of {samples}",
                )
            )
        item = startup["dbt_start"]
        rows.append(
            (
                "dbt_start",
                _fmt(item["wall_s"]),
                _fmt(item["peak_tree_mb"], 0),
                _fmt(item["cpu_s"]),
                _fmt(item["other_cpu_s"]),
                "dbt run selecting nothing",
            )
        )
    return rows


def _ratios(result: dict) -> str:
    return ", ".join(f"{k} {_fmt(v, 2)}" for k, v in result["ratios"].items() if v is not None)


def table(result: dict) -> str:
    lines = [
        "",
        f"== {result['tier']}: {result['generator']} "
        f"({result['data']['csv_bytes'] / 1e6:,.0f} MB of CSV)",
        f"{'measurement':<26} {'wall s':>8} {'peak MB':>8} {'cpu s':>8} {'others':>7}  notes",
    ]
    for name, wall, peak, cpu, others, notes in _rows(result):
        lines.append(f"{name:<26} {wall:>8} {peak:>8} {cpu:>8} {others:>7}  {notes}")
    lines.append(f"ratios: {_ratios(result)}")
    lines.append("targets:")
    for item in result["targets"]:
        state = {True: "met", False: "NOT MET", None: "n/a"}[item["met"]]
        note = f" ({item['note']})" if item["note"] else ""
        lines.append(
            f"  {state:<8} {item['target']}: {_fmt(item['value'], 2)} {item['unit']} "
            f"vs {_fmt(item['limit'], 2)}{note}"
        )
    return "\n".join(lines)


def markdown(result: dict) -> str:
    """The tier's measurements, ratios and targets as Markdown (for docs/benchmark.md)."""
    local = " + local changes" if result["git"]["uncommitted"] else ""
    lines = [
        f"**{result['tier']}** — `{result['generator']}`, "
        f"{result['data']['csv_bytes'] / 1e6:,.0f} MB of CSV; commit "
        f"{result['git']['commit'][:7]}{local}, {result['started_at']}",
        "",
        "| measurement | wall s | peak MB | CPU s | others' CPU s | notes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(result)]
    lines += ["", "| target | value | limit | met |", "|---|---:|---:|---|"]
    for item in result["targets"]:
        state = {True: "yes", False: "**no**", None: "–"}[item["met"]]
        note = f" ({item['note']})" if item["note"] else ""
        lines.append(
            f"| {item['target']}{note} | {_fmt(item['value'], 2)} {item['unit']} | "
            f"{_fmt(item['limit'], 2)} | {state} |"
        )
    lines += ["", f"Ratios: {_ratios(result)}."]
    return "\n".join(lines)
