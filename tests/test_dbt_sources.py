"""The dbt sources are generated from the seed declaration and must not drift from it."""

from tools import dbt_sources


def test_sources_yaml_is_up_to_date():
    committed = dbt_sources.TARGET.read_text(encoding="utf-8")
    assert committed == dbt_sources.render(), "run: python -m tools.dbt_sources"


def test_every_personal_column_is_marked():
    text = dbt_sources.render()
    for column in ("national_id", "full_name", "birth_date"):
        assert f"name: {column}" in text
    # national_id in 6 submission files, plus full_name and birth_date in cadres.
    assert text.count("personal: true") == 6 + 2
