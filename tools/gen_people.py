"""Synthetic cadres: who works where, their names, citizen IDs and qualification histories."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from faker import Faker

from schemas.contract import MANAGEMENT_TIERS, WORKPLACE_KINDS
from tools.gen_reference import AS_OF, CITY, UNITS

# Dates are int32 days since 1970-01-01; NEVER marks an award a person does not hold, so
# "held on day D" is simply `award <= D`.
NEVER = np.int32(2**30)
TIER = {name: position for position, name in enumerate(MANAGEMENT_TIERS)}
WORKPLACE = {name: position for position, name in enumerate(WORKPLACE_KINDS)}
CHUYEN_MON = ("trung_cap", "cao_dang", "dai_hoc", "thac_si", "tien_si")
LY_LUAN = ("so_cap", "trung_cap", "cao_cap", "cu_nhan")
NGOAI_NGU = ("A2", "B1", "B2", "C1")
TIN_HOC = ("ung_dung_co_ban", "ung_dung_nang_cao")

# Birth-year range and share of women per management tier (order of MANAGEMENT_TIERS).
BIRTH_YEARS = ((1962, 1980), (1965, 1988), (1962, 1990), (1960, 1995))
WOMEN_SHARE = (0.15, 0.30, 0.25, 0.45)
# Final professional level (none, trung_cap … tien_si) per tier.
CHUYEN_MON_FINAL = (
    (0, 0, 0, 0.43, 0.45, 0.12),
    (0, 0, 0.02, 0.60, 0.35, 0.03),
    (0, 0.03, 0.05, 0.81, 0.11, 0),
    (0.02, 0.14, 0.14, 0.62, 0.08, 0),
)
URBAN_KEY_CADRES_FINAL = (0, 0.001, 0.002, 0.86, 0.137, 0)
# Share who earned the university degree in service, after a lower diploma.
IN_SERVICE_UNIVERSITY = (0.10, 0.15, 0.45, 0.20)
# Final political-theory level (none, so_cap, trung_cap, cao_cap, cu_nhan) per tier.
LY_LUAN_FINAL = (
    (0, 0, 0.01, 0.92, 0.07),
    (0, 0.04, 0.62, 0.30, 0.04),
    (0.003, 0.007, 0.85, 0.13, 0.01),
    (0.25, 0.48, 0.24, 0.02, 0.01),
)

# CCCD birth-province codes: Hà Nội and the provinces most cadres of the city come from.
PROVINCES = np.array([1, 22, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42, 17, 19, 24])
PROVINCE_WEIGHTS = np.array([70, 1, 2, 2, 2, 2, 1, 2, 3, 2, 3, 2, 3, 2, 1, 1, 1, 1], float)

FAMILY_WEIGHTS = {
    "Nguyễn": 38.0, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.0, "Hoàng": 4.5, "Vũ": 4.0,
    "Đỗ": 3.0, "Bùi": 2.5, "Đặng": 2.1, "Ngô": 1.5, "Dương": 1.0, "Đào": 1.0,
    "Đinh": 1.0, "Trịnh": 0.9, "Lương": 0.6, "Tạ": 0.5, "Chu": 0.5, "Nghiêm": 0.4,
    "Khuất": 0.3, "Kiều": 0.3, "Phan": 1.0, "Mai": 0.5, "Hà": 0.6, "Lưu": 0.4,
}  # fmt: skip
MIDDLE_MALE = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Mạnh", "Thanh", "Ngọc", "Tuấn",
               "Trọng", "Công", "Việt", "Hải", "Thế")  # fmt: skip
MIDDLE_FEMALE = ("Thị", "Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Thúy", "Kim", "Phương",
                 "Lan", "Mai", "Bích", "Diệu")  # fmt: skip
GIVEN_MALE = ("Hùng", "Dũng", "Tuấn", "Hải", "Long", "Sơn", "Thắng", "Cường", "Hiếu", "Đạt",
              "Bình", "Toàn", "Khánh", "Việt", "Hòa", "Phong", "Lâm", "Đức", "Tiến",
              "Hà")  # fmt: skip
GIVEN_FEMALE = ("Hà", "Hằng", "Hoa", "Huyền", "Nga", "Nhung", "Oanh", "Phượng", "Thủy", "Trang",
                "Hạnh", "Loan", "Dung", "Giang", "Thảo", "Hiền", "Tâm", "Quyên")  # fmt: skip


@dataclass
class NamePools:
    family: np.ndarray
    family_p: np.ndarray
    middle: tuple[np.ndarray, np.ndarray]
    given: tuple[np.ndarray, np.ndarray]


def name_pools(seed: int) -> NamePools:
    """Pools built once from Faker's vi_VN lists plus common Hà Nội names; never per row."""
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    provider = next(p for p in fake.providers if hasattr(p, "first_names_male"))

    def merged(*lists) -> np.ndarray:
        return np.array(list(dict.fromkeys(name for names in lists for name in names)))

    family = merged(FAMILY_WEIGHTS, provider.last_names)
    weights = np.array([FAMILY_WEIGHTS.get(name, 0.3) for name in family])
    male_middle = [m for m in provider.middle_names if m != "Thị" and " " not in m]
    return NamePools(
        family=family,
        family_p=weights / weights.sum(),
        middle=(merged(MIDDLE_MALE, male_middle), merged(MIDDLE_FEMALE)),
        given=(
            merged(GIVEN_MALE, provider.first_names_male, provider.first_names_unisex),
            merged(GIVEN_FEMALE, provider.first_names_female, provider.first_names_unisex),
        ),
    )


def days(value: str) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))


AS_OF_DAY = int(AS_OF.astype(np.int64))


def years(value) -> np.ndarray:
    return np.round(np.asarray(value) * 365.25).astype(np.int32)


@dataclass
class People:
    unit: np.ndarray  # index into UNITS
    tier: np.ndarray
    workplace: np.ndarray
    title: np.ndarray  # title code, '' for none
    gender: np.ndarray  # 0 nam, 1 nu
    birth: np.ndarray  # int32 days
    chuyen_mon: np.ndarray  # (people, 5) award days, NEVER when not held
    ly_luan: np.ndarray  # (people, 4)
    ngoai_ngu: np.ndarray  # level index, -1 none
    tin_hoc: np.ndarray
    extra_days: np.ndarray  # (people, 2) award days of ngoai_ngu and tin_hoc
    national_id: np.ndarray | None = None  # int64, set by assign_identity
    full_name: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.unit)


def count(base: float, scale: float) -> int:
    return max(1, round(base * scale))


# Everyone else a district lists: staff of its agencies and of its communes.
KHAC_BASE, KHAC_PER_COMMUNE, KEY_PER_COMMUNE = 330, 7, 9
TAY_HO_PEOPLE = 2600
COMMUNE_TITLES = ("BI_THU_CAP_XA", "PHO_BI_THU_CAP_XA", "CT_HDND_CAP_XA", "CT_UBND_CAP_XA")


def _roster(scale: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    units, tiers, places, titles = [], [], [], []

    def add(unit: int, tier: str, place: str | np.ndarray, size: int, title=""):
        units.append(np.full(size, unit, np.int16))
        tiers.append(np.full(size, TIER[tier], np.int8))
        places.append(np.full(size, WORKPLACE[place], np.int8) if isinstance(place, str) else place)
        titles.append(np.full(size, title, object) if isinstance(title, str) else title)

    for position, unit in enumerate(UNITS):
        if unit.code == CITY:
            size = count(220, scale)
            title = np.where(rng.random(size) < 0.4, "GD_SO", "").astype(object)
            title[: count(14, scale)] = "BTV_TU"
            add(position, "btv_thanh_uy", "co_quan", size, title)
            add(position, "khac", "co_quan", count(300, scale))
            continue
        if not unit.is_district:
            add(position, "btv_thanh_uy", "co_quan", count(2, scale), "BI_THU_CAP_HUYEN")
            add(position, "btv_cap_huyen", "co_quan", count(40, scale), "BTV_CAP_HUYEN")
            add(position, "khac", "co_quan", count(450, scale))
            continue
        size = count(4, scale)
        title = np.full(size, "BTV_CAP_HUYEN", object)
        title[0] = "BI_THU_CAP_HUYEN"
        title[1:2] = "CT_UBND_CAP_HUYEN"
        add(position, "btv_thanh_uy", "co_quan", size, title)
        size = count(50, scale)
        title = np.where(rng.random(size) < 0.7, "TRUONG_PHONG_CAP_HUYEN", "").astype(object)
        add(position, "btv_cap_huyen", "co_quan", size, title)
        kinds = [("phuong", unit.phuong), ("thi_tran", unit.thi_tran), ("xa", unit.xa)]
        for place, communes in kinds:
            if communes:
                size = count(KEY_PER_COMMUNE * communes, scale)
                slot = np.arange(size) % KEY_PER_COMMUNE
                title = np.array([*COMMUNE_TITLES, *[""] * 5], object)[slot]
                add(position, "chu_chot_cap_xa", place, size, title)
        already = sum(len(block) for block in units if block[0] == position)
        if unit.code == "003":
            size = max(1, count(TAY_HO_PEOPLE, scale) - already)
        else:
            size = count(KHAC_BASE + KHAC_PER_COMMUNE * unit.communes, scale)
        shares = np.array([0.5 * c / unit.communes for _, c in kinds] + [0.5])
        place = rng.choice(4, size=size, p=shares).astype(np.int8)
        add(position, "khac", place, size)
    return tuple(np.concatenate(parts) for parts in (units, tiers, places, titles))


def _uniform_days(rng, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return (low + np.floor(rng.random(len(low)) * np.maximum(high - low, 1))).astype(np.int32)


def _chuyen_mon(rng, tier, workplace, birth) -> np.ndarray:
    size = len(tier)
    final = np.zeros(size, np.int8)
    for t, p in enumerate(CHUYEN_MON_FINAL):
        mask = tier == t
        final[mask] = rng.choice(6, size=mask.sum(), p=p)
    # Wards and towns recruited graduates long before communes could (the 2015 targets
    # ask 100 % for them and only 80 % for communes).
    urban = (tier == TIER["chu_chot_cap_xa"]) & (workplace <= WORKPLACE["thi_tran"])
    final[urban] = rng.choice(6, size=urban.sum(), p=URBAN_KEY_CADRES_FINAL)
    in_service = rng.random(size) < np.array(IN_SERVICE_UNIVERSITY)[tier]
    in_service[urban] = rng.random(urban.sum()) < 0.25
    awards = np.full((size, 5), NEVER, np.int32)
    first = birth + years(rng.uniform(19.5, 23.0, size))
    # A lower diploma: final level for those who stopped there, first step for upgraders.
    lower = np.where(final <= 2, final, np.where(rng.random(size) < 0.6, 2, 1)) - 1
    has_lower = ((final >= 1) & (final <= 2)) | ((final >= 3) & in_service)
    rows = np.flatnonzero(has_lower)
    awards[rows, lower[rows]] = first[rows]
    university = np.where(
        in_service,
        birth + years(np.where(urban, rng.uniform(25, 30, size), rng.uniform(26, 46, size))),
        birth + years(rng.uniform(21.5, 24.0, size)),
    )
    rows = np.flatnonzero(final >= 3)
    awards[rows, 2] = university[rows]
    masters = university + years(rng.uniform(3, 14, size))
    rows = np.flatnonzero(final >= 4)
    awards[rows, 3] = masters[rows]
    rows = np.flatnonzero(final >= 5)
    awards[rows, 4] = masters[rows] + years(rng.uniform(3, 9, rows.size))
    return _drop_future(awards, chain_from=2)


def _ly_luan(rng, tier: np.ndarray, birth: np.ndarray) -> np.ndarray:
    size = len(tier)
    final = np.zeros(size, np.int8)
    for t, p in enumerate(LY_LUAN_FINAL):
        mask = tier == t
        final[mask] = rng.choice(5, size=mask.sum(), p=p)
    awards = np.full((size, 4), NEVER, np.int32)
    so_cap = birth + years(rng.uniform(24, 32, size))
    key = tier == TIER["chu_chot_cap_xa"]
    trung_cap = birth + years(np.where(key, rng.uniform(26, 33, size), rng.uniform(29, 40, size)))
    leader = tier == TIER["btv_thanh_uy"]
    cao_cap = birth + years(np.where(leader, rng.uniform(32, 42, size), rng.uniform(35, 50, size)))
    cao_cap = np.maximum(cao_cap, trung_cap + 365 * 2)
    rows = np.flatnonzero((final == 1) | ((final >= 2) & (rng.random(size) < 0.4)))
    awards[rows, 0] = so_cap[rows]
    rows = np.flatnonzero((final == 2) | (final == 3))
    awards[rows, 1] = trung_cap[rows]
    rows = np.flatnonzero(final == 3)
    awards[rows, 2] = cao_cap[rows]
    rows = np.flatnonzero(final == 4)
    awards[rows, 3] = birth[rows] + years(rng.uniform(23, 32, rows.size))
    awards[rows, 0] = NEVER
    return _drop_future(awards, chain_from=None)


def _drop_future(awards: np.ndarray, chain_from: int | None) -> np.ndarray:
    awards[awards > AS_OF_DAY] = NEVER
    if chain_from is not None:
        # A master's degree needs the university degree before it, and so on up.
        for level in range(chain_from + 1, awards.shape[1]):
            awards[awards[:, level - 1] == NEVER, level] = NEVER
    return awards


def build_people(scale: float, seed: int) -> People:
    rng = np.random.default_rng([seed, 1])
    unit, tier, workplace, title = _roster(scale, rng)
    size = len(unit)
    low = np.array([days(f"{a}-01-01") for a, _ in BIRTH_YEARS])[tier]
    high = np.array([days(f"{b}-12-31") for _, b in BIRTH_YEARS])[tier]
    birth = _uniform_days(rng, low, high)
    gender = (rng.random(size) < np.array(WOMEN_SHARE)[tier]).astype(np.int8)
    ngoai_ngu = np.where(rng.random(size) < 0.35, rng.integers(0, len(NGOAI_NGU), size), -1)
    tin_hoc = np.where(rng.random(size) < 0.30, rng.integers(0, len(TIN_HOC), size), -1)
    extra = np.stack(
        [birth + years(rng.uniform(22, 45, size)), birth + years(rng.uniform(22, 45, size))], 1
    ).astype(np.int32)
    extra[extra > AS_OF_DAY] = AS_OF_DAY - 30
    return People(
        unit=unit,
        tier=tier,
        workplace=workplace,
        title=title,
        gender=gender,
        birth=birth,
        chuyen_mon=_chuyen_mon(rng, tier, workplace, birth),
        ly_luan=_ly_luan(rng, tier, birth),
        ngoai_ngu=ngoai_ngu.astype(np.int8),
        tin_hoc=tin_hoc.astype(np.int8),
        extra_days=extra,
    )


def citizen_ids(rng, gender: np.ndarray, birth: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """CCCD-shaped IDs: province, century+gender digit, birth year, six random digits.

    Unique among themselves and against `taken` (sorted int64).
    """
    birth_year = birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    century = np.where(birth_year >= 2000, 2, 0) + gender
    province = rng.choice(PROVINCES, size=len(gender), p=PROVINCE_WEIGHTS / PROVINCE_WEIGHTS.sum())
    stem = (province * 10 + century) * 100 + birth_year % 100
    ids = stem * 1_000_000 + rng.integers(0, 1_000_000, len(gender))
    while True:
        order = np.argsort(ids, kind="stable")
        repeated = np.zeros(len(ids), bool)
        repeated[order[1:]] = ids[order[1:]] == ids[order[:-1]]
        if taken.size:
            repeated |= np.isin(ids, taken)
        if not repeated.any():
            return ids
        rows = np.flatnonzero(repeated)
        ids[rows] = stem[rows] * 1_000_000 + rng.integers(0, 1_000_000, rows.size)


def assign_identity(people: People, seed: int) -> None:
    """Names and IDs come last, after calibration has fixed everyone's gender."""
    rng = np.random.default_rng([seed, 2])
    pools = name_pools(seed)
    people.national_id = citizen_ids(rng, people.gender, people.birth, np.array([], np.int64))
    size = len(people)
    family = pools.family[rng.choice(len(pools.family), size=size, p=pools.family_p)]
    middle = np.empty(size, object)
    given = np.empty(size, object)
    for gender in (0, 1):
        rows = np.flatnonzero(people.gender == gender)
        middle[rows] = pools.middle[gender][rng.integers(0, len(pools.middle[gender]), rows.size)]
        given[rows] = pools.given[gender][rng.integers(0, len(pools.given[gender]), rows.size)]
    names = pl.DataFrame({"f": family, "m": middle.astype(str), "g": given.astype(str)})
    people.full_name = names.select(pl.concat_str(["f", "m", "g"], separator=" ")).to_series()


def id_text(ids: np.ndarray) -> pl.Series:
    return pl.Series(ids).cast(pl.String).str.zfill(12)
