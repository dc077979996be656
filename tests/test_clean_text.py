"""The cleaning SQL against a plain-Python statement of the rule (CONTRACT.md §3): NFC,
Ð/ð → Đ/đ, Excel's whitespace trimmed, empty → NULL; whether a value takes the ASCII
shortcut or the full cleaning, the result is the same."""

from __future__ import annotations

import unicodedata

import duckdb
import pytest

from schemas.sql import clean_text

TRIMMED = " \t\r\n\u00a0\u200b\ufeff"


def expected(value: str | None) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).replace("Ð", "Đ").replace("ð", "đ")
    return text.strip(TRIMMED) or None


VALUES = [
    None,
    "",
    " ",
    "003",
    "2020-2025",
    "Ban Chap hanh",  # ASCII with inner spaces: taken as it is
    " 003",
    "003 ",
    "\t003\r",
    "003\n",
    "a  b",
    "a\tb",  # an inner tab is not trimmed
    "\u00a0An\u00a0",
    "\ufeff003",
    "\u200b",
    "Nguye\u0302\u0303n Va\u0306n An",  # decomposed (NFD)
    "Ðặng Văn ð",
    "~!@#$%^&*()_+{}|:<>?",
    "x" * 300,
]


@pytest.mark.parametrize("value", VALUES)
def test_clean_text_matches_the_rule(value):
    con = duckdb.connect()
    got = con.execute(f"SELECT {clean_text('v')} FROM (SELECT ?::VARCHAR AS v)", [value]).fetchone()
    assert got[0] == expected(value)


def test_shortcut_and_full_cleaning_agree_on_ascii():
    # Every printable ASCII character, alone and between others, on either path.
    con = duckdb.connect()
    values = [chr(c) for c in range(32, 127)] + [f"a{chr(c)}b" for c in range(32, 127)]
    values += [f" {chr(c)} " for c in range(32, 127)]
    rows = con.execute(
        f"SELECT v, {clean_text('v')} FROM unnest(?::VARCHAR[]) AS t(v)", [values]
    ).fetchall()
    assert [cleaned for _, cleaned in rows] == [expected(v) for v, _ in rows]
