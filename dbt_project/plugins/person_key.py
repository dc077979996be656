"""dbt-duckdb plugin: registers nhanluc_person_key(national_id) as a temporary SQL macro.

DuckDB has no built-in HMAC and extensions cannot be downloaded here, so the macro builds
HMAC-SHA256 from sha256(): H((K ^ opad) || H((K ^ ipad) || m)). The pads are derived from
the key in Python and only ever appear in TEMP macros, so neither the key nor the pads
are stored in any database file. A SQL macro is about 4x faster than a Python UDF.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin

KEY_FILE = "pseudonym.key"
_BLOCK = 64


def _key_file() -> Path:
    warehouse = os.environ.get("NHANLUC_WAREHOUSE_DIR") or str(
        Path(__file__).resolve().parents[2] / "warehouse"
    )
    return Path(warehouse) / "private" / KEY_FILE


def load_key() -> bytes:
    """NHANLUC_PSEUDONYM_KEY, else the key file in the private state, created once."""
    explicit = os.environ.get("NHANLUC_PSEUDONYM_KEY")
    if explicit:
        return explicit.encode("utf-8")
    path = _key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip().encode("utf-8")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def hmac_pads(key: bytes) -> tuple[str, str]:
    """(inner, outer) pads as hex, per RFC 2104."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = bytes(byte ^ 0x36 for byte in key).hex()
    outer = bytes(byte ^ 0x5C for byte in key).hex()
    return inner, outer


def key_fingerprint(key: bytes) -> str:
    """Names the key without revealing it: HMAC of a fixed label, hashed once more."""
    return hashlib.sha256(hmac.new(key, b"nhanluc key fingerprint", "sha256").digest()).hexdigest()


def macro_sql(key: bytes) -> str:
    inner, outer = hmac_pads(key)
    return (
        "CREATE OR REPLACE TEMP MACRO nhanluc_person_key(v) AS "
        f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode(CAST(v AS VARCHAR)))))"
        ";"
        # Rows built under another key are rebuilt (macros/incremental_by_unit.sql).
        "CREATE OR REPLACE TEMP MACRO nhanluc_key_fingerprint() AS "
        f"'{key_fingerprint(key)}'"
    )


class Plugin(BasePlugin):
    def initialize(self, plugin_config):
        self._sql = macro_sql(load_key())

    def configure_connection(self, conn):
        conn.execute(self._sql)

    def configure_cursor(self, cursor):
        # Temp macros belong to a connection; models run on cursors and must see it too.
        cursor.execute(self._sql)
        return cursor
