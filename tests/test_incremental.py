"""Loads keyed by content: unchanged files are not read, one unit's change reads one unit,
and the result always equals a full load of the same files into an empty warehouse."""

from __future__ import annotations

import contextlib
import os
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
        # Scratch space, and the record of what the last partial load changed.
        if "tmp" in path.parts or "changes" in path.parts:
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


def test_reference_change_reads_the_units_that_name_a_changed_row(tmp_path):
    seeds = _seeds(tmp_path)
    # Every row counts here: no unit is held back for its rejects.
    settings = Settings(seeds, tmp_path / "warehouse", 1.0)
    # Unit 01 plans someone for a title that does not exist yet: rejected.
    with (seeds / "submissions" / "01" / "planning.csv").open("a", encoding="utf-8") as handle:
        handle.write("001080000003,01,NEW2,2020-2025,2020-09-30,approved\n")
    ingest_all(settings)
    titles = seeds / "reference" / "titles.csv"

    def check(step: str, change, expected: dict[str, list[str]]) -> None:
        titles.write_text(change(titles.read_text(encoding="utf-8")), encoding="utf-8")
        assert _read(ingest_all(settings)) == expected, step
        fresh = Settings(seeds, tmp_path / step, 1.0)
        ingest_all(fresh)
        assert _snapshot(settings) == _snapshot(fresh), step

    # No row names the new title: planning and positions are loaded again, reading no unit.
    check(
        "unnamed",
        lambda text: text + "NEW_TITLE,Chức danh mới,cap_xa\n",
        {"titles": ["reference"], "planning": [], "positions": []},
    )
    # 01's rejected row names this one, and is accepted now.
    check(
        "named_by_a_rejected_row",
        lambda text: text + "NEW2,Chức danh khác,cap_xa\n",
        {"titles": ["reference"], "planning": ["01"], "positions": []},
    )
    # BT_QH is withdrawn: 272 plans for it, 003 has a seat for it.
    check(
        "withdrawn",
        lambda text: "".join(line for line in text.splitlines(True) if "BT_QH" not in line),
        {"titles": ["reference"], "planning": ["272"], "positions": ["003"]},
    )


def test_a_class_withdrawn_reads_the_units_whose_enrolments_name_it(tmp_path):
    seeds = _seeds(tmp_path)
    # Every row counts here: no unit is held back for its rejects.
    settings = Settings(seeds, tmp_path / "warehouse", 1.0)
    units = seeds / "submissions"
    # Unit 01 lists someone in a class of unit 003: rejected (class_of_other_unit).
    with (units / "01" / "enrolments.csv").open("a", encoding="utf-8") as handle:
        handle.write("003-C3,001080000005,01,3,0,kha,true\n")
    ingest_all(settings)

    # 003 withdraws class 003-C3 and plans fewer sessions for 003-C1.
    classes = units / "003" / "classes.csv"
    lines = classes.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("003-C3,")]
    kept = [line.replace(",2020-01-20,10,", ",2020-01-20,8,") for line in kept]
    classes.write_text("\n".join(kept) + "\n", encoding="utf-8")

    results = ingest_all(settings)
    # 003 names both classes in accepted rows, 01 names 003-C3 in a rejected row; 272
    # names neither and keeps its last load.
    assert _read(results) == {"classes": ["003"], "enrolments": ["003", "01"]}
    fresh = Settings(seeds, tmp_path / "fresh", 1.0)
    ingest_all(fresh)
    assert _snapshot(settings) == _snapshot(fresh)
    rules = (
        duckdb.connect()
        .execute(
            "SELECT unit_code, rule, count(*) "
            f"FROM read_parquet('{settings.rejects_dir}/enrolments.parquet') "
            "GROUP BY ALL ORDER BY ALL"
        )
        .fetchall()
    )
    # 003-C1 rows with 9 and 10 sessions now exceed the 8 planned; the 003-C3 rows name a
    # class that no longer exists, in 003 and in 01.
    assert rules == [
        ("003", "sessions_over_plan", 2),
        ("003", "unknown_reference", 1),
        ("01", "unknown_reference", 1),
    ]


def test_an_interrupted_load_keeps_the_record_of_what_it_changed(tmp_path, monkeypatch):
    """A crash after the slices were replaced but before the state was recorded: the
    retry sees no difference in the slices, yet the record still names the change."""
    from orchestration.ingest import state

    seeds = _seeds(tmp_path)
    settings = Settings(seeds, tmp_path / "warehouse", 1.0)
    ingest_all(settings)
    classes = seeds / "submissions" / "003" / "classes.csv"
    lines = classes.read_text(encoding="utf-8").splitlines()
    classes.write_text("\n".join(x for x in lines if not x.startswith("003-C3,")) + "\n")

    def crash(self, seed, settings):
        raise KeyboardInterrupt("killed")

    with monkeypatch.context() as patch:
        patch.setattr(state.InputState, "write", crash)
        with contextlib.suppress(KeyboardInterrupt):
            ingest_all(settings)
    results = ingest_all(settings)
    assert _read(results) == {"classes": ["003"], "enrolments": ["003"]}
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


def test_a_csv_is_hashed_again_only_when_written_since(tmp_path, monkeypatch):
    from orchestration.ingest import files as loader

    csv = tmp_path / "cadres.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    reads = []
    real = loader.file_sha256
    monkeypatch.setattr(loader, "file_sha256", lambda path: reads.append(path) or real(path))

    cache = loader.HashCache(tmp_path / "hashes.json")
    first = cache.sha256(csv)
    cache.save()
    again = loader.HashCache(tmp_path / "hashes.json")
    assert again.sha256(csv) == first
    assert len(reads) == 1  # the second process trusted the record

    # Same size, other bytes, modification time put back: the change time still moved.
    stat = csv.stat()
    csv.write_text("a,b\n1,3\n", encoding="utf-8")
    os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = again.sha256(csv)
    assert len(reads) == 2
    assert changed == real(csv) != first


def _history_seeds(tmp_path: Path) -> Path:
    """The quality fixture: Tây Hồ (003) ends on 2025-06-30, wards 00004 and 00008 begin."""
    seeds = tmp_path / "seeds"
    shutil.copytree(FIXTURES / "quality" / "valid", seeds)
    return seeds


def test_a_ward_resubmitting_a_move_reads_that_ward_only(tmp_path):
    seeds = _history_seeds(tmp_path)
    settings = Settings(seeds, tmp_path / "warehouse", 0.05)
    ingest_all(settings)
    # A person leaves Tây Hồ's archive list (ended 2025-06-30) for ward 00008: consecutive
    # periods, no clash with another unit, so nothing else is read again.
    with (seeds / "submissions" / "00008" / "cadres.csv").open("a", encoding="utf-8") as handle:
        handle.write("001080000001,00008,Nguyễn Văn An,nam,1980-03-05,khac,phuong,,,\n")

    results = ingest_all(settings)
    assert _read(results)["cadres"] == ["00008"]
    assert _snapshot(settings) == _fresh(seeds, tmp_path)


def test_an_overlap_with_an_ended_district_reads_the_district_again(tmp_path):
    seeds = _history_seeds(tmp_path)
    settings = Settings(seeds, tmp_path / "warehouse", 0.05)
    ingest_all(settings)
    # Đan Phượng (273) lists from 2025-01-01 a person Tây Hồ's archive lists until it
    # ended on 2025-06-30: both periods are rejected, so Tây Hồ's slice is written again.
    cadres = seeds / "submissions" / "273" / "cadres.csv"
    header, *rows = cadres.read_text(encoding="utf-8").splitlines()
    cadres.write_text(
        "\n".join(
            [
                header + ",valid_from,valid_to",
                *(row + ",," for row in rows),
                "001080000001,273,Nguyễn Văn An,nam,1980-03-05,khac,xa,,2025-01-01,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    results = ingest_all(settings)
    assert set(_read(results)["cadres"]) >= {"003", "273"}
    assert _snapshot(settings) == _fresh(seeds, tmp_path)
    rejected = (
        duckdb.connect()
        .execute(
            f"SELECT unit_code, rule FROM read_parquet('{settings.rejects_dir}/cadres.parquet') "
            "ORDER BY 1"
        )
        .fetchall()
    )
    assert rejected == [("003", "person_listed_twice"), ("273", "person_listed_twice")]
