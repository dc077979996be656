"""The .xlsx templates units fill in, one per seed file, generated from schemas/contract.py.

Each workbook's first sheet is the data sheet ingest reads (header row 1 = the contract's
column names); codes and IDs are text-formatted so Excel keeps their leading zeros,
enumerations are drop-downs, dates are date cells checked against the contract's range.
A second sheet, "Hướng dẫn", explains the file in Vietnamese. Submission templates go to
`<folder>/<name>.xlsx`, reference templates to `<folder>/reference/<name>.xlsx`.
`python -m orchestration.templates [--out DIR]` writes them (default
`<warehouse dir>/templates`).
"""

from __future__ import annotations

import argparse
import os
import uuid
from datetime import date
from pathlib import Path

import xlsxwriter

from orchestration.settings import current_settings
from orchestration.template_instructions import (
    KIND_LABELS,
    allowed_values,
    choices,
    write_instructions,
)
from schemas.contract import (
    DATE_MAX,
    DATE_MIN,
    SEED_FILES,
    Column,
    SeedFile,
)

REFERENCE_FOLDER = "reference"
# Kinds typed as text: Excel would otherwise turn 001090012345 into 1090012345 or 1,09E+11.
TEXT_KINDS = ("text", "code", "level", "enum", "national_id", "boolean")
DATE_FORMAT = "dd/mm/yyyy"
# Excel's own limits: a drop-down list written inline, the messages of a validation.
LIST_SOURCE_LIMIT = 255
MESSAGE_LIMIT = 255
# Whole-number validation needs bounds; without declared ones, Excel's 32-bit range.
WHOLE_NUMBER_RANGE = (-(2**31), 2**31 - 1)


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _validation(column: Column, seed: SeedFile) -> dict | None:
    """The xlsxwriter data validation of a column, or None."""
    listed = choices(column)
    if listed:
        source = ",".join(listed)
        if len(source) > LIST_SOURCE_LIMIT:
            raise ValueError(f"{seed.name}.{column.name}: drop-down longer than Excel allows")
        rule = {"validate": "list", "source": list(listed)}
    elif column.kind == "date":
        rule = {
            "validate": "date",
            "criteria": "between",
            "minimum": date.fromisoformat(DATE_MIN),
            "maximum": date.fromisoformat(DATE_MAX),
        }
    elif column.kind in ("integer", "fraction"):
        # Written as declared (0, not 0.0); a whole-number rule needs whole bounds.
        cast = int if column.kind == "integer" else _plain
        low = WHOLE_NUMBER_RANGE[0] if column.minimum is None else cast(column.minimum)
        high = WHOLE_NUMBER_RANGE[1] if column.maximum is None else cast(column.maximum)
        rule = {
            "validate": "integer" if column.kind == "integer" else "decimal",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
        }
    else:
        return None
    message = f"Cột {column.name}: {KIND_LABELS[column.kind]}; {allowed_values(column, seed)}"
    rule["error_title"] = "Giá trị không hợp lệ"
    rule["error_message"] = message[:MESSAGE_LIMIT]
    return rule


def _width(column: Column) -> int:
    widest = max([len(column.name), *(len(value) for value in choices(column))])
    by_kind = {"national_id": 15, "date": 12, "text": 24}.get(column.kind, 10)
    return min(max(widest, by_kind) + 2, 40)


def _note(column: Column, seed: SeedFile) -> str:
    needed = "Bắt buộc" if column.required else "Không bắt buộc"
    allowed = allowed_values(column, seed)
    lines = [column.description, f"{needed}; {KIND_LABELS[column.kind]}"]
    return "\n".join(lines + ([f"Giá trị: {allowed}"] if allowed else []))


def _write_data_sheet(workbook: xlsxwriter.Workbook, seed: SeedFile) -> None:
    sheet = workbook.add_worksheet(seed.name)
    text = workbook.add_format({"num_format": "@"})
    day = workbook.add_format({"num_format": DATE_FORMAT})
    whole = workbook.add_format({"num_format": "0"})
    header = {"bold": True, "num_format": "@", "border": 1}
    required_header = workbook.add_format({**header, "bg_color": "#DDEBF7"})
    optional_header = workbook.add_format({**header, "bg_color": "#F2F2F2", "italic": True})
    for index, column in enumerate(seed.columns):
        kind_format = {"date": day, "integer": whole}.get(column.kind)
        if column.kind in TEXT_KINDS:
            kind_format = text
        sheet.set_column(index, index, _width(column), kind_format)
        sheet.write_string(
            0, index, column.name, required_header if column.required else optional_header
        )
        sheet.write_comment(0, index, _note(column, seed), {"x_scale": 2.5, "y_scale": 1.5})
        rule = _validation(column, seed)
        if rule is not None:
            sheet.data_validation(1, index, 1_048_575, index, rule)
    sheet.freeze_panes(1, 0)


def write_template(seed: SeedFile, path: Path) -> Path:
    """Write `seed`'s template to `path`, swapped in whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.xlsx")
    try:
        workbook = xlsxwriter.Workbook(str(temporary))
        _write_data_sheet(workbook, seed)
        write_instructions(workbook, seed)
        workbook.close()
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_templates(folder: Path) -> list[Path]:
    """Every seed file's template: submissions in `folder`, reference files in reference/."""
    written = []
    for seed in SEED_FILES:
        target = folder if seed.folder == "submission" else folder / REFERENCE_FOLDER
        written.append(write_template(seed, target / f"{seed.name}.xlsx"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder to write to")
    options = parser.parse_args(argv)
    folder = options.out or current_settings().warehouse_dir / "templates"
    for path in write_templates(folder):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
