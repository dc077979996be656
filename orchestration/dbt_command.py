"""`nhanluc-dbt`: the dbt the refresh runs, with what the refresh hands dbt in its environment.

dagster-dbt starts dbt with a copy of the refresh's environment and offers no way to add
to it, and nothing in the refresh writes os.environ. So the refresh runs this command as
its dbt executable; it takes its own options before dbt's arguments, then replaces itself
with dbt, handing over:

- `--as-of-date YYYY-MM-DD`: the date the refresh fixed for the run, as
  NHANLUC_AS_OF_DATE (macros/as_of_date.sql reads it when models compile). A dbt var
  would do as well, but dbt parses the whole project again whenever `--vars` change, and
  the date changes every day.
- `--in-warehouse DIR`: dbt runs in DIR, with NHANLUC_WAREHOUSE_DIR set to `.`, so the
  profile's database path and the sources' locations are the same text for every
  warehouse. dbt keeps a hash of the profile's connection in its saved parse and parses
  everything again when it differs; named by its own path, no warehouse could start from
  the parse the project prepares once (orchestration/dbt.py).
- for `--target spark`, the person_key pads computed from the pseudonym key
  (macros/person_key.sql reads them as `${env:…}` when Spark parses a statement). They
  must reach neither a command line (`ps` shows those to every user) nor a file, so they
  exist in dbt's own environment only.

Without options and for any other target it is dbt unchanged.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

DBT = str(Path(sys.executable).with_name("dbt"))
PAD_VARIABLES = ("NHANLUC_PERSON_KEY_INNER_PAD", "NHANLUC_PERSON_KEY_OUTER_PAD")
AS_OF_DATE_OPTION = "--as-of-date"
IN_WAREHOUSE_OPTION = "--in-warehouse"
# The warehouse as the profile and the sources name it when dbt runs inside it.
WAREHOUSE_FROM_INSIDE = "."


def options(*, as_of_date: date | None = None, in_warehouse: Path | None = None) -> list[str]:
    """This command's own options, to put before dbt's arguments."""
    own: list[str] = []
    if as_of_date is not None:
        own += [AS_OF_DATE_OPTION, as_of_date.isoformat()]
    if in_warehouse is not None:
        own += [IN_WAREHOUSE_OPTION, str(Path(in_warehouse).resolve())]
    return own


def split_options(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """(this command's options, dbt's arguments): its options come first, each with a value."""
    own: dict[str, str] = {}
    while len(argv) >= 2 and argv[0] in (AS_OF_DATE_OPTION, IN_WAREHOUSE_OPTION):
        own[argv[0]] = argv[1]
        argv = argv[2:]
    return own, argv


def dbt_environment(args: list[str], own: dict[str, str] | None = None) -> dict[str, str]:
    """The environment dbt runs with for `args`: this one, plus what the options and the
    Spark target add."""
    own = own or {}
    environment = dict(os.environ)
    if AS_OF_DATE_OPTION in own:
        environment["NHANLUC_AS_OF_DATE"] = own[AS_OF_DATE_OPTION]
    if IN_WAREHOUSE_OPTION in own:
        environment["NHANLUC_WAREHOUSE_DIR"] = WAREHOUSE_FROM_INSIDE
        # dbt finds its project and profile in the folder it starts in unless told; it
        # starts in the warehouse now, so it is told where they were.
        here = Path.cwd()
        environment.setdefault("DBT_PROJECT_DIR", str(here))
        if (here / "profiles.yml").exists():
            environment.setdefault("DBT_PROFILES_DIR", str(here))
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
    own, args = split_options(sys.argv[1:])
    environment = dbt_environment(args, own)
    if IN_WAREHOUSE_OPTION in own:
        os.chdir(own[IN_WAREHOUSE_OPTION])
    os.execve(DBT, [DBT, *args], environment)


if __name__ == "__main__":
    main()
