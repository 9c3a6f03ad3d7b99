"""The read replica (issue #24): with one named, the dashboard's statistics, exports and the alert
scan's candidate reads go to it, and every write (and every read under a lock) stays on the primary.

The replica here is a test mirror of the primary (config/settings/test.py): the same database through
its own connection, so each query shows which alias it was sent to."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings.jobs import alert_scan
from filings.models import Alert, AlertScan, Deadline, ExportJob
from filings.services.exports import request_export, run_export
from tests import factories
from tests.test_exports import OPEN_URL, QUEUE_URL, _csv, _in_review

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"]),
]

ROOT = Path(__file__).resolve().parent.parent
WRITES = ("INSERT", "UPDATE", "DELETE")


def _sql(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries]


def _tables(context: CaptureQueriesContext) -> str:
    return "\n".join(_sql(context))


@pytest.fixture
def replica_on(settings):
    settings.BEIAN_READ_REPLICA = True


def _capture():
    return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections["replica"])


def test_the_dashboard_reads_its_statistics_and_lists_on_the_replica(replica_on, client_for):
    manager = factories.manager_user(username="replica-manager")
    factories.stale_deadlines(range(1, 3), starts_at=timezone.now() - timedelta(days=40))
    client = client_for(manager)
    primary, replica = _capture()
    with primary, replica:
        response = client.get(reverse("filings:dashboard"))
    assert response.status_code == 200
    on_replica = _tables(replica)
    for table in ("filings_deadline", "filings_stagecount", "filings_weeklyflow", "filings_stageduration"):
        assert table in on_replica, table
    # The primary serves the session, the user and nothing of the statistics.
    on_primary = _tables(primary)
    for table in ("filings_deadline", "filings_stagecount", "filings_weeklyflow", "filings_stageduration"):
        assert table not in on_primary, table
    assert not [sql for sql in _sql(replica) if sql.lstrip().upper().startswith(WRITES)]


def test_an_export_reads_its_rows_on_the_replica_and_records_progress_on_the_primary(replica_on, tmp_path):
    manager = factories.manager_user(username="replica-exporter")
    factories.stale_deadlines(range(1, 6), starts_at=timezone.now() - timedelta(days=40))
    job = request_export(by=manager, source="deadlines", filters={"kind": "overdue"})
    primary, replica = _capture()
    with primary, replica:
        run_export(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_written) == (ExportJob.Status.DONE, 5)
    assert any("filings_deadline" in sql for sql in _sql(replica))
    assert not [sql for sql in _sql(replica) if sql.lstrip().upper().startswith(WRITES)]
    assert not any("filings_deadline" in sql for sql in _sql(primary))
    assert any(sql.startswith('UPDATE "filings_exportjob"') for sql in _sql(primary))


@pytest.mark.parametrize(("who", "url"), [("reviewer", QUEUE_URL), ("manager", OPEN_URL)])
def test_csv_exports_stream_their_rows_from_the_replica(replica_on, client_for, who, url):
    user = factories.reviewer_user(username="csv-reviewer") if who == "reviewer" else None
    user = user or factories.manager_user(username="csv-manager")
    _in_review(3)
    client = client_for(user)
    primary, replica = _capture()
    with primary, replica:
        rows = _csv(client.get(url, {"format": "csv"}))
    assert len(rows) == 4
    table = "filings_deadline" if who == "reviewer" else "filings_filing"
    assert any(f'FROM "{table}"' in sql for sql in _sql(replica))
    assert not any(f'FROM "{table}"' in sql for sql in _sql(primary))


def test_the_scheduled_scan_finds_candidates_on_the_replica_and_locks_and_writes_on_the_primary(replica_on):
    deadlines = factories.stale_deadlines(range(1, 8), starts_at=timezone.now() - timedelta(days=31))
    primary, replica = _capture()
    with primary, replica:
        result = alert_scan.scan_unless_running()
    assert result.raised == len(deadlines)
    assert Alert.objects.count() == len(deadlines) and AlertScan.objects.count() == 1
    on_replica = _sql(replica)
    assert any("filings_deadline" in sql for sql in on_replica)
    assert not [sql for sql in on_replica if sql.lstrip().upper().startswith(WRITES) or "FOR UPDATE" in sql]
    on_primary = _sql(primary)
    # The watermark, the locks, the alerts and the scan record are the primary's.
    assert any("FOR UPDATE" in sql and "filings_deadline" in sql for sql in on_primary)
    assert any(sql.startswith('INSERT INTO "filings_alert"') for sql in on_primary)
    assert any("MAX" in sql and "filings_alertscan" in sql for sql in on_primary)


def test_raising_after_deadlines_moved_reads_only_the_primary(replica_on):
    """Reconciling alerts reads what its own transaction just wrote: never the replica."""
    deadlines = factories.stale_deadlines(range(1, 3), starts_at=timezone.now() - timedelta(days=31))
    from filings.services import alert_raising

    primary, replica = _capture()
    with primary, replica:
        alert_raising.reconcile_alerts([d.pk for d in deadlines], now=timezone.now())
    assert Alert.objects.count() == len(deadlines)
    assert _sql(replica) == []


def test_a_row_read_on_the_replica_is_saved_on_the_primary(replica_on):
    deadline = factories.stale_deadlines(range(1, 2), starts_at=timezone.now())[0]
    copy = Deadline.objects.using("replica").get(pk=deadline.pk)
    primary, replica = _capture()
    with primary, replica:
        copy.provisional = True
        copy.save(update_fields=["provisional"])
    assert [sql for sql in _sql(primary) if sql.startswith("UPDATE")]
    assert _sql(replica) == []


def test_without_a_replica_nothing_is_sent_to_it(client_for):
    manager = factories.manager_user(username="no-replica-manager")
    factories.stale_deadlines(range(1, 3), starts_at=timezone.now() - timedelta(days=31))
    client = client_for(manager)
    replica = CaptureQueriesContext(connections["replica"])
    with replica:
        assert client.get(reverse("filings:dashboard")).status_code == 200
        alert_scan.scan_deadlines()
    assert _sql(replica) == []


def _settings_in_a_fresh_process(**env: str) -> str:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({a: {k: d[k] for k in ('HOST', 'NAME', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')} "
        "| {'pool': d['OPTIONS'].get('pool')} for a, d in settings.DATABASES.items()} "
        "| {'replica_on': settings.BEIAN_READ_REPLICA}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REPLICA_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=False, databases=[])
def test_connections_pool_and_replica_are_set_from_the_environment():
    import json

    persistent = json.loads(
        _settings_in_a_fresh_process(
            DATABASE_URL="postgres://app@db-primary:5432/beian",
            REPLICA_DATABASE_URL="postgres://app@db-replica:5432/beian",
            DATABASE_CONN_MAX_AGE="120",
        )
    )
    assert persistent["default"] | {"pool": None} == {
        "HOST": "db-primary",
        "NAME": "beian",
        "CONN_MAX_AGE": 120,
        "CONN_HEALTH_CHECKS": True,
        "pool": None,
    }
    assert persistent["replica"]["HOST"] == "db-replica" and persistent["replica"]["CONN_HEALTH_CHECKS"]
    assert persistent["replica_on"] is True

    pooled = json.loads(
        _settings_in_a_fresh_process(
            DATABASE_URL="postgres://app@db-primary:5432/beian",
            DATABASE_POOL_MAX_SIZE="8",
            DATABASE_POOL_MIN_SIZE="2",
        )
    )
    assert pooled["default"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 10}
    assert pooled["default"]["CONN_MAX_AGE"] == 0 and pooled["default"]["CONN_HEALTH_CHECKS"]
    assert "replica" not in pooled and pooled["replica_on"] is False


@pytest.mark.django_db(transaction=False, databases=[])
def test_a_pooled_process_serves_queries_and_replaces_a_connection_the_server_ended():
    """With DATABASE_POOL_MAX_SIZE, queries run through psycopg's pool; a pooled connection ended by
    the server is checked and replaced before it is handed out again."""
    db = connections["default"].settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    code = """
import os, psycopg, django; django.setup()
from django.db import connection, connections
def backend():
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        return c.fetchone()[0]
first = backend()
assert connection.pool is not None
connections.close_all()  # back to the pool
with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as other:
    other.execute("SELECT pg_terminate_backend(%s)", [first])
second = backend()
assert second != first, (first, second)
print("ok", first, second)
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": url,
            "DATABASE_POOL_MAX_SIZE": "2",
            "DATABASE_POOL_MIN_SIZE": "2",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok")
