"""The one place that reaches into private names of Dagster and dagster-dbt, for speed.

Each module overrides or calls a private name because no public API gives the same speed
back (the measured gain is in its docstring); tests/test_dagster_internals.py fails when
an upgrade renames or removes a name relied on here, so the loss shows at once instead of
as a silently slower refresh or a broken instance.

- event_log: Dagster's SQLite event log with its index connection kept open (dagster.yaml).
- dbt_cli: DbtCliResource without the `dbt --version` subprocess and the unused adapter.

The modules import nothing from each other: the instance (dagster.yaml) loads event_log
without paying for dagster-dbt's import.
"""
