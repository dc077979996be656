"""Loads keyed by content: unchanged files are not read, one unit's change reads one unit,
and the result always equals a full load of the same files into an empty warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from orchestration.ingest.loader import ingest_all
from orchestration.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


def _snapshot(settings: Settings) -> dict[str, list]:
    """Every row ingest wrote (slices, rejects, status), sorted, by output name."""
    con = duckdb.connect()
    outputs = {}
    for path in sorted(settings.private_dir.glob("*/**/*.parquet")):
        if "tmp" in path.parts:
            continue
        name = str(path.relative_to(settings.private_dir))
        outputs[name] = sorted(
            con.execute(f"SELECT * FROM read_parquet('{path}')").fetchall(), key=repr
        )
    return outputs


def _fresh(seeds: Path, tmp_path: Path) -> dict[str, list]:
    settings = Settings(seeds, tmp_path / "fresh", 0.05)
    ingest_all(settings)
    return _snapshot(settings)


def _seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(FIXTURES / "marts", seeds)
    return seeds


def _read(results) -> dict[str, list[str]]:
    return {r.seed.name: r.units_read for r in results if not r.skipped}


def test_nothing_changed_reads_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", "k")
    seeds = _seeds(tmp_path)
    settings = Settings(seeds, tmp_path / "warehouse", 0.05)
    ingest_all(settings)
    before = _snapshot(settings)
    again = ingest_all(settings)
    assert all(result.skipped for result in again)
    assert _snapshot(settings) == before


def test_one_unit_changed_reads_that_unit_only_and_equals_a_full_load(tmp_path):
    seeds = _seeds(tmp_path)
    settings = Settings(seeds, tmp_path / "warehouse", 0.05)
    ingest_all(settings)
    evaluations = seeds / "submissions" / "003" / "evaluations.csv"
    lines = evaluations.read_text(encoding="utf-8").splitlines()
    evaluations.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # drop a rating

    results = ingest_all(settings)
    assert _read(results) == {"evaluations": ["003"]}
    assert _snapshot(settings) == _fresh(seeds, tmp_path)


def test_reference_change_reloads_its_dependents_whole(tmp_path):
    seeds = _seeds(tmp_path)
    settings = Settings(seeds, tmp_path / "warehouse", 0.05)
    ingest_all(settings)
    titles = seeds / "reference" / "titles.csv"
    titles.write_text(titles.read_text(encoding="utf-8") + "NEW_TITLE,Chức danh mới,cap_xa\n")

    results = ingest_all(settings)
    read = _read(results)
    assert set(read) == {"titles", "planning", "positions"}
    assert read["planning"] == sorted(p.name for p in (seeds / "submissions").iterdir())
    assert _snapshot(settings) == _fresh(seeds, tmp_path)


def test_a_clash_with_an_unchanged_unit_reloads_the_whole_file(tmp_path):
    seeds = _seeds(tmp_path)
    settings = Settings(seeds, tmp_path / "warehouse", 0.05)
    ingest_all(settings)
    units = sorted(p.name for p in (seeds / "submissions").iterdir())
    first, second = (seeds / "submissions" / unit / "cadres.csv" for unit in units[:2])
    # The second unit now lists a person the first unit lists: both rows are rejected,
    # so the first unit's slice changes although its file did not.
    listed = first.read_text(encoding="utf-8").splitlines()[1].split(",")
    listed[1] = units[1]
    second.write_text(
        second.read_text(encoding="utf-8") + ",".join(listed) + "\n", encoding="utf-8"
    )
    results = ingest_all(settings)
    assert _read(results)["cadres"] == units
    assert _snapshot(settings) == _fresh(seeds, tmp_path / "a")

    # Taking the row back out clears the first unit's row again.
    second.write_text(
        "\n".join(second.read_text(encoding="utf-8").splitlines()[:-1]) + "\n", encoding="utf-8"
    )
    ingest_all(settings)
    assert _snapshot(settings) == _fresh(seeds, tmp_path / "b")
