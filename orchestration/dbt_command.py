"""`nhanluc-dbt`: the dbt the refresh runs, with what the Spark target needs in its environment.

dagster-dbt starts dbt with a copy of the refresh's environment and offers no way to add
to it; the Spark build needs the person_key pads there (macros/person_key.sql reads them
as `${env:…}` when Spark parses a statement) and they must reach neither a command line
(`ps` shows those to every user) nor a file. So the refresh runs this command as its dbt
executable: for `--target spark` it computes the pads from the pseudonym key and replaces
itself with dbt, handing them over in dbt's own environment only; for any other target it
is dbt unchanged.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DBT = str(Path(sys.executable).with_name("dbt"))
PAD_VARIABLES = ("NHANLUC_PERSON_KEY_INNER_PAD", "NHANLUC_PERSON_KEY_OUTER_PAD")


def dbt_environment(args: list[str]) -> dict[str, str]:
    """The environment dbt runs with for `args`: this one, plus the pads on Spark."""
    environment = dict(os.environ)
    if _target(args) == "spark":
        from dbt_project.plugins.person_key import hmac_pads, load_key

        environment.update(zip(PAD_VARIABLES, hmac_pads(load_key()), strict=True))
    return environment


def _target(args: list[str]) -> str | None:
    for position, arg in enumerate(args):
        if arg == "--target" and position + 1 < len(args):
            return args[position + 1]
        if arg.startswith("--target="):
            return arg.partition("=")[2]
    return None


def main() -> None:
    args = sys.argv[1:]
    os.execve(DBT, [DBT, *args], dbt_environment(args))


if __name__ == "__main__":
    main()
