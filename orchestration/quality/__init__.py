"""Data quality as code: pandera on raw slices, GX suites and reconciliation on the marts.

Every check here is blocking: a failure stops what is downstream of the checked asset,
and so the publish, which leaves the last published file as it was.
"""

from orchestration.quality.feedback import unit_feedback
from orchestration.quality.great_expectations import mart_expectation_checks
from orchestration.quality.pandera_checks import pandera_checks
from orchestration.quality.reconciliation import reconciliation_checks

quality_assets = [unit_feedback]
quality_checks = [*pandera_checks, mart_expectation_checks, reconciliation_checks]

__all__ = ["quality_assets", "quality_checks"]
