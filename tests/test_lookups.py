"""The columns of referenced rows that the rules read are the ones the lookups join: each
rule's condition and the join it needs are written in two places (schemas/sql.py,
schemas/lookups.py), so they are held to each other here, file by file."""

from __future__ import annotations

import re

import pytest

from schemas import SEED_FILES, seed_file
from schemas.lookups import lookup_select
from schemas.sql import row_checks

LOOKUP = re.compile(r'"_(\w+?)_by_(\w+?)__(\w+)"')


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda seed: seed.name)
def test_every_lookup_a_rule_reads_is_joined_and_every_join_is_read(seed):
    read = {m for _, _, condition in row_checks(seed) for m in LOOKUP.findall(condition)}
    tables = {target: f"ref_{target}" for target in seed.upstream}
    joined = set(LOOKUP.findall(lookup_select(seed, tables, "typed")))
    assert read <= joined
    # A join brings only what rules read, and the referenced file's key (whether the row
    # names a row of it); no join is made that no rule reads.
    assert all(attribute == seed_file(t).key[0] for t, _, attribute in joined - read)
    assert {(t, c) for t, c, _ in joined} == {(t, c) for t, c, _ in read}
