"""SQL generated from the declaration: clean text, cast by explicit rules, flag rule breaks.

DuckDB's typed CSV reader refuses `có`/`không` and a second date format, so files are
read as text and every cast below is explicit. The rule flags are SQL rather than a
pandera schema evaluated in pandas because they must run over millions of rows inside
DuckDB and return, per row, the first rule broken (CONTRACT.md §3).
"""

from __future__ import annotations

from schemas.contract import (
    DATE_MAX,
    DATE_MIN,
    DISTRICT_LEVEL_KINDS,
    LEVEL_RANKS,
    Column,
    SeedFile,
)
from schemas.lookups import lookup_column
from schemas.rules import RULE_BY_CODE, RULE_ORDER

TRUE_WORDS = ("true", "1", "có")
FALSE_WORDS = ("false", "0", "không")
# Whitespace an Excel export leaves around values: space, tab, carriage return, NBSP.
_TRIM_CHARS = " \t\r\n\u00a0\u200b\ufeff"
# Text clean_text leaves as it is: visible ASCII, spaces only between visible characters.
_CLEAN_ASCII = "([!-~]([ -~]*[!-~])?)?"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(values: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join(literal(value) for value in values) + ")"


def clean_text(raw: str) -> str:
    """NFC, Ð/ð → Đ/đ, trimmed, empty → NULL.

    Printable ASCII that starts and ends with a visible character (codes, dates, numbers:
    most values) is already all of these; the full cleaning, whose trim of several
    characters is the slowest part of the rule pass, is left for the other values.
    """
    normalised = f"replace(replace(nfc_normalize({raw}), 'Ð', 'Đ'), 'ð', 'đ')"
    return (
        f"CASE WHEN regexp_full_match({raw}, {literal(_CLEAN_ASCII)}) THEN nullif({raw}, '') "
        f"ELSE nullif(trim({normalised}, {literal(_TRIM_CHARS)}), '') END"
    )


def typed_value(column: Column, cleaned: str) -> str:
    """Cast the cleaned text of `column`; NULL when it cannot be cast."""
    kind = column.kind
    if kind in ("text", "code", "national_id"):
        return cleaned
    if kind == "level":
        return _level_value(cleaned)
    if kind == "enum":
        return f"lower({cleaned})"
    if kind == "date":
        return (
            f"CASE WHEN regexp_full_match({cleaned}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
            f"THEN try_cast({cleaned} AS DATE) "
            f"WHEN regexp_full_match({cleaned}, '\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}') "
            f"THEN CAST(try_strptime({cleaned}, '%d/%m/%Y') AS DATE) END"
        )
    if kind == "integer":
        return (
            f"CASE WHEN regexp_full_match({cleaned}, '[+-]?\\d{{1,15}}') "
            f"THEN CAST({cleaned} AS BIGINT) END"
        )
    if kind == "fraction":
        return f"try_cast({cleaned} AS DOUBLE)"
    if kind == "boolean":
        return (
            f"CASE WHEN lower({cleaned}) IN {_in_list(TRUE_WORDS)} THEN true "
            f"WHEN lower({cleaned}) IN {_in_list(FALSE_WORDS)} THEN false END"
        )
    raise ValueError(f"unknown column kind {kind!r}")


def _clean_name(name: str) -> str:
    return quote_ident(f"{name}__text")


def cleaned_select(seed: SeedFile) -> str:
    """Columns of the cleaning stage: `<c>__text` (cleaned text) for each contract column."""
    return ", ".join(
        f"{clean_text(quote_ident(column.name))} AS {_clean_name(column.name)}"
        for column in seed.columns
    )


# The first three digits of a CCCD: the province where it was registered (001 to 096).
_PROVINCE_CODES = ("001", "096")


def _padded_national_id(text: str) -> str:
    """Condition: an ID of 10 or 11 digits that a numeric Excel cell stripped of its
    leading zeros (its 12-digit form starts with a province code)."""
    low, high = _PROVINCE_CODES
    return (
        f"(regexp_full_match({text}, '\\d{{10,11}}') "
        f"AND lpad({text}, 12, '0')[1:3] BETWEEN '{low}' AND '{high}')"
    )


def _padded_unit_code(text: str) -> str:
    """Condition: a digits-only unit_code that is the folder's code without its zeros."""
    return (
        f"(regexp_full_match({text}, '\\d+') AND length({text}) < length(_unit) "
        f"AND lpad({text}, CAST(length(_unit) AS INTEGER), '0') = _unit)"
    )


def _repairs(seed: SeedFile) -> list[tuple[str, str, str, str]]:
    """(warning, column, condition on the cleaned text, repaired text) of `seed`."""
    repairs = []
    for column in seed.columns:
        text = _clean_name(column.name)
        if column.kind == "national_id":
            repairs.append(
                (
                    "national_id_zero_padded",
                    column.name,
                    _padded_national_id(text),
                    f"lpad({text}, 12, '0')",
                )
            )
        elif column.name == "unit_code" and seed.folder == "submission":
            repairs.append(("unit_code_zero_padded", column.name, _padded_unit_code(text), "_unit"))
    return repairs


def repaired_select(seed: SeedFile) -> str:
    """`* REPLACE` of the cleaned text Excel damaged in a known way (CONTRACT.md §3), and
    `_warnings`: the list of 'warning:column' each row gets for it."""
    repairs = _repairs(seed)
    if not repairs:
        return "*, CAST([] AS VARCHAR[]) AS _warnings"
    replaced = ", ".join(
        f"CASE WHEN {condition} THEN {fixed} ELSE {_clean_name(column)} END "
        f"AS {_clean_name(column)}"
        for _, column, condition, fixed in repairs
    )
    flags = ", ".join(
        f"CASE WHEN {condition} THEN {literal(rule + ':' + column)} END"
        for rule, column, condition, _ in repairs
    )
    return f"* REPLACE ({replaced}), list_filter([{flags}], lambda w: w IS NOT NULL) AS _warnings"


def typed_select(seed: SeedFile) -> str:
    return ", ".join(
        f"{typed_value(column, _clean_name(column.name))} AS {quote_ident(column.name)}"
        for column in seed.columns
    )


def _level_value(cleaned: str) -> str:
    kind = _clean_name("qualification_kind")
    ranked = _in_list(list(LEVEL_RANKS))
    return f"CASE WHEN lower({kind}) IN {ranked} THEN lower({cleaned}) ELSE {cleaned} END"


def _column_checks(column: Column) -> list[tuple[str, str]]:
    """(rule, condition) pairs for one column; conditions see `<c>__text` and `<c>`."""
    text, value = _clean_name(column.name), quote_ident(column.name)
    checks: list[tuple[str, str]] = []
    if column.required:
        checks.append(("missing_value", f"{text} IS NULL"))
    invalid = f"{text} IS NOT NULL AND {value} IS NULL"
    if column.kind == "national_id":
        scientific = f"regexp_full_match({text}, '[+-]?\\d+([.,]\\d+)?[eE][+-]?\\d+')"
        checks.append(("national_id_scientific", scientific))
        checks.append(("invalid_national_id", f"NOT regexp_full_match({text}, '\\d{{12}}')"))
    elif column.kind == "date":
        checks.append(("invalid_date", invalid))
        checks.append(
            ("out_of_range", f"{value} NOT BETWEEN DATE '{DATE_MIN}' AND DATE '{DATE_MAX}'")
        )
    elif column.kind == "integer":
        checks.append(("invalid_integer", invalid))
    elif column.kind == "fraction":
        checks.append(("invalid_number", invalid))
    elif column.kind == "boolean":
        checks.append(("invalid_boolean", invalid))
    elif column.kind in ("code", "level"):
        checks.append(("invalid_code", f"NOT regexp_full_match({text}, '[A-Za-z0-9_\\-]+')"))
    elif column.kind == "enum":
        checks.append(("invalid_enum", f"{value} NOT IN {_in_list(column.values)}"))
    if column.minimum is not None:
        checks.append(("out_of_range", f"{value} < {column.minimum}"))
    if column.maximum is not None:
        checks.append(("out_of_range", f"{value} > {column.maximum}"))
    return checks


def _level_check() -> str:
    ranked = " OR ".join(
        f"(qualification_kind = {literal(kind)} AND level NOT IN {_in_list(list(ranks))})"
        for kind, ranks in LEVEL_RANKS.items()
    )
    return f"({ranked})"


def row_checks(seed: SeedFile) -> list[tuple[str, str, str]]:
    """Every row-local check of `seed` as (rule, column, condition), in the fixed rule order.

    Conditions read the row (alias `s`, its folder `_unit`) as `lookups.lookup_select`
    gives it: with the columns of the rows it references.
    """
    checks: list[tuple[str, str, str]] = []
    for column in seed.columns:
        checks += [(rule, column.name, condition) for rule, condition in _column_checks(column)]
    if seed.folder == "submission":
        checks.append(("unit_code_mismatch", "unit_code", "unit_code <> _unit"))
    if "end_before_start" in seed.extra_rules:
        start, end = (
            ("valid_from", "valid_to") if seed.name == "units" else ("start_date", "end_date")
        )
        checks.append(("end_before_start", end, f"{quote_ident(end)} < {quote_ident(start)}"))
    if "invalid_level" in seed.extra_rules:
        checks.append(("invalid_level", "level", _level_check()))
    if "invalid_period" in seed.extra_rules:
        # Explicit dates only: an empty date takes the unit's, which is never outside it.
        checks.append(("invalid_period", "valid_to", "valid_to < valid_from"))
    if "tier_not_in_unit" in seed.extra_rules:
        checks.append(
            (
                "tier_not_in_unit",
                "management_tier",
                f"management_tier = 'btv_cap_huyen' AND "
                f"{lookup_column('units', 'unit_code', 'unit_kind')} "
                f"NOT IN {_in_list(DISTRICT_LEVEL_KINDS)}",
            )
        )
    for reference in seed.references:
        (column,), (key,) = reference.columns, reference.target_columns
        found = lookup_column(reference.target, column, key)
        condition = f"s.{quote_ident(column)} IS NOT NULL AND {found} IS NULL"
        checks.append(("unknown_reference", column, condition))
    if "outside_unit_validity" in seed.extra_rules:
        checks += _validity_checks(seed)
    if "succession_dates_mismatch" in seed.extra_rules:
        checks.append(
            (
                "succession_dates_mismatch",
                "effective_date",
                "effective_date IS DISTINCT FROM "
                f"{lookup_column('units', 'successor_code', 'valid_from')} "
                "OR effective_date IS DISTINCT FROM "
                f"{lookup_column('units', 'predecessor_code', 'valid_to')} + 1",
            )
        )
    if "class_of_other_unit" in seed.extra_rules:
        checks.append(
            (
                "class_of_other_unit",
                "class_code",
                f"{lookup_column('classes', 'class_code', 'unit_code')} <> s.unit_code",
            )
        )
    if "sessions_over_plan" in seed.extra_rules:
        checks.append(
            (
                "sessions_over_plan",
                "sessions_attended",
                "s.sessions_attended > "
                f"{lookup_column('classes', 'class_code', 'planned_sessions')}",
            )
        )
    # Stable sort: rule order first, then the order the checks were listed (column order).
    return sorted(checks, key=lambda check: RULE_ORDER[check[0]])


def _validity_checks(seed: SeedFile) -> list[tuple[str, str, str]]:
    """outside_unit_validity: a row's dates (or its term) against its unit's validity.

    Dates come from units.csv and terms.csv only; an open end (NULL) never excludes.
    """
    valid_from = lookup_column("units", "unit_code", "valid_from")
    valid_to = lookup_column("units", "unit_code", "valid_to")

    def outside(column: str) -> str:
        return f"(s.{column} < {valid_from} OR s.{column} > {valid_to})"

    if "valid_from" in seed.column_names:
        return [
            ("outside_unit_validity", "valid_from", outside("valid_from")),
            ("outside_unit_validity", "valid_to", outside("valid_to")),
        ]
    if "start_date" in seed.column_names:
        return [("outside_unit_validity", "start_date", outside("start_date"))]
    # A term overlaps the unit's validity unless it ends before the unit starts or starts
    # after the unit ends.
    start = lookup_column("terms", "term_code", "start_date")
    end = lookup_column("terms", "term_code", "end_date")
    return [
        (
            "outside_unit_validity",
            "term_code",
            f"({end} < {valid_from} OR {start} > {valid_to})",
        )
    ]


def violation_case(checks: list[tuple[str, str, str]]) -> str:
    """One CASE giving 'rule:column' for the first check a row fails, NULL when none."""
    if not checks:
        return "CAST(NULL AS VARCHAR)"
    branches = " ".join(
        f"WHEN coalesce({condition}, false) THEN {literal(rule + ':' + column)}"
        for rule, column, condition in checks
    )
    return f"CASE {branches} END"


# A person's attributes that every period repeats, in the order a warning names them.
_PERSON_ATTRIBUTES = ("full_name", "gender", "birth_date")


def warnings_query(seed: SeedFile, accepted: str) -> str:
    """SQL: one row per accepted row of `accepted` (the rows that will load) and warning,
    with unit_code, file, line, column, rule and message."""
    empty = (
        "SELECT CAST(NULL AS VARCHAR) AS unit_code, CAST(NULL AS VARCHAR) AS file, "
        'CAST(NULL AS BIGINT) AS line, CAST(NULL AS VARCHAR) AS "column", '
        "CAST(NULL AS VARCHAR) AS rule, CAST(NULL AS VARCHAR) AS message WHERE false"
    )
    if "person_attributes_differ" not in seed.warnings:
        return empty
    template = literal(RULE_BY_CODE["person_attributes_differ"].message)
    differing = " ".join(
        f"WHEN count(DISTINCT {quote_ident(name)}) > 1 THEN {literal(name)}"
        for name in _PERSON_ATTRIBUTES
    )
    return f"""
        WITH accepted AS (SELECT * FROM {accepted}),
        people AS (
            SELECT national_id, CASE {differing} END AS differing
            FROM accepted GROUP BY national_id HAVING differing IS NOT NULL
        )
        SELECT a.unit_code, {literal(seed.name)} AS file, a.source_line AS line,
               p.differing AS "column", 'person_attributes_differ' AS rule,
               replace({template}, '{{column}}', p.differing) AS message
        FROM accepted a JOIN people p USING (national_id)
        UNION ALL {empty}
        ORDER BY unit_code, line
        """
