"""The shipped seeds reproduce the published figures F1-F10 (CONTRACT.md §6).

Each figure is computed straight from the CSV files with small DuckDB queries of its own,
independent of dbt and of the generator, and compared the way §6 words it: shares rounded
half away from zero to 3 decimals, coefficients to 2.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
REFERENCE = ("units", "terms", "titles", "programs", "targets")
SUBMISSIONS = (
    "cadres",
    "classes",
    "enrolments",
    "qualifications",
    "committee_members",
    "planning",
    "positions",
    "evaluations",
)
RANKS = """
    CASE qualification_kind
        WHEN 'chuyen_mon' THEN CASE level WHEN 'trung_cap' THEN 1 WHEN 'cao_dang' THEN 2
            WHEN 'dai_hoc' THEN 3 WHEN 'thac_si' THEN 4 WHEN 'tien_si' THEN 5 END
        WHEN 'ly_luan_chinh_tri' THEN CASE level WHEN 'so_cap' THEN 1 WHEN 'trung_cap' THEN 2
            WHEN 'cao_cap' THEN 3 WHEN 'cu_nhan' THEN 4 END
    END
"""


def rounded(numerator: int, denominator: int, places: int) -> Decimal:
    """Half away from zero, exactly (no binary floating point on the way)."""
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


@pytest.fixture(scope="module")
def db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in REFERENCE:
        path = SEEDS / "reference" / f"{name}.csv"
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', all_varchar = true)")
    for name in SUBMISSIONS:
        path = SEEDS / "submissions" / "*" / f"{name}.csv"
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', all_varchar = true, "
            "union_by_name = true)"
        )
    con.execute(
        f"""
        CREATE TABLE levels AS
        SELECT national_id, qualification_kind, CAST(awarded_date AS DATE) AS awarded_date,
               {RANKS} AS level_rank
        FROM qualifications
        """
    )
    con.execute(
        """
        CREATE TABLE class_facts AS
        SELECT c.class_code, c.unit_code, c.program_code, p.program_kind, p.target_group,
               t.term_code, c.target_term_code, CAST(c.start_date AS DATE) AS start_date,
               coalesce(e.enrolled_count, 0) AS enrolled_count
        FROM classes c
        JOIN programs p USING (program_code)
        LEFT JOIN (SELECT class_code, count(*) AS enrolled_count FROM enrolments GROUP BY ALL) e
            USING (class_code)
        LEFT JOIN terms t ON t.term_kind = 'dai_hoi'
            AND CAST(c.start_date AS DATE)
                BETWEEN CAST(t.start_date AS DATE) AND CAST(t.end_date AS DATE)
        """
    )
    return con


def test_f1_tay_ho_classes_and_enrolments(db):
    classes, enrolments = db.execute(
        "SELECT count(*), sum(enrolled_count) FROM class_facts "
        "WHERE unit_code = '003' AND term_code = '2015-2020'"
    ).fetchone()
    assert classes == 187
    assert 22000 < enrolments < 23000


def test_f2_hai_ba_trung_source_classes(db):
    rows = db.execute(
        "SELECT target_group, count(*), sum(enrolled_count) FROM class_facts "
        "WHERE unit_code = '007' AND program_kind = 'nguon_quy_hoach' AND term_code = '2015-2020' "
        "GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("bch_cung_cap", 1, 80),
        ("bi_thu_co_so", 1, 89),
        ("chu_tich_hdnd_ubnd_co_so", 1, 87),
        ("lanh_dao_phong_ban", 1, 116),
    ]


def test_f3_source_classes_outside_the_city(db):
    kinds = db.execute(
        """
        SELECT u.unit_kind, count(DISTINCT f.unit_code)
        FROM class_facts f JOIN units u USING (unit_code)
        WHERE f.program_kind = 'nguon_quy_hoach' AND f.term_code = '2015-2020'
          AND f.unit_code <> '01'
        GROUP BY ALL
        """
    ).fetchall()
    counts = dict(kinds)
    assert sum(counts.values()) == 30
    assert counts.get("dang_uy_truc_thuoc") == 5
    assert sum(counts.get(kind, 0) for kind in ("quan", "huyen", "thi_xa")) == 25
    groups = dict(
        (group, (classes, enrolled))
        for group, classes, enrolled in db.execute(
            """
            SELECT CASE WHEN target_group IN ('lanh_dao_phong_ban', 'bi_thu_co_so')
                        THEN 'leaders' ELSE target_group END,
                   count(*), sum(enrolled_count)
            FROM class_facts
            WHERE program_kind = 'nguon_quy_hoach' AND term_code = '2015-2020'
              AND unit_code <> '01'
            GROUP BY ALL
            """
        ).fetchall()
    )
    assert groups["bch_cung_cap"] == (26, 2542)
    assert groups["leaders"] == (69, 8122)


def test_f4_city_classes_of_2019(db):
    rows = db.execute(
        """
        SELECT coalesce(target_group, program_kind), count(*), sum(enrolled_count),
               string_agg(DISTINCT coalesce(target_term_code, ''), ',')
        FROM class_facts
        WHERE unit_code = '01' AND year(start_date) = 2019
          AND (target_group IN ('bi_thu_cap_huyen', 'giam_doc_so_chu_tich_cap_huyen')
               OR program_kind = 'ngoai_ngu')
        GROUP BY ALL ORDER BY 1
        """
    ).fetchall()
    assert rows == [
        ("bi_thu_cap_huyen", 1, 86, "2020-2025"),
        ("giam_doc_so_chu_tich_cap_huyen", 1, 84, "2021-2026"),
        ("ngoai_ngu", 2, 40, ""),
    ]


def _women(db, unit: str) -> tuple[int, int]:
    return db.execute(
        """
        SELECT count(DISTINCT m.national_id) FILTER (WHERE c.gender = 'nu'),
               count(DISTINCT m.national_id) FILTER (WHERE c.gender IS NOT NULL)
        FROM committee_members m LEFT JOIN cadres c USING (national_id)
        WHERE m.unit_code = ? AND m.committee_level = 'co_so' AND m.term_code = '2020-2025'
        """,
        [unit],
    ).fetchone()


def test_f5_women_in_grassroots_committees(db):
    def share(unit: str) -> Decimal:
        women, members = _women(db, unit)
        return Decimal(women) / Decimal(members)

    assert Decimal("0.40") < share("009") < Decimal("0.41")
    assert Decimal("0.32") < share("005") < Decimal("0.33")
    assert rounded(*_women(db, "020"), 3) == Decimal("0.291")
    assert Decimal("0.22") < share("273") < Decimal("0.23")


def test_f6_phuc_tho_university_share(db):
    rows = dict(
        (term, (university, members))
        for term, university, members in db.execute(
            """
            WITH members AS (
                SELECT DISTINCT m.national_id, m.term_code, CAST(t.start_date AS DATE) AS day
                FROM committee_members m JOIN terms t USING (term_code)
                WHERE m.unit_code = '272' AND m.committee_level = 'co_so'
            ),
            ranked AS (
                SELECT m.term_code, m.national_id, max(l.level_rank) AS rank
                FROM members m LEFT JOIN levels l ON l.national_id = m.national_id
                    AND l.qualification_kind = 'chuyen_mon' AND l.awarded_date <= m.day
                GROUP BY ALL
            )
            SELECT term_code, count(*) FILTER (WHERE rank >= 3), count(*)
            FROM ranked GROUP BY ALL
            """
        ).fetchall()
    )
    assert rounded(*rows["2020-2025"], 3) == Decimal("0.940")
    assert rounded(*rows["2015-2020"], 3) == Decimal("0.664")


def test_f7_f8_city_planning_pool(db):
    rows = {
        term: values
        for term, *values in db.execute(
            """
            WITH pool AS (
                SELECT DISTINCT national_id, term_code, CAST(decision_date AS DATE) AS day
                FROM planning
                WHERE unit_code = '01' AND title_code = 'BCH_TP' AND status = 'approved'
            ),
            ranked AS (
                SELECT p.term_code, p.national_id,
                       max(l.level_rank) FILTER (WHERE l.qualification_kind = 'chuyen_mon')
                           AS professional,
                       max(l.level_rank) FILTER (WHERE l.qualification_kind = 'ly_luan_chinh_tri')
                           AS political
                FROM pool p LEFT JOIN levels l
                    ON l.national_id = p.national_id AND l.awarded_date <= p.day
                GROUP BY ALL
            )
            SELECT r.term_code, count(DISTINCT r.national_id),
                   count(*) FILTER (WHERE professional >= 4),
                   count(*) FILTER (WHERE political >= 3),
                   (SELECT CAST(seats AS INTEGER) FROM positions s
                    WHERE s.unit_code = '01' AND s.title_code = 'BCH_TP'
                      AND s.term_code = r.term_code)
            FROM ranked r GROUP BY r.term_code
            """
        ).fetchall()
    }
    first, second = rows["2015-2020"], rows["2020-2025"]
    assert first[3] == second[3] == 113
    assert rounded(first[0], first[3], 2) == Decimal("1.49")
    assert rounded(second[0], second[3], 2) == Decimal("1.98")
    assert rounded(first[1], first[0], 3) == Decimal("0.482")
    assert rounded(second[1], second[0], 3) == Decimal("0.732")
    assert rounded(first[2], first[0], 3) == Decimal("0.929")
    assert rounded(second[2], second[0], 3) == Decimal("0.933")
    withdrawn = db.execute(
        "SELECT count(*) FROM planning WHERE title_code = 'BCH_TP' AND status = 'withdrawn'"
    ).fetchone()[0]
    assert withdrawn > 0


F9_TARGETS = {
    ("btv_thanh_uy", "share_postgrad", ">=", 0.35),
    ("btv_thanh_uy", "share_political_advanced", ">=", 1.0),
    ("chu_chot_cap_xa", "share_political_intermediate_plus", ">=", 1.0),
    ("chu_chot_phuong_thi_tran", "share_university_plus", ">=", 1.0),
    ("chu_chot_xa", "share_university_plus", ">", 0.8),
}


def test_f9_targets_and_a_realistic_mix(db):
    rows = db.execute(
        "SELECT term_code, population, metric, comparator, CAST(threshold AS DOUBLE), "
        "source_document FROM targets"
    ).fetchall()
    assert {row[0] for row in rows} == {"2015-2020"}
    assert {row[1:5] for row in rows} == F9_TARGETS
    assert {row[5] for row in rows} == {
        "Nghị quyết Đại hội XVI Đảng bộ Thành phố; Đề án 04-ĐA/TU, 20/9/2017"
    }
    # Attainment per unit as of the term's end: some units meet a target, some miss it.
    verdicts = db.execute(
        """
        WITH people AS (
            SELECT c.national_id, c.unit_code, p.population
            FROM cadres c, (VALUES ('btv_thanh_uy'), ('chu_chot_cap_xa'),
                ('chu_chot_phuong_thi_tran'), ('chu_chot_xa')) p(population)
            WHERE (p.population = 'btv_thanh_uy' AND c.management_tier = 'btv_thanh_uy')
               OR (p.population = 'chu_chot_cap_xa' AND c.management_tier = 'chu_chot_cap_xa')
               OR (p.population = 'chu_chot_phuong_thi_tran'
                   AND c.management_tier = 'chu_chot_cap_xa'
                   AND c.workplace_kind IN ('phuong', 'thi_tran'))
               OR (p.population = 'chu_chot_xa' AND c.management_tier = 'chu_chot_cap_xa'
                   AND c.workplace_kind = 'xa')
        ),
        held AS (
            SELECT p.*,
                max(l.level_rank) FILTER (WHERE l.qualification_kind = 'chuyen_mon') AS prof,
                max(l.level_rank) FILTER (WHERE l.qualification_kind = 'ly_luan_chinh_tri') AS pol
            FROM people p LEFT JOIN levels l
                ON l.national_id = p.national_id AND l.awarded_date <= DATE '2020-09-30'
            GROUP BY ALL
        ),
        scored AS (
            SELECT t.target_code, h.unit_code, CAST(t.threshold AS DOUBLE) AS threshold,
                t.comparator,
                avg(CASE t.metric
                    WHEN 'share_postgrad' THEN coalesce(prof, 0) >= 4
                    WHEN 'share_university_plus' THEN coalesce(prof, 0) >= 3
                    WHEN 'share_political_advanced' THEN coalesce(pol, 0) >= 3
                    WHEN 'share_political_intermediate_plus' THEN coalesce(pol, 0) >= 2
                END::INTEGER) AS actual
            FROM targets t JOIN held h USING (population)
            GROUP BY GROUPING SETS ((t.target_code, t.threshold, t.comparator, h.unit_code),
                                    (t.target_code, t.threshold, t.comparator))
        )
        SELECT unit_code IS NULL AS city,
               CASE comparator WHEN '>=' THEN actual >= threshold ELSE actual > threshold END
        FROM scored
        """
    ).fetchall()
    unit_verdicts = {met for city, met in verdicts if not city}
    assert unit_verdicts == {True, False}
    assert sum(1 for city, _ in verdicts if city) == 5


def test_f10_unexcused_absences_across_years(db):
    years = db.execute(
        """
        SELECT year(CAST(c.start_date AS DATE)) AS year, count(DISTINCT e.national_id)
        FROM enrolments e JOIN classes c USING (class_code)
        WHERE CAST(e.unexcused_absences AS INTEGER) > 0
        GROUP BY ALL
        """
    ).fetchall()
    assert len(years) >= 5
    assert all(people > 0 for _, people in years)
