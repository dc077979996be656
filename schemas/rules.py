"""The named row rules, in the fixed order that decides which one a bad row counts under."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A rule a row can break. `message` is Vietnamese; `{column}` names the column."""

    code: str
    message: str


# A row that breaks several rules is counted once, under the first rule of this list
# (CONTRACT.md §3). Within one rule, columns are checked in the file's column order.
RULES: tuple[Rule, ...] = (
    Rule("malformed_row", "Dòng CSV sai cấu trúc (số cột không khớp tiêu đề)"),
    Rule("missing_value", "Thiếu giá trị bắt buộc ở cột {column}"),
    Rule(
        "national_id_scientific",
        "Số CCCD ở cột {column} bị Excel ghi dạng số mũ (như 1,08E+11) nên đã mất chữ số; "
        "hãy định dạng cột là Văn bản (Text) rồi nhập lại số CCCD",
    ),
    Rule("invalid_national_id", "Số CCCD ở cột {column} phải gồm đúng 12 chữ số"),
    Rule("invalid_date", "Ngày ở cột {column} không hợp lệ (dùng YYYY-MM-DD hoặc D/M/YYYY)"),
    Rule("invalid_integer", "Giá trị ở cột {column} phải là số nguyên"),
    Rule("invalid_number", "Giá trị ở cột {column} phải là số"),
    Rule("invalid_boolean", "Giá trị ở cột {column} phải là có/không (true/false, 1/0)"),
    Rule("invalid_code", "Mã ở cột {column} chỉ được gồm chữ, số, '_' và '-'"),
    Rule("invalid_enum", "Giá trị ở cột {column} không thuộc danh mục cho phép"),
    Rule("out_of_range", "Giá trị ở cột {column} nằm ngoài khoảng cho phép"),
    Rule("unit_code_mismatch", "Mã đơn vị ở cột {column} khác với thư mục nộp"),
    Rule("invalid_level", "Trình độ ở cột {column} không thuộc danh mục của loại trình độ"),
    Rule("end_before_start", "Ngày kết thúc ở cột {column} trước ngày bắt đầu"),
    Rule("invalid_period", "Ngày kết thúc giai đoạn ở cột {column} trước ngày bắt đầu"),
    Rule(
        "tier_not_in_unit",
        "Diện quản lý ở cột {column} chỉ có ở đơn vị cấp huyện "
        "(quận, huyện, thị xã, đảng ủy trực thuộc) còn tồn tại trong giai đoạn này",
    ),
    Rule("unknown_reference", "Mã ở cột {column} không có trong danh mục tham chiếu"),
    Rule(
        "outside_unit_validity",
        "Ngày hoặc nhiệm kỳ ở cột {column} nằm ngoài thời gian tồn tại của đơn vị (units.csv)",
    ),
    Rule(
        "succession_dates_mismatch",
        "Ngày hiệu lực ở cột {column} phải là ngày đầu của đơn vị kế thừa "
        "và ngày sau ngày cuối của đơn vị cũ",
    ),
    Rule("class_of_other_unit", "Lớp ở cột {column} do đơn vị khác tổ chức"),
    Rule("sessions_over_plan", "Số buổi dự ở cột {column} vượt số buổi theo kế hoạch của lớp"),
    Rule("duplicate_row", "Dòng trùng lặp hoàn toàn với một dòng trước"),
    Rule("duplicate_key", "Trùng khóa {column} với dòng khác có nội dung khác"),
    Rule(
        "person_listed_twice",
        "Cán bộ ở cột {column} có hai giai đoạn công tác trùng thời gian "
        "(cùng lúc ở hai đơn vị, hoặc hai lần trong một đơn vị)",
    ),
    Rule("held_back", "Tệp nộp lại bị giữ lại; dữ liệu được chấp nhận trước đó vẫn giữ nguyên"),
)

# Whole-file rejections: the file is refused before any row is read (CONTRACT.md §3).
FILE_RULES: tuple[Rule, ...] = (
    Rule("folder_not_unit_code", "Thư mục '{column}' không phải mã đơn vị (chỉ gồm chữ và số)"),
    Rule(
        "file_ambiguous",
        "Thư mục có nhiều bản của cùng một tệp ({column}); không biết bản nào là đúng, "
        "hãy chỉ giữ lại một bản (.xlsx hoặc .csv)",
    ),
    Rule(
        "file_unsupported",
        "Định dạng tệp {column} không được nhận; hãy lưu lại dưới dạng Excel Workbook (.xlsx) "
        "hoặc CSV UTF-8 (.csv)",
    ),
    Rule(
        "file_empty",
        "Tệp rỗng (0 byte); tệp chỉ có dòng tiêu đề mới là tệp hợp lệ không có dữ liệu",
    ),
    Rule(
        "file_not_utf8",
        "Tệp không mã hóa UTF-8{column}; trong Excel chọn Lưu thành (Save As) → "
        "CSV UTF-8 (Comma delimited) hoặc Excel Workbook (.xlsx)",
    ),
    Rule("file_missing_column", "Tệp thiếu cột bắt buộc: {column}"),
    Rule("file_unparseable", "Không đọc được tệp (CSV hoặc sổ tính .xlsx): {column}"),
)

# Rules that accept a row and tell its unit (quality.warnings, the unit's feedback).
WARNINGS: tuple[Rule, ...] = (
    Rule(
        "national_id_zero_padded",
        "Số CCCD ở cột {column} bị mất số 0 ở đầu (ô dạng số trong Excel); đã thêm lại, "
        "hãy định dạng cột là Văn bản (Text)",
    ),
    Rule(
        "unit_code_zero_padded",
        "Mã đơn vị ở cột {column} bị mất số 0 ở đầu (ô dạng số trong Excel); đã thêm lại "
        "theo tên thư mục, hãy định dạng cột là Văn bản (Text)",
    ),
    Rule(
        "person_attributes_differ",
        "Các giai đoạn của cùng một cán bộ khác nhau ở cột {column}; "
        "dùng giá trị của giai đoạn hiện tại (hoặc gần nhất)",
    ),
)

# Rules that compare a unit's rows with other units' rows: they never count toward the
# reject rate that holds a resubmission back (CONTRACT.md §3).
RULES_ACROSS_UNITS = frozenset({"person_listed_twice"})

# Warnings about one row alone (the others compare a row with other rows).
ROW_WARNINGS = ("national_id_zero_padded", "unit_code_zero_padded")

RULE_BY_CODE = {rule.code: rule for rule in RULES + FILE_RULES + WARNINGS}
RULE_ORDER = {rule.code: position for position, rule in enumerate(RULES)}


def message_for(rule_code: str, column: str | None) -> str:
    return RULE_BY_CODE[rule_code].message.format(column=column or "")
