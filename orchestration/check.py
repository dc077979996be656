"""`python -m orchestration.check <unit folder>`: a unit's check before it submits its files.

Runs every file and row rule on the folder (named by its unit code) as the next refresh
would: against the reference files of `$NHANLUC_SEEDS_DIR/reference` and, for the rules
across units, against the other units' rows the warehouse last accepted
(orchestration/ingest/preview.py). Prints per file the rows read, accepted, rejected and
warned, then each rejected row, refused file and warning; writes the unit's feedback,
in the warehouse's format, to `<unit>-kiem-tra.csv` beside the folder (a name no seed file
and no unit folder can have). Exits 1 when anything would be rejected, else 0. Needs
neither Dagster nor dbt, and writes nothing in the warehouse.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.ingest.preview import FileCheck, FolderCheck, check_folder
from orchestration.quality.feedback_files import WARNED, write_feedback_csv
from orchestration.settings import UNIT_FOLDER_PATTERN, Settings, current_settings
from schemas.rules import message_for

# Entries listed per file; the feedback file has them all.
LISTED_PER_FILE = 50
FEEDBACK_SUFFIX = "-kiem-tra.csv"


def feedback_path(folder: Path) -> Path:
    """Where the check writes its feedback: beside the folder, so the folder stays exactly
    what the unit submits."""
    folder = folder.resolve()
    return folder.parent / f"{folder.name}{FEEDBACK_SUFFIX}"


def _entry(row: list[str]) -> str:
    _, line, column, rule, message, outcome = row
    verdict = "cảnh báo" if outcome == WARNED else "bị loại"
    place = f"dòng {line}" if line else "cả tệp"
    if column:
        place += f", cột {column}"
    return f"  [{verdict}] {place}, {rule}: {message}"


def _file_lines(file: FileCheck) -> list[str]:
    outcome = file.outcome
    if outcome is None:
        return [f"{file.seed.name}: không có tệp (not submitted): đơn vị không có dòng loại này"]
    name = outcome.source_file or file.seed.filename
    lines = [
        f"{name}: đọc {outcome.rows_read} · sẽ nhận {outcome.rows_accepted} · "
        f"bị loại {outcome.rows_rejected} · cảnh báo {file.rows_warned} "
        "(read · would be accepted · rejected · warned)"
    ]
    # The valid rows of a held-back file are one entry: the file-level one says why.
    entries = [row for row in file.feedback if not (row[3] == "held_back" and row[1])]
    held_rows = len(file.feedback) - len(entries)
    lines += [_entry(row) for row in entries[:LISTED_PER_FILE]]
    if len(entries) > LISTED_PER_FILE:
        more = len(entries) - LISTED_PER_FILE
        lines.append(f"  … và {more} mục nữa ({more} more) trong tệp phản hồi")
    if held_rows:
        lines.append(f"  {held_rows} dòng hợp lệ cũng chưa được nhận vì tệp bị giữ lại (held_back)")
    return lines


def report_lines(result: FolderCheck, settings: Settings, destination: Path) -> list[str]:
    if result.other_units:
        state = (
            f"{settings.warehouse_dir}: so với dữ liệu đã nhận của "
            f"{len(result.other_units)} đơn vị khác"
        )
    else:
        state = f"{settings.warehouse_dir}: chưa có dữ liệu đã nhận của đơn vị khác"
    lines = [
        f"nhanluc: kiểm tra thư mục {result.unit} (check of a unit folder before submitting)",
        f"  danh mục tham chiếu (reference): {settings.seeds_dir / 'reference'}",
        f"  kho dữ liệu (warehouse): {state}",
        "",
    ]
    for file in result.files:
        lines += _file_lines(file)
    if result.reference_rejections:
        lines.append(
            f"Ghi chú: danh mục tham chiếu có {result.reference_rejections} dòng hoặc tệp bị "
            "loại; kiểm tra dùng các dòng hợp lệ của danh mục"
        )
    rejected = sum(f.outcome.rows_rejected for f in result.files if f.outcome)
    refused = sum(f.outcome.status != "accepted" for f in result.files if f.outcome)
    if result.rejects_anything:
        verdict = (
            f"Kết quả (result): sẽ bị loại {rejected} dòng, {refused} tệp bị từ chối "
            "hoặc giữ lại; hãy sửa rồi kiểm tra lại"
        )
    else:
        verdict = "Kết quả (result): không có dòng nào bị loại (nothing would be rejected)"
    lines += ["", verdict, f"Tệp phản hồi (feedback): {destination}"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.check",
        description="Check a unit's folder as the next refresh would load it.",
    )
    parser.add_argument("folder", help="the unit folder, named by its unit code")
    name = parser.parse_args(argv).folder
    folder = Path(name)
    # An empty argument (make check with no DIR) would otherwise name the current folder.
    if not name or not folder.is_dir():
        print(f"nhanluc: không có thư mục (no such folder): {name!r}", file=sys.stderr)
        return 2
    unit = folder.resolve().name
    if not UNIT_FOLDER_PATTERN.fullmatch(unit):
        print(f"folder_not_unit_code: {message_for('folder_not_unit_code', unit)}")
        return 1
    settings = current_settings()
    result = check_folder(folder, settings)
    destination = feedback_path(folder)
    write_feedback_csv(destination, result.feedback)
    print("\n".join(report_lines(result, settings, destination)))
    return 1 if result.rejects_anything else 0


if __name__ == "__main__":
    sys.exit(main())
