"""Charts as inline SVG drawn at build time: the pages need no script and no network."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from orchestration.report import format as vn

PALETTE = ("#1f5fa8", "#e0892b", "#3a9d5d", "#7b5ea7", "#4aa3b5", "#8c6d31", "#c2185b")
MET = "#2e7d32"
MISSED = "#c62828"
NEUTRAL = "#9e9e9e"
FONT = 'font-family="inherit" font-size="11"'
# Bars per horizontal chart: a chart this tall still fits an A4 page beside its heading.
ROWS_PER_CHART = 40


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str


@dataclass
class Column:
    """One bar of a column chart, split into segments by series."""

    label: str
    segments: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(float(value or 0) for value in self.segments.values())


@dataclass
class Row:
    """One bar of a horizontal chart; `note` is written after the bar."""

    label: str
    segments: dict[str, float]
    note: str = ""


def palette(keys: Sequence[str], labels: dict[str, str] | None = None) -> list[Series]:
    """A series per key, coloured in order, labelled from `labels` when given."""
    labels = labels or {}
    return [
        Series(key, labels.get(key, key), PALETTE[i % len(PALETTE)]) for i, key in enumerate(keys)
    ]


def _nice_step(maximum: float, ticks: int = 4) -> float:
    if maximum <= 0:
        return 1.0
    rough = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(rough))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)


def _legend(series: Sequence[Series], x: float, right_edge: float) -> tuple[list[str], float]:
    """Legend entries wrapped onto as many lines as they need; returns them and their height."""
    parts, offset, line = [], 0.0, 0
    for item in series:
        entry = 24 + 6.2 * len(item.label)
        if offset and x + offset + entry > right_edge:
            offset, line = 0.0, line + 1
        y = 14 + 16 * line
        parts.append(
            f'<rect x="{x + offset:.1f}" y="{y - 9}" width="10" height="10" fill="{item.color}"/>'
            f'<text x="{x + offset + 14:.1f}" y="{y}" {FONT}>{escape(item.label)}</text>'
        )
        offset += entry
    return parts, (16.0 * (line + 1) if parts else 0.0)


def _in_series_order(
    segments: dict[str, float], series: Sequence[Series]
) -> list[tuple[str, float]]:
    order = {item.key: index for index, item in enumerate(series)}
    # Marts may hold DECIMAL values; drawing needs floats.
    ordered = sorted(segments.items(), key=lambda item: order.get(item[0], len(order)))
    return [(key, float(value or 0)) for key, value in ordered]


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def column_chart(
    columns: Sequence[Column],
    series: Sequence[Series],
    title: str,
    value_format: Callable[[float], str] = vn.number,
) -> str:
    """Vertical bars (stacked by series) with a value on top of each bar."""
    width, plot_height, left, right, bottom = 720.0, 210.0, 60.0, 10.0, 36.0
    body, legend_height = _legend(series, left, width - right) if len(series) > 1 else ([], 0.0)
    top = legend_height + 18
    height = top + plot_height + bottom
    plot_width = width - left - right
    step = _nice_step(max((c.total for c in columns), default=0))
    ceiling = step * max(1, math.ceil(max((c.total for c in columns), default=0) / step))
    tick = 0.0
    while tick <= ceiling + step / 2:
        y = top + plot_height * (1 - tick / ceiling)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
            f"{escape(value_format(tick))}</text>"
        )
        tick += step
    slot = plot_width / max(1, len(columns))
    colors = {item.key: item.color for item in series}
    for index, column in enumerate(columns):
        x = left + slot * index + slot * 0.15
        base = top + plot_height
        for key, value in _in_series_order(column.segments, series):
            bar = plot_height * value / ceiling
            base -= bar
            body.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
                f'fill="{colors.get(key, NEUTRAL)}"><title>{escape(column.label)}: '
                f"{escape(value_format(value))}</title></rect>"
            )
        centre = x + slot * 0.35
        if len(columns) <= 16:
            body.append(
                f'<text x="{centre:.1f}" y="{base - 4:.1f}" text-anchor="middle" {FONT}>'
                f"{escape(value_format(column.total))}</text>"
            )
        body.append(
            f'<text x="{centre:.1f}" y="{height - bottom + 16}" text-anchor="middle" {FONT}>'
            f"{escape(column.label)}</text>"
        )
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_height}" '
        f'y2="{top + plot_height}" stroke="#555"/>'
    )
    return _svg(width, height, title, body)


def _short(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    rows: Sequence[Row],
    series: Sequence[Series],
    title: str,
    maximum: float = 1.0,
    threshold: float | None = None,
    threshold_label: str = "",
    value_format: Callable[[float], str] = vn.percent,
) -> str:
    """Horizontal bars on a 0..maximum axis, with an optional threshold line."""
    width, label_width, right, row_height = 720.0, 230.0, 80.0, 18.0
    plot_width = width - label_width - right
    body, legend_height = (
        _legend(series, label_width, width - right) if len(series) > 1 else ([], 0.0)
    )
    top = legend_height + (26 if threshold is not None else 10)
    height = top + row_height * len(rows) + 24
    scale = plot_width / float(maximum) if maximum else 0.0
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        x = label_width + plot_width * fraction
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - 20:.1f}" stroke="#ddd"/>'
            f'<text x="{x:.1f}" y="{height - 6:.1f}" text-anchor="middle" {FONT}>'
            f"{escape(value_format(maximum * fraction))}</text>"
        )
    colors = {item.key: item.color for item in series}
    for index, row in enumerate(rows):
        y = top + row_height * index
        body.append(
            f'<text x="{label_width - 6}" y="{y + 12:.1f}" text-anchor="end" {FONT}>'
            f"{escape(_short(row.label))}</text>"
        )
        x = label_width
        for key, value in _in_series_order(row.segments, series):
            bar = max(0.0, value) * scale
            body.append(
                f'<rect x="{x:.1f}" y="{y + 2:.1f}" width="{bar:.1f}" height="{row_height - 5}" '
                f'fill="{colors.get(key, NEUTRAL)}"><title>{escape(row.label)}: '
                f"{escape(value_format(value))}</title></rect>"
            )
            x += bar
        if row.note:
            body.append(f'<text x="{x + 4:.1f}" y="{y + 12:.1f}" {FONT}>{escape(row.note)}</text>')
    if threshold is not None:
        x = label_width + float(threshold) * scale
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 8}" y2="{height - 20:.1f}" '
            f'stroke="#222" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle" {FONT}>'
            f"{escape(threshold_label)}</text>"
        )
    return _svg(width, height, title, body)


def bar_charts(rows: Sequence[Row], series: Sequence[Series], title: str, **options) -> list[str]:
    """`bar_chart` cut into parts of at most ROWS_PER_CHART bars on one scale, so that a
    long chart prints page by page instead of being cut at a page's edge."""
    parts = [rows[i : i + ROWS_PER_CHART] for i in range(0, len(rows), ROWS_PER_CHART)]
    return [
        bar_chart(
            part, series, f"{title} ({n + 1}/{len(parts)})" if len(parts) > 1 else title, **options
        )
        for n, part in enumerate(parts)
    ]
