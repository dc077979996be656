"""How a unit's CSV is written: its encoding, delimiter, `sep=` line and header.

Read from the file's first bytes before DuckDB reads it (CONTRACT.md §2): a file in
another encoding is refused whole, and the header names the columns wherever they stand.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from orchestration.ingest.header import header_names
from orchestration.ingest.outcomes import WholeFileRejection
from schemas.contract import SeedFile

# Excel's exports: comma (CSV UTF-8), semicolon (CSV in a Vietnamese locale), tab
# (Unicode Text). A delimiter is looked for in this order in the header line.
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Dialect:
    """How one CSV is written: its encoding, delimiter and the lines before the header."""

    encoding: str  # DuckDB's name: 'utf-8' or 'utf-16'
    delimiter: str
    # 1 when the file starts with Excel's `sep=;` line (counted as line 1), else 0.
    preamble: int
    header: list[str]


def legacy_encoding_hint(path: Path) -> str:
    sample = path.read_bytes()[: 1 << 20]
    try:
        sample.decode("cp1258")
    except UnicodeDecodeError:
        return ""
    return " (có vẻ là Windows-1258)"


def read_dialect(path: Path, seed: SeedFile) -> Dialect:
    """Encoding from the BOM, a `sep=` line, and the delimiter that splits the header into
    the required columns (comma when none does, so the file misses its columns)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, text = "utf-16", head.decode("utf-16", errors="ignore")
    else:
        encoding = "utf-8"
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            # The read may have cut a character in two at its end; that alone is not bad.
            if error.start < len(head) - 3:
                raise WholeFileRejection("file_not_utf8", legacy_encoding_hint(path)) from None
            text = head[: error.start].decode("utf-8-sig")
    lines = text.splitlines()
    preamble = 0
    if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) == 5:
        preamble, forced = 1, lines[0].strip()[4]
        lines = lines[1:]
    else:
        forced = None
    first = lines[0] if lines else ""
    candidates = [forced] if forced else [d for d in DELIMITERS if d in _outside_quotes(first)]
    parsed = None
    for delimiter in candidates or [","]:
        header = _split(first, delimiter)
        try:
            names = header_names(header, seed)
        except WholeFileRejection as rejection:
            parsed = parsed or rejection
            continue
        return Dialect(encoding, delimiter, preamble, names)
    raise parsed or WholeFileRejection("file_missing_column", "")


def _outside_quotes(line: str) -> str:
    return "".join(part for position, part in enumerate(line.split('"')) if position % 2 == 0)


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(line), delimiter=delimiter))
    except (csv.Error, StopIteration) as error:
        raise WholeFileRejection("file_unparseable", str(error)) from None
