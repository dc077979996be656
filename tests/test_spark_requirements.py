"""A Spark engine without its packages or Java fails with one line naming what to install."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from orchestration import spark_requirements
from orchestration.spark_requirements import SparkRequirementError

REAL_FIND_SPEC = importlib.util.find_spec
INSTALL_HINT = "run `make install-spark` (or `.uv/bin/uv sync --frozen --group spark --inexact`)"


def _without(monkeypatch, *modules: str) -> None:
    """Make `modules` unfindable and the rest of the spark group findable, whatever is installed."""

    def find_spec(name, *args, **kwargs):
        if name in modules:
            return None
        if name in spark_requirements.SPARK_PACKAGES:
            return importlib.util.spec_from_loader(name, loader=None)
        return REAL_FIND_SPEC(name, *args, **kwargs)

    monkeypatch.setattr(spark_requirements.importlib.util, "find_spec", find_spec)


def test_missing_adapter_names_package_and_command(monkeypatch):
    _without(monkeypatch, "dbt.adapters.spark")
    with pytest.raises(SparkRequirementError) as raised:
        spark_requirements.check_packages()
    assert str(raised.value) == (
        f"NHANLUC_ENGINE=spark needs dbt-spark, which is not installed: {INSTALL_HINT}"
    )


def test_missing_group_names_both_packages(monkeypatch):
    _without(monkeypatch, "dbt.adapters.spark", "pyspark")
    with pytest.raises(SparkRequirementError) as raised:
        spark_requirements.check()
    assert str(raised.value) == (
        f"NHANLUC_ENGINE=spark needs dbt-spark and pyspark, which are not installed: {INSTALL_HINT}"
    )


def test_missing_parent_package_counts_as_missing(monkeypatch):
    def find_spec(name, *args, **kwargs):
        raise ModuleNotFoundError(f"No module named {name.split('.')[0]!r}")

    monkeypatch.setattr(spark_requirements.importlib.util, "find_spec", find_spec)
    assert spark_requirements.missing_packages() == ["dbt-spark", "pyspark"]


def test_installed_group_passes(monkeypatch):
    _without(monkeypatch)
    assert spark_requirements.missing_packages() == []
    spark_requirements.check_packages()


def test_main_prints_one_line_and_fails(monkeypatch, capsys):
    _without(monkeypatch, "pyspark")
    assert spark_requirements.main(["packages"]) == 1
    assert capsys.readouterr().err == (
        f"NHANLUC_ENGINE=spark needs pyspark, which is not installed: {INSTALL_HINT}\n"
    )


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_291"', 8),
        ("no version here", None),
    ],
)
def test_java_major(output, major):
    assert spark_requirements.java_major(output) == major


def test_old_java_names_what_to_install(monkeypatch, tmp_path):
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stderr.write('openjdk version \"11.0.2\"')\n"
    )
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(SparkRequirementError) as raised:
        spark_requirements.check_java()
    assert str(raised.value) == (
        f"NHANLUC_ENGINE=spark needs Java 17 or later ({java} is Java 11): install it "
        "(Debian, Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME to one"
    )


def test_no_java_names_what_to_install(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(SparkRequirementError, match=r"\(no java on PATH\).*openjdk-17-jre"):
        spark_requirements.check_java()


def test_dbt_step_stops_before_dbt_without_the_adapter(monkeypatch, tmp_path):
    from dagster import build_asset_context
    from dagster_duckdb import DuckDBResource

    from orchestration.dbt import dbt_models, dbt_resource
    from orchestration.resources import RefreshLock

    monkeypatch.setenv("NHANLUC_ENGINE", "spark")
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    _without(monkeypatch, "dbt.adapters.spark")
    resources = {
        "dbt": dbt_resource(),
        "build_duckdb": DuckDBResource(database=str(tmp_path / "build.duckdb")),
        "refresh_lock": RefreshLock(),
    }
    expected = r"^NHANLUC_ENGINE=spark needs dbt-spark,"
    with (
        build_asset_context(resources=resources) as context,
        pytest.raises(SparkRequirementError, match=expected),
    ):
        next(iter(dbt_models(context)))
    assert not (tmp_path / "warehouse" / "private" / "spark").exists()
