"""Units' CSVs written alike are read in one scan: each row keeps its unit, position and
physical line, and a file the scan cannot take whole is read alone, as before."""

from __future__ import annotations

import duckdb

from orchestration.ingest.reading import create_source_tables, read_unit_file, read_unit_files
from schemas import seed_file

POSITIONS = seed_file("positions")
HEADER = "unit_code,title_code,term_code,seats\n"


def _write(folder, unit: str, content: bytes | str):
    path = folder / unit / "positions.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _read(paths: dict, one_by_one: bool):
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    create_source_tables(con, POSITIONS)
    if one_by_one:
        rejected = {}
        for unit, path in paths.items():
            try:
                read_unit_file(con, path, POSITIONS, unit)
            except Exception as rejection:  # WholeFileRejection
                rejected[unit] = rejection.rule
    else:
        rejected = {u: r.rule for u, r in read_unit_files(con, paths, POSITIONS).items()}
    src = con.execute(
        "SELECT _unit, _pos, _line, title_code, seats FROM src ORDER BY _unit, _pos"
    ).fetchall()
    malformed = con.execute("SELECT _unit, _line FROM malformed ORDER BY ALL").fetchall()
    return src, malformed, rejected


def _units(tmp_path):
    filler = "".join(f"F,T{i},2020-2025,{i % 50}\n" for i in range(6000))
    return {
        "A": _write(tmp_path, "A", HEADER + "A,TA1,2020-2025,1\nA,TA2,2020-2025,2\n"),
        # A record with a column too many, on line 3.
        "B": _write(
            tmp_path, "B", HEADER + "B,TB1,2020-2025,1\nB,X,2020-2025,9,9\nB,TB3,2020-2025,3\n"
        ),
        # A quoted value over lines 2 and 3: the next record is on line 4.
        "C": _write(tmp_path, "C", HEADER + 'C,"TC\n1",2020-2025,1\nC,TC2,2020-2025,2\n'),
        # Excel's `sep=` line counts as line 1 of a semicolon file.
        "D": _write(tmp_path, "D", "sep=;\n" + HEADER.replace(",", ";") + "D;TD1;2020-2025;4\n"),
        "E": _write(tmp_path, "E", HEADER + "E,TE1,2020-2025,5\n"),
        # Valid UTF-8 past the dialect's sample, then a Windows-1258 byte.
        "F": _write(tmp_path, "F", (HEADER + filler).encode() + b"F,T\xd0,2020-2025,1\n"),
        "G": _write(tmp_path, "G", b""),
    }


def test_rows_keep_their_unit_position_and_line(tmp_path):
    src, malformed, rejected = _read(_units(tmp_path), one_by_one=False)
    assert src == [
        ("A", 1, 2, "TA1", "1"),
        ("A", 2, 3, "TA2", "2"),
        ("B", 1, 2, "TB1", "1"),
        ("B", 2, 4, "TB3", "3"),
        ("C", 1, 2, "TC\n1", "1"),
        ("C", 2, 4, "TC2", "2"),
        ("D", 1, 3, "TD1", "4"),
        ("E", 1, 2, "TE1", "5"),
    ]
    assert malformed == [("B", 3)]
    assert rejected == {"F": "file_not_utf8", "G": "file_empty"}


def test_one_scan_reads_what_one_file_at_a_time_reads(tmp_path):
    paths = _units(tmp_path)
    batched = _read(paths, one_by_one=False)
    alone = _read(paths, one_by_one=True)
    # A file refused whole may have left rows of its own read behind; none of them count.
    assert batched[0] == [row for row in alone[0] if row[0] not in batched[2]]
    assert batched[1:] == alone[1:]
