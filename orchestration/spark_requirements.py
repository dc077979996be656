"""Whether this machine can run dbt on Spark: the `spark` dependency group and Java 17."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys

# The modules dbt needs for the `spark` target, and the package that installs each.
SPARK_PACKAGES = {"dbt.adapters.spark": "dbt-spark", "pyspark": "pyspark"}
INSTALL_COMMAND = "make install-spark"
UV_COMMAND = ".uv/bin/uv sync --frozen --group spark --inexact"
MINIMUM_JAVA = 17
JAVA_PACKAGE = "openjdk-17-jre-headless"


class SparkRequirementError(RuntimeError):
    pass


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        # find_spec imports the parents of a dotted name; a missing parent raises.
        return False


def missing_packages() -> list[str]:
    """The packages of the `spark` group that this interpreter cannot import."""
    return [package for module, package in SPARK_PACKAGES.items() if not _importable(module)]


def check_packages() -> None:
    """Raise with what to install, before dbt reports a missing adapter as bad credentials."""
    missing = missing_packages()
    if missing:
        names = " and ".join(missing)
        verb = "is" if len(missing) == 1 else "are"
        raise SparkRequirementError(
            f"NHANLUC_ENGINE=spark needs {names}, which {verb} not installed: "
            f"run `{INSTALL_COMMAND}` (or `{UV_COMMAND}`)"
        )


def java_executable() -> str | None:
    """The java Spark's launcher starts: JAVA_HOME's when set, else the first on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = os.path.join(home, "bin", "java")
        return candidate if os.access(candidate, os.X_OK) else None
    return shutil.which("java")


def java_major(version_output: str) -> int | None:
    """The major version in `java -version` output; Java 8 and older print 1.<major>."""
    found = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def check_java() -> None:
    java = java_executable()
    if java is None:
        found = "JAVA_HOME has no bin/java" if os.environ.get("JAVA_HOME") else "no java on PATH"
    else:
        try:
            result = subprocess.run(
                [java, "-version"], capture_output=True, text=True, timeout=60, check=False
            )
            major = java_major(result.stderr + result.stdout)
        except (OSError, subprocess.TimeoutExpired):
            major = None
        if major is not None and major >= MINIMUM_JAVA:
            return
        found = f"{java} is Java {major}" if major else f"{java} -version failed"
    raise SparkRequirementError(
        f"NHANLUC_ENGINE=spark needs Java {MINIMUM_JAVA} or later ({found}): install it "
        f"(Debian, Ubuntu: apt-get install {JAVA_PACKAGE}) or set JAVA_HOME to one"
    )


def check() -> None:
    """Everything the Spark engine needs; raises SparkRequirementError naming what is missing."""
    check_packages()
    check_java()


def main(argv: list[str]) -> int:
    """`python -m orchestration.spark_requirements [java|packages]`: one line and exit 1 if not."""
    checks = {"java": check_java, "packages": check_packages}
    try:
        for name in argv or ["packages", "java"]:
            checks[name]()
    except SparkRequirementError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
