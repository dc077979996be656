"""The marts of a history (tests/fixtures/history), against values worked out by hand.

Hà Nội's reorganisation in miniature, as of 2026-11-30. Units: 01 (open on both sides);
districts 003 Tây Hồ, 005 Cầu Giấy and 272 Phúc Thọ, 2008-08-01 to 2025-06-30; from
2025-07-01 the wards 00103 Phường Tây Hồ and 00160 Phường Nghĩa Đô and the commune 09715
Xã Phúc Thọ. Successions: 003 → 00103 and 005 → 00103 (a merger of two districts into one
ward), 005 → 00160; 272 has none recorded (a dissolution). Terms: 2015-2020, 2020-2025
(ended 2025-09-30), 2025-2030 (running: described as of 2026-11-30), 2030-2035 (not
started: no rows anywhere), 2021-2026 (hdnd).

The people (national_id 0010800001NN or 0011800001NN, NN below; undated rows take their
unit's dates):
  A 01  nam 1985-06-15  003 chu_chot_cap_xa/phuong (undated), then 00103 (undated): a move
        to a successor. dai_hoc 2008 (submitted by 003 and, as a copy, by 00103: one
        award), LLCT trung_cap 2015.
  B 02  nu              005 khac (named Bính, born 1979-12-31), then 00160
        chu_chot_cap_xa/phuong from 2025-07-01 (Bình, born 1980-01-02): the two rows
        disagree, so both are warned; dim_cadres describes her by the 00160 period.
        thac_si 2020, LLCT trung_cap 2026-11-30 (the as-of date itself).
  C 03  nam 1970-03-03  005 btv_cap_huyen, then 01 btv_thanh_uy from 2025-07-01 (to the
        city, not a successor). thac_si 2010, cao_cap 2012.
  D 04  nu 1982-04-04   003 khac, then 00160 khac from 2025-07-01 (a ward that is not a
        successor of 003). dai_hoc 2025-07-01.
  E 05  nam 1962-05-05  003 btv_cap_huyen until 2024-12-31: a retirement, no next period.
  F 06  nam 1965-06-06  003 chu_chot_cap_xa/phuong (undated), no next period: left with
        the district. LLCT trung_cap 2010, no degree.
  G 07  nam 1988-02-02  003 khac (undated), then undated rows in both 00103 and 00160:
        an overlap, both ward rows rejected (person_listed_twice); the 003 period stays.
  H 08  nam 1975-08-08  272 chu_chot_cap_xa/xa, then 09715 (both undated). dai_hoc 2000,
        LLCT trung_cap 2025-12-20.
  I 09  nu 1990-09-09   272 khac/xa, then 09715.
  J 10  nam 1985-08-01  005 chu_chot_cap_xa/phuong, then 00160 from 2025-08-01 (a gap
        of one month: no destination). dai_hoc 2005.
  K 11  nu 1990-03-01   00103 chu_chot_cap_xa/phuong from 2026-01-01 only. dai_hoc 2012,
        LLCT so_cap 2026-02-01.
  L 12  nam 1968-12-12  01 btv_thanh_uy (undated, open on both sides). dai_hoc 1990,
        cao_cap 2005.
  P 13  never listed: only planned.

mart_unit_transitions (units ended before 2026-11-30: 003, 005, 272; people whose period
ended on 2025-06-30, by the unit of their period starting 2025-07-01):
  003: A → 00103 (successor, key); D → 00160 (not a successor of 003); F and G → none
       (F retired with the district; G's ward rows were rejected), F key. E ended
       2024-12-31 and is no leaver.
  005: B → 00160 (successor; khac in 005, so not key); C → 01 (not a successor; key);
       J → none (next period starts 2025-08-01; key).
  272: H and I → 09715; 272 has no recorded successor, so is_successor is null; H key.

mart_current_unit_training (units current on 2026-11-30 × dai_hoi terms started):
  cadres: 01 C, L; 00103 A, K; 00160 B, D, J; 09715 H, I. Graduates of classes started
  by 2026-11-30: 2020-2025 A, F (003-C1), H, I (272-C1); 2025-2030 A, B (00103-C1,
  planning source; B trained by another unit), H (09715-C1). 01-C1 (C and L) starts
  2026-12-01: not yet. K enrolled in 00103-C1 without graduating.

mart_target_attainment:
  T_BTV_SAU_DAI_HOC (2020-2025, ended: 2025-09-30): btv_thanh_uy then = C (01 since
    2025-07-01, thac_si) and L (dai_hoc): 1/2 ≥ 0.5, met; city and 01.
  T_PHUONG_DAI_HOC_30_6 (own reference_date 2025-06-30): chu_chot in phuong on the
    district's last day = A (003, dai_hoc), F (003, none), J (005, dai_hoc): city 2/3,
    003 1/2, 005 1/1.
  T_CHU_CHOT_LLCT (2025-2030, not ended: 2026-11-30): chu_chot_cap_xa that day = A
    (00103, trung_cap), K (00103, so_cap), B (00160, trung_cap of that very day), J
    (00160, none), H (09715, trung_cap): city 3/5, 00103 1/2, 00160 1/2, 09715 1/1.
  quy_hoach 2025-2030: 01 BCH_TP (2025-05-01): C, A, L (D withdrawn); 00103 BT_XA: A
    (2025-08-01), K (2026-02-01), P (2025-08-01), G (2025-08-01); 00160 BT_XA (2025-08-01):
    B, J. A is once in 01 and once in 00103, and once in the city, measured on 2025-05-01
    (39, under 40) there and in 01, on 2025-08-01 (exactly 40: not under 40) in 00103. J
    is exactly 40 on 2025-08-01. P has no gender and no birth date: out of both
    denominators. The city has 8 people, 7 with known gender and birth date.
    T_QH_NU (≥ 0.25): women K, B. city 2/7 met, 01 0/3 missed, 00103 1/3, 00160 1/2.
    T_QH_DUOI_40 (≥ 0.15): city A, K, G = 3/7; 01 A = 1/3; 00103 K, G = 2/3; 00160 0/2.
    T_QH_XA_DUOI_40 (cap_xa titles only, ≥ 0.5): A's only cap_xa decision is 2025-08-01,
    so city K, G = 2/5 missed; 00103 2/3; 00160 0/2.
  T_TUONG_LAI (2030-2035): the term has not started: no row.

mart_planning_pool (levels and ages on each decision_date):
  01 BCH_TP: seats 1, planned 3 (= 3 × seats: not over), withdrawn 1; thac_si C 1/3;
    cao_cap C, L 2/3; women 0/3; under 40 A 1/3.
  00103 BT_XA: seats 1, planned 4 > 3: over the limit; no master's, no cao_cap (0/4);
    women K 1/3 (P unknown); under 40 K, G 2/3.
  00160 BT_XA: no positions row: no seats, coefficient or verdict; thac_si B 1/2; women
    B 1/2; under 40 0/2 (B 45, J exactly 40).

mart_committee_composition: 00160 cap_xa 2020-2025 is measured on 2025-07-01, the ward's
first day (later than the term's start): D's dai_hoc of that day counts (B, D: 2/2);
00103 cap_xa 2025-2030 on 2025-10-01 (A, K: 2/2); 003 co_so 2020-2025 on 2020-10-01
(A yes, F no).

fct_trainees (unit and levels on the term's reference date): 2020-2025 on 2025-09-30:
A in 00103, H and I in 09715, F and G in no unit. 2025-2030 on 2026-11-30: B's trung_cap of
that day counts. Attendance review and training outcomes take the unit of 31 December
(2024: the districts; 2025: the wards), or of 2026-11-30 for 2026.

Run again as of 2025-06-30 (the districts' last day), the same records describe the old
world: the districts are current, nobody has moved, and B is described by her 005 period.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import duckdb
import pytest

from tests.conftest import build_fixture_marts

KEY = "test-key"
AS_OF_DATE = date(2026, 11, 30)
LAST_DISTRICT_DAY = date(2025, 6, 30)
FIRST_WARD_DAY = date(2025, 7, 1)
OPEN_SINCE = date(2008, 8, 1)
PEOPLE = {
    "A": "001080000101",
    "B": "001180000102",
    "C": "001080000103",
    "D": "001180000104",
    "E": "001080000105",
    "F": "001080000106",
    "G": "001080000107",
    "H": "001080000108",
    "I": "001180000109",
    "J": "001080000110",
    "K": "001180000111",
    "L": "001080000112",
    "P": "001080000113",
}
PERSON = {
    name: hmac.new(KEY.encode(), nid.encode(), hashlib.sha256).hexdigest()
    for name, nid in PEOPLE.items()
}
NAME = {key: name for name, key in PERSON.items()}


def _build(root, as_of: date) -> duckdb.DuckDBPyConnection:
    return build_fixture_marts("history", root, str(as_of), KEY)


@pytest.fixture(scope="module")
def marts(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """Ingest the fixture and run `dbt build` as of 2026-11-30, once for the module."""
    con = _build(tmp_path_factory.mktemp("history"), AS_OF_DATE)
    yield con
    con.close()


@pytest.fixture(scope="module")
def marts_on_last_district_day(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The same records as of 2025-06-30."""
    con = _build(tmp_path_factory.mktemp("history_2025"), LAST_DISTRICT_DAY)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple]:
    """Rows of `query`, person_key columns shown as the fixture's names (A …)."""
    return [tuple(NAME.get(value, value) for value in row) for row in con.execute(query).fetchall()]


def test_dim_units_validity_and_successions(marts):
    assert rows(
        marts,
        "select unit_code, unit_kind, valid_from, valid_to, is_current from marts.dim_units "
        "order by unit_code",
    ) == [
        ("00103", "phuong", FIRST_WARD_DAY, None, True),
        ("00160", "phuong", FIRST_WARD_DAY, None, True),
        ("003", "quan", OPEN_SINCE, LAST_DISTRICT_DAY, False),
        ("005", "quan", OPEN_SINCE, LAST_DISTRICT_DAY, False),
        ("01", "thanh_uy", None, None, True),
        ("09715", "xa", FIRST_WARD_DAY, None, True),
        ("272", "huyen", OPEN_SINCE, LAST_DISTRICT_DAY, False),
    ]
    assert rows(
        marts,
        "select predecessor_code, successor_code, effective_date from marts.dim_unit_successions "
        "order by 1, 2",
    ) == [
        ("003", "00103", FIRST_WARD_DAY),
        ("005", "00103", FIRST_WARD_DAY),
        ("005", "00160", FIRST_WARD_DAY),
    ]


def test_dim_cadre_periods_hold_every_accepted_period_with_effective_dates(marts):
    district = (OPEN_SINCE, LAST_DISTRICT_DAY, False)
    ward = (FIRST_WARD_DAY, None, True)
    assert sorted(
        rows(
            marts,
            "select person_key, unit_code, management_tier, workplace_kind, valid_from, "
            "valid_to, is_current from marts.dim_cadre_periods",
        ),
        key=str,
    ) == sorted(
        [
            ("A", "003", "chu_chot_cap_xa", "phuong", *district),
            ("A", "00103", "chu_chot_cap_xa", "phuong", *ward),
            ("B", "005", "khac", "co_quan", *district),
            ("B", "00160", "chu_chot_cap_xa", "phuong", *ward),
            ("C", "005", "btv_cap_huyen", "co_quan", *district),
            ("C", "01", "btv_thanh_uy", "co_quan", *ward),
            ("D", "003", "khac", "co_quan", *district),
            ("D", "00160", "khac", "co_quan", *ward),
            ("E", "003", "btv_cap_huyen", "co_quan", OPEN_SINCE, date(2024, 12, 31), False),
            ("F", "003", "chu_chot_cap_xa", "phuong", *district),
            # G's two ward rows overlap each other: both rejected, the 003 period stays.
            ("G", "003", "khac", "co_quan", *district),
            ("H", "272", "chu_chot_cap_xa", "xa", *district),
            ("H", "09715", "chu_chot_cap_xa", "xa", *ward),
            ("I", "272", "khac", "xa", *district),
            ("I", "09715", "khac", "xa", *ward),
            ("J", "005", "chu_chot_cap_xa", "phuong", *district),
            ("J", "00160", "chu_chot_cap_xa", "phuong", date(2025, 8, 1), None, True),
            ("K", "00103", "chu_chot_cap_xa", "phuong", date(2026, 1, 1), None, True),
            # Undated in a unit open on both sides: null only where both are open.
            ("L", "01", "btv_thanh_uy", "co_quan", None, None, True),
        ],
        key=str,
    )


def test_dim_cadres_is_the_current_else_the_latest_period(marts):
    assert sorted(
        rows(
            marts,
            "select person_key, unit_code, gender, birth_year, management_tier, valid_from, "
            "valid_to, is_current from marts.dim_cadres",
        )
    ) == [
        ("A", "00103", "nam", 1985, "chu_chot_cap_xa", FIRST_WARD_DAY, None, True),
        # Her two rows disagree on the birth date: the current period's year.
        ("B", "00160", "nu", 1980, "chu_chot_cap_xa", FIRST_WARD_DAY, None, True),
        ("C", "01", "nam", 1970, "btv_thanh_uy", FIRST_WARD_DAY, None, True),
        ("D", "00160", "nu", 1982, "khac", FIRST_WARD_DAY, None, True),
        # Retired: the latest period, not current.
        ("E", "003", "nam", 1962, "btv_cap_huyen", OPEN_SINCE, date(2024, 12, 31), False),
        ("F", "003", "nam", 1965, "chu_chot_cap_xa", OPEN_SINCE, LAST_DISTRICT_DAY, False),
        ("G", "003", "nam", 1988, "khac", OPEN_SINCE, LAST_DISTRICT_DAY, False),
        ("H", "09715", "nam", 1975, "chu_chot_cap_xa", FIRST_WARD_DAY, None, True),
        ("I", "09715", "nu", 1990, "khac", FIRST_WARD_DAY, None, True),
        ("J", "00160", "nam", 1985, "chu_chot_cap_xa", date(2025, 8, 1), None, True),
        ("K", "00103", "nu", 1990, "chu_chot_cap_xa", date(2026, 1, 1), None, True),
        ("L", "01", "nam", 1968, "btv_thanh_uy", None, None, True),
    ]


def test_overlap_rejected_and_differing_attributes_warned(marts):
    assert rows(
        marts,
        "select unit_code, file, rule, rows_rejected from quality.rejections "
        "where file = 'cadres' order by unit_code",
    ) == [
        ("00103", "cadres", "person_listed_twice", 1),
        ("00160", "cadres", "person_listed_twice", 1),
    ]
    assert rows(
        marts, "select unit_code, file, rule, rows_warned from quality.warnings order by unit_code"
    ) == [
        ("00160", "cadres", "person_attributes_differ", 1),
        ("005", "cadres", "person_attributes_differ", 1),
    ]


def test_an_award_submitted_by_two_units_is_one_award(marts):
    assert rows(
        marts,
        "select person_key, qualification_kind, level, awarded_date from marts.fct_qualifications "
        f"where person_key = '{PERSON['A']}' order by awarded_date",
    ) == [
        ("A", "chuyen_mon", "dai_hoc", date(2008, 6, 1)),
        ("A", "ly_luan_chinh_tri", "trung_cap", date(2015, 1, 1)),
    ]
    assert marts.execute(
        "select sum(rows_rejected) from quality.rejections "
        "where file = 'qualifications' and rule = 'duplicate_row'"
    ).fetchone() == (1,)


def test_unit_transitions(marts):
    assert rows(
        marts,
        "select unit_code, destination_code, end_date, is_successor, people_count, "
        "key_cadres_count from marts.mart_unit_transitions order by unit_code, destination_code",
    ) == [
        ("003", "00103", LAST_DISTRICT_DAY, True, 1, 1),
        ("003", "00160", LAST_DISTRICT_DAY, False, 1, 0),
        ("003", None, LAST_DISTRICT_DAY, None, 2, 1),
        ("005", "00160", LAST_DISTRICT_DAY, True, 1, 0),
        ("005", "01", LAST_DISTRICT_DAY, False, 1, 1),
        ("005", None, LAST_DISTRICT_DAY, None, 1, 1),
        ("272", "09715", LAST_DISTRICT_DAY, None, 2, 1),
    ]


def test_current_unit_training(marts):
    assert rows(
        marts,
        "select unit_code, term_code, as_of_date, cadres_count, trained_count, "
        "planning_source_trained_count, share_trained from marts.mart_current_unit_training "
        "order by unit_code, term_code",
    ) == [
        ("00103", "2015-2020", AS_OF_DATE, 2, 0, 0, 0.0),
        ("00103", "2020-2025", AS_OF_DATE, 2, 1, 0, 0.5),
        ("00103", "2025-2030", AS_OF_DATE, 2, 1, 1, 0.5),
        ("00160", "2015-2020", AS_OF_DATE, 3, 0, 0, 0.0),
        ("00160", "2020-2025", AS_OF_DATE, 3, 0, 0, 0.0),
        ("00160", "2025-2030", AS_OF_DATE, 3, 1, 1, pytest.approx(1 / 3)),
        ("01", "2015-2020", AS_OF_DATE, 2, 0, 0, 0.0),
        ("01", "2020-2025", AS_OF_DATE, 2, 0, 0, 0.0),
        ("01", "2025-2030", AS_OF_DATE, 2, 0, 0, 0.0),
        ("09715", "2015-2020", AS_OF_DATE, 2, 0, 0, 0.0),
        ("09715", "2020-2025", AS_OF_DATE, 2, 2, 0, 1.0),
        ("09715", "2025-2030", AS_OF_DATE, 2, 1, 0, 0.5),
    ]


def test_target_attainment_dates(marts):
    """A target's reference date is its own, or its term's end, or the as-of date."""
    assert rows(
        marts,
        "select distinct target_code, population, metric, title_level, reference_date "
        "from marts.mart_target_attainment order by target_code",
    ) == [
        ("T_BTV_SAU_DAI_HOC", "btv_thanh_uy", "share_postgrad", None, date(2025, 9, 30)),
        (
            "T_CHU_CHOT_LLCT",
            "chu_chot_cap_xa",
            "share_political_intermediate_plus",
            None,
            AS_OF_DATE,
        ),
        (
            "T_PHUONG_DAI_HOC_30_6",
            "chu_chot_phuong_thi_tran",
            "share_university_plus",
            None,
            LAST_DISTRICT_DAY,
        ),
        ("T_QH_DUOI_40", "quy_hoach", "share_under_40", None, AS_OF_DATE),
        ("T_QH_NU", "quy_hoach", "share_women", None, AS_OF_DATE),
        ("T_QH_XA_DUOI_40", "quy_hoach", "share_under_40", "cap_xa", AS_OF_DATE),
    ]


def test_target_attainment_scores(marts):
    third, two_thirds = pytest.approx(1 / 3), pytest.approx(2 / 3)
    assert rows(
        marts,
        "select target_code, scope, unit_code, numerator, denominator, actual_value, met, gap "
        "from marts.mart_target_attainment order by target_code, scope, unit_code",
    ) == [
        ("T_BTV_SAU_DAI_HOC", "city", None, 1, 2, 0.5, True, 0.0),
        ("T_BTV_SAU_DAI_HOC", "unit", "01", 1, 2, 0.5, True, 0.0),
        ("T_CHU_CHOT_LLCT", "city", None, 3, 5, 0.6, False, pytest.approx(-0.4)),
        ("T_CHU_CHOT_LLCT", "unit", "00103", 1, 2, 0.5, False, -0.5),
        ("T_CHU_CHOT_LLCT", "unit", "00160", 1, 2, 0.5, False, -0.5),
        ("T_CHU_CHOT_LLCT", "unit", "09715", 1, 1, 1.0, True, 0.0),
        ("T_PHUONG_DAI_HOC_30_6", "city", None, 2, 3, two_thirds, False, pytest.approx(-1 / 3)),
        ("T_PHUONG_DAI_HOC_30_6", "unit", "003", 1, 2, 0.5, False, -0.5),
        ("T_PHUONG_DAI_HOC_30_6", "unit", "005", 1, 1, 1.0, True, 0.0),
        # A is in 01 and 00103, once in the city: 7 people, the units' rows hold 8.
        (
            "T_QH_DUOI_40",
            "city",
            None,
            3,
            7,
            pytest.approx(3 / 7),
            True,
            pytest.approx(3 / 7 - 0.15),
        ),
        ("T_QH_DUOI_40", "unit", "00103", 2, 3, two_thirds, True, pytest.approx(2 / 3 - 0.15)),
        ("T_QH_DUOI_40", "unit", "00160", 0, 2, 0.0, False, -0.15),
        ("T_QH_DUOI_40", "unit", "01", 1, 3, third, True, pytest.approx(1 / 3 - 0.15)),
        ("T_QH_NU", "city", None, 2, 7, pytest.approx(2 / 7), True, pytest.approx(2 / 7 - 0.25)),
        ("T_QH_NU", "unit", "00103", 1, 3, third, True, pytest.approx(1 / 3 - 0.25)),
        ("T_QH_NU", "unit", "00160", 1, 2, 0.5, True, 0.25),
        ("T_QH_NU", "unit", "01", 0, 3, 0.0, False, -0.25),
        ("T_QH_XA_DUOI_40", "city", None, 2, 5, 0.4, False, pytest.approx(-0.1)),
        ("T_QH_XA_DUOI_40", "unit", "00103", 2, 3, two_thirds, True, pytest.approx(2 / 3 - 0.5)),
        ("T_QH_XA_DUOI_40", "unit", "00160", 0, 2, 0.0, False, -0.5),
    ]


def test_planning_pool(marts):
    third, two_thirds = pytest.approx(1 / 3), pytest.approx(2 / 3)
    assert rows(
        marts,
        "select unit_code, title_code, term_code, seats, planned_count, withdrawn_count, "
        "planning_coefficient, share_masters_plus, share_political_advanced, share_women, "
        "share_under_40, over_planning_limit from marts.mart_planning_pool "
        "order by unit_code, title_code",
    ) == [
        ("00103", "BT_XA", "2025-2030", 1, 4, 0, 4.0, 0.0, 0.0, third, two_thirds, True),
        ("00160", "BT_XA", "2025-2030", None, 2, 0, None, 0.5, 0.0, 0.5, 0.0, None),
        ("01", "BCH_TP", "2025-2030", 1, 3, 1, 3.0, third, two_thirds, 0.0, third, False),
    ]


def test_committee_composition_measured_from_the_unit_first_day(marts):
    assert rows(
        marts,
        "select unit_code, committee_level, term_code, members, share_women, "
        "share_university_plus from marts.mart_committee_composition order by unit_code",
    ) == [
        ("00103", "cap_xa", "2025-2030", 2, 0.5, 1.0),
        ("00160", "cap_xa", "2020-2025", 2, 1.0, 1.0),
        ("003", "co_so", "2020-2025", 2, 0.0, 0.5),
    ]


def test_trainees_on_the_term_reference_date(marts):
    assert sorted(
        rows(
            marts,
            "select person_key, unit_code, term_code, classes_enrolled, classes_graduated, "
            "sessions_attended, unexcused_absences, professional_level, political_level "
            "from marts.fct_trainees",
        ),
        key=str,
    ) == sorted(
        [
            ("A", "00103", "2020-2025", 1, 1, 18, 1, "dai_hoc", "trung_cap"),
            ("F", None, "2020-2025", 1, 1, 20, 0, None, "trung_cap"),
            ("G", None, "2020-2025", 1, 0, 10, 2, None, None),
            # trung_cap LLCT comes on 2025-12-20, after the term's end.
            ("H", "09715", "2020-2025", 1, 1, 19, 1, "dai_hoc", None),
            ("I", "09715", "2020-2025", 1, 1, 17, 3, None, None),
            ("A", "00103", "2025-2030", 1, 1, 10, 0, "dai_hoc", "trung_cap"),
            ("B", "00160", "2025-2030", 1, 1, 9, 1, "thac_si", "trung_cap"),
            ("C", "01", "2025-2030", 1, 1, 4, 0, "thac_si", "cao_cap"),
            ("H", "09715", "2025-2030", 1, 1, 12, 0, "dai_hoc", "trung_cap"),
            ("I", "09715", "2025-2030", 1, 0, 8, 2, None, None),
            ("K", "00103", "2025-2030", 1, 0, 6, 2, "dai_hoc", "so_cap"),
            ("L", "01", "2025-2030", 1, 1, 4, 0, "dai_hoc", "cao_cap"),
        ],
        key=str,
    )


def test_attendance_review_goes_to_the_unit_of_31_december(marts):
    assert sorted(
        rows(
            marts,
            "select person_key, unit_code, year, unexcused_absences, classes_with_absence "
            "from marts.mart_attendance_review",
        ),
        key=str,
    ) == sorted(
        [
            ("A", "003", 2024, 1, 1),
            ("G", "003", 2024, 2, 1),
            # A 272 class in March 2025, reviewed by the commune that holds them in December.
            ("H", "09715", 2025, 1, 1),
            ("I", "09715", 2025, 5, 2),
            ("B", "00160", 2026, 1, 1),
            ("K", "00103", 2026, 2, 1),
        ],
        key=str,
    )


def test_training_outcomes_on_31_december_or_the_as_of_date(marts):
    assert sorted(
        rows(
            marts,
            "select person_key, unit_code, year, classes_completed, next_year_rating, "
            "needs_reassignment from marts.mart_training_outcomes",
        ),
        key=str,
    ) == sorted(
        [
            ("A", "003", 2024, 1, "kht", True),
            ("F", "003", 2024, 1, None, None),
            ("H", "09715", 2025, 2, "ht", False),
            ("I", "09715", 2025, 1, None, None),
            ("A", "00103", 2026, 1, None, None),
            ("B", "00160", 2026, 1, None, None),
            # 01-C1 ends 2026-12-04: year 2026, their unit as of 2026-11-30.
            ("C", "01", 2026, 1, None, None),
            ("L", "01", 2026, 1, None, None),
        ],
        key=str,
    )


def test_unit_training_summary(marts):
    assert rows(
        marts,
        "select unit_code, term_code, classes_count, enrolments_count, distinct_trainees "
        "from marts.mart_unit_training_summary order by unit_code, term_code",
    ) == [
        ("00103", "2025-2030", 1, 3, 3),
        ("003", "2020-2025", 1, 3, 3),
        ("01", "2025-2030", 1, 2, 2),
        ("09715", "2025-2030", 1, 2, 2),
        ("272", "2020-2025", 1, 2, 2),
    ]


def test_refresh_records_the_as_of_date(marts):
    assert marts.execute("select as_of_date from quality.refresh").fetchall() == [(AS_OF_DATE,)]


def test_no_direct_identifiers_in_published_schemas(marts):
    columns = {
        name
        for (name,) in marts.execute(
            "select column_name from duckdb_columns() where schema_name in ('marts', 'quality')"
        ).fetchall()
    }
    assert not columns & {"national_id", "full_name", "birth_date"}


def test_as_of_the_last_district_day(marts_on_last_district_day):
    con = marts_on_last_district_day
    assert rows(
        con, "select unit_code from marts.dim_units where is_current order by unit_code"
    ) == [("003",), ("005",), ("01",), ("272",)]
    assert sorted(
        rows(con, "select person_key, unit_code, birth_year, is_current from marts.dim_cadres")
    ) == [
        ("A", "003", 1985, True),
        # Described by her 005 period now, birth date included.
        ("B", "005", 1979, True),
        ("C", "005", 1970, True),
        ("D", "003", 1982, True),
        ("E", "003", 1962, False),
        ("F", "003", 1965, True),
        ("G", "003", 1988, True),
        ("H", "272", 1975, True),
        ("I", "272", 1990, True),
        ("J", "005", 1985, True),
        # Only a period that starts in 2026: the latest, not current.
        ("K", "00103", 1990, False),
        ("L", "01", 1968, True),
    ]
    # Units ending on the as-of date have not ended before it.
    assert con.execute("select count(*) from marts.mart_unit_transitions").fetchone() == (0,)
    assert rows(
        con,
        "select unit_code, term_code, cadres_count, trained_count, share_trained "
        "from marts.mart_current_unit_training order by unit_code, term_code",
    ) == [
        ("003", "2015-2020", 4, 0, 0.0),
        ("003", "2020-2025", 4, 2, 0.5),
        ("005", "2015-2020", 3, 0, 0.0),
        ("005", "2020-2025", 3, 0, 0.0),
        ("01", "2015-2020", 1, 0, 0.0),
        ("01", "2020-2025", 1, 0, 0.0),
        ("272", "2015-2020", 2, 0, 0.0),
        ("272", "2020-2025", 2, 2, 1.0),
    ]
    # 2025-2030 has not started: its targets have no rows. 2020-2025 runs: measured today,
    # when C is still a district cadre.
    assert rows(
        con,
        "select target_code, scope, unit_code, reference_date, numerator, denominator "
        "from marts.mart_target_attainment order by target_code, scope, unit_code",
    ) == [
        ("T_BTV_SAU_DAI_HOC", "city", None, LAST_DISTRICT_DAY, 0, 1),
        ("T_BTV_SAU_DAI_HOC", "unit", "01", LAST_DISTRICT_DAY, 0, 1),
        ("T_PHUONG_DAI_HOC_30_6", "city", None, LAST_DISTRICT_DAY, 2, 3),
        ("T_PHUONG_DAI_HOC_30_6", "unit", "003", LAST_DISTRICT_DAY, 1, 2),
        ("T_PHUONG_DAI_HOC_30_6", "unit", "005", LAST_DISTRICT_DAY, 1, 1),
    ]
    assert con.execute("select as_of_date from quality.refresh").fetchall() == [
        (LAST_DISTRICT_DAY,)
    ]
