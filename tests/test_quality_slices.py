"""pandera contract checks on the accepted raw slices: pass on loaded data, fail on bad slices."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import unicodedata
from pathlib import Path

import polars as pl
import pytest
from dagster import AssetKey

from orchestration.ingest.loader import ingest_all
from orchestration.quality.pandera_checks import (
    CHECK_NAME,
    MAX_FAILURE_CASES,
    check_result,
    pandera_checks,
    validate_seed_slices,
)
from orchestration.settings import Settings
from schemas import SEED_FILES, seed_file
from schemas.pandera_schemas import SOURCE_LINE, pandera_schema

VALID = Path(__file__).parent / "fixtures" / "quality" / "valid"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Settings:
    """The valid fixture ingested once for the module."""
    root = tmp_path_factory.mktemp("slices")
    shutil.copytree(VALID, root / "seeds")
    settings = Settings(root / "seeds", root / "warehouse", 0.05)
    ingest_all(settings)
    return settings


@pytest.fixture
def spoil(loaded, tmp_path):
    """Copy the module's raw slices, then let a test rewrite one slice with a change."""

    def _spoil(file: str, unit: str, change) -> Settings:
        settings = Settings(loaded.seeds_dir, tmp_path / "warehouse", 0.05)
        shutil.copytree(loaded.raw_dir, settings.raw_dir)
        path = settings.raw_dir / file / f"{unit}.parquet"
        change(pl.read_parquet(path)).write_parquet(path)
        return settings

    return _spoil


def test_schemas_are_generated_from_the_declaration():
    for seed in SEED_FILES:
        schema = pandera_schema(seed, "003")
        assert list(schema.columns) == [*seed.column_names, SOURCE_LINE]
        assert schema.unique == list(seed.key)
        assert schema.strict is True
        for column in seed.columns:
            generated = schema.columns[column.name]
            assert generated.nullable is (not column.required), (seed.name, column.name)
            checks = {check.name for check in generated.checks}
            if column.kind == "enum":
                assert "isin" in checks
            if column.kind == "national_id":
                assert "str_matches" in checks
            if column.minimum is not None:
                assert "greater_than_or_equal_to" in checks


def test_accepted_slices_satisfy_the_contract(loaded):
    for seed in SEED_FILES:
        report = validate_seed_slices(seed, loaded)
        assert report.passed, (seed.name, report.failure_cases)
        # Every unit slice plus the empty schema slice.
        assert report.slices == len(list((loaded.raw_dir / seed.name).glob("*.parquet")))
    cadres = validate_seed_slices(seed_file("cadres"), loaded)
    # 003 lists three people, 273 two, the wards 00004 two and 00008 one.
    assert cadres.rows == 8


def _set(column: str, value, line: int = 2, dtype=None):
    """A change that puts `value` in `column` on the row from source line `line`."""

    def change(frame: pl.DataFrame) -> pl.DataFrame:
        literal = pl.lit(value, dtype=dtype or frame.schema[column])
        return frame.with_columns(
            pl.when(pl.col(SOURCE_LINE) == line)
            .then(literal)
            .otherwise(pl.col(column))
            .alias(column)
        )

    return change


def _duplicate_first_row(frame: pl.DataFrame) -> pl.DataFrame:
    copy = frame.head(1).with_columns(pl.lit(99, dtype=pl.Int64).alias(SOURCE_LINE))
    return pl.concat(
        [frame, copy.with_columns(pl.lit(1, dtype=pl.Int64).alias("unexcused_absences"))]
    )


BAD_SLICES = [
    # (id, file, unit, change, column, check, reported value)
    (
        "national_id",
        "cadres",
        "003",
        _set("national_id", "12345"),
        "national_id",
        "str_matches('^[0-9]{12}$')",
        None,
    ),
    ("enum", "cadres", "003", _set("gender", "x"), "gender", "isin(['nam', 'nu'])", "x"),
    (
        "required",
        "cadres",
        "003",
        _set("management_tier", None),
        "management_tier",
        "not_nullable",
        None,
    ),
    (
        "untrimmed",
        "cadres",
        "003",
        _set("full_name", " Nguyễn Văn An"),
        "full_name",
        "text_is_cleaned",
        None,
    ),
    (
        "not_nfc",
        "cadres",
        "003",
        _set("full_name", unicodedata.normalize("NFD", "Nguyễn")),
        "full_name",
        "text_is_cleaned",
        None,
    ),
    ("wrong_d", "cadres", "003", _set("full_name", "Ðỗ"), "full_name", "text_is_cleaned", None),
    ("unit_code", "cadres", "003", _set("unit_code", "273"), "unit_code", "isin(['003'])", "273"),
    # Two rows of one slice on the same line (each unit's slice has its own lines 2, 3...).
    ("line_twice", "cadres", "003", _set(SOURCE_LINE, 3), SOURCE_LINE, "field_uniqueness", "3"),
    (
        "negative_count",
        "enrolments",
        "003",
        _set("sessions_attended", -1),
        "sessions_attended",
        "greater_than_or_equal_to(0)",
        "-1",
    ),
    (
        "year_range",
        "evaluations",
        "003",
        _set("year", 2200),
        "year",
        "less_than_or_equal_to(2100)",
        "2200",
    ),
    (
        "date_range",
        "cadres",
        "003",
        _set("birth_date", dt.date(1850, 1, 1)),
        "birth_date",
        "in_range(1900-01-01, 2100-12-31)",
        None,
    ),
    (
        "code",
        "classes",
        "003",
        _set("class_code", "003 2019"),
        "class_code",
        "str_matches('^[A-Za-z0-9_\\-]+$')",
        "003 2019",
    ),
    (
        "key_unique",
        "enrolments",
        "003",
        _duplicate_first_row,
        None,
        "multiple_fields_uniqueness",
        None,
    ),
    (
        "end_before_start",
        "classes",
        "003",
        _set("end_date", dt.date(2019, 1, 1)),
        None,
        "end_date_not_before_start_date",
        None,
    ),
    (
        "level",
        "qualifications",
        "003",
        _set("level", "cu_nhan"),
        None,
        "level_ranked_for_its_kind",
        None,
    ),
    (
        "dtype",
        "classes",
        "003",
        lambda f: f.with_columns(pl.col("planned_sessions").cast(pl.Int32)),
        "planned_sessions",
        "dtype('Int64')",
        "Int32",
    ),
    (
        "extra_column",
        "positions",
        "003",
        lambda f: f.with_columns(pl.lit("x").alias("note")),
        None,
        "column_in_schema",
        "note",
    ),
    (
        "missing_column",
        "positions",
        "003",
        lambda f: f.drop("seats"),
        None,
        "column_in_dataframe",
        "seats",
    ),
]


@pytest.mark.parametrize("case", BAD_SLICES, ids=[case[0] for case in BAD_SLICES])
def test_a_slice_that_breaks_the_contract_fails(spoil, case):
    _id, file, unit, change, column, check, value = case
    settings = spoil(file, unit, change)
    report = validate_seed_slices(seed_file(file), settings)
    assert not report.passed
    found = [(c["slice"], c["column"], c["check"], c["value"]) for c in report.failure_cases]
    assert (f"{unit}.parquet", column, check, value) in found, found


def test_failure_cases_name_the_source_line_and_hide_personal_values(spoil):
    settings = spoil("cadres", "003", _set("national_id", "12345", line=3))
    report = validate_seed_slices(seed_file("cadres"), settings)
    assert report.failure_cases == [
        {
            "slice": "003.parquet",
            "column": "national_id",
            "check": "str_matches('^[0-9]{12}$')",
            "source_line": 3,
            "value": None,
        }
    ]


def test_a_key_shared_across_units_fails_where_it_must_be_unique_city_wide(loaded, spoil):
    class_of_003 = pl.read_parquet(loaded.raw_dir / "classes" / "003.parquet").head(1)

    def list_it_again(frame: pl.DataFrame) -> pl.DataFrame:
        again = class_of_003.with_columns(
            pl.lit("273").alias("unit_code"), pl.lit(3, dtype=pl.Int64).alias(SOURCE_LINE)
        )
        return pl.concat([frame, again])

    report = validate_seed_slices(seed_file("classes"), spoil("classes", "273", list_it_again))
    # Each slice is valid on its own; only the city-wide check sees the shared class_code.
    assert report.failure_count == 1
    assert report.failure_cases[0]["check"] == "key_unique_city_wide"
    assert report.failure_cases[0]["slice"] == "003.parquet, 273.parquet"


def test_the_city_wide_key_is_compared_whatever_else_a_slice_breaks(loaded, spoil):
    class_of_003 = pl.read_parquet(loaded.raw_dir / "classes" / "003.parquet").head(1)

    def list_it_again_badly(frame: pl.DataFrame) -> pl.DataFrame:
        again = class_of_003.with_columns(
            pl.lit("273").alias("unit_code"), pl.lit(3, dtype=pl.Int64).alias(SOURCE_LINE)
        )
        return pl.concat([frame, again]).with_columns(
            pl.col("planned_sessions").cast(pl.Int32), pl.lit("x").alias("note")
        )

    settings = spoil("classes", "273", list_it_again_badly)
    report = validate_seed_slices(seed_file("classes"), settings)
    checks = {case["check"]: case["slice"] for case in report.failure_cases}
    assert checks["key_unique_city_wide"] == "003.parquet, 273.parquet"
    assert checks["dtype('Int64')"] == checks["column_in_schema"] == "273.parquet"


def test_failure_cases_are_capped_and_counted(spoil):
    def many_bad(frame: pl.DataFrame) -> pl.DataFrame:
        rows = pl.concat([frame.head(1)] * 30).with_columns(
            pl.Series(SOURCE_LINE, range(100, 130), dtype=pl.Int64),
            pl.Series("year", range(2101, 2131), dtype=pl.Int64),
        )
        return pl.concat([frame, rows])

    report = validate_seed_slices(seed_file("evaluations"), spoil("evaluations", "003", many_bad))
    assert report.failure_count == 30
    assert len(report.failure_cases) == MAX_FAILURE_CASES
    result = check_result(report)
    assert result.passed is False
    assert result.metadata["failure_count"].value == 30
    assert len(result.metadata["failure_cases"].value) == MAX_FAILURE_CASES


def test_one_blocking_pandera_check_per_ingest_asset():
    specs = [spec for check in pandera_checks for spec in check.check_specs]
    assert sorted(spec.asset_key for spec in specs) == sorted(
        AssetKey(["ingest", seed.name]) for seed in SEED_FILES
    )
    assert {spec.name for spec in specs} == {CHECK_NAME}
    assert all(spec.blocking for spec in specs)


def test_a_slice_that_passed_is_not_read_again_until_its_bytes_change(loaded, tmp_path):
    settings = Settings(loaded.seeds_dir, tmp_path / "warehouse", 0.05)
    shutil.copytree(loaded.raw_dir, settings.raw_dir)
    cadres = seed_file("cadres")
    slices = len(list(settings.raw_dir.joinpath("cadres").glob("*.parquet")))

    first = validate_seed_slices(cadres, settings)
    assert (first.passed, first.slices, first.slices_unchanged, first.rows) == (True, slices, 0, 8)
    again = validate_seed_slices(cadres, settings)
    # Same bytes, same schema code: nothing read, the recorded row counts reused.
    assert (again.passed, again.slices_unchanged, again.rows) == (True, slices, 8)
    everything = validate_seed_slices(cadres, settings, reuse=False)
    assert (everything.passed, everything.slices_unchanged, everything.rows) == (True, 0, 8)

    # A slice rewritten in place (a disk error, a loader bug) is validated again and fails.
    path = settings.raw_dir / "cadres" / "003.parquet"
    _set("gender", "x")(pl.read_parquet(path)).write_parquet(path)
    spoiled = validate_seed_slices(cadres, settings)
    assert not spoiled.passed
    assert spoiled.slices_unchanged == slices - 1
    assert [case["slice"] for case in spoiled.failure_cases] == ["003.parquet"]
    # A failed slice is never recorded as passed: the next run fails again.
    assert not validate_seed_slices(cadres, settings).passed


def test_a_new_schema_version_validates_every_slice_again(loaded, tmp_path):
    settings = Settings(loaded.seeds_dir, tmp_path / "warehouse", 0.05)
    shutil.copytree(loaded.raw_dir, settings.raw_dir)
    cadres = seed_file("cadres")
    validate_seed_slices(cadres, settings)
    record = settings.status_dir / "cadres.pandera.json"
    recorded = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps({**recorded, "schema_version": "older"}), encoding="utf-8")
    assert validate_seed_slices(cadres, settings).slices_unchanged == 0


def test_the_comparison_across_units_runs_again_only_when_a_slice_changed(
    loaded, tmp_path, monkeypatch
):
    from orchestration.quality import pandera_checks

    settings = Settings(loaded.seeds_dir, tmp_path / "warehouse", 0.05)
    shutil.copytree(loaded.raw_dir, settings.raw_dir)
    classes = seed_file("classes")
    assert validate_seed_slices(classes, settings).passed
    compared = []
    real = pandera_checks._city_wide_duplicates
    monkeypatch.setattr(
        pandera_checks,
        "_city_wide_duplicates",
        lambda seed, paths: compared.append(len(paths)) or real(seed, paths),
    )
    # The same slices as when it passed: the same verdict, without reading them.
    assert validate_seed_slices(classes, settings).passed
    assert compared == []
    # 273 lists a class of 003 again: every slice is compared, and the key shared found.
    class_of_003 = pl.read_parquet(settings.raw_dir / "classes" / "003.parquet").head(1)
    path = settings.raw_dir / "classes" / "273.parquet"
    again = class_of_003.with_columns(
        pl.lit("273").alias("unit_code"), pl.lit(3, dtype=pl.Int64).alias(SOURCE_LINE)
    )
    pl.concat([pl.read_parquet(path), again]).write_parquet(path)
    report = validate_seed_slices(classes, settings)
    slices = len(list(settings.raw_dir.joinpath("classes").glob("*.parquet")))
    assert compared == [slices]
    assert [case["check"] for case in report.failure_cases] == ["key_unique_city_wide"]
    # A failed comparison is never recorded as passed.
    assert not validate_seed_slices(classes, settings).passed
    assert compared == [slices, slices]
