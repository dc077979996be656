"""Numbers and dates the Vietnamese way: decimal comma, thousands dot, day/month/year."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

MISSING = "–"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def rounded(value: float | int | Decimal, decimals: int) -> Decimal:
    """Rounded half away from zero, as the contract rounds its figures."""
    # Decimal(repr) keeps the value the data shows (0.0005, not 0.000499999...), and
    # ROUND_HALF_UP rounds halves away from zero, as the contract's figures are rounded.
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """22407 -> '22.407'; number(1.4867, 2) -> '1,49'; None -> '–'."""
    if value is None:
        return MISSING
    exact = rounded(value, decimals)
    if exact == 0:
        exact = abs(exact)  # no '-0,0'
    sign = "-" if exact < 0 else ""
    whole, _, fraction = f"{abs(exact):.{decimals}f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, tail = whole[:-3], whole[-3:]
        groups.insert(0, tail)
    text = ".".join([whole, *groups])
    return sign + text + ("," + fraction if fraction else "")


def percent(share: float | Decimal | None, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.482 -> '48,2 %'."""
    if share is None:
        return MISSING
    exact = share if isinstance(share, Decimal) else Decimal(repr(share))
    return f"{number(exact * 100, decimals)} %"


def coefficient(value: float | None) -> str:
    """A planning coefficient, two decimals: 1.4867 -> '1,49'."""
    return number(value, 2)


def signed(difference: float | int | None, decimals: int = 0) -> str:
    """A change with its sign: 56 -> '+56', -3 -> '-3', 0 -> '0'."""
    if difference is None:
        return MISSING
    exact = rounded(difference, decimals)
    return f"{'+' if exact > 0 else ''}{number(exact, decimals)}"


def signed_coefficient(difference: float | None) -> str:
    return signed(difference, 2)


def points(difference: float | None, decimals: int = 1) -> str:
    """A change of a share in percentage points, signed: 0.25 -> '+25,0 điểm %'."""
    if difference is None:
        return MISSING
    exact = rounded(Decimal(repr(difference)) * 100, decimals)
    return f"{'+' if exact > 0 else ''}{number(exact, decimals)} điểm %"


def date(value: dt.date | str | None) -> str:
    """date(2025, 6, 30) -> '30/06/2025'; ISO text is read as a date."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def timestamp(value: dt.datetime | str | None) -> str:
    """A build time in Hà Nội's time: '01/12/2026 23:16'; ISO 8601 text is read too."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(HANOI)
    return f"{date(value)} {value.hour:02d}:{value.minute:02d}"
