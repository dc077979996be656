"""Queries on the published file turned into what each page shows: overview, targets, quality."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from orchestration.report import charts
from orchestration.report import format as vn
from orchestration.report import labels as lb
from orchestration.report.published import Published

CITY = "01"
CITY_POOL_TITLE = "BCH_TP"
OUTSIDE_TERMS = "Ngoài nhiệm kỳ đại hội"


def slug(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", code)


def target_page(code: str) -> str:
    return f"chi-tieu-{slug(code)}.html"


def unit_page(code: str) -> str:
    return f"don-vi-{slug(code)}.html"


def refresh_info(db: Published) -> dict[str, Any] | None:
    """The as-of date and build time, from quality.refresh when the file has it."""
    if not db.has("quality.refresh"):
        return None
    rows = db.rows("SELECT as_of_date, built_at FROM quality.refresh LIMIT 1")
    return rows[0] if rows else None


def unit_names(db: Published) -> dict[str, str]:
    return {
        row["unit_code"]: row["unit_name"]
        for row in db.rows("SELECT unit_code, unit_name FROM marts.dim_units")
    }


def training_by_term(db: Published) -> list[dict[str, Any]]:
    trainees = {
        row["term_code"]: row["trainees"]
        for row in db.rows(
            "SELECT term_code, count(DISTINCT person_key) AS trainees FROM marts.fct_trainees "
            "GROUP BY term_code"
        )
    }
    rows = db.rows(
        "SELECT term_code, count(*) AS classes, sum(enrolled_count) AS enrolments "
        "FROM marts.fct_classes GROUP BY term_code ORDER BY term_code NULLS LAST"
    )
    for row in rows:
        row["trainees"] = trainees.get(row["term_code"]) if row["term_code"] else None
        row["label"] = row["term_code"] or OUTSIDE_TERMS
    return rows


def training_chart(db: Published, unit_code: str | None = None) -> str:
    """Enrolments per year, each bar split by the congress term its classes fall in."""
    where = "WHERE unit_code = ?" if unit_code else ""
    rows = db.rows(
        "SELECT year(start_date) AS year, coalesce(term_code, '') AS term, "
        f"sum(enrolled_count) AS enrolments FROM marts.fct_classes {where} "
        "GROUP BY ALL ORDER BY year, term",
        *([unit_code] if unit_code else []),
    )
    columns: dict[int, charts.Column] = {}
    for row in rows:
        column = columns.setdefault(row["year"], charts.Column(str(row["year"])))
        column.segments[row["term"]] = float(row["enrolments"] or 0)
    terms = sorted({row["term"] for row in rows}, key=lambda term: (term == "", term))
    series = charts.palette(terms, {"": OUTSIDE_TERMS})
    return charts.column_chart(list(columns.values()), series, "Lượt học viên theo năm")


def _target_row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["population_label"] = lb.label(lb.POPULATIONS, row["population"])
    row["metric_label"] = lb.label(lb.METRICS, row["metric"])
    row["description"] = row.get("target_description") or (
        f"{row['population_label']}: {row['metric_label']}"
    )
    row["requirement"] = (
        f"{lb.COMPARATORS.get(row['comparator'], row['comparator'])} {vn.percent(row['threshold'])}"
    )
    row["page"] = target_page(row["target_code"])
    return row


def attainment_rows(db: Published, where: str, *params: Any) -> list[dict[str, Any]]:
    table = "marts.mart_target_attainment"
    rows = db.rows(
        "SELECT target_code, term_code, scope, unit_code, population, metric, numerator, "
        "denominator, actual_value, threshold, comparator, met, gap, "
        f"{db.optional(table, 'reference_date')}, {db.optional(table, 'target_description')} "
        f"FROM {table} WHERE {where} "
        "ORDER BY term_code, target_code, actual_value DESC NULLS LAST, unit_code",
        *params,
    )
    return [_target_row(row) for row in rows]


def grouped_by_term(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["term_code"]].append(row)
    return [{"term_code": term, "rows": items} for term, items in groups.items()]


def pool_comparison(pools: list[dict[str, Any]]) -> dict[str, Any]:
    """A planning pool's figures with one column per term and the change over the last term."""
    measures = [
        ("Số lượng chức danh (ghế)", "seats", 0, vn.number, vn.signed),
        ("Số người được quy hoạch", "planned_count", 0, vn.number, vn.signed),
        ("Hệ số quy hoạch", "planning_coefficient", 2, vn.coefficient, vn.signed_coefficient),
        ("Thạc sĩ trở lên", "share_masters_plus", 3, vn.percent, vn.points),
        ("Cao cấp lý luận chính trị", "share_political_advanced", 3, vn.percent, vn.points),
        ("Nữ", "share_women", 3, vn.percent, vn.points),
        ("Dưới 40 tuổi", "share_under_40", 3, vn.percent, vn.points),
    ]
    rows = []
    for label, column, decimals, shown, change in measures:
        values = [pool[column] for pool in pools]
        if all(value is None for value in values):
            continue
        changed = vn.MISSING
        if len(values) >= 2 and None not in values[-2:]:
            # The change of the figures as shown, so the row adds up for its reader.
            last, before = (vn.rounded(v, decimals) for v in values[-2:][::-1])
            changed = change(float(last - before))
        rows.append({"label": label, "values": [shown(v) for v in values], "change": changed})
    return {"terms": [pool["term_code"] for pool in pools], "rows": rows}


def planning_pools(db: Published, where: str, *params: Any) -> list[dict[str, Any]]:
    table = "marts.mart_planning_pool"
    return db.rows(
        "SELECT unit_code, title_code, term_code, seats, planned_count, planning_coefficient, "
        "share_masters_plus, share_political_advanced, share_women, "
        f"{db.optional(table, 'share_under_40')}, {db.optional(table, 'over_planning_limit')} "
        f"FROM {table} WHERE {where} ORDER BY title_code, term_code",
        *params,
    )


def overview(db: Published) -> dict[str, Any]:
    city_targets = attainment_rows(db, "scope = 'city'")
    pool = planning_pools(db, "unit_code = ? AND title_code = ?", CITY, CITY_POOL_TITLE)
    return {
        "terms": training_by_term(db),
        "chart": training_chart(db),
        "target_groups": grouped_by_term(city_targets),
        "met": sum(1 for row in city_targets if row["met"]),
        "missed": sum(1 for row in city_targets if row["met"] is False),
        "city_pool": pool_comparison(pool) if pool else None,
    }


def target_pages(db: Published, names: dict[str, str]) -> list[dict[str, Any]]:
    """One page per target: the city row, then every unit's value, highest first."""
    pages: dict[str, dict[str, Any]] = {}
    for row in attainment_rows(db, "TRUE"):
        page = pages.setdefault(row["target_code"], {"target": None, "units": []})
        if row["scope"] == "city":
            page["target"] = row
        else:
            row["unit_name"] = names.get(row["unit_code"], row["unit_code"])
            row["unit_page"] = unit_page(row["unit_code"])
            page["units"].append(row)
    result = []
    for code, page in pages.items():
        target = page["target"] or page["units"][0]
        series = [
            charts.Series("met", "Đạt", charts.MET),
            charts.Series("missed", "Chưa đạt", charts.MISSED),
        ]
        bars = [
            charts.Row(
                f"{row['unit_code']} {row['unit_name']}",
                {"met" if row["met"] else "missed": row["actual_value"] or 0.0},
                vn.percent(row["actual_value"]),
            )
            for row in page["units"]
        ]
        chart = charts.bar_charts(
            bars,
            series,
            f"{code}: giá trị của từng đơn vị so với chỉ tiêu",
            threshold=target["threshold"],
            threshold_label=f"Chỉ tiêu {target['requirement']}",
        )
        result.append(
            {"code": code, "file": target_page(code), **page, "target": target, "charts": chart}
        )
    return result


def unit_order(code: str) -> tuple[bool, bool, int, str]:
    """The City Party Committee first, then districts (3 digits), communes (5 digits) and
    the affiliated committees (letters), each by code."""
    digits = code.isdigit()
    return (code != CITY, not digits, len(code) if digits else 0, code)


def quality(db: Published, names: dict[str, str]) -> dict[str, Any]:
    """The unit × file matrix of statuses, and the rejected rows by rule."""
    files = db.rows(
        "SELECT unit_code, file, rows_read, rows_accepted, rows_rejected, status "
        "FROM quality.submission_files ORDER BY unit_code, file"
    )
    known = list(lb.FILES)
    submitted = sorted(
        {row["file"] for row in files if row["unit_code"] != lb.REFERENCE_UNIT},
        key=lambda file: (known.index(file) if file in known else len(known), file),
    )
    matrix: dict[str, dict[str, Any]] = {}
    for row in files:
        code = row["unit_code"]
        if code == lb.REFERENCE_UNIT:
            continue
        unit = matrix.setdefault(
            code,
            {
                "code": code,
                "name": names.get(code, code),
                "page": unit_page(code),
                "cells": {},
                "rows_rejected": 0,
            },
        )
        unit["cells"][row["file"]] = row["status"]
        unit["rows_rejected"] += row["rows_rejected"] or 0
    reference = [
        {**row, "label": lb.label(lb.FILES, row["file"])}
        for row in files
        if row["unit_code"] == lb.REFERENCE_UNIT
    ]
    rules = db.rows(
        "SELECT rule, sum(rows_rejected) AS rows_rejected, count(DISTINCT unit_code) AS units, "
        "string_agg(DISTINCT file, ', ' ORDER BY file) AS files FROM quality.rejections "
        "GROUP BY rule ORDER BY rows_rejected DESC, rule"
    )
    chart = []
    if rules:
        chart = charts.bar_charts(
            [
                charts.Row(
                    row["rule"], {"rule": row["rows_rejected"]}, vn.number(row["rows_rejected"])
                )
                for row in rules
            ],
            [charts.Series("rule", "Số dòng bị từ chối", charts.MISSED)],
            "Số dòng bị từ chối theo quy tắc",
            maximum=float(max(row["rows_rejected"] for row in rules)),
            value_format=vn.number,
        )
    return {
        "files": [{"code": file, "label": lb.label(lb.FILES, file)} for file in submitted],
        "units": [matrix[code] for code in sorted(matrix, key=unit_order)],
        "reference": reference,
        "reference_name": lb.REFERENCE_NAME,
        "statuses": lb.STATUSES,
        "totals": {
            "rows_read": sum(row["rows_read"] or 0 for row in files),
            "rows_accepted": sum(row["rows_accepted"] or 0 for row in files),
            "rows_rejected": sum(row["rows_rejected"] or 0 for row in files),
            "not_accepted": sum(1 for row in files if row["status"] != "accepted"),
        },
        "rules": rules,
        "charts": chart,
    }
