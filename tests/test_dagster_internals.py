"""What orchestration/dagster_internals relies on in Dagster and dagster-dbt is still there.

An upgrade that renames one of these would not fail a run: the override would simply no
longer be called (a slower refresh) or the storage would break on first use. These tests
name each private attribute so such an upgrade fails here first.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster_dbt import DbtCliResource

from orchestration.dagster_internals.dbt_cli import FastStartDbtCliResource
from orchestration.dagster_internals.event_log import KeptIndexSqliteEventLogStorage


def test_the_sqlite_event_log_still_has_what_the_kept_index_uses(tmp_path: Path):
    storage = SqliteEventLogStorage(str(tmp_path))
    try:
        # The lock serialising index writes, the set of initialised shards, the schema setup
        # and the method every index write goes through.
        assert hasattr(storage, "_db_lock")
        assert isinstance(storage._initialized_dbs, set)
        assert callable(storage._initdb)
        assert callable(storage.index_connection)
        assert next(iter(inspect.signature(storage._initdb).parameters)) == "engine"
    finally:
        storage.dispose()


def test_the_kept_index_storage_overrides_the_index_connection(tmp_path: Path):
    storage = KeptIndexSqliteEventLogStorage(str(tmp_path))
    try:
        with storage.index_connection() as connection:
            first = connection.connection.dbapi_connection
        with storage.index_connection() as connection:
            second = connection.connection.dbapi_connection
        # One engine and connection for the storage's life, not one per write.
        assert first is second
    finally:
        storage.dispose()


def test_dbt_cli_resource_still_has_the_two_start_up_hooks():
    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource) or any(
            name in vars(base) for base in DbtCliResource.__mro__
        ), name
    # The version hook is a cached property of the resource, and the adapter hook takes the
    # dbt arguments: the shapes the overrides replace.
    assert isinstance(
        inspect.getattr_static(DbtCliResource, "_cli_version"),
        type(inspect.getattr_static(FastStartDbtCliResource, "_cli_version")),
    )
    assert list(inspect.signature(DbtCliResource._initialize_dbt_core_adapter).parameters) == [
        "self",
        "args",
    ]


def test_the_fast_start_resource_reads_the_installed_dbt_version():
    import importlib.metadata

    from orchestration.dbt import dbt_resource

    resource = dbt_resource()
    assert isinstance(resource, FastStartDbtCliResource)
    assert str(resource._cli_version) == importlib.metadata.version("dbt-core")
    assert resource._initialize_dbt_core_adapter(["build"]) is None
