"""The data contract in code: every seed file's columns, types, enums, keys and rules.

This package imports neither Dagster nor dbt, so the loaders, the quality layer, the dbt
source docs and the dataset generator can all read the same declaration.
"""

from schemas.contract import (
    REFERENCE_FILES,
    SEED_FILES,
    SUBMISSION_FILES,
    Column,
    SeedFile,
    seed_file,
)
from schemas.rules import RULES, Rule

__all__ = [
    "REFERENCE_FILES",
    "RULES",
    "SEED_FILES",
    "SUBMISSION_FILES",
    "Column",
    "Rule",
    "SeedFile",
    "seed_file",
]
