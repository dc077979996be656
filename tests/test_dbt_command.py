"""The dbt command the refresh runs: the pads reach dbt's environment on Spark only."""

from __future__ import annotations

import os
from pathlib import Path

from dbt_project.plugins.person_key import hmac_pads
from orchestration import dbt_command, spark

PADS = set(dbt_command.PAD_VARIABLES)


def test_the_spark_target_gets_the_pads_of_the_key(monkeypatch):
    monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", "k")
    before = dict(os.environ)
    environment = dbt_command.dbt_environment(["build", "--target", "spark", "--vars", "{}"])
    # HMAC pads of the one-byte key b"k" (0x6b): 0x6b ^ 0x36 = 0x5d then 63 bytes of 0x36;
    # 0x6b ^ 0x5c = 0x37 then 63 bytes of 0x5c.
    inner, outer = "5d" + "36" * 63, "37" + "5c" * 63
    assert (inner, outer) == hmac_pads(b"k")
    assert environment["NHANLUC_PERSON_KEY_INNER_PAD"] == inner
    assert environment["NHANLUC_PERSON_KEY_OUTER_PAD"] == outer
    assert (
        dbt_command.dbt_environment(["run", "--target=spark"])["NHANLUC_PERSON_KEY_OUTER_PAD"]
        == outer
    )
    # Computed for dbt alone: this process's environment is left as it was.
    assert dict(os.environ) == before


def test_any_other_target_runs_dbt_unchanged(monkeypatch):
    monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", "k")
    for args in (["build"], ["build", "--target", "duckdb"], ["parse", "--target"]):
        environment = dbt_command.dbt_environment(args)
        assert not PADS & set(environment), args
        assert environment == dict(os.environ)


def test_the_refresh_runs_the_installed_command():
    path = Path(spark.NHANLUC_DBT)
    assert path.name == "nhanluc-dbt"
    assert path.is_file() and os.access(path, os.X_OK)
    assert "orchestration.dbt_command" in path.read_text(encoding="utf-8")
