"""Data quality as code: pandera on raw slices, GX suites and reconciliation on the marts.

Every check here is blocking: a failure stops what is downstream of the checked asset,
and so the publish, which leaves the last published file as it was. The Dagster objects
are imported on first use, so feedback_files (the unit feedback CSV) imports without
Dagster.
"""

from __future__ import annotations

__all__ = ["quality_assets", "quality_checks"]


def __getattr__(name: str) -> list:
    if name == "quality_assets":
        from orchestration.quality.feedback import unit_feedback

        value = [unit_feedback]
    elif name == "quality_checks":
        from orchestration.quality.great_expectations import mart_expectation_checks
        from orchestration.quality.pandera_checks import pandera_checks
        from orchestration.quality.reconciliation import reconciliation_checks

        value = [*pandera_checks, mart_expectation_checks, reconciliation_checks]
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
