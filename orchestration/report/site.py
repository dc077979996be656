"""Build the report site from the published file into a new folder, then swap the link to it.

`<warehouse>/report` is a symbolic link to a versioned folder `report-<uuid>`. A new
version is written in full beside the old one, then a new link is renamed over the old
link (a rename is atomic), so a reader finds either the old site or the new one, never
half of one. Older versions, and any a killed build left, are removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from orchestration.report import format as vn
from orchestration.report import pages
from orchestration.report.published import Published
from orchestration.report.reorganisation import reorganisation
from orchestration.report.units import unit_pages

LINK_NAME = "report"
VERSION_PREFIX = "report-"
OVERVIEW = "index.html"
TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class BuiltReport:
    folder: Path
    overview: Path
    pages: int
    size_bytes: int
    seconds: float
    city_targets: list[dict[str, Any]]
    as_of_date: Any

    @property
    def targets_met(self) -> int:
        return sum(1 for row in self.city_targets if row["met"])

    @property
    def targets_missed(self) -> int:
        return sum(1 for row in self.city_targets if row["met"] is False)

    def summary_markdown(self) -> str:
        as_of = f" (as of {vn.date(self.as_of_date)})" if self.as_of_date else ""
        lines = [
            f"**City targets: {self.targets_met} met, {self.targets_missed} missed**{as_of}",
            "",
            "| target | term | actual | required | met |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {row['target_code']} | {row['term_code']} | {vn.percent(row['actual_value'])} "
            f"| {row['requirement']} | {'✓' if row['met'] else '✗'} |"
            for row in self.city_targets
        ]
        lines += ["", f"{self.pages} pages, {vn.number(self.size_bytes / 1024)} KiB"]
        return "\n".join(lines)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=vn.number,
        pct=vn.percent,
        points=vn.points,
        vndate=vn.date,
        timestamp=vn.timestamp,
    )
    return env


def render_site(db: Published, folder: Path) -> tuple[int, list[dict[str, Any]], Any]:
    """Write every page into `folder`; return the page count, city targets and as-of date."""
    env = environment()
    names = pages.unit_names(db)
    history = reorganisation(db, names)
    site = {"refresh": pages.refresh_info(db), "has_reorganisation": history is not None}
    written = 0

    def write(name: str, template: str, page: Any) -> None:
        nonlocal written
        html = env.get_template(template).render(site=site, page=page)
        (folder / name).write_text(html, encoding="utf-8")
        written += 1

    overview = pages.overview(db)
    write(OVERVIEW, "index.html", overview)
    for target in pages.target_pages(db, names):
        write(target["file"], "target.html", target)
    units = unit_pages(db, names)
    write("don-vi.html", "units.html", {"units": units})
    for unit in units:
        write(unit["file"], "unit.html", unit)
    write("chat-luong-du-lieu.html", "quality.html", pages.quality(db, names))
    if history is not None:
        write("sap-xep-don-vi-2025.html", "reorganisation.html", history)
    shutil.copyfile(TEMPLATES / "style.css", folder / "style.css")
    city_targets = [row for group in overview["target_groups"] for row in group["rows"]]
    as_of = site["refresh"]["as_of_date"] if site["refresh"] else None
    return written, city_targets, as_of


def swap_link(link: Path, folder: Path) -> None:
    """Point `link` at `folder` with one rename."""
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex}.tmp")
    # Relative, so the warehouse folder can be moved or mounted elsewhere.
    os.symlink(folder.name, temporary, target_is_directory=True)
    try:
        if link.is_dir() and not link.is_symlink():
            # A plain folder cannot be renamed over; keep it as an old version to remove.
            os.rename(link, link.with_name(f"{VERSION_PREFIX}{uuid.uuid4().hex}"))
        os.replace(temporary, link)
    finally:
        temporary.unlink(missing_ok=True)


def remove_old_versions(warehouse_dir: Path, keep: Path) -> list[Path]:
    removed = []
    for path in warehouse_dir.glob(f"{VERSION_PREFIX}*"):
        if path.name != keep.name and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    for path in warehouse_dir.glob(f".{LINK_NAME}.*.tmp"):
        path.unlink(missing_ok=True)
    return removed


def build_report(published: Path, warehouse_dir: Path) -> BuiltReport:
    """Build the site from `published` (opened read-only) and swap it in."""
    started = time.perf_counter()
    folder = warehouse_dir / f"{VERSION_PREFIX}{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    try:
        with Published(published) as db:
            count, city_targets, as_of = render_site(db, folder)
        swap_link(warehouse_dir / LINK_NAME, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    remove_old_versions(warehouse_dir, keep=folder)
    size = sum(path.stat().st_size for path in folder.iterdir())
    return BuiltReport(
        folder=folder,
        overview=warehouse_dir / LINK_NAME / OVERVIEW,
        pages=count,
        size_bytes=size,
        seconds=time.perf_counter() - started,
        city_targets=city_targets,
        as_of_date=as_of,
    )
