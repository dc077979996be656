"""A seed file's header row, checked the same way for a CSV and a workbook."""

from __future__ import annotations

from orchestration.ingest.outcomes import WholeFileRejection
from schemas.contract import SeedFile


def header_names(header: list[str], seed: SeedFile) -> list[str]:
    """The header's column names, checked: no name twice, every required column there."""
    names = [name.strip().lower() for name in header]
    if len(set(names)) != len(names):
        raise WholeFileRejection("file_unparseable", "tiêu đề có cột trùng tên")
    missing = [c.name for c in seed.columns if c.required and c.name not in names]
    if missing:
        raise WholeFileRejection("file_missing_column", ", ".join(missing))
    return names
