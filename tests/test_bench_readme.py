"""The README's speed table: ratios and targets worked out from a tier's measurements, and
only the text between the markers rewritten."""

from __future__ import annotations

import json

from bench import readme


def _item(wall: float, peak_mb: float = 1024.0) -> dict:
    return {"ok": True, "wall_s": wall, "peak_tree_mb": peak_mb, "details": {}}


def _result(tier: str, commit: str, started: str, **walls: float) -> dict:
    return {
        "tier": tier,
        "git": {"commit": commit},
        "started_at": started,
        "busy_machine": [],
        "data": {"rows": {"enrolments": 1234567}},
        "measurements": {name: _item(wall) for name, wall in walls.items()},
    }


def test_table_from_results(tmp_path):
    x10 = _result(
        "x10",
        "a" * 40,
        "2026-12-02T06:00:00+00:00",
        full=90.0,
        floor_sql=50.0,
        floor_loader=60.0,
        peer=45.0,
        incremental=30.0,
        nothing_changed=4.0,
    )
    (tmp_path / "x10.json").write_text(json.dumps(x10))
    (tmp_path / "readers-x10.json").write_text(json.dumps({"readers": {}}))
    results = readme.read_results(tmp_path)
    assert [r["tier"] for r in results] == ["x10"]
    text = readme.table(results)
    # 90 / 50 = 1.80 against a limit of 2; 90 / 45 = 2.00 against the peer's 1;
    # 30 s against 10 + 0.1 × 90 = 19 s.
    assert (
        "| ×10 | 1,234,567 | 90.0 s / 1.0 GB | 50.0 s / 1.0 GB | 1.80 | 60.0 s / 1.0 GB "
        "| 45.0 s / 1.0 GB | 30.0 s | 4.0 s |" in text
    )
    assert "| ×10 | refresh ≤ 2.0 × honest floor | 1.80 × | 2.0 × | yes |" in text
    assert "| 2.00 × | 1.0 × | **no** |" in text
    assert "| ×10 | nothing changed ≤ 5 s (nightly job rerun) | 4.00 s | 5.0 s | yes |" in text
    assert "| 30.00 s | 19.0 s | **no** |" in text


def test_only_the_marked_part_is_rewritten(tmp_path):
    results = [_result("shipped", "b" * 40, "2026-12-02T06:00:00+00:00", full=19.0, peer=20.0)]
    path = tmp_path / "README.md"
    path.write_text(f"before\n{readme.BEGIN}\nold table\n{readme.END}\nafter\n")
    assert readme.write(path, [dict(r, targets=[], ratios={}) for r in results])
    text = path.read_text()
    assert text.startswith(f"before\n{readme.BEGIN}\nCommit bbbbbbb;")
    assert text.endswith(f"{readme.END}\nafter\n")
    assert "old table" not in text
    unmarked = tmp_path / "OTHER.md"
    unmarked.write_text("no markers\n")
    assert not readme.write(unmarked, results)
    assert unmarked.read_text() == "no markers\n"
