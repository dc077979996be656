"""What each seed file's last load was made from, so unchanged inputs are not read again."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from orchestration.ingest.files import write_text_atomically
from orchestration.settings import Settings
from schemas.contract import SeedFile

# Every module of the load (not the Dagster assets) and every rule of schemas/.
_CODE_FILES = (
    *sorted(p for p in Path(__file__).parent.glob("*.py") if p.name != "assets.py"),
    *sorted((Path(__file__).resolve().parents[2] / "schemas").glob("*.py")),
)


def _code_version() -> str:
    """Rules and loader code: a change to either invalidates every earlier load."""
    digest = hashlib.sha256()
    for path in _CODE_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def _state_path(seed_name: str, settings: Settings) -> Path:
    return settings.status_dir / f"{seed_name}.state.json"


@dataclass(frozen=True)
class InputState:
    code: str
    max_reject_rate: float
    # Fingerprints of the loads whose accepted rows this file's rules read.
    upstream: dict[str, str] = field(default_factory=dict)
    # Content hash of each unit's CSV ('refused:<folder>' for refused folders).
    units: dict[str, str] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    @classmethod
    def build(cls, seed: SeedFile, settings: Settings, hashes: dict[str, str]) -> InputState:
        upstream = {}
        for name in seed.upstream:
            previous = cls.read_named(name, settings)
            upstream[name] = previous.fingerprint if previous else "missing"
        return cls(CODE_VERSION, settings.max_reject_rate, upstream, dict(sorted(hashes.items())))

    @classmethod
    def read_named(cls, seed_name: str, settings: Settings) -> InputState | None:
        path = _state_path(seed_name, settings)
        if not path.exists():
            return None
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            return None  # unreadable: load everything again

    @classmethod
    def read(cls, seed: SeedFile, settings: Settings) -> InputState | None:
        return cls.read_named(seed.name, settings)

    def changed_upstream(self, previous: InputState) -> list[str]:
        """Upstream files loaded again since `previous` was recorded."""
        names = set(self.upstream) | set(previous.upstream)
        return sorted(n for n in names if self.upstream.get(n) != previous.upstream.get(n))

    def changed_csvs(self, previous: InputState | None) -> set[str] | None:
        """Units whose CSV changed (added, edited, removed), upstream files aside; None when
        the rules or the rate differ and every unit must be read."""
        if previous is None or (previous.code, previous.max_reject_rate) != (
            self.code,
            self.max_reject_rate,
        ):
            return None
        names = (set(self.units) | set(previous.units)) - {
            name for name in set(self.units) | set(previous.units) if name.startswith("refused:")
        }
        return {name for name in names if self.units.get(name) != previous.units.get(name)}

    def write(self, seed: SeedFile, settings: Settings) -> None:
        path = _state_path(seed.name, settings)
        write_text_atomically(path, json.dumps(asdict(self), sort_keys=True))


def outputs_exist(seed: SeedFile, settings: Settings) -> bool:
    return all(
        path.exists()
        for path in (
            settings.status_dir / f"{seed.name}.parquet",
            settings.rejects_dir / f"{seed.name}.parquet",
            settings.warnings_dir / f"{seed.name}.parquet",
            settings.raw_dir / seed.name / "schema-only.parquet",
        )
    )
