"""Alerts through a real Celery worker on Redis: the scan task, a worker killed mid-scan, and catching
up after Redis was unreachable."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app
from filings.jobs import alert_scan
from filings.kinds.states import State
from filings.models import Alert, AlertScan, Deadline, Filing, FilingEvent, Notification
from filings.rules import workdays
from filings.services import transitions
from filings.tasks import scan_deadlines_task
from tests import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHANGHAI = workdays.SHANGHAI
BASE_DIR = Path(__file__).resolve().parent.parent
START = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A `celery worker` subprocess on the test's Redis and the test database, on its own queue and
    the queues given (by default every queue the app routes to, as `make run`'s worker takes)."""

    def __init__(self, tmp_path: Path, queues: tuple[str, ...] | None = None, **env: str):
        self.queue = f"alerts-test-{uuid.uuid4().hex[:8]}"
        self.log = tmp_path / f"{self.queue}.log"
        self.var_dir = tmp_path / "var"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "BEIAN_VAR_DIR": str(self.var_dir),
            **env,
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    "-n",
                    f"{self.queue}@%h",
                    "-Q",
                    ",".join([self.queue, *(settings.BEIAN_CELERY_QUEUES if queues is None else queues)]),
                ],
                cwd=BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def scan(self, now: datetime) -> None:
        scan_deadlines_task.apply_async(kwargs={"now": now.isoformat()}, queue=self.queue)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture
def start_worker(tmp_path):
    workers: list[Worker] = []

    def start(queues: tuple[str, ...] | None = None, **env: str) -> Worker:
        worker = Worker(tmp_path, queues, **env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, *, worker: Worker, timeout: float = 30, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker.process.poll() is not None and not value:
            break
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s; worker log:\n{worker.output()}")


def test_worker_runs_the_scan_task_expires_sms_and_delivers(start_worker, principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    filing = transitions.pass_review(transitions.submit_filing(filing, by=principal), by=reviewer)
    due = Deadline.objects.get(filing=filing, kind=Deadline.Kind.SMS_WINDOW, closed_at__isnull=True).due_at
    worker = start_worker()
    worker.scan(due + timedelta(minutes=1))
    wait_for(lambda: AlertScan.objects.exists(), worker=worker)
    filing.refresh_from_db()
    assert filing.state == State.ENTRY
    assert FilingEvent.objects.filter(filing=filing, transition="expire_sms").count() == 1
    expired = Alert.objects.get(filing=filing, threshold__code="expired")
    # The window's 4- and 1-hour warnings passed unscanned: the timeout is raised alone.
    assert set(Alert.objects.filter(filing=filing).values_list("threshold__code", flat=True)) == {"expired"}
    # The email queued on commit is sent by the worker's delivery task.
    row = Notification.objects.get(alert=expired, user=principal)
    wait_for(lambda: Notification.objects.filter(pk=row.pk, emailed_at__isnull=False).exists(), worker=worker)


def test_worker_killed_mid_scan_then_rerun_loses_nothing_and_doubles_nothing(start_worker):
    count = 200
    factories.stale_deadlines(range(10, 10 + count), starts_at=START)
    expected = count  # each past its 7-, 15- and 30-day thresholds: the 30-day one alone is raised
    # Small batches, each committed on its own, so that the kill lands between commits.
    first = start_worker(BEIAN_ALERT_SCAN_BATCH="5")
    first.scan(NOW)
    wait_for(lambda: Alert.objects.exists(), worker=first, interval=0.01)
    first.kill()
    partial = Alert.objects.count()
    assert 0 < partial < expected, "the worker should have been killed in the middle of the scan"
    assert not AlertScan.objects.exists()

    second = start_worker()
    second.scan(NOW + timedelta(minutes=1))
    wait_for(lambda: AlertScan.objects.exists(), worker=second)
    assert Alert.objects.count() == expected
    assert len(set(Alert.objects.values_list("deadline_id", "threshold_id", "occurrence"))) == expected
    assert Notification.objects.count() == expected


def _broker_at(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_redis_down_web_keeps_working_and_the_next_scan_catches_up(start_worker, api, principal, reviewer):
    sms_filing = factories.ready_filing(assignee=principal)
    stale = factories.ready_filing(assignee=principal)
    Deadline.objects.filter(filing=stale).update(starts_at=START, due_at=START + timedelta(days=30))
    _broker_at("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        # Transitions through the API work while the broker is unreachable.
        assert api(principal).post(f"/api/v1/filings/{sms_filing.pk}/transitions/submit/").status_code == 200
        response = api(reviewer).post(f"/api/v1/filings/{sms_filing.pk}/transitions/pass_review/")
        assert response.status_code == 200
        # Alerts raised inside a web request queue their delivery on commit; that must not raise.
        result = alert_scan.scan_deadlines(now=START + timedelta(days=8))
        assert result.raised == 1
        assert Notification.objects.filter(delivered_at__isnull=True).count() == 1
    finally:
        _broker_at(settings.CELERY_BROKER_URL)
    sms_filing.refresh_from_db()
    assert sms_filing.state == State.SMS_VERIFICATION
    window = Deadline.objects.get(filing=sms_filing, kind=Deadline.Kind.SMS_WINDOW, closed_at__isnull=True)

    # Redis is back, after the SMS window and every stale-entry threshold passed unnoticed.
    worker = start_worker(BEIAN_ALERT_DELIVERY_GRACE_SECONDS="0")
    worker.scan(window.due_at + timedelta(hours=2))
    wait_for(lambda: AlertScan.objects.count() == 2, worker=worker)
    sms_filing.refresh_from_db()
    assert sms_filing.state == State.ENTRY
    # Of the thresholds passed unnoticed, only the most urgent of each deadline is raised.
    assert sorted(Alert.objects.filter(filing=sms_filing).values_list("threshold__code", flat=True)) == [
        "expired"
    ]
    assert sorted(Alert.objects.filter(filing=stale).values_list("threshold__code", flat=True)) == [
        "after_30d",
        "after_7d",
    ]
    # What the web request could not queue was delivered by the scan's sweep; nothing is left.
    wait_for(lambda: not Notification.objects.filter(delivered_at__isnull=True).exists(), worker=worker)
    # A second scan raises nothing twice.
    worker.scan(window.due_at + timedelta(hours=2, minutes=1))
    wait_for(lambda: AlertScan.objects.count() == 3, worker=worker)
    assert Alert.objects.count() == 3
    assert Filing.objects.get(pk=sms_filing.pk).stage_visit == sms_filing.stage_visit


def test_a_development_worker_prints_emails_as_emails_not_as_warnings(start_worker, principal):
    filing = factories.ready_filing(assignee=principal)
    Deadline.objects.filter(filing=filing).update(starts_at=START, due_at=START + timedelta(days=30))
    worker = start_worker(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    worker.scan(NOW)
    wait_for(
        lambda: Notification.objects.filter(user=principal, emailed_at__isnull=False).exists(), worker=worker
    )
    output = worker.output()
    assert f"To: {principal.email}" in output and "Subject: " in output
    assert "WARNING/" not in output, output
