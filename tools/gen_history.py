"""Work histories (quá trình công tác): every person's periods in units up to the as-of date."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tools.gen_people import NEVER, TIER, WORKPLACE, People, days
from tools.gen_reference import (
    ALL_UNIT_INDEX,
    ALL_UNITS,
    CITY,
    COMMUNES_BEGIN,
    DISTRICTS_END,
    SUCCESSOR_WEIGHTS,
    UNITS,
)

if TYPE_CHECKING:
    from tools.gen_training import Classes, Enrolments

# Effective dates of a period whose file leaves the date empty and whose unit has none.
OPEN_START = np.int32(-(2**30))
OPEN_END = NEVER
BEGIN_DAY = days(COMMUNES_BEGIN)
END_DAY = days(DISTRICTS_END)
# Nobody leaves before the end of the 2015-2020 term: the F9 populations are measured on
# its last day and stay those of the whole lists.
EARLY_LEAVING = (days("2020-10-01"), END_DAY - 1)
LATER_EVENTS = (days("2026-01-31"), days("2026-10-31"))
COMMUNE_TITLES = ("BI_THU_CAP_XA", "CT_UBND_CAP_XA", "CT_HDND_CAP_XA", "PHO_BI_THU_CAP_XA")
AFFILIATED = tuple(p for p, unit in enumerate(UNITS) if unit.kind == "dang_uy_truc_thuoc")
COMMUNE_POSITIONS = np.array([p for p, unit in enumerate(ALL_UNITS) if unit.is_commune])
# Where a unit's staff work: in a phường or a xã for a commune, in an agency elsewhere.
WORKPLACE_OF_UNIT = np.array(
    [WORKPLACE[u.kind] if u.is_commune else WORKPLACE["co_quan"] for u in ALL_UNITS], np.int8
)


@dataclass
class Periods:
    person: np.ndarray  # index into People
    unit: np.ndarray  # index into ALL_UNITS
    tier: np.ndarray
    workplace: np.ndarray
    title: np.ndarray
    start: np.ndarray  # effective first day, int32 days
    end: np.ndarray  # effective last day
    start_written: np.ndarray  # valid_from is written in the file (else empty)
    end_written: np.ndarray

    def __len__(self) -> int:
        return len(self.person)

    def take(self, rows: np.ndarray) -> Periods:
        return Periods(**{name: value[rows] for name, value in self.__dict__.items()})

    @staticmethod
    def concat(parts: list[Periods]) -> Periods:
        names = Periods.__dataclass_fields__
        return Periods(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})

    def containing(self, day) -> np.ndarray:
        return (self.start <= day) & (self.end >= day)


def period_on(periods: Periods, person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Index of each person's period containing `day`, -1 where none does.

    Periods of one person never overlap, so the latest one starting on or before the day is
    the only candidate.
    """
    shift = np.int64(2**31)
    order = np.lexsort((periods.start, periods.person))
    keys = (periods.person[order].astype(np.int64) << 32) + periods.start[order] + shift
    query = (np.asarray(person, np.int64) << 32) + np.asarray(day, np.int64) + shift
    found = np.searchsorted(keys, query, side="right") - 1
    index = order[np.maximum(found, 0)]
    hit = (
        (found >= 0)
        & (periods.person[index] == np.asarray(person))
        & (periods.end[index] >= np.asarray(day))
    )
    return np.where(hit, index, -1)


def _born_by(people: People, rows: np.ndarray, day: str) -> np.ndarray:
    return people.birth[rows] <= days(day)


def _between(rng, low, high) -> np.ndarray:
    return (low + np.floor(rng.random(len(low)) * (high - low + 1))).astype(np.int32)


def _first_periods(people: People) -> Periods:
    size = len(people)
    district = np.array([unit.is_district for unit in UNITS])[people.unit]
    return Periods(
        person=np.arange(size),
        unit=people.unit.astype(np.int16),
        tier=people.tier.copy(),
        workplace=people.workplace.copy(),
        title=people.title.copy(),
        start=np.full(size, OPEN_START, np.int32),
        end=np.where(district, END_DAY, OPEN_END).astype(np.int32),
        start_written=np.zeros(size, bool),
        end_written=np.zeros(size, bool),
    )


def _leave_early(rng, people: People, first: Periods, classes: Classes, enrolments: Enrolments):
    """A few people retire or leave between two congresses, after their last class."""
    last = np.full(len(people), EARLY_LEAVING[0] - 1, np.int64)
    np.maximum.at(last, enrolments.person, classes.end[enrolments.klass].astype(np.int64))
    low = np.maximum(EARLY_LEAVING[0], last + 1)
    high = np.minimum(first.end, EARLY_LEAVING[1])
    old = _born_by(people, np.arange(len(people)), "1963-12-31")
    chance = np.where(old, 0.06, 0.012)
    leaving = (rng.random(len(people)) < chance) & (high - low >= 60)
    rows = np.flatnonzero(leaving)
    first.end[rows] = _between(rng, low[rows], high[rows])
    first.end_written[rows] = True


# Where a district's cadres went on COMMUNES_BEGIN, per tier before the move: shares to the
# City Party Committee and to an affiliated committee; the rest go to a successor commune.
TO_CITY = {"btv_thanh_uy": 0.35, "btv_cap_huyen": 0.10, "chu_chot_cap_xa": 0.0, "khac": 0.06}
TO_AFFILIATED = {"btv_thanh_uy": 0.0, "btv_cap_huyen": 0.05, "chu_chot_cap_xa": 0.0, "khac": 0.03}
# Share who stay key cadres (chu_chot_cap_xa) in the merged, fewer communes.
STAY_KEY = {"btv_cap_huyen": 0.6, "chu_chot_cap_xa": 0.35}


def _move_districts(rng, people: People, first: Periods) -> Periods:
    """District lists end on DISTRICTS_END; the next day their cadres start elsewhere."""
    district = np.array([unit.is_district for unit in UNITS])[first.unit]
    rows = np.flatnonzero(district & (first.end == END_DAY))
    tier, workplace = first.tier[rows], first.workplace[rows]
    size = len(rows)
    # Early retirement came with the reorganisation, mostly for those near the age limit.
    old = _born_by(people, first.person[rows], "1965-06-30")
    retire = rng.random(size) < np.where(old, 0.30, 0.01)
    co_quan = workplace == WORKPLACE["co_quan"]
    # Commune staff (khac outside an agency) stay on their territory.
    agency = co_quan | (tier < TIER["khac"])
    city_share = np.where(agency, np.array([TO_CITY[n] for n in TIER])[tier], 0.0)
    affiliated_share = np.where(agency, np.array([TO_AFFILIATED[n] for n in TIER])[tier], 0.0)
    draw = rng.random(size)
    to_city = ~retire & (draw < city_share)
    to_affiliated = ~retire & ~to_city & (draw < city_share + affiliated_share)
    to_commune = ~retire & ~to_city & ~to_affiliated

    unit = np.zeros(size, np.int16)
    unit[to_city] = ALL_UNIT_INDEX[CITY]
    unit[to_affiliated] = np.array(AFFILIATED)[
        rng.integers(0, len(AFFILIATED), to_affiliated.sum())
    ]
    district_of = first.unit[rows]
    pick = rng.random(size)
    for position, district_unit in enumerate(UNITS):
        if not district_unit.is_district:
            continue
        successors = SUCCESSOR_WEIGHTS[district_unit.code]
        codes = np.array([ALL_UNIT_INDEX[code] for code, _ in successors], np.int16)
        land = np.array([weight for _, weight in successors])
        # Commune staff stay with their land; the district's own agencies were shared out
        # evenly to staff the new communes' offices, never to a commune that took a sliver.
        for staff, weights in ((~co_quan, land), (co_quan, (land >= 1).astype(float))):
            mine = to_commune & (district_of == position) & staff
            cumulative = np.cumsum(weights)
            chosen = np.searchsorted(cumulative, pick[mine] * cumulative[-1], side="right")
            unit[mine] = codes[np.minimum(chosen, len(codes) - 1)]

    # Only the cadres the City Standing Committee manages keep their tier in an agency; in a
    # commune btv_cap_huyen cannot stay (tier_not_in_unit).
    new_tier = tier.copy()
    new_tier[(to_city | to_affiliated) & (tier != TIER["btv_thanh_uy"])] = TIER["khac"]
    key = rng.random(size)
    for name, share in STAY_KEY.items():
        mine = to_commune & (tier == TIER[name])
        new_tier[mine] = np.where(key[mine] < share, TIER["chu_chot_cap_xa"], TIER["khac"])
    new_workplace = WORKPLACE_OF_UNIT[unit]
    title = np.full(size, "", object)
    leaders = to_city & (tier == TIER["btv_thanh_uy"])
    title[leaders] = np.where(rng.random(leaders.sum()) < 0.5, "GD_SO", "")

    moved = ~retire
    later = Periods(
        person=first.person[rows][moved],
        unit=unit[moved],
        tier=new_tier[moved],
        workplace=new_workplace[moved],
        title=title[moved],
        start=np.full(moved.sum(), BEGIN_DAY, np.int32),
        end=np.full(moved.sum(), OPEN_END, np.int32),
        start_written=np.ones(moved.sum(), bool),
        end_written=np.zeros(moved.sum(), bool),
    )
    _commune_titles(rng, later, was_district_leader=tier[moved] == TIER["btv_cap_huyen"])
    return later


def _commune_titles(rng, later: Periods, was_district_leader: np.ndarray) -> None:
    """Each new commune's leaders: the most senior arrivals take its four key titles."""
    commune = np.isin(later.unit, COMMUNE_POSITIONS) & (later.tier < TIER["khac"])
    seniority = later.tier * 2 + (~was_district_leader) + rng.random(len(later))
    rows = np.flatnonzero(commune)
    order = rows[np.lexsort((seniority[rows], later.unit[rows]))]
    unit = later.unit[order]
    first = np.r_[True, unit[1:] != unit[:-1]]
    starts = np.flatnonzero(first)
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    titled = rank < len(COMMUNE_TITLES)
    later.title[order[titled]] = np.array(COMMUNE_TITLES, object)[rank[titled]]


def _later_events(rng, people: People, periods: Periods) -> Periods:
    """2026: retirements, and moves from one commune to another (consecutive periods)."""
    current = np.flatnonzero((periods.end == OPEN_END) & (periods.start <= LATER_EVENTS[0]))
    old = _born_by(people, periods.person[current], "1966-06-30")
    retire = rng.random(len(current)) < np.where(old, 0.06, 0.004)
    rows = current[retire]
    periods.end[rows] = _between(
        rng, np.full(len(rows), LATER_EVENTS[0]), np.full(len(rows), LATER_EVENTS[1])
    )
    periods.end_written[rows] = True

    movable = current[
        ~retire
        & np.isin(periods.unit[current], COMMUNE_POSITIONS)
        & (periods.title[current] == "")
        & (periods.tier[current] != TIER["btv_thanh_uy"])
    ]
    rows = movable[rng.random(len(movable)) < 0.01]
    day = _between(
        rng, np.full(len(rows), LATER_EVENTS[0] + 1), np.full(len(rows), days("2026-09-30"))
    )
    # Another commune, never the same one.
    offset = rng.integers(1, len(COMMUNE_POSITIONS), len(rows))
    where = np.searchsorted(COMMUNE_POSITIONS, periods.unit[rows])
    destination = COMMUNE_POSITIONS[(where + offset) % len(COMMUNE_POSITIONS)].astype(np.int16)
    periods.end[rows] = day - 1
    periods.end_written[rows] = True
    return Periods(
        person=periods.person[rows],
        unit=destination,
        tier=periods.tier[rows],
        workplace=WORKPLACE_OF_UNIT[destination],
        title=np.full(len(rows), "", object),
        start=day.astype(np.int32),
        end=np.full(len(rows), OPEN_END, np.int32),
        start_written=np.ones(len(rows), bool),
        end_written=np.zeros(len(rows), bool),
    )


def build_history(people: People, classes: Classes, enrolments: Enrolments, seed: int) -> Periods:
    rng = np.random.default_rng([seed, 8])
    first = _first_periods(people)
    _leave_early(rng, people, first, classes, enrolments)
    later = _move_districts(rng, people, first)
    periods = Periods.concat([first, later])
    moves = _later_events(rng, people, periods)
    return Periods.concat([periods, moves])
