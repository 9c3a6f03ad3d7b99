"""Queues that cannot starve each other (issue #24): each kind of work is routed to its own queue, and
the minute's deadline scan, on its worker, finishes while a 100,000-row Excel export is still being
made by the exports worker."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery_app import app as celery_app
from filings.kinds.states import State
from filings.models import Alert, AlertScan, Deadline, ExportJob
from filings.services.exports import request_export
from filings.tasks import scan_deadlines_task
from tests import factories
from tests.test_alerts_worker import start_worker, wait_for  # noqa: F401 - the worker fixture

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EXPORT_ROWS = 100_000
# The scan of a few deadlines takes well under a second; what it must never do is wait for the
# export (30-40 s for 100,000 rows on this machine, bench/exports.py).
SCAN_BOUND_S = 10


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("filings.tasks.scan_deadlines_task", "scan"),
        ("filings.tasks.sync_domain_expiry_task", "scan"),
        ("filings.tasks.deliver_alert_notifications_task", "notify"),
        ("filings.tasks.refresh_stats_task", "stats"),
        ("filings.tasks.refresh_risk_task", "stats"),
        ("filings.tasks.run_site_checks_task", "stats"),
        ("filings.tasks.export_xlsx_task", "exports"),
        ("filings.tasks.apply_bureau_import_task", "exports"),
    ],
)
def test_each_task_is_routed_to_its_queue(task, queue):
    assert celery_app.amqp.router.route({}, task)["queue"].name == queue


def test_every_scheduled_task_has_a_route_and_every_route_a_consumer():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed <= set(settings.BEIAN_CELERY_QUEUES)
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= set(
        settings.CELERY_TASK_ROUTES
    )


def test_every_task_of_the_app_is_routed_and_every_route_names_a_task():
    """A task without a route would land on the default queue beside the mail, one routed by a name
    no task has any more is dead configuration."""
    from celery.local import Proxy

    import filings.tasks

    names = {
        value.name
        for value in vars(filings.tasks).values()
        if isinstance(value, Proxy) and hasattr(value, "name")
    }
    assert names and names == set(settings.CELERY_TASK_ROUTES)


def _provisional_deadlines(count: int) -> None:
    """Open provisional deadlines of one filing, due in a month: the dashboard's provisional list,
    which no alert threshold has reached."""
    filing = factories.ready_filing()
    start = timezone.now()
    Deadline.objects.bulk_create(
        (
            Deadline(
                filing=filing,
                province_id=filing.province_id,
                stage=State.ENTRY,
                stage_visit=visit,
                kind=Deadline.Kind.STALE_ENTRY,
                starts_at=start,
                due_at=start + timedelta(days=30),
                provisional=True,
            )
            for visit in range(100, 100 + count)
        ),
        batch_size=10_000,
    )


def test_the_scan_is_not_delayed_behind_a_running_100000_row_export(start_worker):  # noqa: F811
    _provisional_deadlines(EXPORT_ROWS)
    breached = factories.stale_deadlines(range(1, 4), starts_at=timezone.now() - timedelta(days=31))
    manager = factories.manager_user(username="queue-manager")
    # As in production: one worker takes exports only, another the scan only.
    exports_worker = start_worker(queues=("exports",))
    scan_worker = start_worker(queues=("scan",))

    job = request_export(by=manager, source="deadlines", filters={"kind": "provisional"})
    wait_for(
        lambda: ExportJob.objects.filter(
            pk=job.pk, status=ExportJob.Status.RUNNING, rows_written__gt=0
        ).exists(),
        worker=exports_worker,
        timeout=120,
    )
    # Routed by name, as beat sends it: to the scan queue.
    asked = time.monotonic()
    scan_deadlines_task.apply_async()
    wait_for(lambda: AlertScan.objects.exists(), worker=scan_worker, timeout=SCAN_BOUND_S + 20)
    waited = time.monotonic() - asked
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING, "the export should still be running"
    assert job.rows_expected == EXPORT_ROWS and job.rows_written < EXPORT_ROWS
    assert waited < SCAN_BOUND_S, f"the scan waited {waited:.1f}s"
    assert Alert.objects.filter(deadline__in=breached).count() == len(breached)
    print(f"scan done {waited:.2f}s after it was queued, the export at {job.rows_written} rows")

    wait_for(
        lambda: ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).exists(),
        worker=exports_worker,
        timeout=600,
        interval=1,
    )
    job.refresh_from_db()
    assert job.rows_written == EXPORT_ROWS
    print(f"export of {EXPORT_ROWS} rows took {(job.finished_at - job.started_at).total_seconds():.1f}s")
