"""Celery tasks: thin wrappers around the deadline scan and alert delivery (acks late, idempotent)."""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from filings.jobs import alert_scan, risk_summaries, summaries
from filings.services import bureau_apply, calendar, notifications, packages
from filings.services.exports import purge_exports, run_export

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan_deadlines_task(now: str | None = None) -> dict:
    """Run one deadline scan (as of `now`, ISO-8601, when given) unless one is running already;
    rerunning it (a retry, a second worker) raises nothing twice."""
    calendar.recompute_when_calendar_learned()
    result = alert_scan.scan_unless_running(now=datetime.fromisoformat(now) if now else None)
    if result is None:
        logger.info("Deadline scan skipped: another worker's scan is still running")
        return {"raised": 0, "repeated": 0, "expired": 0, "skipped": True}
    # Notifications whose queued delivery was lost (broker down, worker killed) go out now.
    grace = timedelta(seconds=settings.BEIAN_ALERT_DELIVERY_GRACE_SECONDS)
    notifications.deliver_alert_notifications(created_before=timezone.now() - grace)
    if result.total or result.expired:
        logger.info(
            "Deadline scan: %s raised, %s repeated, %s SMS windows expired",
            result.raised,
            result.repeated,
            result.expired,
        )
    return {"raised": result.raised, "repeated": result.repeated, "expired": result.expired}


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_alert_notifications_task(alert_ids: list[int]) -> int:
    """Send the email and SMS of these alerts' notifications that are not yet delivered."""
    return notifications.deliver_alert_notifications(alert_ids=alert_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def refresh_stats_task() -> int:
    """Refresh the dashboard's statistics summaries (recent days only); return history rows read."""
    return summaries.refresh_summaries().events


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def refresh_risk_task() -> int:
    """Rebuild the rejection-risk cases decided lately and the summaries; return the cases made."""
    return risk_summaries.refresh_risk_summaries().cases


# Above the default limits: 100,000 rows took 30-40 s on a loaded 2-core machine (bench/exports.py).
@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True, soft_time_limit=900, time_limit=960
)
def export_xlsx_task(job_id: int) -> str | None:
    """Make one export job's Excel file; return its final status."""
    job = run_export(job_id)
    return job.status if job else None


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def purge_exports_task() -> int:
    """Delete Excel exports older than BEIAN_EXPORT_KEEP_DAYS, files included."""
    return purge_exports()


# 10,000 rows are measured by bench/bureau_import.py.
@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True, soft_time_limit=900, time_limit=960
)
def apply_bureau_import_task(upload_id: int) -> str | None:
    """Apply the rows of one bureau result import not yet applied; return its final status."""
    upload = bureau_apply.run_apply(upload_id)
    return upload.status if upload else None


@shared_task(ignore_result=True)
def run_site_checks_task() -> dict:
    """Check the websites the rotation's sweep has reached and the failing ones due again (issue #25)."""
    from filings.jobs import site_watch

    checks = site_watch.run_due_checks()
    return {"checked": len(checks), "failed": sum(1 for c in checks if not c.passed)}


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def import_registrar_expiry_task() -> dict:
    """Read expiry dates from the registrar adapter BEIAN_REGISTRAR_ADAPTER names (none: nothing)."""
    from filings.jobs import domain_expiry, registrars

    adapter = registrars.configured_adapter()
    if adapter is None:
        return {"configured": False}
    result, changed, closed = domain_expiry.import_from_registrar(adapter)
    if result.errors:
        logger.warning("Registrar expiry import refused: %s", "; ".join(result.errors[:5]))
    return {"updated": result.updated, "unknown": len(result.unknown), "errors": len(result.errors)}


@shared_task(ignore_result=True)
def sync_domain_expiry_task() -> tuple[int, int]:
    """Keep each published filing's domain-expiry deadline at its earliest expiry."""
    from filings.jobs import domain_expiry

    return domain_expiry.sync_domain_deadlines()


@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True, soft_time_limit=600, time_limit=660
)
def build_package_task(package_id: int) -> str | None:
    """Build one bureau package's zip; return its final status."""
    package = packages.run_package(package_id)
    return package.status if package else None


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def purge_packages_task() -> int:
    """Delete bureau packages older than BEIAN_PACKAGE_KEEP_DAYS, zips included."""
    return packages.purge_packages()
