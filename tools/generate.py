"""Generate the synthetic seeds: python -m tools.generate --scale 1 --seed 20201 --out seeds.

Same arguments, same bytes: every draw comes from numpy generators seeded from `--seed`,
outputs are sorted, and nothing depends on the clock or on set order. docs/dataset.md
says how each published figure is built in.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from schemas import SUBMISSION_FILES
from schemas.contract import MANAGEMENT_TIERS, RATINGS, WORKPLACE_KINDS
from tools.gen_governance import Governance, build_governance, build_later_governance
from tools.gen_history import Periods, build_history, period_on
from tools.gen_io import as_dates, declared, write_csv
from tools.gen_people import (
    CHUYEN_MON,
    LY_LUAN,
    NEVER,
    NGOAI_NGU,
    TIN_HOC,
    People,
    assign_identity,
    build_people,
    id_text,
)
from tools.gen_reference import ALL_UNITS, PROGRAMS, reference_rows
from tools.gen_training import (
    RESULTS,
    Classes,
    Enrolments,
    build_classes,
    build_enrolments,
    build_later_classes,
    build_later_enrolments,
    concat_classes,
    concat_enrolments,
)

SHIPPED_SEED = 20201
UNIT_CODES = np.array([unit.code for unit in ALL_UNITS], object)
RATING_SHARES = (0.15, 0.62, 0.20, 0.03)
# Year-end ratings exist up to this year: 2026 is not over on the as-of date.
LAST_RATED_YEAR = 2025


def class_codes(classes: Classes) -> tuple[np.ndarray, np.ndarray]:
    """`<unit>-<year>-<nnnn>`, numbered by start date within unit and year.

    Returns the codes and each class's rank in code order.
    """
    year = classes.start.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    unit_text = UNIT_CODES[classes.unit]
    order = np.lexsort((classes.size, classes.program, classes.start, unit_text.astype(str)))
    group = np.char.add(unit_text[order].astype(str), year[order].astype(str))
    first = np.r_[True, group[1:] != group[:-1]]
    starts = np.flatnonzero(first)
    sequence = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)])) + 1
    codes = np.empty(len(order), object)
    frame = pl.DataFrame({"u": unit_text[order].astype(str), "y": year[order], "n": sequence})
    codes[order] = (
        frame.select(pl.format("{}-{}-{}", "u", "y", pl.col("n").cast(pl.String).str.zfill(4)))
        .to_series()
        .to_numpy()
    )
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return codes, rank


def evaluation_rows(
    people: People, periods: Periods, enrolments: Enrolments, classes: Classes, seed: int
):
    """Year-end ratings from 2015 for the years each person worked (from age 23), by the unit
    they were in on 31 December; a failed class makes a poor rating next year more likely
    (the link mart_training_outcomes looks for)."""
    rng = np.random.default_rng([seed, 6])
    birth_year = people.birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
    first = np.maximum(2015, birth_year + 1970 + 23)
    spans = np.maximum(0, LAST_RATED_YEAR + 1 - first)
    person = np.repeat(np.arange(len(people)), spans)
    year = np.repeat(first, spans) + (
        np.arange(len(person)) - np.repeat(np.cumsum(spans) - spans, spans)
    )
    year_end = (year - 1970 + 1).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    period = period_on(periods, person, year_end - 1)
    person, year, period = person[period >= 0], year[period >= 0], period[period >= 0]
    rating = rng.choice(len(RATINGS), size=len(person), p=RATING_SHARES)
    failed = enrolments.result == RESULTS.index("khong_dat")
    end_year = classes.end[enrolments.klass[failed]].astype("datetime64[D]").astype("datetime64[Y]")
    flagged = enrolments.person[failed].astype(np.int64) * 10_000 + end_year.astype(np.int64) + 1971
    hit = np.isin(person.astype(np.int64) * 10_000 + year, flagged) & (
        rng.random(len(person)) < 0.35
    )
    rating[hit] = RATINGS.index("kht")
    return person, year, rating, periods.unit[period]


def _qualification_rows(people: People, periods: Periods):
    """Every award once, submitted by the unit the person was in on the day it was awarded;
    an award after the person's last period is not in anyone's records."""
    parts = []
    for kind, awards, levels in (
        ("chuyen_mon", people.chuyen_mon, CHUYEN_MON),
        ("ly_luan_chinh_tri", people.ly_luan, LY_LUAN),
    ):
        person, level = np.nonzero(awards != NEVER)
        parts.append(
            (
                person,
                np.full(len(person), kind, object),
                np.array(levels, object)[level],
                awards[person, level],
            )
        )
    for column, (kind, held, levels) in enumerate(
        (("ngoai_ngu", people.ngoai_ngu, NGOAI_NGU), ("tin_hoc", people.tin_hoc, TIN_HOC))
    ):
        person = np.flatnonzero(held >= 0)
        parts.append(
            (
                person,
                np.full(len(person), kind, object),
                np.array(levels, object)[held[person]],
                people.extra_days[person, column],
            )
        )
    person, kind, level, awarded = (np.concatenate(p) for p in zip(*parts, strict=True))
    period = period_on(periods, person, awarded)
    kept = period >= 0
    person, kind, level, awarded = person[kept], kind[kept], level[kept], awarded[kept]
    unit = periods.unit[period[kept]]
    order = np.lexsort((awarded, kind.astype(str), people.national_id[person], unit))
    return person[order], kind[order], level[order], awarded[order], unit[order]


def _dates(values: np.ndarray, written: np.ndarray) -> pl.Series:
    """Dates where the file states them, nulls (empty cells) elsewhere."""
    return as_dates(np.where(written, values, 0)).set(pl.Series(~written), None)


def build_frames(scale: float, seed: int) -> dict[str, pl.DataFrame]:
    """Every seed file as a frame; submission frames carry `_unit`, the folder of each row."""
    people = build_people(scale, seed)
    governance = build_governance(people, scale, seed)
    classes = build_classes(people, scale, seed)
    enrolments = build_enrolments(people, classes, seed)
    periods = build_history(people, classes, enrolments, seed)
    build_later_governance(governance, people, periods, scale, seed)
    later = build_later_classes(scale, seed)
    later_enrolments = build_later_enrolments(periods, later, seed)
    enrolments = concat_enrolments(enrolments, later_enrolments, len(classes.unit))
    classes = concat_classes(classes, later)
    assign_identity(people, seed)
    ids = id_text(people.national_id).to_numpy()
    frames = {name: declared(name, columns) for name, columns in reference_rows().items()}

    order = np.lexsort((periods.start, people.national_id[periods.person], periods.unit))
    who = periods.person[order]
    own = UNIT_CODES[periods.unit[order]]
    frames["cadres"] = declared(
        "cadres",
        {
            "national_id": ids[who],
            "unit_code": own,
            "full_name": people.full_name.to_numpy()[who],
            "gender": np.array(["nam", "nu"], object)[people.gender[who]],
            "birth_date": as_dates(people.birth[who]),
            "management_tier": np.array(MANAGEMENT_TIERS, object)[periods.tier[order]],
            "workplace_kind": np.array(WORKPLACE_KINDS, object)[periods.workplace[order]],
            "current_title_code": periods.title[order],
            "valid_from": _dates(periods.start[order], periods.start_written[order]),
            "valid_to": _dates(periods.end[order], periods.end_written[order]),
            "_unit": own,
        },
    )

    codes, rank = class_codes(classes)
    order = np.argsort(rank)
    frames["classes"] = declared(
        "classes",
        {
            "class_code": codes[order],
            "unit_code": UNIT_CODES[classes.unit[order]],
            "program_code": np.array([p[0] for p in PROGRAMS], object)[classes.program[order]],
            "start_date": as_dates(classes.start[order]),
            "end_date": as_dates(classes.end[order]),
            "planned_sessions": classes.sessions[order],
            "target_term_code": classes.target_term[order],
            "_unit": UNIT_CODES[classes.unit[order]],
        },
    )

    order = np.lexsort((people.national_id[enrolments.person], rank[enrolments.klass]))
    klass = enrolments.klass[order]
    organiser = UNIT_CODES[classes.unit[klass]]
    frames["enrolments"] = declared(
        "enrolments",
        {
            "class_code": codes[klass],
            "national_id": ids[enrolments.person[order]],
            "unit_code": organiser,
            "sessions_attended": enrolments.attended[order],
            "unexcused_absences": enrolments.unexcused[order],
            "result": np.array(RESULTS, object)[enrolments.result[order]],
            "graduated": enrolments.graduated[order],
            "_unit": organiser,
        },
    )

    person, kind, level, awarded, unit = _qualification_rows(people, periods)
    own = UNIT_CODES[unit]
    frames["qualifications"] = declared(
        "qualifications",
        {
            "national_id": ids[person],
            "qualification_kind": kind,
            "level": level,
            "awarded_date": as_dates(awarded),
            "unit_code": own,
            "_unit": own,
        },
    )
    frames.update(_governance_frames(governance, people, ids))

    person, year, rating, unit = evaluation_rows(people, periods, enrolments, classes, seed)
    order = np.lexsort((year, people.national_id[person], unit))
    own = UNIT_CODES[unit[order]]
    frames["evaluations"] = declared(
        "evaluations",
        {
            "national_id": ids[person[order]],
            "unit_code": own,
            "year": year[order],
            "rating": np.array(RATINGS, object)[rating[order]],
            "_unit": own,
        },
    )
    return frames


def _governance_frames(gov: Governance, people: People, ids: np.ndarray) -> dict[str, pl.DataFrame]:
    parts = {key: np.concatenate(value) for key, value in gov.committee.items()}
    unit = UNIT_CODES[parts["unit"]]
    order = np.lexsort(
        (
            people.national_id[parts["person"]],
            parts["term"].astype(str),
            parts["level"].astype(str),
            unit.astype(str),
        )
    )
    committee = declared(
        "committee_members",
        {
            "national_id": ids[parts["person"][order]],
            "unit_code": unit[order],
            "committee_level": parts["level"][order],
            "term_code": parts["term"][order],
            "role": parts["role"][order],
            "_unit": unit[order],
        },
    )
    parts = {key: np.concatenate(value) for key, value in gov.planning.items()}
    unit = UNIT_CODES[parts["unit"]]
    order = np.lexsort(
        (
            people.national_id[parts["person"]],
            parts["term"].astype(str),
            parts["title"].astype(str),
            unit.astype(str),
        )
    )
    planning = declared(
        "planning",
        {
            "national_id": ids[parts["person"][order]],
            "unit_code": unit[order],
            "title_code": parts["title"][order],
            "term_code": parts["term"][order],
            "decision_date": as_dates(parts["decision"][order]),
            "status": parts["status"][order],
            "_unit": unit[order],
        },
    )
    unit = UNIT_CODES[np.array(gov.positions["unit"])]
    title = np.array(gov.positions["title"], object)
    term = np.array(gov.positions["term"], object)
    order = np.lexsort((term.astype(str), title.astype(str), unit.astype(str)))
    positions = declared(
        "positions",
        {
            "unit_code": unit[order],
            "title_code": title[order],
            "term_code": term[order],
            "seats": np.array(gov.positions["seats"], np.int64)[order],
            "_unit": unit[order],
        },
    )
    return {"committee_members": committee, "planning": planning, "positions": positions}


def write_frames(frames: dict[str, pl.DataFrame], out: Path) -> list[Path]:
    """Write reference files and one folder per unit; returns the paths written."""
    written = []
    for name, frame in frames.items():
        if "_unit" not in frame.columns:
            path = out / "reference" / f"{name}.csv"
            write_csv(path, frame)
            written.append(path)
    for seed in SUBMISSION_FILES:
        frame = frames[seed.name]
        slices = frame.partition_by("_unit", as_dict=True, maintain_order=True)
        for unit in UNIT_CODES:
            part = slices.get((unit,), frame.clear())
            path = out / "submissions" / unit / seed.filename
            write_csv(path, part)
            written.append(path)
    return written


def clear_output(out: Path) -> None:
    """Remove only what a previous run wrote, so stale unit folders cannot linger."""
    for folder in ("reference", "submissions"):
        shutil.rmtree(out / folder, ignore_errors=True)
    (out / "dirty_manifest.csv").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="people, classes and enrolments per unit (1 = shipped)",
    )
    parser.add_argument("--seed", type=int, default=SHIPPED_SEED, help="random seed")
    parser.add_argument("--out", type=Path, required=True, help="output folder (seeds layout)")
    parser.add_argument(
        "--dirty", type=float, default=0.0, help="rate of Excel-export dirt and bad rows to mix in"
    )
    args = parser.parse_args(argv)
    if args.scale <= 0 or not 0 <= args.dirty < 0.5:
        parser.error("--scale must be > 0 and --dirty in [0, 0.5)")
    began = time.perf_counter()
    frames = build_frames(args.scale, args.seed)
    clear_output(args.out)
    if args.dirty:
        from tools.gen_dirty import write_dirty

        rejects = write_dirty(frames, args.out, args.dirty, args.seed)
        print(f"dirty: {rejects} rows to reject, listed in dirty_manifest.csv", file=sys.stderr)
    else:
        write_frames(frames, args.out)
    rows = {name: frame.height for name, frame in frames.items()}
    print(
        f"wrote {args.out} in {time.perf_counter() - began:.1f} s: "
        + ", ".join(f"{name} {count}" for name, count in rows.items()),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
