"""person_key: HMAC-SHA256 in SQL equals Python's hmac, and the key stays out of databases."""

from __future__ import annotations

import hashlib
import hmac

import duckdb

from dbt_project.plugins import person_key


def _sql_key(key: bytes, national_id: str) -> str:
    con = duckdb.connect()
    con.execute(person_key.macro_sql(key))
    return con.execute("SELECT nhanluc_person_key(?)", [national_id]).fetchone()[0]


def test_sql_macro_matches_rfc_2104_hmac():
    for key in (b"test-key", "khóa bí mật".encode(), b"k" * 100):
        for national_id in ("001080000001", "079195012345"):
            expected = hmac.new(key, national_id.encode(), hashlib.sha256).hexdigest()
            assert _sql_key(key, national_id) == expected


def test_known_vector():
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    assert _sql_key(b"Jefe", "what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_key_is_created_once_in_the_private_state(tmp_path, monkeypatch):
    monkeypatch.delenv("NHANLUC_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(tmp_path))
    first = person_key.load_key()
    second = person_key.load_key()
    key_file = tmp_path / "private" / person_key.KEY_FILE
    assert first == second == key_file.read_text().encode()
    assert len(first) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_environment_key_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("NHANLUC_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("NHANLUC_PSEUDONYM_KEY", "from-env")
    assert person_key.load_key() == b"from-env"
    assert not (tmp_path / "private" / person_key.KEY_FILE).exists()


def test_temporary_macro_leaves_no_trace_in_the_database_file(tmp_path):
    path = tmp_path / "build.duckdb"
    con = duckdb.connect(str(path))
    con.execute(person_key.macro_sql(b"secret-key-value"))
    con.execute("CREATE TABLE t AS SELECT nhanluc_person_key('001080000001') AS k")
    con.execute("CHECKPOINT")
    con.close()
    inner, outer = person_key.hmac_pads(b"secret-key-value")
    content = path.read_bytes()
    for secret in (b"secret-key-value", inner.encode(), outer.encode(), bytes.fromhex(inner)):
        assert secret not in content
