"""The Vietnamese side of the templates: each file's title, what a row is, the allowed values
of each column and the "Hướng dẫn" sheet, all from schemas/contract.py."""

from __future__ import annotations

from datetime import date

import xlsxwriter

from schemas.contract import DATE_MAX, DATE_MIN, LEVEL_RANKS, QUALIFICATION_KINDS, Column, SeedFile

INSTRUCTIONS_SHEET = "Hướng dẫn"


GUIDE_PAGE = "docs/huong-dan-don-vi.md"


BOOLEAN_CHOICES = ("có", "không")


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


TABLE_HEADER = ("Cột", "Bắt buộc", "Kiểu", "Giá trị cho phép", "Mô tả")


def instruction_rows(seed: SeedFile) -> list[tuple[str, tuple[str, ...]]]:
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


def write_instructions(workbook: xlsxwriter.Workbook, seed: SeedFile) -> None:
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
    for row, (style, cells) in enumerate(instruction_rows(seed)):
        sheet.write_row(row, 0, cells, styles[style])
