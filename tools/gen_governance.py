"""Committees, planning pools and seats, with the calibrations of figures F5 to F8.

Calibration changes people's gender and qualification histories, so it runs before names
and citizen IDs are drawn (those depend on gender and birth date).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tools.gen_history import BEGIN_DAY, COMMUNE_TITLES, Periods, period_on
from tools.gen_people import AS_OF_DAY, NEVER, TIER, WORKPLACE, People, count, days, years
from tools.gen_reference import ALL_UNITS, CITY, TERM_START, UNIT_INDEX, UNITS

# F5: women among distinct grassroots committee members, term 2020-2025 (members, women).
F5_WOMEN = {"009": (200, 81), "005": (180, 58), "020": (220, 64), "273": (190, 43)}
# F6, unit 272: members of 2015-2020 only, of both terms, of 2020-2025 only, and per group
# how many held a university degree at the start of each term (see docs/dataset.md).
F6_UNIT = "272"
F6_GROUPS = {
    # group: ((held by 2015-10-01, gained 2015-10-02..2020-10-01, not by 2020-10-01)
    "both": (110, 30, 10),
    "first_only": (56, 0, 44),
    "second_only": (95, 0, 5),
}
# F7/F8, BCH_TP pools. Groups: in both pools, only 2015-2020, only 2020-2025. For master's
# degree and for advanced political theory: held before the first decision, gained between
# the two decisions, not held at the last decision.
F8_MASTERS = {"both": (60, 25, 15), "first_only": (21, 0, 47), "second_only": (79, 0, 45)}
F8_POLITICAL = {"both": (92, 6, 2), "first_only": (64, 0, 4), "second_only": (111, 0, 13)}
F8_SEATS = 113
F8_WITHDRAWN = {"2015-2020": 6, "2020-2025": 9}
DECISIONS = {
    "2015-2020": (("2014-04-15", 0.8), ("2016-09-20", 0.2)),
    "2020-2025": (("2018-01-12", 0.7), ("2019-05-28", 0.3)),
    "2021-2026": (("2019-11-20", 1.0),),
    "2025-2030": (("2023-03-20", 0.7), ("2024-08-12", 0.3)),
}
DAI_HOI = ("2015-2020", "2020-2025")
ROLES = ("bi_thu", "pho_bi_thu", "uy_vien_ban_thuong_vu", "uy_vien")


@dataclass
class Governance:
    committee: dict[str, list] = field(
        default_factory=lambda: {k: [] for k in ("person", "unit", "level", "term", "role")}
    )
    planning: dict[str, list] = field(
        default_factory=lambda: {
            k: [] for k in ("person", "unit", "title", "term", "decision", "status")
        }
    )
    positions: dict[str, list] = field(
        default_factory=lambda: {k: [] for k in ("unit", "title", "term", "seats")}
    )

    def add_committee(self, people: np.ndarray, unit: int, level: str, term: str, roles):
        self.committee["person"].append(people)
        self.committee["unit"].append(np.full(len(people), unit, np.int16))
        self.committee["level"].append(np.full(len(people), level, object))
        self.committee["term"].append(np.full(len(people), term, object))
        self.committee["role"].append(roles)

    def add_planning(self, people, unit, title, term, decision, status):
        size = len(people)
        self.planning["person"].append(np.asarray(people))
        self.planning["unit"].append(np.full(size, unit, np.int16))
        self.planning["title"].append(np.full(size, title, object))
        self.planning["term"].append(np.full(size, term, object))
        self.planning["decision"].append(np.asarray(decision, np.int32))
        self.planning["status"].append(np.full(size, status, object))

    def add_position(self, unit: int, title: str, term: str, seats: int):
        for key, value in zip(self.positions, (unit, title, term, seats), strict=True):
            self.positions[key].append(value)


def _roles(rng, size: int, leaders: int) -> np.ndarray:
    """A committee: one secretary, deputies and standing members per `leaders`, the rest."""
    roles = np.full(size, "uy_vien", object)
    shares = np.array([1, 1.5, 2]) * leaders / max(size, 1)
    draw = rng.random(size)
    roles[draw < shares.sum()] = "uy_vien_ban_thuong_vu"
    roles[draw < shares[:2].sum()] = "pho_bi_thu"
    roles[draw < shares[0]] = "bi_thu"
    return roles


def _split_terms(rng, pool: np.ndarray, first: int, second: int, overlap: int):
    """Members of two consecutive terms, `overlap` of them re-elected."""
    pool = rng.permutation(pool)
    overlap = min(overlap, first, second)
    first_members = pool[:first]
    second_members = np.concatenate(
        [first_members[:overlap], pool[first : first + second - overlap]]
    )
    return first_members, second_members


def _decision_days(rng, term: str, size: int) -> np.ndarray:
    dates, weights = zip(*DECISIONS[term], strict=True)
    return np.array([days(d) for d in dates], np.int32)[rng.choice(len(dates), size, p=weights)]


def set_reached(awards, rows, level, when, rng, birth, chain_from: int | None):
    """Make `level` the first level >= `level` held, awarded on day `when`."""
    awards[rows, level] = when
    for higher in range(level + 1, awards.shape[1]):
        column = awards[rows, higher]
        awards[rows, higher] = np.where(column <= when, NEVER, column)
    if chain_from is not None and level > chain_from:
        # A master's degree needs the university degree some years before.
        below = awards[rows, level - 1]
        earlier = np.maximum(when - years(rng.uniform(2, 8, len(rows))), birth[rows] + years(22))
        awards[rows, level - 1] = np.where(below >= when, earlier, below)
    start = (level - 1) if chain_from is not None and level > chain_from else level
    for lower in range(start):
        column = awards[rows, lower]
        limit = awards[rows, start] if start < level else when
        awards[rows, lower] = np.where(column >= limit, NEVER, column)


def clear_reached(awards, rows, level, until, rng, later_share, chain_from: int | None):
    """Take away every level >= `level` held on `until`; some earn it later."""
    for higher in range(level, awards.shape[1]):
        column = awards[rows, higher]
        awards[rows, higher] = np.where(column <= until, NEVER, column)
    if chain_from is not None:
        for higher in range(max(level, chain_from + 1), awards.shape[1]):
            missing = awards[rows, higher - 1] == NEVER
            awards[rows[missing], higher] = NEVER
    later = until + years(rng.uniform(0.3, 4.5, len(rows)))
    take = (rng.random(len(rows)) < later_share) & (later <= AS_OF_DAY)
    take &= awards[rows, level:].min(axis=1) == NEVER
    if chain_from is not None and level > chain_from:
        take &= awards[rows, level - 1] < later
    awards[rows[take], level] = later[take]


def _calibrate_f6(people: People, first, second, rng) -> None:
    """Phúc Thọ: university degrees of grassroots committee members at each term start."""
    start_1, start_2 = TERM_START["2015-2020"].astype(int), TERM_START["2020-2025"].astype(int)
    first_set, second_set = set(first.tolist()), set(second.tolist())
    groups = {
        "both": np.array([p for p in first if p in second_set], np.int64),
        "first_only": np.array([p for p in first if p not in second_set], np.int64),
        "second_only": np.array([p for p in second if p not in first_set], np.int64),
    }
    cm, birth = people.chuyen_mon, people.birth
    for group, rows in groups.items():
        held_first, gained, _ = F6_GROUPS[group]
        rows = rng.permutation(rows)
        held_first = min(held_first, len(rows))
        gained = min(gained, len(rows) - held_first)
        early, middle, never = np.split(rows, [held_first, held_first + gained])
        first_deadline = start_1 if group != "second_only" else start_2
        low = np.maximum(birth[early] + years(21.5), days("1985-01-01"))
        set_reached(cm, early, 2, _between(rng, low, first_deadline), rng, birth, 2)
        set_reached(cm, middle, 2, _between(rng, start_1 + 1, start_2), rng, birth, 2)
        until = start_1 if group == "first_only" else start_2
        clear_reached(cm, never, 2, until, rng, 0.3, 2)
        _ensure_diploma(cm, never, birth)


def _between(rng, low, high) -> np.ndarray:
    low = np.broadcast_to(np.asarray(low, np.int64), np.shape(high) or np.shape(low)).copy()
    high = np.broadcast_to(np.asarray(high, np.int64), low.shape)
    low = np.minimum(low, high)
    return (low + np.floor(rng.random(low.shape) * (high - low + 1))).astype(np.int32)


def _ensure_diploma(cm, rows, birth) -> None:
    """Someone without a university degree at a date still holds a lower diploma."""
    missing = cm[rows, :2].min(axis=1) == NEVER
    cm[rows[missing], 1] = birth[rows[missing]] + years(21)


def _calibrate_f8(people: People, pools, decisions, plans, rng) -> None:
    """BCH_TP pools: master's degree and advanced political theory as of each decision."""
    first, second = pools["2015-2020"], pools["2020-2025"]
    first_set, second_set = set(first.tolist()), set(second.tolist())
    groups = {
        "both": np.array([p for p in first if p in second_set], np.int64),
        "first_only": np.array([p for p in first if p not in second_set], np.int64),
        "second_only": np.array([p for p in second if p not in first_set], np.int64),
    }
    day_first = dict(zip(first.tolist(), decisions["2015-2020"].tolist(), strict=True))
    day_second = dict(zip(second.tolist(), decisions["2020-2025"].tolist(), strict=True))
    birth = people.birth
    for group, rows in groups.items():
        d1 = np.array([day_first.get(p, day_second.get(p)) for p in rows], np.int64)
        d2 = np.array([day_second.get(p, day_first.get(p)) for p in rows], np.int64)
        for awards, plan, level, chain, age in (
            (people.chuyen_mon, plans[0], 3, 2, 26),
            (people.ly_luan, plans[1], 2, None, 30),
        ):
            order = rng.permutation(len(rows))
            early_n, between_n, _ = plan[group]
            early, middle, never = np.split(order, [early_n, early_n + between_n])
            low = np.minimum(birth[rows[early]] + years(age), d1[early] - 730)
            when = _between(rng, low, d1[early] - 30)
            set_reached(awards, rows[early], level, when, rng, birth, chain)
            when = _between(rng, d1[middle] + 1, d2[middle])
            set_reached(awards, rows[middle], level, when, rng, birth, chain)
            clear_reached(awards, rows[never], level, d2[never], rng, 0.4, chain)
        # Everyone in the pool held a university degree a year before the first decision.
        cm = people.chuyen_mon
        masters = cm[rows, 3].astype(np.int64)
        latest = np.minimum(d1 - 365, np.where(masters == NEVER, d1, masters - 365))
        when = np.minimum(birth[rows] + years(23), latest)
        need = cm[rows, 2] > when
        cm[rows[need], 2] = when[need]
        for lower in range(2):
            column = cm[rows, lower]
            cm[rows, lower] = np.where(column >= cm[rows, 2], NEVER, column)


def build_governance(people: People, scale: float, seed: int) -> Governance:
    rng = np.random.default_rng([seed, 3])
    gov = Governance()
    born_by_1990 = people.birth <= days("1990-12-31")
    grassroots = np.isin(people.tier, [TIER["chu_chot_cap_xa"], TIER["khac"]]) & born_by_1990
    leaders = np.isin(people.tier, [TIER["btv_thanh_uy"], TIER["btv_cap_huyen"]])
    by_unit = {u: np.flatnonzero(people.unit == u) for u in range(len(UNITS))}

    for position, unit in enumerate(UNITS):
        own = by_unit[position]
        if unit.code == CITY:
            continue
        # Grassroots committees (co_so).
        pool = own[grassroots[own]]
        if unit.code in F5_WOMEN:
            second = count(F5_WOMEN[unit.code][0], scale)
            first = count(F5_WOMEN[unit.code][0] * rng.uniform(0.9, 1.1), scale)
            overlap = int(0.55 * second)
        elif unit.code == F6_UNIT:
            first = second = count(250, scale)
            overlap = count(150, scale)
        else:
            base = 12 * unit.communes + 40 if unit.is_district else 150
            first, second = count(base * rng.uniform(0.9, 1.1), scale), count(base, scale)
            overlap = int(0.55 * second)
        first = min(first, len(pool))
        second = min(second, len(pool) - first + overlap)
        term_1, term_2 = _split_terms(rng, pool, first, second, overlap)
        if unit.code in F5_WOMEN:
            members, women = F5_WOMEN[unit.code]
            women = round(women / members * len(term_2))
            women_rows = rng.permutation(term_2)
            people.gender[women_rows[:women]] = 1
            people.gender[women_rows[women:]] = 0
        if unit.code == F6_UNIT:
            _calibrate_f6(people, term_1, term_2, rng)
        for term, members in zip(DAI_HOI, (term_1, term_2), strict=True):
            leaders_n = max(1, unit.communes or 5)
            gov.add_committee(
                np.sort(members), position, "co_so", term, _roles(rng, len(members), leaders_n)
            )
        # The district's own executive committee (cap_huyen).
        pool = own[leaders[own]]
        size_1, size_2 = min(count(45, scale), len(pool)), min(count(49, scale), len(pool))
        term_1, term_2 = _split_terms(rng, pool, size_1, size_2, int(0.6 * size_1))
        for term, members in zip(DAI_HOI, (term_1, term_2), strict=True):
            gov.add_committee(
                np.sort(members), position, "cap_huyen", term, _roles(rng, len(members), 1)
            )
        _unit_planning(gov, people, position, own, scale, rng)

    city = UNIT_INDEX[CITY]
    city_leaders = np.flatnonzero(people.tier == TIER["btv_thanh_uy"])
    term_1, term_2 = _split_terms(
        rng, city_leaders, count(71, scale), count(81, scale), count(40, scale)
    )
    for term, members in zip(DAI_HOI, (term_1, term_2), strict=True):
        gov.add_committee(np.sort(members), city, "thanh_pho", term, _roles(rng, len(members), 1))
    _city_planning(gov, people, scale, rng)
    return gov


def _unit_planning(gov, people, position, own, scale, rng) -> None:
    unit = UNITS[position]
    tier = people.tier[own]
    cadres = own[tier <= TIER["chu_chot_cap_xa"]]
    leaders = own[tier <= TIER["btv_cap_huyen"]]
    commune = own[
        (people.workplace[own] != WORKPLACE["co_quan"]) & (tier >= TIER["chu_chot_cap_xa"])
    ]
    plans = [
        ("BCH_CAP_HUYEN", "2015-2020", count(45, scale), cadres, (1.2, 2.0)),
        ("BCH_CAP_HUYEN", "2020-2025", count(49, scale), cadres, (1.2, 2.0)),
        ("BTV_CAP_HUYEN", "2015-2020", count(13, scale), leaders, (1.5, 2.5)),
        ("BTV_CAP_HUYEN", "2020-2025", count(15, scale), leaders, (1.5, 2.5)),
    ]
    if unit.communes:
        seats = count(unit.communes, scale)
        plans += [
            ("BI_THU_CAP_XA", "2015-2020", seats, commune, (1.5, 3.0)),
            ("BI_THU_CAP_XA", "2020-2025", seats, commune, (1.5, 3.0)),
            ("CT_UBND_CAP_XA", "2021-2026", seats, commune, (1.5, 3.0)),
        ]
    for title, term, seats, pool, (low, high) in plans:
        _pool(gov, rng, position, title, term, seats, pool, rng.uniform(low, high))


def _pool(gov, rng, unit, title, term, seats, pool, coefficient) -> None:
    size = min(len(pool), max(1, round(seats * coefficient)))
    chosen = np.sort(rng.choice(pool, size=size, replace=False))
    status = np.where(rng.random(size) < 0.04, "withdrawn", "approved").astype(object)
    for flag in ("approved", "withdrawn"):
        rows = chosen[status == flag]
        if rows.size:
            gov.add_planning(rows, unit, title, term, _decision_days(rng, term, rows.size), flag)
    gov.add_position(unit, title, term, seats)


def _city_planning(gov: Governance, people: People, scale: float, rng) -> None:
    city = UNIT_INDEX[CITY]
    eligible = np.flatnonzero(
        np.isin(people.tier, [TIER["btv_thanh_uy"], TIER["btv_cap_huyen"]])
        & (people.birth <= days("1985-12-31"))
        & (people.unit != UNIT_INDEX[F6_UNIT])
    )
    # The city's pool leans on cadres it already manages (btv_thanh_uy).
    priority = rng.random(len(eligible)) * np.where(
        people.tier[eligible] == TIER["btv_thanh_uy"], 0.3, 1.0
    )
    eligible = eligible[np.argsort(priority, kind="stable")]
    sizes = {g: count(sum(F8_MASTERS[g]), scale) for g in F8_MASTERS}
    cut = np.cumsum([sizes["both"], sizes["first_only"], sizes["second_only"]])
    both, first_only, second_only = np.split(eligible[: cut[-1]], cut[:-1])
    pools = {
        "2015-2020": np.sort(np.concatenate([both, first_only])),
        "2020-2025": np.sort(np.concatenate([both, second_only])),
    }
    decisions = {term: _decision_days(rng, term, len(pool)) for term, pool in pools.items()}
    # Off the shipped scale the figures need not hold: the groups keep their proportions.
    plans = [
        {group: tuple(round(v * scale) for v in values) for group, values in plan.items()}
        for plan in (F8_MASTERS, F8_POLITICAL)
    ]
    _calibrate_f8(people, pools, decisions, plans, rng)
    rest = eligible[cut[-1] :]
    for term in DAI_HOI:
        gov.add_planning(pools[term], city, "BCH_TP", term, decisions[term], "approved")
        withdrawn = np.sort(rest[: count(F8_WITHDRAWN[term], scale)])
        rest = rest[len(withdrawn) :]
        gov.add_planning(
            withdrawn, city, "BCH_TP", term, _decision_days(rng, term, len(withdrawn)), "withdrawn"
        )
        gov.add_position(city, "BCH_TP", term, count(F8_SEATS, scale))
    btv = np.flatnonzero(people.tier == TIER["btv_thanh_uy"])
    for term, seats in zip(DAI_HOI, (16, 17), strict=True):
        _pool(gov, rng, city, "BTV_TU", term, count(seats, scale), btv, rng.uniform(2.0, 3.0))
        gov.add_position(city, "GD_SO", term, count(38, scale))


LATER = "2025-2030"
LATER_START = int(TERM_START[LATER].astype(np.int64))
# The communes' first planning decisions, after their congresses, and a later supplement.
COMMUNE_DECISIONS = (("2025-10-20", "2026-01-30"), ("2026-05-04", "2026-09-30"))
SUPPLEMENT_SHARE = 0.1
# F13: shares of women and of under-40s each commune's pool is drawn around, and how many
# communes are built to fall short of each target (Quy định 50: 25 % and 15 %).
POOL_WOMEN, POOL_UNDER_40 = (0.34, 0.08), (0.22, 0.07)
F13_SHORT = 4
PRIORITY = np.array([8.0, 4.0, 4.0, 1.0])  # per tier: who a pool or committee leans on
BCH_TP_PLANNED, BCH_TP_SEATS, BTV_TU_SEATS, CITY_COMMITTEE = 215, 113, 17, 81


def fortieth_birthday(birth: np.ndarray) -> np.ndarray:
    """The day each person turns 40 (births are never on 29 February in a pool, below)."""
    born = birth.astype("datetime64[D]")
    year = born.astype("datetime64[Y]")
    return ((year + 40).astype("datetime64[D]") + (born - year.astype("datetime64[D]"))).astype(
        np.int64
    )


def _clear_age(people: People, person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether "under 40 on `day`" reads the same however a reader counts age: nobody
    turns 40 within a week of the day, and nobody is born on 29 February."""
    born = people.birth[person].astype("datetime64[D]")
    leap_day = (born.astype("datetime64[M]") - born.astype("datetime64[Y]")).astype(int) == 1
    leap_day &= (born - born.astype("datetime64[M]")).astype(int) == 28
    return (np.abs(fortieth_birthday(people.birth[person]) - day) > 7) & ~leap_day


def _priority(rng, tier: np.ndarray, title: np.ndarray | None = None) -> np.ndarray:
    """Lower first: title holders in title order, then a weighted random order."""
    key = rng.exponential(size=len(tier)) / PRIORITY[tier]
    if title is not None:
        for rank, name in enumerate(COMMUNE_TITLES):
            key[title == name] = -len(COMMUNE_TITLES) + rank
    return key


def _by_strata(key, women, young, size, women_share, young_share) -> np.ndarray:
    """`size` candidates, best keys first, with about the given shares of women and young."""
    women_n, young_n = round(women_share * size), round(young_share * size)
    both = round(women_n * young_n / size) if size else 0
    both = min(max(both, women_n + young_n - size, 0), women_n, young_n)
    wanted = (both, women_n - both, young_n - both, size - women_n - young_n + both)
    masks = (women & young, women & ~young, ~women & young, ~women & ~young)
    chosen = []
    for mask, how_many in zip(masks, wanted, strict=True):
        rows = np.flatnonzero(mask)
        chosen.append(rows[np.argsort(key[rows], kind="stable")][:how_many])
    chosen = np.concatenate(chosen)
    if len(chosen) < size:
        rest = np.setdiff1d(np.arange(len(key)), chosen)
        rest = rest[np.argsort(key[rest], kind="stable")]
        chosen = np.concatenate([chosen, rest[: size - len(chosen)]])
    return chosen[np.argsort(key[chosen], kind="stable")]


def _commune(gov, rng, people, periods, position, scale, women_share, young_share) -> None:
    """A commune's 2025-2030 executive committee (cap_xa), planning pools and seats."""
    rows = np.flatnonzero(
        (periods.unit == position) & (periods.start == BEGIN_DAY) & (periods.end >= LATER_START)
    )
    if not rows.size:
        return
    person, tier, title = periods.person[rows], periods.tier[rows], periods.title[rows]
    key = _priority(rng, tier, title)
    order = np.argsort(key, kind="stable")
    seats = count(rng.integers(27, 34), scale)
    standing = count(rng.integers(9, 12), scale)
    members = order[: min(seats, len(order))]
    roles = np.full(len(members), "uy_vien", object)
    roles[:standing] = "uy_vien_ban_thuong_vu"
    roles[: count(4, scale)] = "pho_bi_thu"
    roles[: count(1, scale)] = "bi_thu"
    by_person = np.argsort(person[members], kind="stable")
    gov.add_committee(person[members][by_person], position, "cap_xa", LATER, roles[by_person])

    main = days(COMMUNE_DECISIONS[0][0]) + int(rng.integers(0, 103))
    supplement = days(COMMUNE_DECISIONS[1][0]) + int(rng.integers(0, 150))
    # Planned people stay through the supplement; each is decided on one of the two days.
    staying = periods.end[rows] >= supplement
    decision = np.where(rng.random(len(rows)) < SUPPLEMENT_SHARE, supplement, main)
    clear = staying & _clear_age(people, person, decision)
    candidates = np.flatnonzero(clear)
    young = fortieth_birthday(people.birth[person]) > decision
    women = people.gender[person] == 1
    size = min(round(seats * rng.uniform(1.2, 1.6)), int(0.8 * len(candidates)))
    local = _by_strata(
        key[candidates], women[candidates], young[candidates], size, women_share, young_share
    )
    pool = candidates[local]
    on_main = pool[decision[pool] == main]
    standing_pool = on_main[: round(standing * rng.uniform(1.5, 2.5))]
    secretary_pool = standing_pool[: int(rng.choice([2, 3, 4], p=[0.45, 0.45, 0.10]))]
    for title_code, chosen in (
        ("BCH_CAP_XA", pool),
        ("BTV_CAP_XA", standing_pool),
        ("BI_THU_CAP_XA", secretary_pool),
    ):
        chosen = np.sort(chosen)
        gov.add_planning(person[chosen], position, title_code, LATER, decision[chosen], "approved")
    left = np.setdiff1d(candidates, pool)
    withdrawn = np.sort(left[np.argsort(key[left], kind="stable")][: round(0.03 * size)])
    if withdrawn.size:
        gov.add_planning(
            person[withdrawn],
            position,
            "BCH_CAP_XA",
            LATER,
            np.full(len(withdrawn), main),
            "withdrawn",
        )
    for title_code, how_many in (
        ("BCH_CAP_XA", seats),
        ("BTV_CAP_XA", standing),
        ("BI_THU_CAP_XA", count(1, scale)),
    ):
        gov.add_position(position, title_code, LATER, how_many)


def _still_there(periods: Periods, person: np.ndarray, *day) -> np.ndarray:
    """Whether each person is in some unit's records on every one of the days."""
    held = np.ones(len(person), bool)
    for value in day:
        held &= period_on(periods, person, np.broadcast_to(value, person.shape)) >= 0
    return held


def _dated_pool(gov, rng, people, periods, unit, title, seats, candidates, coefficient, weight):
    """A pool for LATER decided on DECISIONS' days, among people there then and at the term's
    start; returns the approved people, best first."""
    decision = _decision_days(rng, LATER, len(candidates))
    keep = _still_there(periods, candidates, LATER_START) & _clear_age(people, candidates, decision)
    keep &= period_on(periods, candidates, decision) >= 0
    candidates, decision, weight = candidates[keep], decision[keep], weight[keep]
    key = rng.exponential(size=len(candidates)) / weight
    order = np.argsort(key, kind="stable")
    size = min(len(candidates), max(1, round(seats * coefficient)))
    chosen = order[:size]
    status = np.where(rng.random(size) < 0.04, "withdrawn", "approved").astype(object)
    for flag in ("approved", "withdrawn"):
        rows = np.sort(chosen[status == flag])
        if rows.size:
            gov.add_planning(candidates[rows], unit, title, LATER, decision[rows], flag)
    gov.add_position(unit, title, LATER, seats)
    approved = chosen[status == "approved"]
    return candidates[approved], decision[approved]


def _reelected(rng, gov, unit, level, candidates, size) -> np.ndarray:
    """About 55 % of the 2020-2025 committee still in the unit, the rest newcomers."""
    parts = {k: np.concatenate(v) for k, v in gov.committee.items()}
    previous = parts["person"][
        (parts["unit"] == unit) & (parts["level"] == level) & (parts["term"] == "2020-2025")
    ]
    again = rng.permutation(np.intersect1d(previous, candidates))[: int(0.55 * size)]
    others = rng.permutation(np.setdiff1d(candidates, again))[: size - len(again)]
    return np.sort(np.concatenate([again, others]))


def build_later_governance(
    gov: Governance, people: People, periods: Periods, scale: float, seed: int
) -> None:
    """The 2025-2030 term: communes' committees and pools (F13), the city's BCH pool and
    committee, the affiliated committees'."""
    rng = np.random.default_rng([seed, 11])
    communes = [p for p, unit in enumerate(ALL_UNITS) if unit.is_commune]
    women = np.clip(rng.normal(*POOL_WOMEN, len(communes)), 0.12, 0.6)
    young = np.clip(rng.normal(*POOL_UNDER_40, len(communes)), 0.04, 0.5)
    short = rng.choice(len(communes), size=2 * F13_SHORT, replace=False)
    women[short[:F13_SHORT]] = rng.uniform(0.14, 0.22, F13_SHORT)
    young[short[F13_SHORT:]] = rng.uniform(0.05, 0.12, F13_SHORT)
    for index, position in enumerate(communes):
        _commune(gov, rng, people, periods, position, scale, women[index], young[index])

    city = UNIT_INDEX[CITY]
    parts = {k: np.concatenate(v) for k, v in gov.planning.items()}
    before = parts["person"][
        (parts["unit"] == city)
        & (parts["title"] == "BCH_TP")
        & (parts["term"] == "2020-2025")
        & (parts["status"] == "approved")
    ]
    leaders = np.flatnonzero(
        (people.tier <= TIER["btv_cap_huyen"]) & (people.birth <= days("1990-12-31"))
    )
    # The city's pool leans on the cadres it manages and on the previous pool.
    weight = np.where(people.tier[leaders] == TIER["btv_thanh_uy"], 3.0, 1.0)
    weight *= np.where(np.isin(leaders, before), 3.0, 1.0)
    seats = count(BCH_TP_SEATS, scale)
    pool, decision = _dated_pool(
        gov, rng, people, periods, city, "BCH_TP", seats, leaders,
        count(BCH_TP_PLANNED, scale) / seats, weight,
    )  # fmt: skip
    managed = people.tier[pool] == TIER["btv_thanh_uy"]
    standing = pool[managed][: round(count(BTV_TU_SEATS, scale) * rng.uniform(2.0, 3.0))]
    rows = np.argsort(standing)
    gov.add_planning(
        standing[rows], city, "BTV_TU", LATER, decision[managed][: len(standing)][rows], "approved"
    )
    gov.add_position(city, "BTV_TU", LATER, count(BTV_TU_SEATS, scale))
    gov.add_position(city, "GD_SO", LATER, count(38, scale))
    elected = np.sort(pool[: count(CITY_COMMITTEE, scale)])
    gov.add_committee(elected, city, "thanh_pho", LATER, _roles(rng, len(elected), 1))

    for position, unit in enumerate(UNITS):
        if unit.kind != "dang_uy_truc_thuoc":
            continue
        here = np.flatnonzero((periods.unit == position) & periods.containing(LATER_START))
        current = periods.person[here]
        grassroots = periods.tier[here] >= TIER["chu_chot_cap_xa"]
        young_enough = people.birth[current] <= days("1990-12-31")
        for level, pool_mask, size, leaders_n in (
            ("co_so", grassroots & young_enough, count(150, scale), 5),
            ("cap_huyen", ~grassroots, count(49, scale), 1),
        ):
            candidates = current[pool_mask]
            members = _reelected(rng, gov, position, level, candidates, min(size, len(candidates)))
            gov.add_committee(members, position, level, LATER, _roles(rng, len(members), leaders_n))
        # Planned for the unit's own committees: people there before the term as well.
        own = np.flatnonzero((periods.unit == position) & (periods.start < BEGIN_DAY))
        cadres = periods.person[own][periods.tier[own] <= TIER["chu_chot_cap_xa"]]
        for title, seats, coefficient in (
            ("BCH_CAP_HUYEN", count(49, scale), rng.uniform(1.2, 2.0)),
            ("BTV_CAP_HUYEN", count(15, scale), rng.uniform(1.5, 2.5)),
        ):
            _dated_pool(
                gov, rng, people, periods, position, title, seats, cadres, coefficient,
                np.ones(len(cadres)),
            )  # fmt: skip
