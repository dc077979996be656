"""The report site as a Dagster asset, built from the published file once it is swapped in."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.publish import published_warehouse
from orchestration.report.site import build_report
from orchestration.resources import RefreshLock
from orchestration.settings import current_settings

REPORT_SITE_KEY = AssetKey(["publish", "report"])


@asset(
    key=REPORT_SITE_KEY,
    group_name="publish",
    deps=[published_warehouse],
    description="The report site <NHANLUC_WAREHOUSE_DIR>/report/: Vietnamese pages (overview, "
    "one per target and per unit, data quality) built from the published file alone and "
    "swapped in atomically (report is a link to a versioned folder).",
    kinds={"html"},
)
def report_site(context: AssetExecutionContext, refresh_lock: RefreshLock) -> MaterializeResult:
    settings = current_settings()
    built = build_report(settings.published_database, settings.warehouse_dir)
    context.log.info(
        f"report: {built.pages} pages ({built.size_bytes} bytes) in {built.folder.name}, "
        f"built in {built.seconds:.1f} s"
    )
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(built.overview)),
            "summary": MetadataValue.md(built.summary_markdown()),
            "pages": built.pages,
            "size_bytes": built.size_bytes,
            "build_seconds": round(built.seconds, 2),
            "targets_met": built.targets_met,
            "targets_missed": built.targets_missed,
        }
    )
