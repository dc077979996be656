"""One page per unit: training by year and programme kind, targets, pools, committees, files."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from orchestration.report import charts
from orchestration.report import labels as lb
from orchestration.report.pages import (
    attainment_rows,
    planning_pools,
    pool_comparison,
    target_page,
    unit_order,
    unit_page,
)
from orchestration.report.published import Published


def _by_unit(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["unit_code"]].append(row)
    return grouped


def _training(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Year × programme kind: enrolments (classes) per cell, and a stacked chart."""
    if not rows:
        return None
    kinds = [kind for kind in lb.PROGRAM_KINDS if any(r["program_kind"] == kind for r in rows)]
    kinds += sorted({r["program_kind"] for r in rows} - set(kinds) - {None})
    years: dict[int, dict[str, Any]] = {}
    for row in rows:
        year = years.setdefault(
            row["year"], {"year": row["year"], "cells": {}, "classes": 0, "enrolments": 0}
        )
        year["cells"][row["program_kind"]] = row
        year["classes"] += row["classes"]
        year["enrolments"] += row["enrolments"] or 0
    columns = [
        charts.Column(
            str(year["year"]),
            {kind: float(cell["enrolments"] or 0) for kind, cell in year["cells"].items()},
        )
        for year in years.values()
    ]
    series = charts.palette(kinds, lb.PROGRAM_KINDS)
    return {
        "kinds": [{"code": kind, "label": lb.label(lb.PROGRAM_KINDS, kind)} for kind in kinds],
        "years": list(years.values()),
        "chart": charts.column_chart(
            columns, series, "Lượt học viên theo năm và loại chương trình"
        ),
    }


def _pools(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_title: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_title[row["title_code"]].append(row)
    return [
        {"title_code": title, **pool_comparison(pools), "pools": pools}
        for title, pools in by_title.items()
    ]


def unit_pages(db: Published, names: dict[str, str]) -> list[dict[str, Any]]:
    units = db.rows(
        "SELECT unit_code, unit_name, unit_kind, parent_code, valid_from, valid_to, is_current "
        "FROM marts.dim_units ORDER BY unit_code"
    )
    summaries = _by_unit(
        db.rows(
            "SELECT unit_code, term_code, classes_count, enrolments_count, distinct_trainees "
            "FROM marts.mart_unit_training_summary ORDER BY term_code"
        )
    )
    training = _by_unit(
        db.rows(
            "SELECT unit_code, year(start_date) AS year, program_kind, count(*) AS classes, "
            "sum(enrolled_count) AS enrolments, sum(graduated_count) AS graduated "
            "FROM marts.fct_classes GROUP BY ALL ORDER BY year, program_kind"
        )
    )
    targets = _by_unit(attainment_rows(db, "scope <> 'city'"))
    pools = _by_unit(planning_pools(db, "TRUE"))
    committees = _by_unit(
        db.rows(
            "SELECT unit_code, committee_level, term_code, members, share_women, "
            "share_university_plus FROM marts.mart_committee_composition "
            "ORDER BY committee_level, term_code"
        )
    )
    files = _by_unit(
        db.rows(
            "SELECT unit_code, file, rows_read, rows_accepted, rows_rejected, status, "
            f"{db.optional('quality.submission_files', 'message')} "
            "FROM quality.submission_files ORDER BY file"
        )
    )
    rejections = _by_unit(
        db.rows(
            "SELECT unit_code, file, rule, rows_rejected FROM quality.rejections "
            "ORDER BY file, rows_rejected DESC, rule"
        )
    )
    pages = []
    for unit in sorted(units, key=lambda unit: unit_order(unit["unit_code"])):
        code = unit["unit_code"]
        for row in targets.get(code, []):
            row["target_page"] = target_page(row["target_code"])
        for row in committees.get(code, []):
            row["level_label"] = lb.label(lb.COMMITTEE_LEVELS, row["committee_level"])
        for row in files.get(code, []):
            row["file_label"] = lb.label(lb.FILES, row["file"])
            row["status_label"] = lb.label(lb.STATUSES, row["status"])
        pages.append(
            {
                **unit,
                "file": unit_page(code),
                "kind_label": lb.label(lb.UNIT_KINDS, unit["unit_kind"]),
                "parent_name": names.get(unit["parent_code"]) if unit["parent_code"] else None,
                "parent_page": unit_page(unit["parent_code"]) if unit["parent_code"] else None,
                "summaries": summaries.get(code, []),
                "training": _training(training.get(code, [])),
                "targets": targets.get(code, []),
                "pools": _pools(pools.get(code, [])),
                "committees": committees.get(code, []),
                "files": files.get(code, []),
                "rejections": rejections.get(code, []),
            }
        )
    return pages
