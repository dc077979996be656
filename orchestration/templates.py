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
from schemas.contract import (
    DATE_MAX,
    DATE_MIN,
    LEVEL_RANKS,
    QUALIFICATION_KINDS,
    SEED_FILES,
    Column,
    SeedFile,
)

INSTRUCTIONS_SHEET = "Hướng dẫn"
REFERENCE_FOLDER = "reference"
GUIDE_PAGE = "docs/huong-dan-don-vi.md"
# Kinds typed as text: Excel would otherwise turn 001090012345 into 1090012345 or 1,09E+11.
TEXT_KINDS = ("text", "code", "level", "enum", "national_id", "boolean")
BOOLEAN_CHOICES = ("có", "không")
DATE_FORMAT = "dd/mm/yyyy"
# Excel's own limits: a drop-down list written inline, the messages of a validation.
LIST_SOURCE_LIMIT = 255
MESSAGE_LIMIT = 255
# Whole-number validation needs bounds; without declared ones, Excel's 32-bit range.
WHOLE_NUMBER_RANGE = (-(2**31), 2**31 - 1)

KIND_LABELS = {
    "text": "văn bản",
    "code": "mã (chữ, số, '_' và '-')",
    "level": "mã trình độ",
    "enum": "danh mục (chọn trong danh sách)",
    "date": "ngày (ngày/tháng/năm)",
    "integer": "số nguyên",
    "fraction": "số thập phân",
    "boolean": "có/không",
    "national_id": "số CCCD (12 chữ số)",
}

# What each file is, for the clerk (Vietnamese): its title and what one row is.
FILE_GUIDES = {
    "units": ("Danh mục đơn vị", "Mỗi dòng là một đơn vị: mã, tên, loại, đơn vị cấp trên."),
    "terms": ("Danh mục nhiệm kỳ", "Mỗi dòng là một nhiệm kỳ đại hội hoặc HĐND."),
    "titles": ("Danh mục chức danh", "Mỗi dòng là một chức danh được quy hoạch."),
    "programs": ("Danh mục chương trình bồi dưỡng", "Mỗi dòng là một chương trình."),
    "targets": ("Chỉ tiêu nhiệm kỳ", "Mỗi dòng là một chỉ tiêu: đối tượng, chỉ số, ngưỡng."),
    "unit_successions": (
        "Kế thừa đơn vị",
        "Mỗi dòng: từ ngày hiệu lực, một phần hay toàn bộ đơn vị cũ chuyển sang đơn vị mới.",
    ),
    "cadres": (
        "Quá trình công tác của cán bộ",
        "Mỗi dòng là một giai đoạn cán bộ thuộc đơn vị, với một diện quản lý, "
        "nơi làm việc và chức danh.",
    ),
    "classes": (
        "Lớp do đơn vị tổ chức",
        "Mỗi dòng là một lớp; mã lớp không được trùng trong toàn Thành phố.",
    ),
    "enrolments": (
        "Học viên các lớp của đơn vị",
        "Mỗi dòng là một người học một lớp do đơn vị tổ chức.",
    ),
    "qualifications": (
        "Văn bằng, trình độ",
        "Mỗi dòng là một văn bằng của một người: loại, trình độ, ngày cấp.",
    ),
    "committee_members": (
        "Thành viên cấp ủy",
        "Mỗi dòng là một người trong một cấp ủy của đơn vị, theo nhiệm kỳ.",
    ),
    "planning": (
        "Quy hoạch cán bộ",
        "Mỗi dòng đưa một người vào quy hoạch một chức danh trong một nhiệm kỳ.",
    ),
    "positions": ("Số chức danh", "Mỗi dòng là số suất của một chức danh trong một nhiệm kỳ."),
    "evaluations": (
        "Đánh giá, xếp loại cuối năm",
        "Mỗi dòng là xếp loại của một người trong một năm.",
    ),
}


def _vietnamese_date(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def choices(column: Column) -> tuple[str, ...]:
    """The drop-down of a column: its enumeration, có/không for a boolean, else none."""
    if column.kind == "enum":
        return column.values
    if column.kind == "boolean":
        return BOOLEAN_CHOICES
    return ()


def allowed_values(column: Column, seed: SeedFile) -> str:
    """What a cell of `column` may hold, in Vietnamese, from the declaration."""
    if choices(column):
        return ", ".join(choices(column))
    if column.kind == "date":
        return f"từ {_vietnamese_date(DATE_MIN)} đến {_vietnamese_date(DATE_MAX)}"
    if column.kind in ("integer", "fraction"):
        low, high = column.minimum, column.maximum
        if low is not None and high is not None:
            return f"từ {_number(low)} đến {_number(high)}"
        if low is not None:
            return f"từ {_number(low)} trở lên"
        return f"đến {_number(high)}" if high is not None else ""
    if column.kind == "national_id":
        return "đúng 12 chữ số, giữ các số 0 ở đầu (vd. 001090012345)"
    if column.kind == "level":
        ranked = "; ".join(f"{kind}: {', '.join(levels)}" for kind, levels in LEVEL_RANKS.items())
        free = ", ".join(kind for kind in QUALIFICATION_KINDS if kind not in LEVEL_RANKS)
        return f"{ranked}; {free}: mã tự do"
    if column.name == "unit_code" and seed.folder == "submission":
        return "mã đơn vị, trùng tên thư mục nộp (vd. 003, 00004)"
    return ""


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


TABLE_HEADER = ("Cột", "Bắt buộc", "Kiểu", "Giá trị cho phép", "Mô tả")


def _instructions(seed: SeedFile) -> list[tuple[str, tuple[str, ...]]]:
    """The instruction sheet's rows as (style, cells): title, heading, line, header, column."""
    title, grain = FILE_GUIDES[seed.name]
    rows = [
        ("title", (f"Mẫu {seed.name}.xlsx: {title}",)),
        ("line", (grain,)),
        ("line", (f"Khóa (hai dòng không được trùng): {', '.join(seed.key)}",)),
        (
            "line",
            (
                "Dòng 1 của sheet dữ liệu: tiêu đề nền xanh là cột bắt buộc, nền xám là "
                "cột không bắt buộc; di chuột lên tiêu đề để xem ghi chú.",
            ),
        ),
        ("line", ()),
        ("header", TABLE_HEADER),
    ]
    for column in seed.columns:
        needed = "bắt buộc" if column.required else "không bắt buộc"
        kind, allowed = KIND_LABELS[column.kind], allowed_values(column, seed)
        rows.append(("column", (column.name, needed, kind, allowed, column.description)))
    if seed.folder == "submission":
        place = f"seeds/submissions/<mã đơn vị>/{seed.name}.xlsx"
        check = [
            "Kiểm tra cả thư mục trước khi gửi: make check DIR=seeds/submissions/<mã đơn vị>.",
            "Lệnh in, cho từng tệp, số dòng sẽ được nhận, bị loại, có cảnh báo, và ghi tệp "
            "phản hồi; khi có dòng hay tệp sẽ bị loại, lệnh kết thúc với mã 1.",
        ]
    else:
        place, check = f"seeds/reference/{seed.name}.xlsx", []
    lines = {
        "Cách điền": [
            f"Điền từ dòng 2 của sheet '{seed.name}'. Giữ nguyên dòng 1 (tiêu đề) và để sheet "
            "này đứng đầu: hệ thống chỉ đọc sheet hiển thị đầu tiên.",
            "Cột mã và số CCCD đã định dạng Văn bản (Text): gõ đủ các số 0 ở đầu, "
            "vd. 001090012345, 003.",
            "Cột danh mục và cột có/không: chọn trong danh sách thả xuống.",
            "Cột ngày: gõ ngày/tháng/năm, vd. 30/06/2025; không gõ tháng trước ngày.",
            "Dán dữ liệu từ nơi khác bằng Paste Special > Values để giữ định dạng và danh "
            "sách thả xuống.",
        ],
        "Cách lưu": [
            f"Lưu với tên {seed.name}.xlsx, kiểu 'Excel Workbook (*.xlsx)'; hoặc "
            f"{seed.name}.csv, kiểu 'CSV UTF-8 (Comma delimited) (*.csv)'.",
            "Không dùng .xls, .xlsm, .ods, hay kiểu 'CSV (Comma delimited)' thường (không "
            "phải UTF-8). Không để cả .csv và .xlsx cùng tên trong một thư mục.",
        ],
        "Kiểm tra và nộp": [
            f"Đặt tệp vào {place}; thư mục của đơn vị là toàn bộ dữ liệu hiện hành của đơn vị.",
            *check,
            f"Ý nghĩa từng quy tắc và cách sửa: {GUIDE_PAGE}.",
        ],
    }
    for heading, texts in lines.items():
        rows.append(("line", ()))
        rows.append(("heading", (heading,)))
        rows += [("line", (f"- {text}",)) for text in texts]
    return rows


def _write_instructions(workbook: xlsxwriter.Workbook, seed: SeedFile) -> None:
    sheet = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    boxed = {"text_wrap": True, "valign": "top", "border": 1}
    styles = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "heading": workbook.add_format({"bold": True}),
        "line": None,
        "header": workbook.add_format({**boxed, "bold": True, "bg_color": "#DDEBF7"}),
        "column": workbook.add_format(boxed),
    }
    for index, width in enumerate((22, 15, 28, 50, 50)):
        sheet.set_column(index, index, width)
    for row, (style, cells) in enumerate(_instructions(seed)):
        sheet.write_row(row, 0, cells, styles[style])


def write_template(seed: SeedFile, path: Path) -> Path:
    """Write `seed`'s template to `path`, swapped in whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.xlsx")
    try:
        workbook = xlsxwriter.Workbook(str(temporary))
        _write_data_sheet(workbook, seed)
        _write_instructions(workbook, seed)
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
