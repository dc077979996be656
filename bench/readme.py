"""The README's speed table, written from bench/results/<tier>.json by `make bench`.

The table sits between two marker comments in README.md; only what lies between them is
rewritten, so the prose around it stays the authors'.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import report

BEGIN = "<!-- speed table: written by `make bench` from bench/results/ -->"
END = "<!-- end of speed table -->"
TIER_ORDER = ("shipped", "x10", "national")
LABELS = {"shipped": "shipped", "x10": "×10", "national": "national"}


def _measured(result: dict, name: str) -> str:
    item = result["measurements"].get(name)
    if not item or not item.get("ok"):
        return "–"
    return f"{item['wall_s']:.1f} s / {item['peak_tree_mb'] / report.GB_MB:.1f} GB"


def _seconds(result: dict, name: str) -> str:
    item = result["measurements"].get(name)
    return f"{item['wall_s']:.1f} s" if item and item.get("ok") else "–"


def _tier_label(result: dict, newest: str) -> str:
    label = LABELS.get(result["tier"], result["tier"])
    notes = []
    commit = result["git"]["commit"][:7]
    if commit != newest:
        notes.append(f"commit {commit}")
    if result.get("busy_machine"):
        notes.append("busy machine")
    return label + (f" ({', '.join(notes)})" if notes else "")


def table(results: list[dict]) -> str:
    """Markdown: a row per tier, then each tier's targets, met or not."""
    newest = max(results, key=lambda r: r["started_at"])["git"]["commit"][:7]
    lines = [
        f"Commit {newest}; wall time / peak memory of the whole process tree.",
        "",
        "| tier | enrolments | refresh | honest floor | refresh/floor | loader floor | peer "
        "| one unit resubmits | nothing changed |",
        "|---|---:|---|---|---:|---|---|---:|---:|",
    ]
    for result in results:
        ratio = result["ratios"].get("refresh_over_honest_floor")
        lines.append(
            f"| {_tier_label(result, newest)} | {result['data']['rows']['enrolments']:,} "
            f"| {_measured(result, 'full')} | {_measured(result, 'floor_sql')} "
            f"| {'–' if ratio is None else f'{ratio:.2f}'} | {_measured(result, 'floor_loader')} "
            f"| {_measured(result, 'peer')} | {_seconds(result, 'incremental')} "
            f"| {_seconds(result, 'nothing_changed')} |"
        )
    lines += ["", "| tier | target | measured | limit | met |", "|---|---|---:|---:|---|"]
    for result in results:
        for item in result["targets"]:
            state = {True: "yes", False: "**no**", None: "–"}[item["met"]]
            note = f" ({item['note']})" if item["note"] else ""
            value = "–" if item["value"] is None else f"{item['value']:.2f} {item['unit']}"
            lines.append(
                f"| {LABELS.get(result['tier'], result['tier'])} | {item['target']}{note} "
                f"| {value} | {item['limit']:.1f} {item['unit']} | {state} |"
            )
    return "\n".join(lines)


def read_results(folder: Path) -> list[dict]:
    """The tiers' results in folder, in tier order (other benchmark modules' files aside)."""
    results = []
    for name in TIER_ORDER:
        path = folder / f"{name}.json"
        if path.exists():
            result = json.loads(path.read_text(encoding="utf-8"))
            if "measurements" in result:
                # Recomputed: results written by an older benchmark lack newer ratios.
                result["ratios"] = report.ratios(result)
                result["targets"] = report.targets(result)
                results.append(result)
    return results


def write(readme: Path, results: list[dict]) -> bool:
    """Replace the table between the markers of `readme`; False when it has no markers."""
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text or not results:
        return False
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{table(results)}\n{END}{tail}", encoding="utf-8")
    return True
