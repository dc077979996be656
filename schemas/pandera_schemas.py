"""pandera (polars backend) schemas of the accepted raw slices, generated from the declaration.

The loader's SQL rule flags (schemas.sql) decide what is accepted; these schemas check the
result again from the same declaration, independently of that SQL: a second line of
defence, run as a blocking asset check on every ingest asset. pandera and polars are
imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from schemas.contract import DATE_MAX, DATE_MIN, LEVEL_RANKS, Column, SeedFile

if TYPE_CHECKING:
    import pandera.polars as pa
    import polars as pl

# The column the loader adds to every accepted row: the physical line it came from.
SOURCE_LINE = "source_line"
# Anchored, ASCII-only patterns (polars' `\d` would also accept non-ASCII digits).
NATIONAL_ID_PATTERN = r"^[0-9]{12}$"
CODE_PATTERN = r"^[A-Za-z0-9_\-]+$"
# What the loader's clean-up removes: surrounding whitespace, and the Icelandic Ð/ð that
# Vietnamese keyboards type by mistake for Đ/đ.
_SPACE = "[\\s\u00a0\u200b\ufeff]"
UNCLEANED_TEXT_PATTERN = f"^{_SPACE}|{_SPACE}$|[\u00d0\u00f0]"


def _dtype(column: Column):
    import polars as pl

    return {
        "text": pl.Utf8,
        "code": pl.Utf8,
        "level": pl.Utf8,
        "enum": pl.Utf8,
        "national_id": pl.Utf8,
        "date": pl.Date,
        "integer": pl.Int64,
        "boolean": pl.Boolean,
        "fraction": pl.Float64,
    }[column.kind]


def scan_keys(seed: SeedFile, paths: list[str], path_column: str) -> pl.LazyFrame:
    """The key and source line of `seed`'s slices at `paths`, with each row's file in
    `path_column`: read in the contract's types whatever else a slice holds, which that
    slice's own validation judges."""
    import polars as pl

    types = {column.name: _dtype(column) for column in seed.columns}
    return pl.scan_parquet(
        paths,
        schema={**{name: types[name] for name in seed.key}, SOURCE_LINE: pl.Int64},
        glob=False,
        include_file_paths=path_column,
        extra_columns="ignore",
        cast_options=pl.ScanCastOptions(integer_cast="upcast"),
    )


def _column_checks(column: Column) -> list[pa.Check]:
    import pandera.polars as pa

    checks: list[pa.Check] = []
    if column.kind == "national_id":
        checks.append(pa.Check.str_matches(NATIONAL_ID_PATTERN))
    elif column.kind in ("code", "level"):
        checks.append(pa.Check.str_matches(CODE_PATTERN))
    elif column.kind == "enum":
        checks.append(pa.Check.isin(list(column.values)))
    elif column.kind == "text":
        checks.append(_text_is_cleaned())
    elif column.kind == "date":
        checks.append(
            pa.Check.in_range(dt.date.fromisoformat(DATE_MIN), dt.date.fromisoformat(DATE_MAX))
        )
    if column.minimum is not None:
        checks.append(pa.Check.ge(column.minimum))
    if column.maximum is not None:
        checks.append(pa.Check.le(column.maximum))
    return checks


def _text_is_cleaned() -> pa.Check:
    """Text as the loader leaves it: NFC, trimmed, Ð/ð replaced (CONTRACT.md §2)."""
    import pandera.polars as pa
    import polars as pl

    def check(data):
        value = pl.col(data.key)
        cleaned = (value.str.normalize("NFC") == value) & ~value.str.contains(
            UNCLEANED_TEXT_PATTERN
        )
        return data.lazyframe.select(cleaned.fill_null(True).alias(data.key))

    return pa.Check(check, name="text_is_cleaned")


def _end_not_before_start(start: str, end: str) -> pa.Check:
    import pandera.polars as pa
    import polars as pl

    def check(data):
        return data.lazyframe.select((pl.col(end) >= pl.col(start)).fill_null(True).alias(end))

    return pa.Check(check, name=f"{end}_not_before_{start}")


def _level_in_kind_ranks() -> pa.Check:
    import pandera.polars as pa
    import polars as pl

    def check(data):
        kind, level = pl.col("qualification_kind"), pl.col("level")
        wrong = pl.lit(False)
        for ranked_kind, ranks in LEVEL_RANKS.items():
            wrong = wrong | ((kind == ranked_kind) & ~level.is_in(list(ranks)))
        return data.lazyframe.select((~wrong).fill_null(True).alias("level"))

    return pa.Check(check, name="level_ranked_for_its_kind")


def _unit_code_is(unit_code: str) -> pa.Check:
    import pandera.polars as pa

    return pa.Check.isin([unit_code], name="unit_code_is_folder")


def pandera_schema(seed: SeedFile, unit_code: str | None = None) -> pa.DataFrameSchema:
    """The schema every accepted slice of `seed` must satisfy.

    With `unit_code`, a submission slice's rows must also carry that unit code (the
    loader rejects rows whose unit_code differs from the folder).
    """
    import pandera.polars as pa
    import polars as pl

    columns = {}
    for column in seed.columns:
        checks = _column_checks(column)
        if column.name == "unit_code" and unit_code is not None and seed.folder == "submission":
            checks.append(_unit_code_is(unit_code))
        columns[column.name] = pa.Column(
            _dtype(column),
            checks=checks,
            nullable=not column.required,
            description=column.description,
        )
    columns[SOURCE_LINE] = pa.Column(pl.Int64, checks=[pa.Check.ge(2)], nullable=False, unique=True)
    checks = []
    if "end_before_start" in seed.extra_rules:
        start, end = (
            ("valid_from", "valid_to") if seed.name == "units" else ("start_date", "end_date")
        )
        checks.append(_end_not_before_start(start, end))
    if "invalid_level" in seed.extra_rules:
        checks.append(_level_in_kind_ranks())
    return pa.DataFrameSchema(
        columns,
        checks=checks,
        unique=list(seed.key),
        strict=True,
        name=f"{seed.name}{'' if unit_code is None else '/' + unit_code}",
        description=seed.description,
    )


# In a batch of slices validated together (batch_schema): the unit of each row's slice.
SLICE_UNIT = "_slice_unit"


def _unit_code_is_slice_unit() -> pa.Check:
    import pandera.polars as pa
    import polars as pl

    def check(data):
        unit = pl.col(SLICE_UNIT)
        return data.lazyframe.select(
            (unit.is_null() | (pl.col("unit_code") == unit)).alias("unit_code")
        )

    return pa.Check(check, name="unit_code_is_folder")


def _line_unique_within_slice() -> pa.Check:
    import pandera.polars as pa
    import polars as pl

    def check(data):
        pair = pl.struct(SLICE_UNIT, SOURCE_LINE)
        return data.lazyframe.select((~pair.is_duplicated()).alias(SOURCE_LINE))

    return pa.Check(check, name="source_line_unique_within_slice")


def batch_schema(seed: SeedFile) -> pa.DataFrameSchema:
    """`pandera_schema` over several slices at once, each row carrying its slice's unit in
    SLICE_UNIT (null for the reference slice): a batch passes exactly when every slice
    would pass on its own, since the unit check, the line's uniqueness and the key's
    are judged per slice."""
    import pandera.polars as pa
    import polars as pl

    single = pandera_schema(seed)
    columns = dict(single.columns)
    columns[SOURCE_LINE] = pa.Column(pl.Int64, checks=[pa.Check.ge(2)], nullable=False)
    columns[SLICE_UNIT] = pa.Column(pl.Utf8, nullable=True)
    checks = [*single.checks, _line_unique_within_slice()]
    if seed.folder == "submission" and "unit_code" in seed.column_names:
        checks.append(_unit_code_is_slice_unit())
    return pa.DataFrameSchema(
        columns,
        checks=checks,
        unique=[*seed.key, SLICE_UNIT],
        strict=True,
        name=f"{seed.name}/batch",
        description=seed.description,
    )
