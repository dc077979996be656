"""The report in a real browser: headless Chromium opens pages from the folder, offline.

Chromium runs as a subprocess with `--dump-dom` (the DOM after rendering), `--screenshot`
and `--log-net-log` (every request the network stack saw). Requests from the page are told
apart from Chromium's own background traffic by their network isolation key, which names
the page's site (file://). No host is ever resolved: every name maps to nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install -y chromium); CI always runs this test",
)


def _chromium() -> str:
    if CHROMIUM is None:
        pytest.fail("CI is set but chromium is not installed: .ci/run installs it")
    return CHROMIUM


def _page_requests(net_log: Path) -> tuple[list[str], list[str]]:
    """(URLs the page requested, URLs Chromium itself requested) from a net log."""
    text = net_log.read_text(encoding="utf-8")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short misses its closing brackets
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    page, browser = [], []
    for event in log["events"]:
        params = event.get("params", {})
        if event["type"] != start_job or "url" not in params:
            continue
        isolation = params.get("network_isolation_key", "")
        (page if "file://" in isolation else browser).append(params["url"])
    return page, browser


def render(url: str, folder: Path, name: str, height: int = 2400) -> tuple[str, list[str]]:
    """Open `url`; return the rendered DOM and the page's requests; screenshot to folder."""
    profile = folder / f"{name}-profile"
    profile.mkdir()
    net_log = folder / f"{name}-net-log.json"
    completed = subprocess.run(
        [
            _chromium(),
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--log-net-log={net_log}",
            f"--window-size=1280,{height}",
            f"--screenshot={folder / f'{name}.png'}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    page, browser = _page_requests(net_log)
    (folder / f"{name}-requests.json").write_text(
        json.dumps({"page": page, "chromium": browser}, indent=2), encoding="utf-8"
    )
    return completed.stdout, page


class _Charts(HTMLParser):
    """Counts the bars (rects with a positive size) inside each <svg>."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.bars: list[int] = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.depth += 1
            self.bars.append(0)
        elif tag == "rect" and self.depth:
            size = dict(attrs)
            if float(size.get("width", 0)) > 0 and float(size.get("height", 0)) > 0:
                self.bars[-1] += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self.depth -= 1


def _bars(dom: str) -> list[int]:
    parser = _Charts()
    parser.feed(dom)
    return parser.bars


def _text(html: str) -> str:
    html = re.sub(r"<(svg|title)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_detector_sees_a_request_to_another_host(tmp_path):
    page = tmp_path / "canary.html"
    page.write_text('<!doctype html><img src="http://example.invalid/x.png">', encoding="utf-8")
    _, requests = render(page.as_uri(), tmp_path, "canary", height=200)
    assert requests == ["http://example.invalid/x.png"]


@pytest.mark.e2e
def test_overview_and_city_unit_page_in_chromium(published_refresh, tmp_path):
    report = published_refresh.warehouse / "report"
    assert report.is_symlink()
    overview, overview_requests = render((report / "index.html").as_uri(), tmp_path, "overview")
    # CONTRACT.md §6 F7: the City BCH planning coefficient 1.49 (2015-2020), 1.98 (2020-2025).
    pool = re.search(r'<section id="quy-hoach-bch-tp">(.*?)</section>', overview, re.S)
    assert pool, "the overview has no City BCH planning pool section"
    assert "Hệ số quy hoạch 1,49 1,98" in _text(pool.group(1))
    assert "Nhiệm kỳ 2015-2020 Nhiệm kỳ 2020-2025" in _text(pool.group(1))
    assert _bars(overview) and max(_bars(overview)) >= 10  # one bar per year, 2015-2025

    unit, unit_requests = render(
        (report / "don-vi-01.html").as_uri(), tmp_path, "unit-01", height=3200
    )
    text = _text(unit)
    assert "01 · Thành ủy Hà Nội" in text
    assert re.search(r"Chức danh BCH_TP .*?Hệ số quy hoạch 1,49 1,98", text)
    assert _bars(unit) and max(_bars(unit)) > 0

    assert overview_requests == [] and unit_requests == []  # nothing from another host
    assert (tmp_path / "overview.png").stat().st_size > 10_000
    assert (tmp_path / "unit-01.png").stat().st_size > 10_000


@pytest.mark.e2e
def test_the_overview_prints_on_a4(published_refresh, tmp_path):
    pdf = tmp_path / "overview.pdf"
    profile = tmp_path / "print-profile"
    profile.mkdir()
    overview = published_refresh.warehouse / "report" / "index.html"
    completed = subprocess.run(
        [
            _chromium(),
            *FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            overview.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes, "no page in the PDF"
    # A4 is 210 × 297 mm = 595.3 × 841.9 pt.
    for width, height in boxes:
        assert abs(float(width) - 595.3) < 2 and abs(float(height) - 841.9) < 2
