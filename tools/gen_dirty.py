"""`--dirty RATE`: what real Excel exports contain, and a manifest of rows to reject.

Two kinds of dirt are mixed in at RATE. Dirt the loader must accept changes how valid rows
are written (BOM, NFD text, Ð for Đ, D/M/YYYY dates, có/không booleans, enum case, padded
spaces). Bad rows are added, never made out of existing ones, so every original row stays
valid and nothing downstream loses a class it refers to. Each bad row breaks exactly one
rule and, except for the duplicates, carries a fresh key so it cannot form a duplicate with
anything. `dirty_manifest.csv` lists every added bad row: file, unit_code, line, rule.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import polars as pl

from schemas import REFERENCE_FILES, SUBMISSION_FILES, SeedFile
from tools.gen_io import write_csv
from tools.gen_people import citizen_ids, days, id_text

BOM = b"\xef\xbb\xbf"
TRUE_WORDS = ("có", "Có", "CÓ", "1", "TRUE", "True")
FALSE_WORDS = ("không", "Không", "KHÔNG", "0", "FALSE", "False")
BAD_DATES = ("30/02/2019", "31/04/2020", "29/02/2021", "31/06/2018", "2019-02-30")
BAD_ENUM = {
    "cadres": ("gender", "gioi_tinh_khac"),
    "enrolments": ("result", "dat_yeu_cau"),
    "qualifications": ("qualification_kind", "bang_cap"),
    "committee_members": ("role", "thanh_vien"),
    "planning": ("status", "cho_duyet"),
    "evaluations": ("rating", "tot"),
}
DATE_COLUMN = {
    "cadres": "birth_date",
    "classes": "start_date",
    "qualifications": "awarded_date",
    "planning": "decision_date",
}
UNKNOWN = {
    "classes": ("program_code", "CT_TU_CHON"),
    "committee_members": ("term_code", "2010-2015"),
    "planning": ("title_code", "PHO_CHU_TICH_MTTQ"),
    "positions": ("title_code", "PHO_CHU_TICH_MTTQ"),
}
# The non-key column that differs between the two rows of an injected duplicate_key pair.
DIFFERING = {
    "cadres": "full_name",
    "classes": "planned_sessions",
    "enrolments": "result",
    "qualifications": "awarded_date",
    "committee_members": "role",
    "planning": "decision_date",
    "evaluations": "rating",
}


def _rules_for(seed: SeedFile) -> list[str]:
    names = set(seed.column_names)
    rules = []
    if "national_id" in names:
        rules.append("invalid_national_id")
    if seed.name in DATE_COLUMN:
        rules.append("invalid_date")
    if seed.name in BAD_ENUM:
        rules.append("invalid_enum")
    # A wrong unit on an enrolment would also break class_of_other_unit: leave it out.
    if seed.name != "enrolments":
        rules.append("unit_code_mismatch")
    if seed.name in UNKNOWN or seed.name == "enrolments":
        rules.append("unknown_reference")
    if seed.name == "enrolments":
        rules.append("sessions_over_plan")
    rules.append("duplicate_row")
    if seed.name in DIFFERING:
        rules.append("duplicate_key")
    return rules


class _Dirt:
    def __init__(self, rng: np.random.Generator, rate: float, fresh_ids: list[str]):
        self.rng = rng
        self.rate = rate
        self.fresh_ids = iter(fresh_ids)
        self.fresh_classes = 0

    def hit(self) -> bool:
        return self.rng.random() < self.rate

    def pick(self, values):
        return values[int(self.rng.integers(0, len(values)))]

    # Dirt the loader must accept.
    def accepted(self, seed: SeedFile, row: list[str]) -> list[str]:
        for position, column in enumerate(seed.columns):
            value = row[position]
            if not value:
                continue
            if column.kind == "date" and self.hit():
                year, month, day = value.split("-")
                if self.rng.random() < 0.5:
                    value = f"{int(day)}/{int(month)}/{year}"
                else:
                    value = f"{day}/{month}/{year}"
            elif column.kind == "boolean" and self.hit():
                value = self.pick(TRUE_WORDS if value == "true" else FALSE_WORDS)
            elif column.kind == "enum" and self.hit():
                value = value.upper() if self.rng.random() < 0.5 else value.capitalize()
            elif column.kind == "text" and self.hit():
                if "Đ" in value or "đ" in value:
                    value = value.replace("Đ", "Ð").replace("đ", "ð")
                else:
                    value = unicodedata.normalize("NFD", value)
            row[position] = value
        if self.hit():
            position = int(self.rng.integers(0, len(row)))
            if row[position]:
                row[position] = self.pick((" ", "  ", "")) + row[position] + self.pick((" ", "\t"))
        return row

    # Rows the loader must reject, one rule each.
    def rejected(self, seed, rule, template, unit, units, planned) -> list[list[str]]:
        names = seed.column_names
        row = dict(zip(names, template, strict=True))
        if rule == "duplicate_row":
            return [list(template)]
        self._fresh_key(seed, row, unit)
        if rule == "invalid_national_id":
            good = row["national_id"].strip()
            row["national_id"] = good[:11] if self.rng.random() < 0.5 else good[:5] + "O" + good[6:]
        elif rule == "invalid_date":
            row[DATE_COLUMN[seed.name]] = self.pick(BAD_DATES)
        elif rule == "invalid_enum":
            column, value = BAD_ENUM[seed.name]
            row[column] = value
        elif rule == "unit_code_mismatch":
            row["unit_code"] = self.pick([code for code in units if code != unit])
        elif rule == "unknown_reference":
            if seed.name == "enrolments":
                row["class_code"] = f"{unit}-1999-{int(self.rng.integers(0, 10000)):04d}"
            else:
                column, value = UNKNOWN[seed.name]
                row[column] = value
        elif rule == "sessions_over_plan":
            over = planned[row["class_code"].strip()] + int(self.rng.integers(1, 6))
            row["sessions_attended"] = str(over)
        elif rule == "duplicate_key":
            twin = dict(row)
            column = DIFFERING[seed.name]
            twin[column] = self._different(column, row[column])
            return [[row[n] for n in names], [twin[n] for n in names]]
        return [[row[n] for n in names]]

    def _fresh_key(self, seed: SeedFile, row: dict, unit: str) -> None:
        if "national_id" in row:
            row["national_id"] = next(self.fresh_ids)
        if seed.name == "classes":
            self.fresh_classes += 1
            row["class_code"] = f"{unit}-2019-D{self.fresh_classes:05d}"

    def _different(self, name: str, value: str) -> str:
        value = value.strip()
        if name == "full_name":
            return value + " Anh"
        if name == "planned_sessions":
            return str(int(value) + 1)
        if name in ("awarded_date", "decision_date"):
            return str(np.datetime64(days(_iso(value)) + 1, "D"))
        choices = {
            "result": ("kha", "gioi"),
            "role": ("uy_vien", "pho_bi_thu"),
            "rating": ("htt", "ht"),
        }[name]
        return choices[1] if value.lower() == choices[0] else choices[0]


def _iso(value: str) -> str:
    if "/" not in value:
        return value
    day, month, year = value.split("/")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _text_rows(frame: pl.DataFrame) -> list[list[str]]:
    columns = [c for c in frame.columns if not c.startswith("_")]
    text = frame.select(
        pl.col(c).cast(pl.String).fill_null("") if frame.schema[c] != pl.Boolean
        else pl.col(c).cast(pl.String).str.to_lowercase().fill_null("")
        for c in columns
    )  # fmt: skip
    return [list(row) for row in text.iter_rows()]


def _write_rows(path: Path, seed: SeedFile, rows: list[list[str]], bom: bool) -> None:
    frame = pl.DataFrame(
        [[value if value != "" else None for value in row] for row in rows],
        schema={name: pl.String for name in seed.column_names},
        orient="row",
    )
    write_csv(path, frame)
    if bom:
        path.write_bytes(BOM + path.read_bytes())


def write_dirty(frames: dict[str, pl.DataFrame], out: Path, rate: float, seed: int) -> int:
    """Write a dirty copy of `frames` under `out`; returns the number of rows to reject."""
    rng = np.random.default_rng([seed, 7])
    units = frames["units"]["unit_code"].to_list()
    cadres = frames["cadres"]
    taken = np.sort(cadres["national_id"].cast(pl.Int64).to_numpy())
    expected = sum(frame.height for frame in frames.values()) * rate * 2 + 100
    size = int(expected)
    fresh = citizen_ids(rng, rng.integers(0, 2, size), np.full(size, days("1980-06-15")), taken)
    dirt = _Dirt(rng, rate, id_text(fresh).to_list())
    bom_share = min(0.5, 10 * rate)
    classes = frames["classes"]
    planned = dict(
        zip(classes["class_code"].to_list(), classes["planned_sessions"].to_list(), strict=True)
    )

    for seed_file in REFERENCE_FILES:
        rows = [dirt.accepted(seed_file, row) for row in _text_rows(frames[seed_file.name])]
        path = out / "reference" / seed_file.filename
        _write_rows(path, seed_file, rows, rng.random() < bom_share)

    manifest = []
    for seed_file in SUBMISSION_FILES:
        frame = frames[seed_file.name]
        slices = frame.partition_by("_unit", as_dict=True, maintain_order=True)
        rules = _rules_for(seed_file)
        for unit in units:
            part = slices.get((unit,), frame.clear())
            rows = [dirt.accepted(seed_file, row) for row in _text_rows(part)]
            originals = len(rows)
            keys = list(np.arange(originals, dtype=float))
            flagged: list[str | None] = [None] * originals
            # Templates are original rows only: a copy of a bad row could break two rules.
            for _ in range(int(rng.binomial(originals, rate)) if rows else 0):
                rule = dirt.pick(rules)
                anchor = int(rng.integers(0, originals))
                template = rows[anchor]
                for bad in dirt.rejected(seed_file, rule, template, unit, units, planned):
                    # A duplicate comes after the row it copies: the first one is kept.
                    low = anchor + 0.5 if rule == "duplicate_row" else -0.5
                    keys.append(float(rng.uniform(low, originals)))
                    rows.append(bad)
                    flagged.append(rule)
            order = np.argsort(np.array(keys), kind="stable")
            path = out / "submissions" / unit / seed_file.filename
            _write_rows(path, seed_file, [rows[i] for i in order], rng.random() < bom_share)
            for line, index in enumerate(order, start=2):
                if flagged[index]:
                    manifest.append((seed_file.name, unit, line, flagged[index]))
    write_csv(
        out / "dirty_manifest.csv",
        pl.DataFrame(manifest, schema=["file", "unit_code", "line", "rule"], orient="row"),
    )
    return len(manifest)
