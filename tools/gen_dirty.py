"""`--dirty RATE`: what real Excel exports contain, and a manifest of rows to reject.

Two kinds of dirt are mixed in at RATE. Dirt the loader must accept changes how valid rows
are written (BOM, NFD text, Ð for Đ, D/M/YYYY dates, có/không booleans, enum case, padded
spaces). Bad rows are added, never made out of existing ones, so every original row stays
valid and nothing downstream loses a class it refers to. Each bad row breaks exactly one
rule and, except for the duplicates, carries a fresh key so it cannot form a duplicate with
anything. The time rules get rows dated outside their unit's validity, periods that end
before they start, a district tier in a commune, and one made-up person listed in two units
at once (both rows are listed). `unit_successions.csv` gets unknown units and wrong dates.
`dirty_manifest.csv` lists every added bad row: file, unit_code (`reference` for a
reference file), line, rule.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import polars as pl

from schemas import REFERENCE_FILES, SUBMISSION_FILES, SeedFile
from schemas.contract import DISTRICT_LEVEL_KINDS
from tools.gen_io import write_csv
from tools.gen_people import citizen_ids, days, id_text
from tools.gen_reference import COMMUNES_BEGIN, DISTRICTS_END

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
# Rows of a commune dated before it existed, or of a district after it ended.
TERM_OUTSIDE = {"commune": "2015-2020", "district": "2025-2030"}
CLASS_OUTSIDE = {"commune": "2025-06-16", "district": COMMUNES_BEGIN}
PERIOD_OUTSIDE = {"commune": ("2025-03-01", ""), "district": ("", "2025-12-31")}
# A period that ends before it starts, inside its unit's validity.
PERIOD_REVERSED = {
    "commune": ("2026-03-01", "2025-12-31"),
    "district": ("2023-03-01", "2022-12-31"),
    "open": ("2024-05-01", "2023-12-31"),
}
# Two periods of one person that overlap: the first row's dates, then the second's.
OVERLAPS = {
    "commune": ((COMMUNES_BEGIN, ""), ("2026-01-01", "")),
    "district": (("", "2024-12-31"), ("2024-06-01", "")),
}
SUCCESSION_RULES = ("unknown_reference", "succession_dates_mismatch")
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


def _era(kind: str) -> str:
    """How a unit's validity is bounded: ends on DISTRICTS_END, begins on COMMUNES_BEGIN, or
    open at both ends."""
    if kind in ("phuong", "xa"):
        return "commune"
    return "district" if kind in ("quan", "huyen", "thi_xa") else "open"


def _rules_for(seed: SeedFile, kind: str) -> list[str]:
    names = set(seed.column_names)
    era = _era(kind)
    rules = []
    if "national_id" in names:
        rules += ["national_id_scientific", "invalid_national_id"]
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
    if seed.name == "cadres":
        rules += ["invalid_period", "person_listed_twice"]
        if kind not in DISTRICT_LEVEL_KINDS:
            rules.append("tier_not_in_unit")
    if "outside_unit_validity" in seed.extra_rules and era != "open":
        rules.append("outside_unit_validity")
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
    def rejected(self, seed, rule, template, unit, kinds, planned) -> list[tuple[str, list[str]]]:
        """The bad rows for `rule`, each with the unit folder it goes to."""
        names = seed.column_names
        row = dict(zip(names, template, strict=True))
        era = _era(kinds[unit])
        if rule == "duplicate_row":
            return [(unit, list(template))]
        self._fresh_key(seed, row, unit)
        if rule == "national_id_scientific":
            # What Excel writes for a 12-digit number in a General cell: 1.08E+11.
            digits = row["national_id"].strip().lstrip("0") or "1"
            row["national_id"] = f"{digits[0]}.{digits[1:3]}E+{len(digits) - 1}"
        elif rule == "invalid_national_id":
            # Nine digits (an old identity card number: never padded) or a letter in it.
            good = row["national_id"].strip()
            row["national_id"] = good[3:] if self.rng.random() < 0.5 else good[:5] + "O" + good[6:]
        elif rule == "invalid_date":
            row[DATE_COLUMN[seed.name]] = self.pick(BAD_DATES)
        elif rule == "invalid_enum":
            column, value = BAD_ENUM[seed.name]
            row[column] = value
        elif rule == "unit_code_mismatch":
            row["unit_code"] = self.pick([code for code in kinds if code != unit])
        elif rule == "unknown_reference":
            if seed.name == "enrolments":
                row["class_code"] = f"{unit}-1999-{int(self.rng.integers(0, 10000)):04d}"
            else:
                column, value = UNKNOWN[seed.name]
                row[column] = value
        elif rule == "sessions_over_plan":
            over = planned[row["class_code"].strip()] + int(self.rng.integers(1, 6))
            row["sessions_attended"] = str(over)
        elif rule == "invalid_period":
            row["valid_from"], row["valid_to"] = PERIOD_REVERSED[era]
        elif rule == "tier_not_in_unit":
            row["management_tier"] = "btv_cap_huyen"
        elif rule == "outside_unit_validity":
            self._outside(seed, row, era)
        elif rule == "person_listed_twice":
            return self._listed_twice(seed, row, unit, kinds)
        elif rule == "duplicate_key":
            twin = dict(row)
            column = DIFFERING[seed.name]
            twin[column] = self._different(column, row[column])
            return [(unit, [row[n] for n in names]), (unit, [twin[n] for n in names])]
        return [(unit, [row[n] for n in names])]

    def _outside(self, seed: SeedFile, row: dict, era: str) -> None:
        if seed.name == "cadres":
            row["valid_from"], row["valid_to"] = PERIOD_OUTSIDE[era]
        elif seed.name == "classes":
            length = days(_iso(row["end_date"].strip())) - days(_iso(row["start_date"].strip()))
            start = days(CLASS_OUTSIDE[era])
            row["start_date"] = CLASS_OUTSIDE[era]
            row["end_date"] = str(np.datetime64(start + length, "D"))
        else:
            row["term_code"] = TERM_OUTSIDE[era]

    def _listed_twice(self, seed, row, unit, kinds) -> list[tuple[str, list[str]]]:
        """One made-up person in two periods that overlap: in two communes at once, in the
        undated lists of two units that coexisted, or twice in this unit."""
        era = _era(kinds[unit])
        if era != "open" and self.rng.random() < 0.4:
            other, (first, second) = unit, OVERLAPS[era]
        else:
            partners = ("commune",) if era == "commune" else ("open", "district")
            other = self.pick(
                [code for code, kind in kinds.items() if code != unit and _era(kind) in partners]
            )
            first, second = (
                ((COMMUNES_BEGIN, ""), ("2026-01-01", ""))
                if era == "commune"
                else (("", ""), ("", ""))
            )
        row["valid_from"], row["valid_to"] = first
        twin = {**row, "unit_code": other}
        twin["valid_from"], twin["valid_to"] = second
        if other != unit:
            kind = kinds[other]
            twin["workplace_kind"] = kind if kind in ("phuong", "xa") else "co_quan"
            twin["current_title_code"] = ""
            tier = row["management_tier"].strip().lower()
            if kind not in DISTRICT_LEVEL_KINDS and tier == "btv_cap_huyen":
                twin["management_tier"] = "khac"
        names = seed.column_names
        return [(unit, [row[n] for n in names]), (other, [twin[n] for n in names])]

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


def _bad_successions(dirt: _Dirt, frames: dict[str, pl.DataFrame], count: int):
    """Successions naming a unit that does not exist, or dated off the units' dates."""
    units = frames["units"]
    districts = units.filter(pl.col("unit_kind").is_in(["quan", "huyen", "thi_xa"]))
    communes = units.filter(pl.col("unit_kind").is_in(["phuong", "xa"]))["unit_code"].to_list()
    pairs = set(frames["unit_successions"].select("predecessor_code", "successor_code").rows())
    rows = []
    for number in range(count):
        rule = SUCCESSION_RULES[number % 2]
        district = dirt.pick(districts["unit_code"].to_list())
        commune = dirt.pick([c for c in communes if (district, c) not in pairs])
        if rule == "unknown_reference":
            rows.append((rule, [f"9{number:02d}", commune, COMMUNES_BEGIN]))
        else:
            after = str(np.datetime64(days(DISTRICTS_END) + 2, "D"))
            rows.append((rule, [district, commune, after]))
    return rows


def write_dirty(frames: dict[str, pl.DataFrame], out: Path, rate: float, seed: int) -> int:
    """Write a dirty copy of `frames` under `out`; returns the number of rows to reject."""
    rng = np.random.default_rng([seed, 7])
    kinds = dict(
        zip(*(frames["units"][c].to_list() for c in ("unit_code", "unit_kind")), strict=True)
    )
    units = list(kinds)
    cadres = frames["cadres"]
    taken = np.sort(cadres["national_id"].cast(pl.Int64).unique().to_numpy())
    expected = sum(frame.height for frame in frames.values()) * rate * 2 + 100
    size = int(expected)
    fresh = citizen_ids(rng, rng.integers(0, 2, size), np.full(size, days("1980-06-15")), taken)
    dirt = _Dirt(rng, rate, id_text(fresh).to_list())
    bom_share = min(0.5, 10 * rate)
    classes = frames["classes"]
    planned = dict(
        zip(classes["class_code"].to_list(), classes["planned_sessions"].to_list(), strict=True)
    )

    manifest = []
    for seed_file in REFERENCE_FILES:
        rows = [dirt.accepted(seed_file, row) for row in _text_rows(frames[seed_file.name])]
        flagged: list[str | None] = [None] * len(rows)
        if seed_file.name == "unit_successions":
            bad = _bad_successions(dirt, frames, max(2, int(rng.binomial(len(rows), rate))))
            for rule, row in bad:
                position = int(rng.integers(0, len(rows) + 1))
                rows.insert(position, row)
                flagged.insert(position, rule)
        path = out / "reference" / seed_file.filename
        _write_rows(path, seed_file, rows, rng.random() < bom_share)
        manifest += [
            (seed_file.name, "reference", line, rule)
            for line, rule in enumerate(flagged, start=2)
            if rule
        ]

    for seed_file in SUBMISSION_FILES:
        frame = frames[seed_file.name]
        slices = frame.partition_by("_unit", as_dict=True, maintain_order=True)
        files = {}
        for unit in units:
            part = slices.get((unit,), frame.clear())
            rows = [dirt.accepted(seed_file, row) for row in _text_rows(part)]
            keys = list(np.arange(len(rows), dtype=float))
            files[unit] = (rows, keys, [None] * len(rows), len(rows))
        for unit in units:
            rows, _, _, originals = files[unit]
            rules = _rules_for(seed_file, kinds[unit])
            # Templates are original rows only: a copy of a bad row could break two rules.
            for _ in range(int(rng.binomial(originals, rate)) if rows else 0):
                rule = dirt.pick(rules)
                anchor = int(rng.integers(0, originals))
                template = rows[anchor]
                for folder, bad in dirt.rejected(seed_file, rule, template, unit, kinds, planned):
                    target_rows, keys, flagged, size = files[folder]
                    # A duplicate comes after the row it copies: the first one is kept.
                    low = anchor + 0.5 if rule == "duplicate_row" else -0.5
                    keys.append(float(rng.uniform(low, max(low, size))))
                    target_rows.append(bad)
                    flagged.append(rule)
        for unit in units:
            rows, keys, flagged, _ = files[unit]
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
