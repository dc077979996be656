"""The 2025 reorganisation page: where each ended unit's cadres went, the new units' training."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from orchestration.report import charts
from orchestration.report import format as vn
from orchestration.report import labels as lb
from orchestration.report.pages import CITY, unit_page
from orchestration.report.published import Published

TABLES = ("marts.mart_unit_transitions", "marts.mart_current_unit_training")
NEW_UNIT_KINDS = ("phuong", "xa")
DESTINATIONS = (
    charts.Series("successor", "Sang đơn vị kế thừa", "#1f5fa8"),
    charts.Series("city", "Sang Thành ủy", "#3a9d5d"),
    charts.Series("other", "Sang đơn vị khác", "#e0892b"),
    charts.Series("none", "Không có giai đoạn tiếp theo", charts.NEUTRAL),
)


def _destination_kind(row: dict[str, Any]) -> str:
    if row["destination_code"] is None:
        return "none"
    if row["is_successor"]:
        return "successor"
    return "city" if row["destination_code"] == CITY else "other"


def _transitions(db: Published, names: dict[str, str]) -> list[dict[str, Any]]:
    rows = db.rows(
        "SELECT unit_code, destination_code, end_date, is_successor, people_count, "
        "key_cadres_count FROM marts.mart_unit_transitions "
        "ORDER BY unit_code, people_count DESC, destination_code NULLS LAST"
    )
    units: dict[str, dict[str, Any]] = {}
    for row in rows:
        unit = units.setdefault(
            row["unit_code"],
            {
                "code": row["unit_code"],
                "name": names.get(row["unit_code"], row["unit_code"]),
                "page": unit_page(row["unit_code"]),
                "end_date": row["end_date"],
                "people": 0,
                "key_cadres": 0,
                "by_kind": dict.fromkeys((s.key for s in DESTINATIONS), 0),
                "destinations": [],
            },
        )
        kind = _destination_kind(row)
        unit["people"] += row["people_count"] or 0
        unit["key_cadres"] += row["key_cadres_count"] or 0
        unit["by_kind"][kind] += row["people_count"] or 0
        code = row["destination_code"]
        unit["destinations"].append(
            {
                **row,
                "kind": kind,
                "name": names.get(code, code) if code else "Không có giai đoạn tiếp theo",
                "page": unit_page(code) if code else None,
            }
        )
    for unit in units.values():
        total = unit["people"]
        unit["shares"] = {k: (v / total if total else None) for k, v in unit["by_kind"].items()}
    return list(units.values())


def _new_units(db: Published, names: dict[str, str]) -> dict[str, Any]:
    kinds = ", ".join(f"'{kind}'" for kind in NEW_UNIT_KINDS)
    rows = db.rows(
        "SELECT t.unit_code, u.unit_kind, t.term_code, t.as_of_date, t.cadres_count, "
        "t.trained_count, t.planning_source_trained_count, t.share_trained "
        "FROM marts.mart_current_unit_training t JOIN marts.dim_units u USING (unit_code) "
        f"WHERE u.unit_kind IN ({kinds}) ORDER BY t.unit_code, t.term_code"
    )
    terms = sorted({row["term_code"] for row in rows})
    units: dict[str, dict[str, Any]] = {}
    totals: dict[str, dict[str, int]] = defaultdict(
        lambda: {"cadres": 0, "trained": 0, "source": 0}
    )
    for row in rows:
        unit = units.setdefault(
            row["unit_code"],
            {
                "code": row["unit_code"],
                "name": names.get(row["unit_code"], row["unit_code"]),
                "page": unit_page(row["unit_code"]),
                "kind_label": lb.label(lb.UNIT_KINDS, row["unit_kind"]),
                "cadres": row["cadres_count"],
                "terms": {},
            },
        )
        unit["terms"][row["term_code"]] = row
        total = totals[row["term_code"]]
        total["cadres"] += row["cadres_count"] or 0
        total["trained"] += row["trained_count"] or 0
        total["source"] += row["planning_source_trained_count"] or 0
    summary = [
        {
            "term_code": term,
            **totals[term],
            "share": totals[term]["trained"] / totals[term]["cadres"]
            if totals[term]["cadres"]
            else None,
        }
        for term in terms
    ]
    chart = charts.column_chart(
        [charts.Column(row["term_code"], {"share": row["share"] or 0.0}) for row in summary],
        [charts.Series("share", "Tỷ lệ đã qua đào tạo", "#1f5fa8")],
        "Tỷ lệ cán bộ hiện nay của các đơn vị mới đã qua đào tạo, theo nhiệm kỳ",
        value_format=vn.percent,
    )
    as_of = next((row["as_of_date"] for row in rows), None)
    return {
        "terms": terms,
        "units": list(units.values()),
        "summary": summary,
        "chart": chart if rows else None,
        "as_of_date": as_of,
    }


def reorganisation(db: Published, names: dict[str, str]) -> dict[str, Any] | None:
    """None when the published file has no history marts yet."""
    if not db.has(*TABLES):
        return None
    transitions = _transitions(db, names)
    chart = []
    if transitions:
        chart = charts.bar_charts(
            [
                charts.Row(
                    f"{unit['code']} {unit['name']}",
                    {key: share or 0.0 for key, share in unit["shares"].items()},
                    f"{vn.number(unit['people'])} người",
                )
                for unit in transitions
            ],
            DESTINATIONS,
            "Cán bộ của mỗi đơn vị đã kết thúc chuyển đến đâu",
        )
    return {
        "transitions": transitions,
        "destinations": DESTINATIONS,
        "charts": chart,
        "new_units": _new_units(db, names),
        "people": sum(unit["people"] for unit in transitions),
        "to_successor_or_city": sum(
            unit["by_kind"]["successor"] + unit["by_kind"]["city"] for unit in transitions
        ),
    }
