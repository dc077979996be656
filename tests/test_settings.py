"""The as-of date: pinned by NHANLUC_AS_OF_DATE, else the day a refresh starts in Hà Nội."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from orchestration import build_state
from orchestration.settings import current_settings


def test_the_variable_pins_the_as_of_date(monkeypatch):
    monkeypatch.setenv("NHANLUC_AS_OF_DATE", "2026-11-30")
    settings = current_settings()
    # The start of the run no longer matters.
    assert settings.as_of_date_for(0.0) == date(2026, 11, 30)


def test_without_it_the_day_the_refresh_starts_in_hanoi(monkeypatch):
    monkeypatch.delenv("NHANLUC_AS_OF_DATE")
    settings = current_settings()
    # 18:30 UTC on 30 November is 01:30 on 1 December in Hà Nội (UTC+7).
    started = datetime(2026, 11, 30, 18, 30, tzinfo=UTC).timestamp()
    assert settings.as_of_date_for(started) == date(2026, 12, 1)
    # 16:59 UTC is still 23:59 on 30 November there.
    started = datetime(2026, 11, 30, 16, 59, tzinfo=UTC).timestamp()
    assert settings.as_of_date_for(started) == date(2026, 11, 30)


def test_a_date_not_written_iso_is_refused(monkeypatch):
    monkeypatch.setenv("NHANLUC_AS_OF_DATE", "30/11/2026")
    with pytest.raises(ValueError, match="NHANLUC_AS_OF_DATE must be a date written YYYY-MM-DD"):
        current_settings()


def test_a_new_as_of_date_is_a_new_input(tmp_path, monkeypatch):
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(tmp_path))
    settings = current_settings()
    first = build_state.inputs_fingerprint(settings, date(2026, 11, 30))
    assert first == build_state.inputs_fingerprint(settings, date(2026, 11, 30))
    assert first != build_state.inputs_fingerprint(settings, date(2026, 12, 1))


def test_dbt_and_the_refresh_default_to_the_same_warehouse(monkeypatch):
    """dbt inherits the refresh's environment: unset, both must name one folder."""
    import yaml

    from orchestration.settings import DBT_PROJECT_DIR

    monkeypatch.delenv("NHANLUC_WAREHOUSE_DIR", raising=False)
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    path = profile["nhanluc"]["outputs"]["duckdb"]["path"]
    default = path.split("env_var('NHANLUC_WAREHOUSE_DIR', '")[1].split("'")[0]
    # dbt runs in the project folder (dagster-dbt's cwd), so its default is relative to it.
    assert (DBT_PROJECT_DIR / default).resolve() == current_settings().warehouse_dir
    assert path.endswith("/private/build.duckdb")
