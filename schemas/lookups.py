"""The values a row's rules read from the files it references, joined to the row once.

A rule such as "the class is of another unit" or "the date is outside the unit's
validity" reads a referenced row. Written as a correlated subquery in each rule, DuckDB
holds every row of the load once per subquery to decorrelate it, which spills at the
national tier; here each referenced file is joined once, by its key, and the rules read
the columns it brings (`lookup_column`).
"""

from __future__ import annotations

from schemas.contract import SeedFile


def lookup_column(target: str, column: str, attribute: str) -> str:
    """The column holding `attribute` of the `target` row that this row's `column` names
    (NULL when it names none)."""
    return f'"_{target}_by_{column}__{attribute}"'


def _wanted(seed: SeedFile) -> dict[tuple[str, str, str], list[str]]:
    """{(target, column, target key): [attributes]} the rules of `seed` read."""
    wanted: dict[tuple[str, str, str], list[str]] = {}

    def need(target: str, column: str, key: str, *attributes: str) -> None:
        listed = wanted.setdefault((target, column, key), [key])
        listed += [name for name in attributes if name not in listed]

    for reference in seed.references:
        (column,), (key,) = reference.columns, reference.target_columns
        need(reference.target, column, key)
    extra = seed.extra_rules
    if "tier_not_in_unit" in extra:
        need("units", "unit_code", "unit_code", "unit_kind")
    if "outside_unit_validity" in extra:
        need("units", "unit_code", "unit_code", "valid_from", "valid_to")
        if not {"valid_from", "start_date"} & set(seed.column_names):
            need("terms", "term_code", "term_code", "start_date", "end_date")
    if "succession_dates_mismatch" in extra:
        need("units", "successor_code", "unit_code", "valid_from")
        need("units", "predecessor_code", "unit_code", "valid_to")
    if "class_of_other_unit" in extra:
        need("classes", "class_code", "class_code", "unit_code")
    if "sessions_over_plan" in extra:
        need("classes", "class_code", "class_code", "planned_sessions")
    return wanted


def lookup_select(seed: SeedFile, reference_tables: dict[str, str], source: str) -> str:
    """SQL: every row of `source` (alias `s`) with the lookup columns its rules read.

    Every lookup is by the referenced file's key, which its own rules keep unique among
    its accepted rows; DISTINCT ON holds a row to one match whatever the table holds.
    """
    columns, joins = [], []
    for number, ((target, column, key), attributes) in enumerate(_wanted(seed).items()):
        alias = f"_lookup{number}"
        listed = ", ".join(f'"{name}"' for name in attributes)
        joins.append(
            f'LEFT JOIN (SELECT DISTINCT ON ("{key}") {listed} FROM {reference_tables[target]} '
            f'WHERE "{key}" IS NOT NULL) {alias} ON {alias}."{key}" = s."{column}"'
        )
        columns += [
            f'{alias}."{name}" AS {lookup_column(target, column, name)}' for name in attributes
        ]
    if not columns:
        return f"SELECT s.* FROM {source} s"
    return f"SELECT s.*, {', '.join(columns)} FROM {source} s {' '.join(joins)}"
