"""Dagster's SQLite event log, with one connection to its index database kept open.

Dagster's SQLite event log opens a new engine and connection for every write and closes it
afterwards. Closing the last connection to a WAL database checkpoints the WAL and deletes
it, and most events go to the cross-run index database two or three times (an asset check
that is planned: the event, the check's execution row, a table check). A nightly refresh
plans 49 assets and 272 checks before its first step, so with nothing new to load these
writes were about a third of the run (≈ 3 s of ≈ 11 s).

Here the index database keeps one open connection for the life of the storage object;
`_db_lock` already serialises every use of it, so one connection serves every thread.
The per-run databases are untouched: the webserver follows a live run by watching its
`<run_id>.db` file change, which the checkpoint at each close still provides. Files,
tables and rows are the same as with Dagster's own class, so an instance can switch
between the two.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._config import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool


def event_logs_directory(dagster_home: str) -> str:
    """Where Dagster's default SQLite storage keeps the event logs of an instance."""
    return os.path.join(dagster_home, "history", "runs", "")


class KeptIndexSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage whose index database connection stays open (see module doc).

    Configured in dagster.yaml with the instance folder, `dagster_home: {env: DAGSTER_HOME}`.
    """

    def __init__(self, base_dir: str, inst_data=None):
        # Set first: the parent's constructor writes to the index when it creates it.
        self._index_engine: Engine | None = None
        self._has_check_tables = False
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls):
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(event_logs_directory(config_value["dagster_home"]), inst_data=inst_data)

    @contextmanager
    def _kept_index_connection(self) -> Iterator[Connection]:
        with self._db_lock:
            if self._index_engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(INDEX_SHARD_NAME),
                    poolclass=StaticPool,
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        # One connection for every thread; `_db_lock` serialises them.
                        "check_same_thread": False,
                    },
                )
                if INDEX_SHARD_NAME not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(INDEX_SHARD_NAME)
                self._index_engine = engine
            with self._index_engine.connect() as conn, conn.begin():
                yield conn

    def index_connection(self):
        return self._kept_index_connection()

    @property
    def supports_asset_checks(self) -> bool:
        # Asked at every check event; the tables, once there, stay (only a migration adds them).
        if not self._has_check_tables:
            self._has_check_tables = super().supports_asset_checks
        return self._has_check_tables

    def upgrade(self) -> None:
        self._close_index()
        super().upgrade()
        self._has_check_tables = False

    def dispose(self) -> None:
        self._close_index()
        super().dispose()

    def _close_index(self) -> None:
        with self._db_lock:
            if self._index_engine is not None:
                self._index_engine.dispose()
                self._index_engine = None
