"""Import a heavy library on a background thread while the run waits on a subprocess.

great_expectations takes 7–15 s to import here, and its checks run right after the dbt
step, during which this process only relays dbt's events. Importing it on a thread at
the start of that step overlaps the two; the check's own `import` then finds the module
loaded (or waits on Python's import lock for the thread to finish it). A failed import
is left for the check to raise, where it is reported against the check.
"""

from __future__ import annotations

import importlib
import threading


def _import_quietly(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # the real import, in the check, reports it
            return


def import_in_background(*names: str) -> threading.Thread:
    thread = threading.Thread(
        target=_import_quietly, args=(names,), name="prewarm-imports", daemon=True
    )
    thread.start()
    return thread
