"""Vietnamese number and date formatting of the report, against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestration.report import format as vn


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1.98, 2, "1,98"),
        (1.4867256637168142, 2, "1,49"),  # 168 / 113, F7
        (22407, 0, "22.407"),
        (1234567.891, 1, "1.234.567,9"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (0, 0, "0"),
        (0.0005, 3, "0,001"),  # a half rounds away from zero ...
        (-0.0005, 3, "-0,001"),  # ... on either side
        (0.0004, 3, "0,000"),
        (-0.0004, 3, "0,000"),  # no negative zero
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),
        (-12345.5, 0, "-12.346"),
        (None, 2, "–"),
    ],
)
def test_number(value, decimals, expected):
    assert vn.number(value, decimals) == expected


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (0.482, "48,2 %"),
        (0.48214285714285715, "48,2 %"),  # 81 / 168, F8
        (0.9330357142857143, "93,3 %"),
        (1.0, "100,0 %"),
        (0.0005, "0,1 %"),  # 0,05 % rounds away from zero
        (0.00049, "0,0 %"),
        (0.2915, "29,2 %"),  # 29,15 % rounds up, not to even
        (None, "–"),
    ],
)
def test_percent(share, expected):
    assert vn.percent(share) == expected


def test_dates_and_times():
    assert vn.date(dt.date(2025, 6, 30)) == "30/06/2025"
    assert vn.date(dt.date(2025, 7, 1)) == "01/07/2025"
    assert vn.date(None) == "–"
    # 16:16 UTC is 23:16 in Hà Nội (UTC+7).
    built = dt.datetime(2026, 12, 1, 16, 16, tzinfo=dt.UTC)
    assert vn.timestamp(built) == "01/12/2026 23:16"
    assert vn.timestamp(dt.datetime(2026, 1, 2, 3, 4)) == "02/01/2026 03:04"
    # quality.refresh keeps built_at as ISO 8601 text in UTC.
    assert vn.timestamp("2026-12-01T16:16:00Z") == "01/12/2026 23:16"
    assert vn.date("2025-06-30") == "30/06/2025"


def test_changes_carry_their_sign():
    assert vn.signed(56) == "+56"
    assert vn.signed(-3) == "-3"
    assert vn.signed(0) == "0"
    assert vn.signed_coefficient(0.49) == "+0,49"
    assert vn.points(0.25) == "+25,0 điểm %"
    assert vn.points(-0.004) == "-0,4 điểm %"
    assert vn.points(0.0) == "0,0 điểm %"
