"""The report asset in a real refresh: its pages and its Dagster metadata."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def published(published_refresh):
    con = duckdb.connect(str(published_refresh.published), read_only=True)
    yield con
    con.close()


def _column(con, sql: str) -> list:
    return [row[0] for row in con.execute(sql).fetchall()]


def test_a_page_per_unit_and_per_target(published_refresh, published):
    report = published_refresh.warehouse / "report"
    assert report.is_symlink() and report.resolve().name.startswith("report-")
    units = _column(published, "SELECT unit_code FROM marts.dim_units")
    targets = _column(published, "SELECT DISTINCT target_code FROM marts.mart_target_attainment")
    for code in units:
        assert (report / f"don-vi-{code}.html").is_file(), code
    for code in targets:
        assert (report / f"chi-tieu-{code}.html").is_file(), code
    tables = set(_column(published, "SELECT table_name FROM duckdb_tables()"))
    history = {"mart_unit_transitions", "mart_current_unit_training"} <= tables
    assert (report / "sap-xep-don-vi-2025.html").exists() == history
    pages = sorted(p.name for p in report.iterdir() if p.suffix == ".html")
    # Overview, unit list and data quality, one page per unit and target, and the
    # reorganisation page when its marts are published.
    assert len(pages) == 3 + len(units) + len(targets) + history
    # Only the current version is kept beside the link.
    assert len(list(published_refresh.warehouse.glob("report-*"))) == 1


def test_metadata_carries_the_overview_path_and_the_targets(published_refresh, published):
    metadata = published_refresh.metadata["publish/report"]
    overview = published_refresh.warehouse / "report" / "index.html"
    assert metadata["path"].value == str(overview)
    met, missed = published.execute(
        "SELECT count(*) FILTER (met), count(*) FILTER (NOT met) "
        "FROM marts.mart_target_attainment WHERE scope = 'city'"
    ).fetchone()
    summary = metadata["summary"].value
    assert f"**City targets: {met} met, {missed} missed**" in summary
    verdicts = dict(
        published.execute(
            "SELECT target_code, met FROM marts.mart_target_attainment WHERE scope = 'city'"
        ).fetchall()
    )
    rows = {line.split(" | ")[0].strip("| "): line for line in summary.splitlines()}
    for code, met_ in verdicts.items():
        assert rows[code].endswith("| ✓ |" if met_ else "| ✗ |"), rows[code]
    assert metadata["targets_met"].value == met
