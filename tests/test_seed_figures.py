"""The shipped seeds reproduce the published figures F1-F13 (CONTRACT.md §6) and obey the
time rules of §3.

Each figure is computed straight from the CSV files with small DuckDB queries of its own,
independent of dbt and of the generator, and compared the way §6 words it: shares rounded
half away from zero to 3 decimals, coefficients to 2.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# The official list of the communes formed on 1 July 2025, as the repository keeps it.
COMMUNES = ROOT / "tools" / "reference_data" / "hanoi_communes_2025.csv"
REFERENCE = ("units", "terms", "titles", "programs", "targets", "unit_successions")
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
            "union_by_name = true, filename = true)"
        )
    con.execute(
        """
        CREATE TABLE unit_dates AS
        SELECT unit_code, unit_kind, CAST(valid_from AS DATE) AS unit_from,
               CAST(valid_to AS DATE) AS unit_to
        FROM units
        """
    )
    # Each cadre period with its effective dates: an empty date is the unit's (§2).
    con.execute(
        """
        CREATE TABLE periods AS
        SELECT c.*, u.unit_kind, u.unit_from, u.unit_to,
               coalesce(CAST(c.valid_from AS DATE), u.unit_from) AS period_from,
               coalesce(CAST(c.valid_to AS DATE), u.unit_to) AS period_to
        FROM cadres c JOIN unit_dates u USING (unit_code)
        """
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
    rows = [row for row in rows if row[0] == "2015-2020"]
    assert {row[1:5] for row in rows} == F9_TARGETS
    assert len(rows) == len(F9_TARGETS)
    assert {row[5] for row in rows} == {
        "Nghị quyết Đại hội XVI Đảng bộ Thành phố; Đề án 04-ĐA/TU, 20/9/2017"
    }
    # Attainment per unit as of the term's end, over the periods that contain that day:
    # some units meet a target, some miss it.
    verdicts = db.execute(
        """
        WITH on_day AS (
            SELECT * FROM periods
            WHERE coalesce(period_from, DATE '2020-09-30') <= DATE '2020-09-30'
              AND coalesce(period_to, DATE '2020-09-30') >= DATE '2020-09-30'
        ),
        people AS (
            SELECT c.national_id, c.unit_code, p.population
            FROM on_day c, (VALUES ('btv_thanh_uy'), ('chu_chot_cap_xa'),
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
    # Nobody leaves before that day, so the populations are the lists of the whole term.
    early = db.execute("SELECT count(*) FROM periods WHERE period_to < DATE '2020-09-30'")
    early = early.fetchone()[0]
    assert early == 0


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


def test_f11_the_communes_of_1_july_2025(db):
    official = db.execute(
        f"SELECT unit_code, unit_name, unit_kind, predecessor_district_codes "
        f"FROM read_csv('{COMMUNES}', all_varchar = true)"
    ).fetchall()
    assert len(official) == 126
    communes = db.execute(
        "SELECT unit_code, unit_name, unit_kind, parent_code, valid_from, valid_to FROM units "
        "WHERE unit_kind IN ('phuong', 'xa') ORDER BY unit_code"
    ).fetchall()
    assert communes == sorted(
        (code, name, kind, "01", "2025-07-01", None) for code, name, kind, _ in official
    )
    kinds = dict(
        db.execute(
            "SELECT unit_kind, count(*) FROM units WHERE unit_kind IN ('phuong', 'xa') GROUP BY 1"
        ).fetchall()
    )
    assert kinds == {"phuong": 51, "xa": 75}
    districts = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE valid_to = '2025-06-30' AND valid_from IS NULL) "
        "FROM units WHERE unit_kind IN ('quan', 'huyen', 'thi_xa')"
    ).fetchone()
    assert districts == (30, 30)
    still_open = db.execute(
        "SELECT count(*) FROM units WHERE unit_kind IN ('thanh_uy', 'dang_uy_truc_thuoc') "
        "AND valid_from IS NULL AND valid_to IS NULL"
    ).fetchone()[0]
    assert still_open == 6
    successions = db.execute(
        """
        SELECT s.predecessor_code, s.successor_code, s.effective_date
        FROM unit_successions s JOIN units u ON u.unit_code = s.predecessor_code
        WHERE u.unit_kind IN ('quan', 'huyen', 'thi_xa')
        ORDER BY 1, 2
        """
    ).fetchall()
    expected = sorted(
        (district, code, "2025-07-01")
        for code, _, _, predecessors in official
        for district in predecessors.split("|")
    )
    assert len(expected) == 214
    assert successions == expected


def test_f12_district_cadres_moved_into_the_new_units(db):
    rows = db.execute(
        """
        WITH ended AS (
            SELECT national_id, unit_code FROM periods
            WHERE unit_kind IN ('quan', 'huyen', 'thi_xa') AND period_to = DATE '2025-06-30'
        ),
        moved AS (
            SELECT e.unit_code, e.national_id, n.unit_code AS destination
            FROM ended e LEFT JOIN periods n
                ON n.national_id = e.national_id AND n.period_from = DATE '2025-07-01'
        )
        SELECT m.unit_code, count(*),
               count(*) FILTER (WHERE m.destination = '01' OR s.successor_code IS NOT NULL)
        FROM moved m LEFT JOIN unit_successions s
            ON s.predecessor_code = m.unit_code AND s.successor_code = m.destination
        GROUP BY 1
        """
    ).fetchall()
    assert len(rows) == 30
    people = sum(count for _, count, _ in rows)
    followed = sum(count for _, _, count in rows)
    assert followed / people >= 0.9
    assert followed < people  # some retired or went elsewhere


def _planning_pool_2025(db) -> dict:
    """F13 as §4 defines quy_hoach: each approved person once per unit and once in the city
    row (unit None), measured on their earliest decision date in that scope."""
    rows = db.execute(
        """
        WITH approved AS (
            SELECT national_id, unit_code, CAST(decision_date AS DATE) AS day
            FROM planning WHERE term_code = '2025-2030' AND status = 'approved'
        ),
        scoped AS (
            SELECT unit_code, national_id, min(day) AS day FROM approved GROUP BY ALL
            UNION ALL
            SELECT NULL, national_id, min(day) FROM approved GROUP BY ALL
        ),
        person AS (
            SELECT DISTINCT national_id, gender, CAST(birth_date AS DATE) AS birth FROM cadres
        )
        SELECT s.unit_code,
               count(*) FILTER (WHERE p.gender = 'nu'), count(p.gender),
               count(*) FILTER (WHERE p.birth + INTERVAL 40 YEAR > s.day), count(p.birth)
        FROM scoped s LEFT JOIN person p USING (national_id)
        GROUP BY ALL
        """
    ).fetchall()
    return {unit: ((women, known), (young, born)) for unit, women, known, young, born in rows}


def test_f13_the_2025_2030_planning_pool(db):
    targets = db.execute(
        "SELECT population, metric, comparator, CAST(threshold AS DOUBLE), source_document "
        "FROM targets WHERE term_code = '2025-2030' ORDER BY metric"
    ).fetchall()
    source = "Quy định 50-QĐ/TW ngày 27/12/2021 của Bộ Chính trị"
    assert targets == [
        ("quy_hoach", "share_under_40", ">=", 0.15, source),
        ("quy_hoach", "share_women", ">=", 0.25, source),
    ]
    people = db.execute(
        "SELECT count(*), count(DISTINCT national_id) FROM (SELECT DISTINCT "
        "national_id, gender, birth_date FROM cadres)"
    ).fetchone()
    assert people[0] == people[1]  # one gender and birth date per person
    pools = _planning_pool_2025(db)
    (women, known), (young, born) = pools.pop(None)
    assert known == born > 1000
    assert women / known >= 0.25
    assert young / born >= 0.15
    assert any(w / k < 0.25 for (w, k), _ in pools.values())
    assert any(y / b < 0.15 for _, (y, b) in pools.values())
    assert any(w / k >= 0.25 for (w, k), _ in pools.values())
    assert any(y / b >= 0.15 for _, (y, b) in pools.values())


def test_time_rules_hold_on_the_shipped_seeds(db):
    # invalid_period and outside_unit_validity on cadre periods.
    bad = db.execute(
        """
        SELECT count(*) FROM periods
        WHERE period_to < period_from
           OR CAST(valid_from AS DATE) < unit_from OR CAST(valid_from AS DATE) > unit_to
           OR CAST(valid_to AS DATE) < unit_from OR CAST(valid_to AS DATE) > unit_to
        """
    ).fetchone()[0]
    assert bad == 0
    # No person's periods overlap, within a unit or across units.
    overlaps = db.execute(
        """
        WITH p AS (
            SELECT national_id, unit_code, coalesce(period_from, DATE '1900-01-01') AS f,
                   coalesce(period_to, DATE '9999-12-31') AS t,
                   row_number() OVER () AS id
            FROM periods
        )
        SELECT count(*) FROM p a JOIN p b
            ON a.national_id = b.national_id AND a.id < b.id AND a.f <= b.t AND b.f <= a.t
        """
    ).fetchone()[0]
    assert overlaps == 0
    # tier_not_in_unit.
    tiers = db.execute(
        "SELECT DISTINCT unit_kind FROM periods WHERE management_tier = 'btv_cap_huyen'"
    ).fetchall()
    assert {kind for (kind,) in tiers} <= {"quan", "huyen", "thi_xa", "dang_uy_truc_thuoc"}
    # A class starts within its organiser's validity.
    classes = db.execute(
        """
        SELECT count(*) FROM classes c JOIN unit_dates u USING (unit_code)
        WHERE CAST(c.start_date AS DATE) < u.unit_from OR CAST(c.start_date AS DATE) > u.unit_to
        """
    ).fetchone()[0]
    assert classes == 0
    # Committee, planning and positions terms overlap their unit's validity.
    for name in ("committee_members", "planning", "positions"):
        outside = db.execute(
            f"""
            SELECT count(*) FROM {name} r JOIN terms t USING (term_code)
                JOIN unit_dates u ON u.unit_code = r.unit_code
            WHERE CAST(t.end_date AS DATE) < u.unit_from
               OR CAST(t.start_date AS DATE) > u.unit_to
            """
        ).fetchone()[0]
        assert outside == 0, name
    # Successions: known units, effective on the successor's first day, the day after the
    # predecessor's last.
    mismatched = db.execute(
        """
        SELECT count(*) FROM unit_successions s
            LEFT JOIN unit_dates p ON p.unit_code = s.predecessor_code
            LEFT JOIN unit_dates n ON n.unit_code = s.successor_code
        WHERE p.unit_code IS NULL OR n.unit_code IS NULL
           OR CAST(s.effective_date AS DATE) IS DISTINCT FROM n.unit_from
           OR CAST(s.effective_date AS DATE) IS DISTINCT FROM p.unit_to + 1
        """
    ).fetchone()[0]
    assert mismatched == 0


def test_rows_are_submitted_once_by_a_unit_they_belong_to(db):
    for name in SUBMISSIONS:
        wrong = db.execute(
            f"SELECT count(*) FROM {name} WHERE parse_dirpath(filename) NOT LIKE '%/' || unit_code"
        ).fetchone()[0]
        assert wrong == 0, name
    # City-wide keys: every award and every year-end rating once.
    for name, key in (
        ("qualifications", "national_id, qualification_kind, level"),
        ("evaluations", "national_id, year"),
    ):
        rows, keys = db.execute(f"SELECT count(*), count(DISTINCT ({key})) FROM {name}").fetchone()
        assert rows == keys, name
    # An award by the unit the person was in on its day; a rating by the unit of 31 December.
    for name, day in (
        ("qualifications", "CAST(r.awarded_date AS DATE)"),
        ("evaluations", "make_date(CAST(r.year AS INTEGER), 12, 31)"),
    ):
        stray = db.execute(
            f"""
            SELECT count(*) FROM {name} r
            WHERE NOT EXISTS (
                SELECT 1 FROM periods p
                WHERE p.national_id = r.national_id AND p.unit_code = r.unit_code
                  AND coalesce(p.period_from, {day}) <= {day}
                  AND coalesce(p.period_to, {day}) >= {day})
            """
        ).fetchone()[0]
        assert stray == 0, name
