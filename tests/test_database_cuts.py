"""PostgreSQL ends the app's connections (issue #24: a failover, an administrator's
pg_terminate_backend) while a page, an API call and the deadline scan are running: the page and the
call answer 503 "try again" (HTML and JSON), the next requests succeed on the same server without a
restart, and the scan's next run raises every alert once.

The page, the call and the scan are held mid-query by a lock this test takes on the filing table, so
that the cut lands while they are in flight, every time."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.test.client import Client
from knox.models import AuthToken

from filings.models import Alert, AlertScan, Filing, Notification
from tests import factories
from tests.multinode import database_url, page_text, start_nodes  # noqa: F401 - the nodes fixture
from tests.test_alerts_worker import NOW, START, start_worker, wait_for  # noqa: F401 - the worker fixture

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEADLINES = 1000


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _end_every_connection_but(*keep: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND NOT (pid = ANY(%s))",
            [list(keep)],
        )
        return cursor.fetchone()[0]


def test_cut_connections_give_a_retry_answer_then_everything_recovers(start_nodes, start_worker):  # noqa: F811
    principal = factories.principal_user(username="cut-principal")
    filing = factories.ready_filing(assignee=principal)
    _row, token = AuthToken.objects.create(principal)
    factories.stale_deadlines(range(10, 10 + DEADLINES), starts_at=START)
    [node] = start_nodes(1)
    worker = start_worker(BEIAN_ALERT_SCAN_BATCH="5")

    browser = node.browser()
    assert node.login(browser, principal.username).status_code == 302
    assert node.get(browser, "/filings/").status_code == 200
    api = node.browser()
    api.headers["Authorization"] = f"Token {token}"
    assert node.get(api, "/api/v1/filings/").status_code == 200

    # The scan is under way, a batch of alerts committed at a time...
    worker.scan(NOW)
    wait_for(lambda: Alert.objects.exists(), worker=worker, interval=0.01)
    # ...when the filing table is locked: the scan's next batch, the page and the call wait on it.
    locker = psycopg.connect(database_url())
    locker.execute(f"LOCK TABLE {Filing._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    locker_pid = locker.info.backend_pid
    with ThreadPoolExecutor(max_workers=2) as pool:
        page = pool.submit(node.get, browser, "/filings/")
        call = pool.submit(node.get, api, "/api/v1/filings/")
        wait_for(lambda: _waiting_on_locks() >= 3, worker=worker, timeout=30)
        assert not AlertScan.objects.exists()
        assert _end_every_connection_but(locker_pid) >= 3
        page, call = page.result(timeout=30), call.result(timeout=30)
    locker.rollback()
    locker.close()

    # In flight: a clear "try again", never a server error.
    assert page.status_code == 503, page.text[:300]
    assert page.headers["Content-Type"].startswith("text/html") and page.headers["Retry-After"] == "5"
    assert "请稍后重试" in page_text(page) and 'href="/filings/"' in page.text
    assert call.status_code == 503
    assert call.json()["code"] == "database_unavailable" and "重试" in call.json()["detail"]
    assert "Traceback" not in node.output()

    # The next requests succeed on the same server (each of its threads reconnects by itself).
    for _ in range(8):
        assert node.get(browser, "/filings/").status_code == 200
        assert node.get(api, "/api/v1/filings/").status_code == 200
    assert filing.subject.name in page_text(node.get(browser, f"/filings/{filing.pk}/"))

    # The scan cut short committed some batches and no watermark; its next run finishes the rest once.
    partial = Alert.objects.count()
    assert 0 < partial < DEADLINES
    assert worker.process.poll() is None, worker.output()
    worker.scan(NOW + timedelta(minutes=1))
    wait_for(lambda: AlertScan.objects.exists(), worker=worker, timeout=120)
    assert Alert.objects.count() == DEADLINES
    assert len(set(Alert.objects.values_list("deadline_id", "threshold_id", "occurrence"))) == DEADLINES
    assert Notification.objects.count() == DEADLINES


def test_a_view_that_loses_its_connection_answers_503_in_process(principal, api):
    """The same answers inside one process (DEBUG off), for a page and for the API, when the cut is
    met by a middleware (here the second-factor check reading the user) rather than a view."""
    client = Client(raise_request_exception=False)
    client.force_login(principal)
    for path, kind in (("/filings/", "text/html"), ("/api/v1/filings/", "application/json")):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with psycopg.connect(database_url(), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        response = client.get(path)
        assert response.status_code == 503, path
        assert response["Content-Type"].startswith(kind)
        connection.close()
    assert client.get("/filings/").status_code == 200
