"""The dataset generator: reproducible seeds; a dirty mode whose manifest the loader agrees with."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from schemas import REFERENCE_FILES, SEED_FILES, SUBMISSION_FILES, seed_file
from schemas.rules import RULES
from tools.generate import SHIPPED_SEED, main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# Where developers and CI keep the shared reference data the repository copied.
TIME_RULES = {
    "invalid_period",
    "tier_not_in_unit",
    "outside_unit_validity",
    "person_listed_twice",
    "succession_dates_mismatch",
}
DIRTY_ARGS = ("--scale", "0.1", "--seed", "7", "--dirty", "0.02")


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*.csv"))
        if path.is_file()
    }


def _manifest(root: Path) -> list[dict[str, str]]:
    with (root / "dirty_manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dirty")
    assert main([*DIRTY_ARGS, "--out", str(out)]) == 0
    return out


def test_shipped_seeds_regenerate_byte_for_byte(tmp_path):
    assert main(["--scale", "1", "--seed", str(SHIPPED_SEED), "--out", str(tmp_path)]) == 0
    shipped, regenerated = _files(SEEDS), _files(tmp_path)
    assert shipped.keys() == regenerated.keys()
    different = [name for name in shipped if shipped[name] != regenerated[name]]
    assert different == []


def test_every_file_has_the_declared_header():
    for seed in SEED_FILES:
        folder = "reference" if seed.folder == "reference" else "submissions/*"
        for path in SEEDS.glob(f"{folder}/{seed.filename}"):
            header = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
            assert header == ",".join(seed.column_names), path


def test_dirty_mode_is_deterministic(dirty, tmp_path):
    assert main([*DIRTY_ARGS, "--out", str(tmp_path)]) == 0
    assert _files(dirty) == _files(tmp_path)


def test_dirty_manifest_points_at_real_lines(dirty):
    rows = _manifest(dirty)
    codes = {rule.code for rule in RULES}
    assert rows, "a 2 % dirty run must add rows to reject"
    assert {row["rule"] for row in rows} <= codes
    assert len({row["rule"] for row in rows}) >= 6
    names = {seed.name for seed in SUBMISSION_FILES}
    line_counts: dict[Path, int] = {}
    for row in rows:
        if row["unit_code"] == "reference":
            assert row["file"] in {seed.name for seed in REFERENCE_FILES}
            path = dirty / "reference" / f"{row['file']}.csv"
        else:
            assert row["file"] in names
            path = dirty / "submissions" / row["unit_code"] / f"{row['file']}.csv"
        if path not in line_counts:
            line_counts[path] = path.read_bytes().count(b"\n")
        assert 2 <= int(row["line"]) <= line_counts[path]


def test_dirty_mode_breaks_every_time_rule(dirty):
    rows = _manifest(dirty)
    assert {row["rule"] for row in rows} >= TIME_RULES
    # One person in two communes at once: both rows are listed, in their own folders.
    overlaps = [row for row in rows if row["rule"] == "person_listed_twice"]
    assert len({row["unit_code"] for row in overlaps}) >= 2
    successions = {row["rule"] for row in rows if row["file"] == "unit_successions"}
    assert successions == {"unknown_reference", "succession_dates_mismatch"}


def test_dirty_mode_writes_the_dirt_the_loader_must_accept(dirty):
    text = b"".join(_files(dirty).values())
    assert b"\xef\xbb\xbf" in text  # a BOM
    assert "Ð".encode() in text or "ð".encode() in text
    assert "không".encode() in text or "KHÔNG".encode() in text
    assert b"/20" in text  # D/M/YYYY dates


def _load(seeds: Path, warehouse: Path) -> Counter:
    """Rejected rows per (file, unit, rule), as the project's loader counts them."""
    from orchestration.ingest.loader import ingest_seed_file
    from orchestration.settings import Settings

    settings = Settings(seeds_dir=seeds, warehouse_dir=warehouse, max_reject_rate=1.0)
    rejected: Counter = Counter()
    # Reference files first: the loader checks submissions against accepted upstream rows.
    for seed in (*REFERENCE_FILES, *SUBMISSION_FILES):
        result = ingest_seed_file(seed_file(seed.name), settings)
        for outcome in result.outcomes:
            assert outcome.status == "accepted", outcome.message
            for rule, count in outcome.rejected_by_rule.items():
                if count:
                    rejected[(seed.name, outcome.unit_code, rule)] += count
    return rejected


def test_loader_rejects_exactly_the_manifest(dirty, tmp_path):
    expected = Counter((row["file"], row["unit_code"], row["rule"]) for row in _manifest(dirty))
    assert _load(dirty, tmp_path) == expected


def test_shipped_seeds_load_without_rejects(tmp_path):
    assert _load(SEEDS, tmp_path) == Counter()
