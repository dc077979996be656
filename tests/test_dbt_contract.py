"""The dbt project reads the contract's ranks and codes from schemas/contract.py, never a copy.

macros/contract.sql is generated from the declaration; a model or test that still spells
out a contract enumeration or a rank number by hand would drift from it unnoticed.
"""

from __future__ import annotations

import re

import yaml

from orchestration.settings import DBT_PROJECT_DIR
from schemas import contract
from tools import dbt_contract_macros as contract_macros

MODELS = DBT_PROJECT_DIR / "models"


def _accepted_values_lists():
    """(file, model, column, values) for every accepted_values test given a literal list."""
    for path in sorted(MODELS.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models", []):
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    if isinstance(test, dict) and "accepted_values" in test:
                        values = test["accepted_values"]["arguments"]["values"]
                        yield path.name, model["name"], column["name"], values


def test_contract_macros_are_up_to_date():
    committed = contract_macros.TARGET.read_text(encoding="utf-8")
    assert committed == contract_macros.render(), "run: python -m tools.dbt_contract_macros"


def test_every_enumeration_and_rank_is_in_the_macros():
    rendered = contract_macros.render()
    for name, values in contract_macros.enumerations().items():
        assert f'"{name}"' in rendered
        assert all(f'"{value}"' in rendered for value in values)
    assert contract_macros.enumerations()["unit_kinds"] == list(contract.UNIT_KINDS)
    for kind, levels in contract.LEVEL_RANKS.items():
        for level, rank in levels.items():
            assert f'"{level}": {rank}' in rendered, (kind, level)


def test_accepted_values_name_contract_enumerations_or_their_subsets():
    """A list typed by hand is only allowed for codes the contract does not enumerate, or
    for a part of an enumeration (the cadre populations of int_cadre_populations_mapped)."""
    enumerations = [set(values) for values in contract_macros.enumerations().values()]
    for file, model, column, values in _accepted_values_lists():
        if isinstance(values, str):
            assert re.fullmatch(
                r"\{\{ (contract_values|ranked_levels)\('[a-z_]+'\) \}\}", values
            ), (file, model, column, values)
            continue
        overlapping = [codes for codes in enumerations if codes & set(values)]
        if overlapping:
            assert any(set(values) <= codes for codes in overlapping), (file, model, column)
        assert all(set(values) != codes for codes in overlapping), (
            f"{file}: {model}.{column} copies a contract enumeration; use contract_values()"
        )


def test_no_model_compares_a_level_rank_with_a_number():
    """Thresholds such as 'master's or higher' go through level_at_least(), by level code."""
    pattern = re.compile(r"_rank\b[^\n]*?(>=|<=|>|<|=)\s*\d")
    for path in sorted(MODELS.rglob("*.sql")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not pattern.search(line), f"{path.name}:{number}: {line.strip()}"
