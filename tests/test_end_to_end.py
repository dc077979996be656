"""One real run: `nightly_refresh` through Dagster's API on the shipped seeds, into tmp folders.

Asserts the published file (tables, row counts reconciled with the CSV files, no personal
data) and the published figures F1-F13 of CONTRACT.md §6, at the shipped data's as-of date
(tests/conftest.py pins it).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import REPO_ROOT
from schemas import SEED_FILES

SEEDS = REPO_ROOT / "seeds"
pytestmark = pytest.mark.e2e
# The official list of the 126 communes of 1 July 2025 (tools/reference_data/README.md).
COMMUNES = REPO_ROOT / "tools" / "reference_data" / "hanoi_communes_2025.csv"
DISTRICTS = [
    *("001", "002", "003", "004", "005", "006", "007", "008", "009", "016", "017", "018"),
    *("019", "020", "021", "250", "268", "269", "271", "272", "273", "274", "275", "276"),
    *("277", "278", "279", "280", "281", "282"),
]


@pytest.fixture(scope="module")
def published(published_refresh):
    """The session's nightly refresh of the shipped seeds (tests/conftest.py), read-only."""
    con = duckdb.connect(str(published_refresh.published), read_only=True)
    yield con, published_refresh.warehouse
    con.close()


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_published_file_holds_marts_and_quality_only(published):
    con, warehouse = published
    schemas = {
        row[0] for row in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()
    }
    assert schemas == {"marts", "quality"}
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"dim_units", "submission_files", "rejections"} <= tables
    # Nothing but the published file is left beside it.
    assert sorted(p.name for p in warehouse.iterdir() if p.is_file()) == ["nhanluc.duckdb"]


def test_row_counts_reconcile_with_the_csv_files(published):
    con, _ = published
    expected = {}
    for seed in SEED_FILES:
        paths = (
            [SEEDS / "reference" / seed.filename]
            if seed.folder == "reference"
            else sorted(SEEDS.glob(f"submissions/*/{seed.filename}"))
        )
        expected[seed.name] = sum(_csv_rows(path) for path in paths)
    read = dict(
        con.execute(
            "SELECT file, sum(rows_read) FROM quality.submission_files GROUP BY file"
        ).fetchall()
    )
    assert read == expected
    accepted = dict(
        con.execute(
            "SELECT file, sum(rows_accepted) FROM quality.submission_files GROUP BY file"
        ).fetchall()
    )
    assert accepted == expected  # the shipped seeds are clean
    assert con.execute("SELECT count(*) FROM quality.rejections").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM marts.dim_units").fetchone()[0] == expected["units"]


def test_no_direct_identifiers_are_published(published):
    con, _ = published
    columns = con.execute(
        "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name IN ('marts', 'quality')"
    ).fetchall()
    assert not [c for c in columns if c[2] in {"national_id", "full_name", "birth_date"}]
    names = set()
    for path in SEEDS.glob("submissions/*/cadres.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            names.update(row["full_name"] for row in csv.DictReader(handle))
    # A standalone 12-digit token (a national ID), not digits inside a hexadecimal key.
    twelve_digits = re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])")
    for schema, table, column, data_type in columns:
        if data_type != "VARCHAR":
            continue
        values = [
            row[0]
            for row in con.execute(
                f'SELECT DISTINCT "{column}" FROM {schema}.{table} WHERE "{column}" IS NOT NULL'
            ).fetchall()
        ]
        assert not [v for v in values if twelve_digits.search(v)], (table, column)
        assert not names & set(values), (table, column)


# The published figures (CONTRACT.md §6), read from the published marts. Shares are compared
# rounded half away from zero to 3 decimals, coefficients to 2 (DuckDB's round() does that);
# "more than X %" means in (X %, X + 1 %).


def _one(con, query, *params):
    return con.execute(query, list(params)).fetchone()


def test_f1_tay_ho_classes_and_enrolments(published):
    con, _ = published
    classes, enrolments = _one(
        con,
        "SELECT classes_count, enrolments_count FROM marts.mart_unit_training_summary "
        "WHERE unit_code = '003' AND term_code = '2015-2020'",
    )
    assert classes == 187
    assert 22000 < enrolments < 23000


def test_f2_hai_ba_trung_planning_source_classes(published):
    con, _ = published
    rows = con.execute(
        "SELECT target_group, count(*), sum(enrolled_count) FROM marts.fct_classes "
        "WHERE unit_code = '007' AND program_kind = 'nguon_quy_hoach' AND term_code = '2015-2020' "
        "GROUP BY target_group ORDER BY target_group"
    ).fetchall()
    assert rows == [
        ("bch_cung_cap", 1, 80),
        ("bi_thu_co_so", 1, 89),
        ("chu_tich_hdnd_ubnd_co_so", 1, 87),
        ("lanh_dao_phong_ban", 1, 116),
    ]


def test_f3_planning_source_classes_across_units(published):
    con, _ = published
    source = (
        "FROM marts.fct_classes c JOIN marts.dim_units u USING (unit_code) "
        "WHERE c.term_code = '2015-2020' AND c.unit_code <> '01' "
        "AND c.program_kind = 'nguon_quy_hoach'"
    )
    kinds = dict(
        con.execute(
            "SELECT u.unit_kind = 'dang_uy_truc_thuoc', count(DISTINCT c.unit_code) "
            f"{source} GROUP BY 1"
        ).fetchall()
    )
    assert kinds == {False: 25, True: 5}
    assert _one(
        con, f"SELECT count(*), sum(enrolled_count) {source} AND target_group = 'bch_cung_cap'"
    ) == (26, 2542)
    assert _one(
        con,
        f"SELECT count(*), sum(enrolled_count) {source} "
        "AND target_group IN ('lanh_dao_phong_ban', 'bi_thu_co_so')",
    ) == (69, 8122)


def test_f4_city_classes_of_2019(published):
    con, _ = published
    rows = con.execute(
        "SELECT coalesce(target_group, program_kind), count(*), sum(enrolled_count), "
        "string_agg(DISTINCT target_term_code) FROM marts.fct_classes "
        "WHERE unit_code = '01' AND year(start_date) = 2019 AND (target_group IN "
        "('bi_thu_cap_huyen', 'giam_doc_so_chu_tich_cap_huyen') OR program_kind = 'ngoai_ngu') "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("bi_thu_cap_huyen", 1, 86, "2020-2025"),
        ("giam_doc_so_chu_tich_cap_huyen", 1, 84, "2021-2026"),
        ("ngoai_ngu", 2, 40, None),
    ]


def test_f5_f6_grassroots_committees(published):
    con, _ = published
    shares = dict(
        con.execute(
            "SELECT unit_code, share_women FROM marts.mart_committee_composition "
            "WHERE committee_level = 'co_so' AND term_code = '2020-2025'"
        ).fetchall()
    )
    assert 0.40 < shares["009"] < 0.41
    assert 0.32 < shares["005"] < 0.33
    assert round(shares["020"], 3) == 0.291
    assert 0.22 < shares["273"] < 0.23
    university = dict(
        con.execute(
            "SELECT term_code, round(share_university_plus, 3) "
            "FROM marts.mart_committee_composition "
            "WHERE committee_level = 'co_so' AND unit_code = '272'"
        ).fetchall()
    )
    assert university == {"2015-2020": 0.664, "2020-2025": 0.940}


def test_f7_f8_city_committee_planning_pool(published):
    con, _ = published
    rows = con.execute(
        "SELECT term_code, round(planning_coefficient, 2), round(share_masters_plus, 3), "
        "round(share_political_advanced, 3) FROM marts.mart_planning_pool "
        "WHERE unit_code = '01' AND title_code = 'BCH_TP' "
        "AND term_code IN ('2015-2020', '2020-2025') ORDER BY term_code"
    ).fetchall()
    assert rows == [("2015-2020", 1.49, 0.482, 0.929), ("2020-2025", 1.98, 0.732, 0.933)]


def test_f9_congress_term_targets(published):
    con, _ = published
    targets = con.execute(
        "SELECT population, metric, comparator, threshold FROM marts.mart_target_attainment "
        "WHERE scope = 'city' AND term_code = '2015-2020' ORDER BY 1, 2"
    ).fetchall()
    assert targets == [
        ("btv_thanh_uy", "share_political_advanced", ">=", 1.0),
        ("btv_thanh_uy", "share_postgrad", ">=", 0.35),
        ("chu_chot_cap_xa", "share_political_intermediate_plus", ">=", 1.0),
        ("chu_chot_phuong_thi_tran", "share_university_plus", ">=", 1.0),
        ("chu_chot_xa", "share_university_plus", ">", 0.8),
    ]
    inconsistent = _one(
        con,
        "SELECT count(*) FROM marts.mart_target_attainment WHERE "
        "abs(actual_value - numerator / denominator) > 1e-12 "
        "OR met <> CASE comparator WHEN '>=' THEN actual_value >= threshold "
        "ELSE actual_value > threshold END OR abs(gap - (actual_value - threshold)) > 1e-12",
    )[0]
    assert inconsistent == 0
    # A cadre population's city row is the sum of its unit rows (one period per person on
    # the reference date); quy_hoach counts a person once per unit, so it is not.
    unbalanced = _one(
        con,
        "SELECT count(*) FROM marts.mart_target_attainment c JOIN ("
        "  SELECT target_code, sum(numerator) AS n, sum(denominator) AS d "
        "  FROM marts.mart_target_attainment WHERE scope <> 'city' GROUP BY target_code"
        ") u USING (target_code) WHERE c.scope = 'city' AND c.population <> 'quy_hoach' "
        "AND (c.numerator <> u.n OR c.denominator <> u.d)",
    )[0]
    assert unbalanced == 0


def test_f10_attendance_review_lists_every_unexcused_absence(published):
    con, _ = published
    expected = con.execute(
        "SELECT e.person_key, year(c.start_date), sum(e.unexcused_absences) "
        "FROM marts.fct_enrolments e JOIN marts.fct_classes c USING (class_code) "
        "WHERE e.unexcused_absences > 0 GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    listed = con.execute(
        "SELECT person_key, year, unexcused_absences FROM marts.mart_attendance_review ORDER BY ALL"
    ).fetchall()
    assert listed == expected
    assert len({year for _, year, _ in listed}) >= 3


def test_f9_targets_are_measured_on_the_last_day_of_the_term(published):
    con, _ = published
    dates = con.execute(
        "SELECT DISTINCT reference_date FROM marts.mart_target_attainment "
        "WHERE term_code = '2015-2020'"
    ).fetchall()
    assert [str(d) for (d,) in dates] == ["2020-09-30"]


def _communes() -> list[dict[str, str]]:
    with COMMUNES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_f11_the_reorganisation_of_1_july_2025(published):
    con, _ = published
    communes = _communes()
    assert len(communes) == 126
    published_units = con.execute(
        "SELECT unit_code, unit_name, unit_kind, parent_code, CAST(valid_from AS VARCHAR), "
        "valid_to FROM marts.dim_units WHERE unit_kind IN ('phuong', 'xa') ORDER BY unit_code"
    ).fetchall()
    assert published_units == sorted(
        (c["unit_code"], c["unit_name"], c["unit_kind"], "01", "2025-07-01", None) for c in communes
    )
    kinds = dict(
        con.execute(
            "SELECT unit_kind, count(*) FROM marts.dim_units "
            "WHERE unit_kind IN ('phuong', 'xa') GROUP BY 1"
        ).fetchall()
    )
    assert kinds == {"phuong": 51, "xa": 75}
    districts = con.execute(
        "SELECT unit_code, CAST(valid_to AS VARCHAR), is_current FROM marts.dim_units "
        "WHERE unit_kind IN ('quan', 'huyen', 'thi_xa') ORDER BY 1"
    ).fetchall()
    assert districts == [(code, "2025-06-30", False) for code in DISTRICTS]
    successions = con.execute(
        "SELECT predecessor_code, successor_code, CAST(effective_date AS VARCHAR) "
        "FROM marts.dim_unit_successions WHERE predecessor_code IN "
        f"({', '.join(repr(code) for code in DISTRICTS)}) ORDER BY 1, 2"
    ).fetchall()
    expected = sorted(
        (district, c["unit_code"], "2025-07-01")
        for c in communes
        for district in c["predecessor_district_codes"].split("|")
    )
    assert len(expected) == 214
    assert successions == expected


def test_f12_district_cadres_moved_into_the_new_units(published):
    con, _ = published
    with_rows = {
        code
        for (code,) in con.execute(
            "SELECT DISTINCT unit_code FROM marts.mart_unit_transitions"
        ).fetchall()
    }
    assert set(DISTRICTS) <= with_rows
    ended, moved_on = _one(
        con,
        "SELECT sum(people_count), sum(people_count) FILTER ("
        "  WHERE is_successor OR destination_code = '01') "
        "FROM marts.mart_unit_transitions WHERE end_date = DATE '2025-06-30' "
        f"AND unit_code IN ({', '.join(repr(code) for code in DISTRICTS)})",
    )
    assert ended > 0
    assert moved_on / ended >= 0.90
    # Every destination the mart calls a successor is one in dim_unit_successions.
    assert (
        _one(
            con,
            "SELECT count(*) FROM marts.mart_unit_transitions t WHERE is_successor AND NOT "
            "EXISTS (SELECT 1 FROM marts.dim_unit_successions s WHERE s.predecessor_code = "
            "t.unit_code AND s.successor_code = t.destination_code)",
        )[0]
        == 0
    )


def test_f13_the_2025_2030_planning_pool_under_quy_dinh_50(published):
    con, warehouse = published
    raw = warehouse / "private" / "raw"
    rows = con.execute(
        "SELECT metric, comparator, threshold, numerator, denominator, met "
        "FROM marts.mart_target_attainment WHERE scope = 'city' AND term_code = '2025-2030' "
        "AND population = 'quy_hoach' ORDER BY metric"
    ).fetchall()
    # The city row counted from the accepted rows ingest wrote, without dbt: each approved
    # person once, measured on their earliest decision date for the term; gender and birth
    # date from their cadre rows.
    people = (
        duckdb.connect()
        .execute(
            f"""
        WITH approved AS (
            SELECT national_id, min(decision_date) AS decided
            FROM read_parquet('{raw}/planning/*.parquet')
            WHERE term_code = '2025-2030' AND status = 'approved' GROUP BY 1
        ),
        person AS (
            SELECT national_id, any_value(gender) AS gender, any_value(birth_date) AS birth_date
            FROM read_parquet('{raw}/cadres/*.parquet') GROUP BY 1
        )
        SELECT count(*) FILTER (WHERE p.gender = 'nu'), count(p.gender),
               count(*) FILTER (WHERE p.birth_date + INTERVAL 40 YEAR > a.decided),
               count(p.birth_date)
        FROM approved a LEFT JOIN person p USING (national_id)
        """
        )
        .fetchone()
    )
    women, gender_known, under_40, birth_known = people
    assert [row[:5] for row in rows] == [
        ("share_under_40", ">=", 0.15, under_40, birth_known),
        ("share_women", ">=", 0.25, women, gender_known),
    ]
    for _, _, threshold, numerator, denominator, met in rows:
        assert met == (numerator / denominator >= threshold)
    missing = dict(
        con.execute(
            "SELECT metric, count(*) FILTER (WHERE NOT met) FROM marts.mart_target_attainment "
            "WHERE scope <> 'city' AND term_code = '2025-2030' AND population = 'quy_hoach' "
            "GROUP BY 1"
        ).fetchall()
    )
    assert missing["share_women"] >= 1 and missing["share_under_40"] >= 1


def test_the_published_file_says_which_day_it_describes(published):
    con, _ = published
    as_of, built_at = _one(con, "SELECT as_of_date, built_at FROM quality.refresh")
    assert str(as_of) == "2026-11-30"
    assert built_at is not None
