"""python -m bench [--tiers shipped,x10 | --national] [--only NAMES] [--profile] ...

For every tier: generate (or reuse) its seeds, then run each measurement in its own
subprocess on the same data, print a table and write bench/results/<tier>.json.
docs/benchmark.md describes every measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import psutil

from bench import dagster_log, floors, prepare, probe, profile, readme, report
from bench.tiers import (
    DEFAULT_TIERS,
    REPO_ROOT,
    TIERS,
    Tier,
    csv_bytes,
    resubmitted_copy,
    tier_data,
)
from orchestration import dbt_command

RESULTS_DIR = REPO_ROOT / "bench" / "results"
PROFILES_DIR = REPO_ROOT / "bench" / "data" / "profiles"
PSEUDONYM_KEY = "nhanluc-bench-key"  # fixed, so the floors and the refresh agree on person_key
MEASUREMENTS = (
    "startup",
    "floor",  # both floors; floor_sql or floor_loader for one
    floors.FLOOR,
    floors.LOADER_FLOOR,
    "full",
    "validation",
    "incremental",
    "nothing_changed",
    "peer",
)
PACKAGES = (
    "duckdb",
    "dagster",
    "dagster-dbt",
    "dagster-duckdb",
    "dbt-core",
    "dbt-duckdb",
    "pandas",
    "pandera",
    "great-expectations",
    "polars",
    "pyarrow",
)


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
        "versions": versions,
    }


CODE_FOLDERS = (
    "orchestration",
    "schemas",
    "dbt_project/models",
    "dbt_project/macros",
    "dbt_project/tests",
    "dbt_project/plugins",
)


def code_fingerprint() -> str:
    """A hash of the project's code and dbt project: other engineers may commit mid-run."""
    digest = hashlib.sha256()
    paths = [REPO_ROOT / "dbt_project" / name for name in ("dbt_project.yml", "profiles.yml")]
    for folder in CODE_FOLDERS:
        paths += sorted(
            path
            for path in (REPO_ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        )
    for path in paths:
        if path.exists():
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def git_state() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {"commit": git("rev-parse", "HEAD"), "uncommitted": bool(git("status", "--porcelain"))}


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.python = sys.executable
        self.bin = Path(self.python).parent
        self.work = Path(tempfile.mkdtemp(prefix="nhanluc-bench-", dir=args.work_dir))
        self.only = set(args.only.split(",")) if args.only else set(MEASUREMENTS)
        self.base_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("NHANLUC_", "DAGSTER_", "DBT_", "BENCH_"))
        }
        self.base_env.update(
            PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            NHANLUC_PSEUDONYM_KEY=PSEUDONYM_KEY,
            NHANLUC_AS_OF_DATE=prepare.AS_OF_DATE,
            PYTHONUNBUFFERED="1",
        )
        self.machine = machine()
        self.git = git_state()
        self.waited = 0.0
        self.code = ""

    # -- helpers -------------------------------------------------------------------------
    def log(self, text: str) -> None:
        print(text, flush=True)

    def env(
        self,
        seeds: Path | None = None,
        warehouse: Path | None = None,
        dagster_home: Path | None = None,
        **extra: str,
    ) -> dict[str, str]:
        env = dict(self.base_env)
        if seeds is not None:
            env["NHANLUC_SEEDS_DIR"] = str(seeds)
        if warehouse is not None:
            env["NHANLUC_WAREHOUSE_DIR"] = str(warehouse)
        if dagster_home is not None:
            env["DAGSTER_HOME"] = str(dagster_home)
        env.update(extra)
        return env

    def dagster_home(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / "dagster.yaml", folder / "dagster.yaml")
        return folder

    def measure(self, name: str, command: list, env: dict, log: Path, cwd: Path = REPO_ROOT):
        if self.args.wait_idle:
            began = time.perf_counter()
            waited = probe.wait_for_idle(self.args.wait_idle)
            self.waited += time.perf_counter() - began
            if waited is not None:
                self.log(f"  (waited {waited:.0f} s for other jobs to quiet down)")
        code = code_fingerprint()
        if self.code and code != self.code:
            self.log("  NOTE: the project's code changed since the previous measurement")
        self.code = code
        self.log(f"  {name} ...")
        result = probe.run(name, command, env=env, cwd=cwd, log_path=log, timeout=self.args.timeout)
        state = "ok" if result.ok else f"FAILED (exit {result.returncode}, log {log})"
        self.log(
            f"  {name}: {result.wall_s:.1f} s, peak {result.peak_tree_mb:.0f} MB, "
            f"cpu {result.cpu_s:.1f} s, other load {result.other_cpu_s:.1f} cpu-s: {state}"
        )
        return result

    def dagster_refresh(
        self,
        name: str,
        seeds: Path,
        warehouse: Path,
        home: Path,
        folder: Path,
        module: str = "orchestration.definitions",
        job: str = "nightly_refresh",
        **extra: str,
    ):
        command = [self.bin / "dagster", "job", "execute", "-m", module, "-j", job]
        env = self.env(seeds, warehouse, home, **extra)
        result = self.measure(name, command, env, folder / f"{name}.log")
        text = Path(result.log).read_text(errors="replace")
        steps = dagster_log.step_seconds(text)
        run = dagster_log.run_id(text)
        project_dir = Path(extra.get("BENCH_PEER_DBT_DIR", prepare.DBT_PROJECT_DIR))
        dbt = dagster_log.collect_dbt_run_results(
            project_dir, run, folder / f"{name}.run_results.json", warehouse, result.started_at
        )
        result.details.update(
            run_id=run,
            peak_during=dagster_log.step_at(text, result.peak_at),
            steps_s={key: round(value, 2) for key, value in steps.items()},
            step_groups_s=report.step_groups(steps),
            dbt=dbt,
            dbt_reported=dagster_log.dbt_reported(text),
        )
        return result

    # -- once per invocation -------------------------------------------------------------
    def setup(self) -> None:
        self.log(f"work folder: {self.work}")
        if floors.selected(self.only) or "peer" in self.only:
            # The compile's warehouse folder only shows in the sources' read_parquet(...),
            # which the floors replace; the peer's sources are tables, not paths.
            env = self.env(warehouse=self.work / "compile_warehouse")
            self.manifest, self.peer_dbt = prepare.prepared(self.python, env, self.work)

    def startup(self) -> dict:
        """Definitions load vs bare import (alternating, median of N), and dbt's start."""
        folder = self.work / "startup"
        env = self.env(REPO_ROOT / "seeds", folder / "warehouse")
        (folder / "warehouse" / "private").mkdir(parents=True, exist_ok=True)
        commands = {
            "definitions_import": [self.python, "-c", "import orchestration.definitions"],
            "bare_import": [self.python, "-c", "import dagster, dagster_dbt"],
        }
        runs: dict[str, list] = {name: [] for name in commands}
        for index in range(self.args.repeat):
            for name, command in commands.items():
                runs[name].append(
                    self.measure(f"{name}#{index + 1}", command, env, folder / f"{name}{index}.log")
                )
        target = folder / "dbt_target"
        target.mkdir(parents=True, exist_ok=True)
        # As the dbt step starts dbt (orchestration/dbt.py): inside the warehouse, from the
        # project's own parse, which importing the definitions above prepared.
        parse_state = prepare.DBT_PROJECT_DIR / "target" / "refresh" / "partial_parse.msgpack"
        if parse_state.exists():
            shutil.copy2(parse_state, target / parse_state.name)
        dbt_start = self.measure(
            "dbt_start",
            [
                self.bin / "nhanluc-dbt",
                *dbt_command.options(in_warehouse=folder / "warehouse"),
                "run",
                "--select",
                "fqn:bench_selects_nothing",
                "--profiles-dir",
                prepare.DBT_PROJECT_DIR,
                "--target-path",
                target,
            ],
            env,
            folder / "dbt_start.log",
            cwd=prepare.DBT_PROJECT_DIR,
        )
        result = {}
        for name, samples in runs.items():
            walls = [sample.wall_s for sample in samples]
            result[name] = {
                "wall_s": round(statistics.median(walls), 2),
                "samples_s": [round(wall, 2) for wall in walls],
                "peak_tree_mb": round(max(s.peak_tree_mb for s in samples), 1),
                "ok": all(sample.ok for sample in samples),
                "other_cpu_s": round(sum(s.other_cpu_s for s in samples), 1),
            }
        result["dbt_start"] = dbt_start.to_json()
        return result

    # -- per tier ------------------------------------------------------------------------
    def tier(self, tier: Tier, startup: dict | None) -> dict:
        self.log(f"\n[{tier.name}] python -m tools.generate {' '.join(tier.generator_args)}")
        seeds, generated = tier_data(tier, self.python, self.log)
        folder = self.work / tier.name
        folder.mkdir(parents=True, exist_ok=True)
        _warm(seeds)
        result: dict = {
            "tier": tier.name,
            "generator": f"python -m tools.generate {' '.join(tier.generator_args)}",
            "data": {
                "folder": str(seeds.relative_to(REPO_ROOT)),
                "csv_bytes": csv_bytes(seeds),
                "generated_s": None if generated is None else round(generated, 1),
            },
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "arguments": " ".join(sys.argv[1:]),
            "machine": self.machine,
            "git": self.git,
            "measurements": {},
        }
        m = result["measurements"]
        if startup:
            result["startup"] = startup

        for name in floors.selected(self.only):
            m[name] = floors.measure(self, name, seeds, folder)
        rows = m.get(floors.FLOOR, m.get(floors.LOADER_FLOOR, {})).get("details", {}).get("load")
        if rows:
            result["data"]["rows"] = {name: item["rows"] for name, item in rows.items()}

        warehouse, home = folder / "warehouse", self.dagster_home(folder / "dagster_home")
        snapshot = folder / "warehouse_after_full" if self.args.sensor else None
        published = None
        if self.only & {"full", "validation", "incremental", "nothing_changed"}:
            full = self.dagster_refresh("full", seeds, warehouse, home, folder)
            published = warehouse / "nhanluc.duckdb"
            if published.exists():
                full.details["row_counts"] = floors.published_counts(published)
            m["full"] = full.to_json()
            floors.check(m, folder, published if full.ok else None, self.log)
            if self.args.profile:
                result["profile"] = self.profile_refresh(seeds, folder)
            if self.args.sensor and full.ok:
                shutil.copytree(warehouse, snapshot)

        if published is None:
            floors.check(m, folder, None, self.log)

        if "validation" in self.only:
            env = self.env(seeds, warehouse)
            for suite in ("pandera", "gx"):
                out = folder / f"{suite}.json"
                run = self.measure(
                    f"validation_{suite}",
                    [self.python, "-m", "bench.validation", suite, "--out", out],
                    env,
                    folder / f"validation_{suite}.log",
                )
                if out.exists():
                    run.details.update(json.loads(out.read_text()))
                m[f"validation_{suite}"] = run.to_json()
            target = folder / "dbt_test_target"
            dbt_test = self.measure(
                "validation_dbt_test",
                [
                    self.bin / "dbt",
                    "test",
                    "--exclude-resource-type",
                    "unit_test",
                    "--profiles-dir",
                    prepare.DBT_PROJECT_DIR,
                    "--target-path",
                    target,
                ],
                env,
                folder / "validation_dbt_test.log",
                cwd=prepare.DBT_PROJECT_DIR,
            )
            text = Path(dbt_test.log).read_text(errors="replace")
            dbt_test.details["dbt_reported"] = dagster_log.dbt_reported(text)
            if (target / "run_results.json").exists():
                dbt_test.details["dbt"] = dagster_log.summarise_run_results(
                    json.loads((target / "run_results.json").read_text())
                )
            m["validation_dbt_test"] = dbt_test.to_json()

        if self.only & {"incremental", "nothing_changed"}:
            resubmitted = folder / "seeds_resubmitted"
            result["resubmission"] = resubmitted_copy(seeds, resubmitted)
            if "incremental" in self.only:
                run = self.dagster_refresh("incremental", resubmitted, warehouse, home, folder)
                m["incremental"] = run.to_json()
            if "nothing_changed" in self.only:
                run = self.dagster_refresh("nothing_changed", resubmitted, warehouse, home, folder)
                m["nothing_changed"] = run.to_json()
            if snapshot is not None and snapshot.exists():
                # The sensor's run must meet the warehouse as the full refresh left it:
                # ingest is keyed by content, so a second pass over the same change is cheaper.
                shutil.rmtree(warehouse)
                shutil.copytree(snapshot, warehouse)
                m["incremental_sensor"] = self.sensor(
                    "incremental_sensor", seeds, resubmitted, warehouse, home, folder, True
                ).to_json()
                m["nothing_changed_sensor"] = self.sensor(
                    "nothing_changed_sensor",
                    resubmitted,
                    resubmitted,
                    warehouse,
                    home,
                    folder,
                    False,
                ).to_json()
            shutil.rmtree(resubmitted, ignore_errors=True)
        if snapshot is not None:
            shutil.rmtree(snapshot, ignore_errors=True)

        if "peer" in self.only:
            peer_home = self.dagster_home(folder / "peer_dagster_home")
            peer_warehouse = folder / "peer_warehouse"
            (peer_warehouse / "private").mkdir(parents=True, exist_ok=True)
            peer = self.dagster_refresh(
                "peer",
                seeds,
                peer_warehouse,
                peer_home,
                folder,
                module="bench.peer",
                job="peer_refresh",
                BENCH_PEER_DBT_DIR=str(self.peer_dbt),
            )
            peer.details.update(label=floors.LABELS["peer"], skips=list(floors.PEER_SKIPS))
            m["peer"] = peer.to_json()
            shutil.rmtree(peer_warehouse, ignore_errors=True)

        shutil.rmtree(warehouse, ignore_errors=True)
        result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        result["busy_machine"] = [name for name, item in m.items() if report.busy(item)]
        versions = {item["details"].get("code") for item in m.values()}
        result["code_changed_during_tier"] = len(versions - {None}) > 1
        result["git_at_end"] = git_state()
        result["ratios"] = report.ratios(result)
        result["targets"] = report.targets(result)
        return result

    def sensor(self, name, before, seeds, warehouse, home, folder, run: bool):
        out = folder / f"{name}.json"
        command = [self.python, "-m", "bench.sensor", "--before", before, "--out", out]
        if run:
            command.append("--run")
        result = self.measure(
            name, command, self.env(seeds, warehouse, home), folder / f"{name}.log"
        )
        if out.exists():
            result.details.update(json.loads(out.read_text()))
        text = Path(result.log).read_text(errors="replace")
        steps = dagster_log.step_seconds(text)
        if steps:
            result.details["steps_s"] = {k: round(v, 2) for k, v in steps.items()}
            result.details["step_groups_s"] = report.step_groups(steps)
        run_id = dagster_log.run_id(text)
        result.details["dbt"] = dagster_log.collect_dbt_run_results(
            prepare.DBT_PROJECT_DIR,
            run_id,
            folder / f"{name}.run_results.json",
            warehouse,
            result.started_at,
        )
        return result

    def profile_refresh(self, seeds: Path, folder: Path) -> dict:
        """One more full refresh under py-spy (not timed in the table: sampling slows it)."""
        warehouse = folder / "profile_warehouse"
        home = self.dagster_home(folder / "profile_dagster_home")
        raw = folder / "profile.txt"
        command = [
            self.bin / "py-spy",
            "record",
            "--format",
            "raw",
            "--subprocesses",
            "--rate",
            str(self.args.profile_rate),
            "-o",
            raw,
            "--",
            self.bin / "dagster",
            "job",
            "execute",
            "-m",
            "orchestration.definitions",
            "-j",
            "nightly_refresh",
        ]
        run = self.measure(
            "profile", command, self.env(seeds, warehouse, home), folder / "profile.log"
        )
        text = Path(run.log).read_text(errors="replace")
        dagster_log.collect_dbt_run_results(
            prepare.DBT_PROJECT_DIR,
            dagster_log.run_id(text),
            folder / "profile.run_results.json",
            warehouse,
            run.started_at,
        )
        shutil.rmtree(warehouse, ignore_errors=True)
        if not raw.exists():
            return {"available": False, "reason": f"py-spy wrote nothing (log {run.log})"}
        summary = profile.summarise(raw.read_text(errors="replace"), self.args.profile_rate)
        summary["wall_s"] = round(run.wall_s, 1)
        keep = PROFILES_DIR / f"{folder.name}.collapsed.txt"
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(raw, keep)  # flamegraph.pl / speedscope input; git-ignored
        summary["collapsed_stacks"] = str(keep.relative_to(REPO_ROOT))
        self.log(profile.render(summary))
        return summary


def _warm(seeds: Path) -> None:
    """Read every CSV once so every measurement starts from the same (warm) page cache."""
    for path in seeds.glob("*/**/*.csv"):
        with path.open("rb") as handle:
            while handle.read(1 << 22):
                pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tiers",
        default=",".join(DEFAULT_TIERS),
        help=f"comma-separated, of {', '.join(TIERS)} (default: %(default)s)",
    )
    parser.add_argument(
        "--national", action="store_true", help="add the national tier (scale 43, ~10 M enrolments)"
    )
    parser.add_argument("--only", help=f"comma-separated subset of {', '.join(MEASUREMENTS)}")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="samples of each import for the start-up ratio (default 3)",
    )
    parser.add_argument(
        "--sensor",
        action="store_true",
        help="also measure the resubmission path: a submission_sensor tick and the run it "
        "requests (after one unit's change, and when nothing changed)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run the full refresh under py-spy and summarise the costs",
    )
    parser.add_argument("--profile-rate", type=int, default=25, help="py-spy samples per second")
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds after which one measurement is stopped"
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        help="before each measurement, wait up to this many seconds until other processes "
        "use less than a fifth of a core (a shared machine); default: do not wait",
    )
    parser.add_argument("--work-dir", default=None, help="where temporary warehouses go")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print bench/results/*.json as Markdown tables and exit (runs nothing)",
    )
    parser.add_argument(
        "--label", help="write bench/results/<tier>.<label>.json instead of <tier>.json"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.markdown:
        for path in sorted(RESULTS_DIR.glob("*.json")):
            result = json.loads(path.read_text())
            if "measurements" in result:  # a tier's results, not another bench module's
                print(report.markdown(result) + "\n")
        return 0
    names = [name for name in args.tiers.split(",") if name]
    if args.national and "national" not in names:
        names.append("national")
    unknown = [name for name in names if name not in TIERS]
    if unknown:
        raise SystemExit(f"unknown tier(s) {unknown}; known: {', '.join(TIERS)}")
    bench = Bench(args)
    began = time.perf_counter()
    failed = False
    try:
        bench.setup()
        startup = bench.startup() if "startup" in bench.only else None
        for name in names:
            result = bench.tier(TIERS[name], startup)
            print(report.table(result), flush=True)
            if not args.no_write:
                RESULTS_DIR.mkdir(parents=True, exist_ok=True)
                label = f".{args.label}" if args.label else ""
                path = RESULTS_DIR / f"{name}{label}.json"
                path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
                print(f"wrote {path.relative_to(REPO_ROOT)}")
            failed |= any(not item.get("ok", True) for item in result["measurements"].values())
    finally:
        if not args.keep:
            shutil.rmtree(bench.work, ignore_errors=True)
    if not args.no_write and readme.write(
        REPO_ROOT / "README.md", readme.read_results(RESULTS_DIR)
    ):
        print("wrote the speed table of README.md")
    waited = f" (of which {bench.waited:.0f} s waiting for an idle machine)" if bench.waited else ""
    print(f"\nbenchmark finished in {time.perf_counter() - began:.0f} s{waited}")
    return 1 if failed else 0
