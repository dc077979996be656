"""The marts on a hand-made seeds folder (tests/fixtures/marts), against values worked out by hand.

The people of the fixture (national_id → role):
  P1 001080000001  unit 01,  nam, btv_thanh_uy; dai_hoc 1995, thac_si 2020-09-30 (the 2015-2020
                   term's last day), cao_cap 2010
  P2 001180000002  unit 01,  nu,  btv_thanh_uy; dai_hoc 1997, thac_si 2020-10-01 (the day
                   after), cu_nhan 2005
  P3 001080000003  unit 003, nam, chu_chot_cap_xa in a phuong; dai_hoc 2002, trung_cap 2012
  P4 001180000004  unit 272, nu,  chu_chot_cap_xa in a thi_tran; no qualifications at all
  P5 001080000005  unit 272, nam, chu_chot_cap_xa in a xa; dai_hoc 2001, trung_cap 2014
  P6 001080000006  unit 272, nam, chu_chot_cap_xa in a xa; cao_dang 2003 (+ ngoai_ngu b1)
  P7 001180000007  unit 273, nu,  khac; dai_hoc 2000
  P8 001080000008  no cadres row: enrolled, planned and a committee member all the same
  P9 001080000009  unit 003, nam, btv_thanh_uy; tien_si 2010
  P10 001080000010 listed by 003 and 273: both rows rejected, so in no population

This is a revision-1 seeds folder: no cadre dates, no successions, every unit open since
2008-08-01. Revision 2 must give the same marts on it; the as-of date is pinned to
2026-11-30, after every term's end but 2025-2030's, which it has no data for, so every
person's one period (2008-08-01, open) holds on every date a mart reads.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

import duckdb
import pytest

from tests.conftest import MARTS_KEY

KEY = MARTS_KEY
AS_OF_DATE = date(2026, 11, 30)
NATIONAL_IDS = {
    "P1": "001080000001",
    "P2": "001180000002",
    "P3": "001080000003",
    "P4": "001180000004",
    "P5": "001080000005",
    "P6": "001080000006",
    "P7": "001180000007",
    "P8": "001080000008",
    "P9": "001080000009",
    "P10": "001080000010",
}
PERSON = {
    name: hmac.new(KEY.encode(), nid.encode(), hashlib.sha256).hexdigest()
    for name, nid in NATIONAL_IDS.items()
}
NAME = {key: name for name, key in PERSON.items()}


@pytest.fixture
def marts(marts_fixture_build) -> duckdb.DuckDBPyConnection:
    """The fixture ingested and built once for the session (conftest.marts_fixture_build)."""
    return marts_fixture_build


def rows(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple]:
    """Rows of `query`, person_key columns shown as the fixture's names (P1 …)."""
    return [tuple(NAME.get(value, value) for value in row) for row in con.execute(query).fetchall()]


def test_dim_cadres_leaves_out_people_listed_twice_and_never_listed(marts):
    assert rows(
        marts,
        "select person_key, unit_code, gender, birth_year, management_tier, workplace_kind "
        "from marts.dim_cadres order by person_key",
    ) == sorted(
        [
            ("P1", "01", "nam", 1970, "btv_thanh_uy", "co_quan"),
            ("P2", "01", "nu", 1975, "btv_thanh_uy", "co_quan"),
            ("P3", "003", "nam", 1980, "chu_chot_cap_xa", "phuong"),
            ("P9", "003", "nam", 1968, "btv_thanh_uy", "co_quan"),
            ("P4", "272", "nu", 1985, "chu_chot_cap_xa", "thi_tran"),
            ("P5", "272", "nam", 1978, "chu_chot_cap_xa", "xa"),
            ("P6", "272", "nam", 1976, "chu_chot_cap_xa", "xa"),
            ("P7", "273", "nu", 1982, "khac", "co_quan"),
        ],
        key=lambda row: PERSON[row[0]],
    )


def test_undated_cadres_rows_are_periods_over_their_unit_validity(marts):
    """Each accepted row is one period from its unit's valid_from, open, current today."""
    periods = rows(
        marts,
        "select person_key, unit_code, valid_from, valid_to, is_current "
        "from marts.dim_cadre_periods order by person_key",
    )
    people = rows(
        marts,
        "select person_key, unit_code, valid_from, valid_to, is_current "
        "from marts.dim_cadres order by person_key",
    )
    assert periods == people
    assert sorted(periods) == sorted(
        (person, unit, date(2008, 8, 1), None, True)
        for person, unit in (
            ("P1", "01"),
            ("P2", "01"),
            ("P3", "003"),
            ("P9", "003"),
            ("P4", "272"),
            ("P5", "272"),
            ("P6", "272"),
            ("P7", "273"),
        )
    )


def test_dim_units_are_all_current_without_successions(marts):
    assert marts.execute(
        "select unit_code, unit_kind, valid_from, valid_to, is_current from marts.dim_units "
        "order by unit_code"
    ).fetchall() == [
        ("003", "quan", date(2008, 8, 1), None, True),
        ("01", "thanh_uy", date(2008, 8, 1), None, True),
        ("272", "huyen", date(2008, 8, 1), None, True),
        ("273", "huyen", date(2008, 8, 1), None, True),
    ]
    assert marts.execute("select count(*) from marts.dim_unit_successions").fetchone() == (0,)
    # No unit has ended: nobody moved anywhere.
    assert marts.execute("select count(*) from marts.mart_unit_transitions").fetchone() == (0,)


def test_refresh_records_the_as_of_date(marts):
    assert marts.execute("select as_of_date from quality.refresh").fetchall() == [(AS_OF_DATE,)]
    (built_at,) = marts.execute("select built_at from quality.refresh").fetchone()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", built_at)
    # Nobody's rows disagree with each other: nothing to warn about.
    assert marts.execute("select count(*) from quality.warnings").fetchone() == (0,)


def test_current_unit_training(marts):
    """Today's cadres per unit, and who graduated in each congress term (anywhere).

    2015-2020: P1 and P2 graduated from 003-C2 (another unit's class), P3 from 003-C1 and
    003-C2, P4, P5 and P6 from 272-C1 (planning source); P9 and P7 took no class, and
    01-C1 (2015-03) is in no term. 2020-2025: only P3 (003-C3).
    """
    assert marts.execute(
        "select unit_code, term_code, as_of_date, cadres_count, trained_count, "
        "planning_source_trained_count, share_trained from marts.mart_current_unit_training "
        "order by unit_code, term_code"
    ).fetchall() == [
        ("003", "2015-2020", AS_OF_DATE, 2, 1, 0, 0.5),
        ("003", "2020-2025", AS_OF_DATE, 2, 1, 0, 0.5),
        ("01", "2015-2020", AS_OF_DATE, 2, 2, 0, 1.0),
        ("01", "2020-2025", AS_OF_DATE, 2, 0, 0, 0.0),
        ("272", "2015-2020", AS_OF_DATE, 3, 3, 3, 1.0),
        ("272", "2020-2025", AS_OF_DATE, 3, 0, 0, 0.0),
        ("273", "2015-2020", AS_OF_DATE, 1, 0, 0, 0.0),
        ("273", "2020-2025", AS_OF_DATE, 1, 0, 0, 0.0),
    ]


def test_person_key_is_the_hmac_of_the_national_id(marts):
    keys = {key for (key,) in marts.execute("select person_key from marts.dim_cadres").fetchall()}
    assert PERSON["P1"] in keys and all(len(key) == 64 for key in keys)


def test_fct_classes_term_year_and_counts(marts):
    assert rows(
        marts,
        "select class_code, unit_code, program_kind, target_group, term_code, target_term_code, "
        "year, enrolled_count, graduated_count from marts.fct_classes order by class_code",
    ) == [
        # Spans 2019-2020: term and year follow start_date.
        ("003-C1", "003", "ly_luan_chinh_tri", None, "2015-2020", None, 2019, 3, 2),
        ("003-C2", "003", "ngoai_ngu", None, "2015-2020", None, 2019, 4, 3),
        ("003-C3", "003", "ly_luan_chinh_tri", None, "2020-2025", None, 2021, 1, 1),
        # Starts before the first congress term: no term.
        ("01-C1", "01", "ngoai_ngu", None, None, None, 2015, 2, 1),
        ("272-C1", "272", "nguon_quy_hoach", "bch_cung_cap", "2015-2020", "2020-2025", 2018, 3, 3),
    ]


def test_fct_enrolments_keep_people_without_a_cadres_row(marts):
    assert marts.execute("select count(*) from marts.fct_enrolments").fetchone()[0] == 13
    assert rows(
        marts,
        "select class_code, person_key, unit_code, term_code, unexcused_absences, graduated "
        "from marts.fct_enrolments where person_key = '" + PERSON["P8"] + "' order by class_code",
    ) == [
        ("003-C1", "P8", "003", "2015-2020", 0, True),
        ("003-C2", "P8", "003", "2015-2020", 2, False),
    ]


def test_fct_qualifications_ranks(marts):
    assert rows(
        marts,
        "select person_key, qualification_kind, level, level_rank, awarded_date "
        "from marts.fct_qualifications where person_key in ('"
        + "', '".join(PERSON[p] for p in ("P1", "P6"))
        + "') order by awarded_date",
    ) == [
        ("P1", "chuyen_mon", "dai_hoc", 3, date(1995, 6, 1)),
        ("P6", "chuyen_mon", "cao_dang", 2, date(2003, 1, 1)),
        ("P1", "ly_luan_chinh_tri", "cao_cap", 3, date(2010, 1, 1)),
        ("P6", "ngoai_ngu", "b1", None, date(2016, 1, 1)),
        ("P1", "chuyen_mon", "thac_si", 4, date(2020, 9, 30)),
    ]
    assert marts.execute("select count(*) from marts.fct_qualifications").fetchone()[0] == 14


def test_fct_trainees_levels_as_of_term_end(marts):
    assert sorted(
        rows(
            marts,
            "select person_key, unit_code, term_code, classes_enrolled, classes_graduated, "
            "sessions_attended, unexcused_absences, professional_level, political_level "
            "from marts.fct_trainees",
        )
    ) == sorted(
        [
            # thac_si awarded on 2020-09-30, the term's end: it counts.
            ("P1", "01", "2015-2020", 1, 1, 8, 0, "thac_si", "cao_cap"),
            # thac_si awarded on 2020-10-01, the day after: it does not.
            ("P2", "01", "2015-2020", 1, 1, 7, 0, "dai_hoc", "cu_nhan"),
            ("P3", "003", "2015-2020", 2, 2, 16, 2, "dai_hoc", "trung_cap"),
            ("P3", "003", "2020-2025", 1, 1, 5, 1, "dai_hoc", "trung_cap"),
            ("P4", "272", "2015-2020", 1, 1, 11, 1, None, None),
            ("P5", "272", "2015-2020", 2, 1, 19, 2, "dai_hoc", "trung_cap"),
            ("P6", "272", "2015-2020", 1, 1, 10, 2, "cao_dang", None),
            ("P8", None, "2015-2020", 2, 1, 16, 2, None, None),
        ]
    )


def test_unit_training_summary(marts):
    assert rows(
        marts,
        "select unit_code, term_code, classes_count, enrolments_count, distinct_trainees "
        "from marts.mart_unit_training_summary order by unit_code, term_code",
    ) == [
        ("003", "2015-2020", 2, 7, 5),
        ("003", "2020-2025", 1, 1, 1),
        ("272", "2015-2020", 1, 3, 3),
    ]


def test_planning_pool(marts):
    result = rows(
        marts,
        "select unit_code, title_code, term_code, seats, planned_count, withdrawn_count, "
        "planning_coefficient, share_masters_plus, share_political_advanced, share_women, "
        "share_under_40, over_planning_limit "
        "from marts.mart_planning_pool order by unit_code, title_code, term_code",
    )
    assert result == [
        # Seats but nobody planned: coefficient 0, shares undefined, not over the limit.
        ("003", "BT_QH", "2020-2025", 1, 0, 0, 0.0, None, None, None, None, False),
        # Decided 2015-06-01: P1 dai_hoc + cao_cap, P2 dai_hoc + cu_nhan, P9 tien_si, P8 nothing
        # (and no gender, no birth date); P3 withdrawn. P2, born 1975-02-20, turned 40 that
        # February: nobody under 40. 4 people for 2 seats is within 3 per seat.
        ("01", "BCH_TP", "2015-2020", 2, 4, 1, 2.0, 0.25, 0.5, pytest.approx(1 / 3), 0.0, False),
        # Decided 2020-09-30: P1's thac_si of that day counts, P2's of the next day does not.
        ("01", "BCH_TP", "2020-2025", 3, 2, 0, pytest.approx(2 / 3), 0.5, 1.0, 0.5, 0.0, False),
        # Planned but no positions row: no seats, no coefficient, no limit verdict. P5, born
        # 1978-05-05, was 40 on the decision of 2019-01-01.
        ("272", "BT_QH", "2020-2025", None, 1, 0, None, 0.0, 0.0, 0.0, 0.0, None),
    ]


def test_committee_composition(marts):
    assert rows(
        marts,
        "select unit_code, committee_level, term_code, members, share_women, share_university_plus "
        "from marts.mart_committee_composition order by unit_code, committee_level, term_code",
    ) == [
        # As of 2020-10-01, the term's start: all three hold dai_hoc or higher.
        ("01", "thanh_pho", "2020-2025", 3, pytest.approx(1 / 3), 1.0),
        # P5, P6, P4 and P8 (no cadres row: a member, gender unknown).
        ("272", "co_so", "2015-2020", 4, pytest.approx(1 / 3), 0.25),
        ("272", "co_so", "2020-2025", 2, 0.5, 0.5),
        # P7 and P10 (listed twice, so gender unknown).
        ("273", "co_so", "2015-2020", 2, 1.0, 0.5),
    ]


def test_target_attainment(marts):
    assert rows(
        marts,
        "select target_code, scope, unit_code, population, metric, numerator, denominator, "
        "actual_value, threshold, comparator, met, gap from marts.mart_target_attainment "
        "order by target_code, scope, unit_code",
    ) == [
        # As of 2020-09-30: P1's thac_si of that day counts, P2's of the day after does not.
        (
            "T_BTV_SAU_DAI_HOC",
            "city",
            None,
            "btv_thanh_uy",
            "share_postgrad",
            2,
            3,
            pytest.approx(2 / 3),
            0.5,
            ">=",
            True,
            pytest.approx(2 / 3 - 0.5),
        ),
        (
            "T_BTV_SAU_DAI_HOC",
            "unit",
            "003",
            "btv_thanh_uy",
            "share_postgrad",
            1,
            1,
            1.0,
            0.5,
            ">=",
            True,
            0.5,
        ),
        (
            "T_BTV_SAU_DAI_HOC",
            "unit",
            "01",
            "btv_thanh_uy",
            "share_postgrad",
            1,
            2,
            0.5,
            0.5,
            ">=",
            True,
            0.0,
        ),
        # Women among chu_chot_cap_xa P3, P4, P5, P6 (P10 is in no population).
        (
            "T_NU",
            "city",
            None,
            "chu_chot_cap_xa",
            "share_women",
            1,
            4,
            0.25,
            0.3,
            ">=",
            False,
            pytest.approx(-0.05),
        ),
        (
            "T_NU",
            "unit",
            "003",
            "chu_chot_cap_xa",
            "share_women",
            0,
            1,
            0.0,
            0.3,
            ">=",
            False,
            pytest.approx(-0.3),
        ),
        (
            "T_NU",
            "unit",
            "272",
            "chu_chot_cap_xa",
            "share_women",
            1,
            3,
            pytest.approx(1 / 3),
            0.3,
            ">=",
            True,
            pytest.approx(1 / 3 - 0.3),
        ),
        # P3 (phuong, dai_hoc) and P4 (thi_tran, no qualifications).
        (
            "T_PHUONG_DAI_HOC",
            "city",
            None,
            "chu_chot_phuong_thi_tran",
            "share_university_plus",
            1,
            2,
            0.5,
            1.0,
            ">=",
            False,
            -0.5,
        ),
        (
            "T_PHUONG_DAI_HOC",
            "unit",
            "003",
            "chu_chot_phuong_thi_tran",
            "share_university_plus",
            1,
            1,
            1.0,
            1.0,
            ">=",
            True,
            0.0,
        ),
        (
            "T_PHUONG_DAI_HOC",
            "unit",
            "272",
            "chu_chot_phuong_thi_tran",
            "share_university_plus",
            0,
            1,
            0.0,
            1.0,
            ">=",
            False,
            -1.0,
        ),
        # Exactly at the threshold under '>': a miss. 003 and 273 have nobody in a xa.
        (
            "T_XA_DAI_HOC",
            "city",
            None,
            "chu_chot_xa",
            "share_university_plus",
            1,
            2,
            0.5,
            0.5,
            ">",
            False,
            0.0,
        ),
        (
            "T_XA_DAI_HOC",
            "unit",
            "272",
            "chu_chot_xa",
            "share_university_plus",
            1,
            2,
            0.5,
            0.5,
            ">",
            False,
            0.0,
        ),
    ]


def test_targets_of_an_ended_term_are_measured_on_its_end(marts):
    assert marts.execute(
        "select distinct term_code, reference_date, title_level from marts.mart_target_attainment"
    ).fetchall() == [("2015-2020", date(2020, 9, 30), None)]


def test_attendance_review(marts):
    assert sorted(
        rows(
            marts,
            "select person_key, unit_code, year, unexcused_absences, classes_with_absence "
            "from marts.mart_attendance_review",
        ),
        key=str,
    ) == sorted(
        [
            ("P3", "003", 2019, 2, 2),  # two 2019 classes, one of them ending in 2020
            ("P3", "003", 2021, 1, 1),
            ("P4", "272", 2018, 1, 1),
            ("P5", "272", 2019, 2, 1),  # own unit 272, absent from a class of 003
            ("P6", "272", 2018, 2, 1),
            ("P8", None, 2019, 2, 1),
        ],
        key=str,
    )


def test_training_outcomes(marts):
    assert sorted(
        rows(
            marts,
            "select person_key, unit_code, year, classes_completed, next_year_rating, "
            "needs_reassignment from marts.mart_training_outcomes",
        ),
        key=str,
    ) == sorted(
        [
            ("P1", "01", 2019, 1, None, None),
            ("P2", "01", 2015, 1, "htxs", False),
            ("P2", "01", 2019, 1, "htxs", False),
            ("P3", "003", 2019, 1, "ht", False),
            # 003-C1 runs 2019-12-16 .. 2020-01-20: year 2020, judged by the 2021 rating.
            ("P3", "003", 2020, 1, "kht", True),
            ("P3", "003", 2021, 1, "htt", False),
            ("P4", "272", 2018, 1, "kht", True),
            ("P5", "272", 2018, 1, "kht", True),
            ("P6", "272", 2018, 1, "htt", False),
            ("P8", None, 2020, 1, None, None),
        ],
        key=str,
    )


def test_no_direct_identifiers_in_marts(marts):
    columns = {
        name
        for (name,) in marts.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts'"
        ).fetchall()
    }
    assert not columns & {"national_id", "full_name", "birth_date"}
