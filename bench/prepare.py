"""Set-up done once per benchmark run, outside every measurement.

- `compile_models`: `dbt compile` of every model (the floor executes that SQL);
- `peer_project`: a copy of dbt_project/ whose sources are the peer's DuckDB tables,
  parsed once so the peer's `@dbt_assets` finds a manifest, as the project does.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import yaml

from bench.tiers import DATA_DIR, REPO_ROOT
from orchestration.build_state import dbt_project_fingerprint

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SOURCES_FILE = Path("models") / "staging" / "_staging__sources.yml"
# The day every measurement's marts describe (NHANLUC_AS_OF_DATE, the dbt var as_of_date):
# the shipped data's as-of date, so the floors' compiled SQL and the refreshes agree.
AS_OF_DATE = "2026-11-30"
# Plain tables (var by_unit false): the floors and the peer have no ingest slices to take
# versions from (macros/incremental_by_unit.sql) and rebuild everything every time.
DBT_VARS = {"by_unit": False, "as_of_date": AS_OF_DATE}


def cache_folder() -> Path:
    """bench/data/dbt-<hash of the dbt project, dbt's version and this file>/."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        digest.update(metadata.version(package).encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(dbt_project_fingerprint(DBT_PROJECT_DIR).encode())
    return DATA_DIR / f"dbt-{digest.hexdigest()[:16]}"


def prepared(python: str, env: dict[str, str], log_dir: Path) -> tuple[Path, Path]:
    """(compiled manifest, peer project), made once per version of the dbt project."""
    folder = cache_folder()
    manifest, peer = folder / "compile_target" / "manifest.json", folder / "peer_dbt"
    if manifest.exists() and (peer / "target" / "manifest.json").exists():
        return manifest, peer
    building = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    compile_models(python, env, building / "compile_target", log_dir / "compile.log")
    peer_project(python, env, building / "peer_dbt", log_dir / "peer_parse.log")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(building, folder)
    return manifest, peer


def dbt_executable(python: str) -> str:
    return str(Path(python).with_name("dbt"))


def compile_models(python: str, env: dict[str, str], target: Path, log: Path) -> Path:
    """Compile every model into `target`; returns the manifest path.

    The warehouse folder in `env` only appears in the sources' `read_parquet(...)`
    expressions, which the floors replace by their own tables; DBT_VARS fixes the
    as-of date and compiles staging as plain tables.
    """
    warehouse = Path(env["NHANLUC_WAREHOUSE_DIR"])
    (warehouse / "private").mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        subprocess.run(
            [
                dbt_executable(python),
                "compile",
                "--quiet",
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(target),
                "--select",
                "resource_type:model",
                "--vars",
                json.dumps(DBT_VARS),
            ],
            cwd=DBT_PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return target / "manifest.json"


def _drop_external_locations(node: dict) -> None:
    node.pop("identifier", None)
    config = node.get("config") or {}
    config.pop("external_location", None)
    if not config and "config" in node:
        del node["config"]
    meta = node.get("meta") or {}
    meta.pop("external_location", None)


def peer_project(python: str, env: dict[str, str], target: Path, log: Path) -> Path:
    """Copy dbt_project/ to `target` with sources bound to tables `raw.<name>`; parse it."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        DBT_PROJECT_DIR,
        target,
        ignore=shutil.ignore_patterns("target", "logs", ".user.yml", "__pycache__"),
    )
    sources_path = target / SOURCES_FILE
    document = yaml.safe_load(sources_path.read_text(encoding="utf-8"))
    for source in document["sources"]:
        _drop_external_locations(source)
        source["schema"] = "raw"
        for table in source.get("tables", []):
            _drop_external_locations(table)
    sources_path.write_text(
        "# Written by bench/prepare.py: sources are the peer's DuckDB tables raw.<name>.\n"
        + yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    # Plain tables, as most projects have, describing the same day as the refresh.
    project_path = target / "dbt_project.yml"
    project = yaml.safe_load(project_path.read_text(encoding="utf-8"))
    project["vars"] = dict(DBT_VARS)
    project_path.write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    warehouse = Path(env["NHANLUC_WAREHOUSE_DIR"])
    (warehouse / "private").mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        subprocess.run(
            [dbt_executable(python), "parse", "--quiet", "--profiles-dir", str(target)],
            cwd=target,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return target
