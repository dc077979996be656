"""Training classes and enrolments, with the calibrations of figures F1 to F4."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tools.gen_people import AS_OF_DAY, TIER, People, count, days
from tools.gen_reference import (
    ALL_UNITS,
    CITY,
    COMMUNES_BEGIN,
    NGUON_PROGRAM,
    PROGRAM_INDEX,
    PROGRAMS,
    UNIT_INDEX,
    UNITS,
)

if TYPE_CHECKING:
    from tools.gen_history import Periods

# Per program: (sessions low, high), days per session (low, high), mean class size.
SHAPES = {
    "NQH": ((20, 40), (1.5, 3.0), 80),
    "LLCT_SO_CAP": ((20, 24), (1.5, 3.0), 80),
    "LLCT_TRUNG_CAP": ((140, 180), (1.5, 2.2), 60),
    "LLCT_CAO_CAP": ((200, 240), (1.4, 1.8), 60),
    "LLCT_DANG_VIEN_MOI": ((8, 10), (1.0, 2.0), 60),
    "CMNV": ((6, 20), (1.0, 2.5), 45),
    "TIN_HOC": ((16, 24), (1.5, 3.0), 30),
    "NGOAI_NGU": ((40, 60), (2.0, 3.5), 25),
    "CNKT": ((2, 6), (1.0, 1.5), 120),
}
DISTRICT_MIX = {
    "LLCT_SO_CAP": 0.10, "LLCT_TRUNG_CAP": 0.06, "LLCT_DANG_VIEN_MOI": 0.10,
    "CMNV_CONG_TAC_DANG": 0.08, "CMNV_KIEM_TRA_GIAM_SAT": 0.07, "CMNV_DAN_VAN": 0.07,
    "CMNV_QUAN_LY_NHA_NUOC": 0.06, "TIN_HOC_UNG_DUNG": 0.05, "TIN_HOC_CHUYEN_DOI_SO": 0.05,
    "NGOAI_NGU_TIENG_ANH": 0.06, "CNKT_CAP_UY_CO_SO": 0.10, "CNKT_NGHI_QUYET": 0.20,
}  # fmt: skip
# The city's own catalogue; its English classes are placed by hand (F4).
CITY_MIX = {
    "LLCT_CAO_CAP": 0.15, "CNKT_BTV_QUAN_LY": 0.30, "CMNV_CONG_TAC_DANG": 0.10,
    "CMNV_KIEM_TRA_GIAM_SAT": 0.10, "CMNV_QUAN_LY_NHA_NUOC": 0.10, "TIN_HOC_CHUYEN_DOI_SO": 0.10,
    "CNKT_NGHI_QUYET": 0.15,
}  # fmt: skip
WINDOWS = {
    "": ("2015-01-05", "2015-09-30"),
    "2015-2020": ("2015-10-01", "2020-09-30"),
    "2020-2025": ("2020-10-01", "2025-05-31"),
}
# Generic classes per unit and window at scale 1: (before the term, 2015-2020, 2020-2025).
GENERIC_CLASSES = {"district": (3, 36, 32), "affiliated": (2, 30, 28), "city": (2, 28, 28)}
TAY_HO = "003"
F1_CLASSES, F1_ENROLMENTS = 187, (22150, 22850)
TAY_HO_SECOND_TERM = 110
# F3: districts that ran no planning-source class in 2015-2020; totals of the others.
F3_NO_SOURCE_CLASSES = ("250", "275", "278", "280", "282")
F3_BCH = (26, 2542)
F3_LEADERS = (69, 8122)
# F2: Hai Bà Trưng's four classes.
F2_UNIT = "007"
F2_SIZES = {
    "bch_cung_cap": 80,
    "bi_thu_co_so": 89,
    "lanh_dao_phong_ban": 116,
    "chu_tich_hdnd_ubnd_co_so": 87,
}
# City classes placed by hand: (program, start, size, target term). F4 is the 2019 block.
CITY_CLASSES = (
    ("NQH_BCH_TP", "2016-05-09", 95, "2020-2025"),
    ("NQH_BCH_TP", "2018-04-02", 100, "2020-2025"),
    ("NGOAI_NGU_TIENG_ANH", "2017-09-11", 20, ""),
    ("NQH_BI_THU_CAP_HUYEN", "2019-03-18", 86, "2020-2025"),
    ("NQH_GD_SO_CT_CAP_HUYEN", "2019-08-05", 84, "2021-2026"),
    ("NGOAI_NGU_TIENG_ANH", "2019-05-06", 22, ""),
    ("NGOAI_NGU_TIENG_ANH", "2019-10-14", 18, ""),
    ("NQH_GD_SO_CT_CAP_HUYEN", "2021-03-15", 80, "2021-2026"),
    ("NGOAI_NGU_TIENG_ANH", "2022-09-12", 25, ""),
    ("NQH_BCH_TP", "2023-06-05", 110, "2025-2030"),
    ("NGOAI_NGU_TIENG_ANH", "2023-10-09", 22, ""),
)
RESULTS = ("xuat_sac", "gioi", "kha", "trung_binh", "khong_dat", "chua_xep_loai")
# Classes after the reorganisation start in this window, in every unit that still exists.
LATER_WINDOW = (COMMUNES_BEGIN, "2026-10-31")
# The new communes teach the two-tier local government, digital work and the congress
# resolutions.
COMMUNE_MIX = {
    "CNKT_NGHI_QUYET": 0.25, "CMNV_QUAN_LY_NHA_NUOC": 0.15, "TIN_HOC_CHUYEN_DOI_SO": 0.15,
    "CNKT_CAP_UY_CO_SO": 0.12, "LLCT_DANG_VIEN_MOI": 0.10, "CMNV_CONG_TAC_DANG": 0.10,
    "CMNV_KIEM_TRA_GIAM_SAT": 0.07, "CMNV_DAN_VAN": 0.06,
}  # fmt: skip
# Later classes per unit at scale 1: communes draw between the two bounds.
LATER_CLASSES = {"commune": (6, 11), "affiliated": 10, "city": 14}


def shape_of(program: str):
    return next(SHAPES[prefix] for prefix in SHAPES if program.startswith(prefix))


@dataclass
class Classes:
    unit: np.ndarray
    program: np.ndarray
    start: np.ndarray
    end: np.ndarray
    sessions: np.ndarray
    size: np.ndarray
    target_term: np.ndarray
    pool: np.ndarray  # "unit", "source" (planning-source weights) or "city"


@dataclass
class Enrolments:
    klass: np.ndarray  # index into Classes
    person: np.ndarray
    attended: np.ndarray
    unexcused: np.ndarray
    result: np.ndarray  # index into RESULTS
    graduated: np.ndarray


class _Builder:
    def __init__(self) -> None:
        self.parts: dict[str, list] = {
            k: [] for k in ("unit", "program", "start", "size", "target", "pool")
        }

    def add(self, unit, programs, starts, sizes, target="", pool="unit") -> None:
        size = len(programs)
        self.parts["unit"].append(np.full(size, unit, np.int16))
        self.parts["program"].append(np.asarray(programs, np.int16))
        self.parts["start"].append(np.asarray(starts, np.int32))
        self.parts["size"].append(np.asarray(sizes, np.int64))
        self.parts["target"].append(np.broadcast_to(np.asarray(target, object), size).copy())
        self.parts["pool"].append(np.full(size, pool, object))

    def arrays(self):
        return {key: np.concatenate(value) for key, value in self.parts.items()}


def _random_days(rng, window: tuple[str, str], size: int) -> np.ndarray:
    low, high = days(window[0]), days(window[1])
    return rng.integers(low, high + 1, size).astype(np.int32)


def _sizes(rng, programs: np.ndarray) -> np.ndarray:
    means = np.array([shape_of(PROGRAMS[p][0])[2] for p in programs], float)
    return np.maximum(8, np.round(means * rng.lognormal(0, 0.35, len(programs)))).astype(np.int64)


def to_total(rng, sizes: np.ndarray, total: int, cap: int) -> np.ndarray:
    """Rescale class sizes so they add up to exactly `total`, none above `cap`."""
    total = min(total, cap * len(sizes))
    sizes = np.minimum(np.maximum(1, np.floor(sizes * total / sizes.sum())), cap).astype(np.int64)
    while sizes.sum() != total:
        step = 1 if sizes.sum() < total else -1
        room = (sizes < cap) if step > 0 else (sizes > 1)
        rows = rng.choice(
            np.flatnonzero(room), size=min(abs(total - sizes.sum()), room.sum()), replace=False
        )
        sizes[rows] += step
    return sizes


def _generic(builder, rng, unit_position, counts, mix, scale) -> None:
    names = np.array([PROGRAM_INDEX[p] for p in mix])
    weights = np.array(list(mix.values()))
    for window, how_many in zip(WINDOWS.values(), counts, strict=True):
        size = count(how_many, scale)
        programs = rng.choice(names, size=size, p=weights / weights.sum())
        starts = _random_days(rng, window, size)
        builder.add(unit_position, programs, starts, _sizes(rng, programs))


def _source_classes(builder, rng, scale) -> dict[int, tuple[int, int]]:
    """F2/F3: planning-source classes of 2015-2020 for every organiser but the city.

    Returns, per unit, (classes, enrolments) of those classes.
    """
    organisers = [
        position
        for position, unit in enumerate(UNITS)
        if unit.code != CITY and unit.code not in F3_NO_SOURCE_CLASSES
    ]
    hbt = next(p for p in organisers if UNITS[p].code == F2_UNIT)
    others = [p for p in organisers if p != hbt]
    window = ("2016-03-01", "2020-06-30")
    placed: dict[int, list] = {p: [] for p in organisers}  # (group, size)
    for group, size in F2_SIZES.items():
        placed[hbt].append((group, size))
    # Own executive committees: one class each for 25 of the other organisers.
    bch_units = sorted(rng.choice(others, size=F3_BCH[0] - 1, replace=False).tolist())
    sizes = to_total(
        rng, rng.normal(98, 14, len(bch_units)), F3_BCH[1] - F2_SIZES["bch_cung_cap"], 140
    )
    for position, size in zip(bch_units, sizes, strict=True):
        placed[position].append(("bch_cung_cap", int(size)))
    # Department leaders and grassroots secretaries: two classes each, a few have three.
    classes = F3_LEADERS[0] - 2
    per_unit = np.full(len(others), 2)
    per_unit[rng.choice(len(others), size=classes - 2 * len(others), replace=False)] += 1
    total = F3_LEADERS[1] - F2_SIZES["lanh_dao_phong_ban"] - F2_SIZES["bi_thu_co_so"]
    sizes = iter(to_total(rng, rng.normal(118, 18, classes), total, 160).tolist())
    for position, how_many in zip(others, per_unit, strict=True):
        groups = ["lanh_dao_phong_ban", "bi_thu_co_so"]
        groups += [groups[int(rng.integers(0, 2))]] * (how_many - 2)
        placed[position] += [(group, next(sizes)) for group in groups]
    # Commune leaders' classes (no total published): about half the districts.
    for position in others:
        if UNITS[position].communes and rng.random() < 0.55:
            placed[position].append(("chu_tich_hdnd_ubnd_co_so", int(rng.integers(55, 95))))
    totals = {}
    for position, items in placed.items():
        groups, sizes = zip(*items, strict=True)
        programs = [PROGRAM_INDEX[NGUON_PROGRAM[group]] for group in groups]
        targets = [
            "2021-2026" if group == "chu_tich_hdnd_ubnd_co_so" else "2020-2025" for group in groups
        ]
        scaled = np.maximum(1, np.round(np.array(sizes) * scale)).astype(np.int64)
        builder.add(
            position,
            programs,
            _random_days(rng, window, len(items)),
            scaled,
            np.array(targets, object),
            "source",
        )
        totals[position] = (len(items), int(scaled.sum()))
    return totals


def _later_source_classes(builder, rng, scale) -> None:
    """Planning-source classes of 2020-2025: commune leaders for the 2021-2026 council term,
    then the next congress (2025-2030)."""
    for position, unit in enumerate(UNITS):
        if unit.code == CITY:
            continue
        if unit.communes:
            start = _random_days(rng, ("2020-10-15", "2021-05-31"), 1)
            size = count(rng.integers(50, 90), scale)
            builder.add(
                position,
                [PROGRAM_INDEX["NQH_CT_HDND_UBND_CO_SO"]],
                start,
                [size],
                "2021-2026",
                "source",
            )
        groups = ["bch_cung_cap", "lanh_dao_phong_ban", "bi_thu_co_so"]
        chosen = [g for g in groups if rng.random() < 0.7]
        programs = [PROGRAM_INDEX[NGUON_PROGRAM[g]] for g in chosen]
        starts = _random_days(rng, ("2023-03-01", "2024-12-15"), len(chosen))
        sizes = [count(rng.integers(60, 120), scale) for _ in chosen]
        builder.add(position, programs, starts, sizes, "2025-2030", "source")


def build_classes(people: People, scale: float, seed: int) -> Classes:
    rng = np.random.default_rng([seed, 4])
    builder = _Builder()
    source_totals = _source_classes(builder, rng, scale)
    _later_source_classes(builder, rng, scale)
    city = UNIT_INDEX[CITY]
    programs, starts, sizes, targets = zip(*CITY_CLASSES, strict=True)
    builder.add(
        city,
        [PROGRAM_INDEX[p] for p in programs],
        [days(s) for s in starts],
        [count(s, scale) for s in sizes],
        np.array(targets, object),
        "city",
    )
    for position, unit in enumerate(UNITS):
        if unit.code == CITY:
            start = len(builder.parts["unit"])
            _generic(builder, rng, position, GENERIC_CLASSES["city"], CITY_MIX, scale)
            for part in builder.parts["pool"][start:]:
                part[:] = "city"
        elif unit.code == TAY_HO:
            _tay_ho(builder, rng, people, position, scale, source_totals[position])
        else:
            kind = "district" if unit.is_district else "affiliated"
            _generic(builder, rng, position, GENERIC_CLASSES[kind], DISTRICT_MIX, scale)
    return _finish(builder, rng)


def _finish(builder: _Builder, rng) -> Classes:
    """Sessions and end dates by program."""
    parts = builder.arrays()
    sessions = np.empty(len(parts["program"]), np.int64)
    end = np.empty(len(parts["program"]), np.int32)
    for program in np.unique(parts["program"]):
        rows = np.flatnonzero(parts["program"] == program)
        (low, high), (per_low, per_high), _ = shape_of(PROGRAMS[program][0])
        sessions[rows] = rng.integers(low, high + 1, rows.size)
        span = np.ceil(sessions[rows] * rng.uniform(per_low, per_high, rows.size))
        end[rows] = parts["start"][rows] + span.astype(np.int32)
    return Classes(
        unit=parts["unit"],
        program=parts["program"],
        start=parts["start"],
        end=end,
        sessions=sessions,
        size=parts["size"],
        target_term=parts["target"],
        pool=parts["pool"],
    )


def _tay_ho(builder, rng, people, position, scale, source) -> None:
    """F1: Tây Hồ's 187 classes of 2015-2020 and their 22,000-odd enrolments."""
    source_classes, source_enrolments = source
    own = int((people.unit == position).sum())
    for term, window in WINDOWS.items():
        if term == "2015-2020":
            # Tiny scales cannot hold F1 beside the source classes; keep one class at least.
            size = max(1, count(F1_CLASSES, scale) - source_classes)
            total = round(rng.integers(*F1_ENROLMENTS) * scale) - source_enrolments
            total = max(total, size)
        else:
            size = count(TAY_HO_SECOND_TERM if term else 4, scale)
            total = None
        programs = rng.choice(
            np.array([PROGRAM_INDEX[p] for p in DISTRICT_MIX]),
            size=size,
            p=np.array(list(DISTRICT_MIX.values())) / sum(DISTRICT_MIX.values()),
        )
        sizes = _sizes(rng, programs)
        if total is not None:
            sizes = to_total(rng, sizes.astype(float), total, int(0.6 * own))
        builder.add(position, programs, _random_days(rng, window, size), sizes)


def _pools(people: People) -> dict[tuple, tuple[np.ndarray, np.ndarray]]:
    """Candidate people and cumulative weights per (pool, unit)."""
    pools = {}
    tier = people.tier
    generic = np.array([2.0, 2.0, 1.5, 1.0])
    source = np.array([4.0, 4.0, 3.0, 1.0])
    order = np.argsort(people.unit, kind="stable")
    bounds = np.searchsorted(people.unit[order], np.arange(len(UNITS) + 1))
    for position in range(len(UNITS)):
        own = order[bounds[position] : bounds[position + 1]]
        pools[("unit", position)] = (own, np.cumsum(generic[tier[own]]))
        pools[("source", position)] = (own, np.cumsum(source[tier[own]]))
    city = UNIT_INDEX[CITY]
    leaders = np.flatnonzero((tier <= TIER["btv_cap_huyen"]) | (people.unit == city))
    pools[("city", city)] = (leaders, np.cumsum(np.ones(len(leaders))))
    return pools


def sample_distinct(
    rng, sizes: np.ndarray, cumulative: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each class, `size` distinct candidates drawn by weight (indices into the pool)."""
    klass = np.repeat(np.arange(len(sizes)), sizes)
    pick = np.searchsorted(cumulative, rng.random(len(klass)) * cumulative[-1], side="right")
    for _ in range(200):
        order = np.lexsort((pick, klass))
        same = (klass[order][1:] == klass[order][:-1]) & (pick[order][1:] == pick[order][:-1])
        if not same.any():
            return klass, pick
        rows = order[1:][same]
        pick[rows] = np.searchsorted(
            cumulative, rng.random(rows.size) * cumulative[-1], side="right"
        )
    raise RuntimeError("class sizes too close to the pool size")


def build_enrolments(people: People, classes: Classes, seed: int) -> Enrolments:
    rng = np.random.default_rng([seed, 5])
    pools = _pools(people)
    klass_parts, person_parts = [], []
    keys = sorted({(p, int(u)) for p, u in zip(classes.pool, classes.unit, strict=True)})
    for key in keys:
        members, cumulative = pools[key]
        rows = np.flatnonzero((classes.pool == key[0]) & (classes.unit == key[1]))
        cap = max(1, int(0.8 * len(members)))
        classes.size[rows] = np.minimum(classes.size[rows], cap)
        klass, pick = sample_distinct(rng, classes.size[rows], cumulative)
        klass_parts.append(rows[klass])
        person_parts.append(members[pick])
    return _outcomes(rng, np.concatenate(klass_parts), np.concatenate(person_parts), classes)


def _outcomes(rng, klass: np.ndarray, person: np.ndarray, classes: Classes) -> Enrolments:
    """Attendance and results; classes not over by the as-of date are not rated yet."""
    size = len(klass)
    planned = classes.sessions[klass]
    unexcused = np.where(
        rng.random(size) < 0.045, rng.choice([1, 2, 3, 4], size, p=[0.6, 0.25, 0.1, 0.05]), 0
    )
    unexcused = np.minimum(unexcused, planned)
    excused = np.where(rng.random(size) < 0.15, rng.integers(1, 4, size), 0)
    excused = np.minimum(excused, planned - unexcused)
    attended = planned - unexcused - excused
    presence = attended / planned
    result = rng.choice(5, size, p=[0.08, 0.35, 0.45, 0.10, 0.02])
    failed = (presence < 0.7) | (unexcused >= 3)
    result = np.where(failed & (rng.random(size) < 0.5), 4, result)
    result = np.where(classes.end[klass] > AS_OF_DAY, 5, result)
    return Enrolments(
        klass=klass,
        person=person,
        attended=attended.astype(np.int64),
        unexcused=unexcused.astype(np.int64),
        result=result.astype(np.int8),
        graduated=result <= 3,
    )


def build_later_classes(scale: float, seed: int) -> Classes:
    """Classes from COMMUNES_BEGIN on: the communes, the affiliated committees and the city."""
    rng = np.random.default_rng([seed, 9])
    builder = _Builder()
    for position, unit in enumerate(ALL_UNITS):
        if unit.is_district:
            continue
        if unit.code == CITY:
            mix, how_many = CITY_MIX, count(LATER_CLASSES["city"], scale)
        elif unit.is_commune:
            mix, how_many = COMMUNE_MIX, count(rng.integers(*LATER_CLASSES["commune"]), scale)
        else:
            mix, how_many = DISTRICT_MIX, count(LATER_CLASSES["affiliated"], scale)
        names = np.array([PROGRAM_INDEX[p] for p in mix])
        weights = np.array(list(mix.values()))
        programs = rng.choice(names, size=how_many, p=weights / weights.sum())
        starts = _random_days(rng, LATER_WINDOW, how_many)
        builder.add(position, programs, starts, _sizes(rng, programs), pool="later")
        # Candidates for the commune councils' chairs before the 2026 elections.
        if unit.is_commune and rng.random() < 0.5:
            builder.add(
                position,
                [PROGRAM_INDEX["NQH_CT_HDND_UBND_CO_SO"]],
                _random_days(rng, (COMMUNES_BEGIN, "2025-12-31"), 1),
                [count(rng.integers(40, 70), scale)],
                "2026-2031",
                "later",
            )
    return _finish(builder, rng)


def _sample_current(rng, starts, sizes, candidates, periods: Periods, cumulative):
    """For each class, `size` distinct people drawn by weight among the candidate periods
    that contain the class's start date; returns (class, person)."""
    klass = np.repeat(np.arange(len(sizes)), sizes)
    day = starts[klass]

    def draw(size: int) -> np.ndarray:
        return np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")

    pick = draw(len(klass))
    for _ in range(2000):
        period = candidates[pick]
        person = periods.person[period]
        bad = (periods.start[period] > day) | (periods.end[period] < day)
        order = np.lexsort((person, klass))
        same = (klass[order][1:] == klass[order][:-1]) & (person[order][1:] == person[order][:-1])
        bad[order[1:][same]] = True
        if not bad.any():
            return klass, person
        rows = np.flatnonzero(bad)
        pick[rows] = draw(rows.size)
    raise RuntimeError("class sizes too close to the pool size")


def build_later_enrolments(periods: Periods, classes: Classes, seed: int) -> Enrolments:
    """Enrolments of the later classes: people whose period contains the class's start.

    A commune or affiliated committee enrols its own cadres; the city enrols its own staff,
    the cadres it manages and the communes' key cadres.
    """
    rng = np.random.default_rng([seed, 10])
    generic = np.array([2.0, 2.0, 1.5, 1.0])
    after = periods.end >= days(COMMUNES_BEGIN)
    city = UNIT_INDEX[CITY]
    city_pool = (periods.unit == city) | np.isin(
        periods.tier, [TIER["btv_thanh_uy"], TIER["chu_chot_cap_xa"]]
    )
    klass_parts, person_parts = [], []
    for organiser in np.unique(classes.unit):
        pool = city_pool if organiser == city else periods.unit == organiser
        candidates = np.flatnonzero(after & pool)
        rows = np.flatnonzero(classes.unit == organiser)
        starts = classes.start[rows]
        current = np.searchsorted(np.sort(periods.start[candidates]), starts, side="right")
        current -= np.searchsorted(np.sort(periods.end[candidates]), starts, side="left")
        classes.size[rows] = np.minimum(classes.size[rows], (0.8 * current).astype(np.int64))
        if not candidates.size:
            continue
        cumulative = np.cumsum(generic[periods.tier[candidates]])
        klass, person = _sample_current(
            rng, starts, classes.size[rows], candidates, periods, cumulative
        )
        klass_parts.append(rows[klass])
        person_parts.append(person)
    klass = np.concatenate([np.array([], np.int64), *klass_parts])
    person = np.concatenate([np.array([], np.int64), *person_parts])
    return _outcomes(rng, klass, person, classes)


def concat_classes(first: Classes, second: Classes) -> Classes:
    names = Classes.__dataclass_fields__
    return Classes(**{n: np.concatenate([getattr(first, n), getattr(second, n)]) for n in names})


def concat_enrolments(first: Enrolments, second: Enrolments, offset: int) -> Enrolments:
    """`second` refers to classes numbered from `offset` in the concatenated classes."""
    parts = {
        n: np.concatenate([getattr(first, n), getattr(second, n)])
        for n in Enrolments.__dataclass_fields__
    }
    parts["klass"] = np.concatenate([first.klass, second.klass + offset])
    return Enrolments(**parts)
