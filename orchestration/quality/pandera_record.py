"""What earlier pandera checks found valid: `status/<file>.pandera.json`.

The SHA-256 of every slice that passed under a version of the schema code, and the digest
of the set of slices the comparison across units last passed on; a check with the same
bytes and code gives the same verdict, so it is not run again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from orchestration.settings import Settings
from schemas import SeedFile


def slice_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def passed_path(seed: SeedFile, settings: Settings) -> Path:
    return settings.status_dir / f"{seed.name}.pandera.json"


def read_passed(seed: SeedFile, settings: Settings, version: str) -> tuple[dict, str]:
    """({slice name: {"sha256", "rows"}} of the slices that passed under `version`, the
    digest of the set of slices the comparison across units last passed on)."""
    path = passed_path(seed, settings)
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, ""
    if not isinstance(recorded, dict) or recorded.get("schema_version") != version:
        return {}, ""
    slices = recorded.get("slices")
    return (slices if isinstance(slices, dict) else {}), str(recorded.get("across_units", ""))


def write_passed(
    seed: SeedFile, settings: Settings, version: str, passed: dict, across_units: str
) -> None:
    path = passed_path(seed, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    record = {"schema_version": version, "slices": passed, "across_units": across_units}
    temporary.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def slice_set_digest(passed: dict[str, dict]) -> str:
    listed = sorted((name, entry["sha256"]) for name, entry in passed.items())
    return hashlib.sha256(json.dumps(listed).encode()).hexdigest()
