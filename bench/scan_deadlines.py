"""The deadline scan on a large PostgreSQL database, with the planner's statistics of the alert table
stale on purpose: the table is emptied and ANALYZEd (the planner then believes it holds no rows)
and every scan below runs with that belief, as after an outage, a restore or a fresh seed.

In order, each printed with its wall time in this process (the worker's view), its database time
(time spent in cursor.execute and in COMMIT), its goal and a verdict:

1. the first scan of a database with no watermark and no alert at all: every alert due so far;
2. an ordinary minute: --minute-due deadlines made to fall due inside it (plus any naturally due);
3. --many-due deadlines falling due inside one minute;
4. a 24-hour outage: the next scan a day later (thresholds, SMS windows expiring, daily repeats),
   and its SMS expiry apart (goal: 15,000 windows in 15 s, scaled to the windows it expired). A
   backlog's SMS expiry runs in worker threads, as in the worker: its database time sums their
   statements (it can exceed its wall time); their COMMITs are not in it.

The scans run on a copy of the database (CREATE DATABASE … TEMPLATE, dropped at the end) and
commit batch by batch as a worker's do, so the database measured is left as it was and no other
benchmark, nor the next run, measures what this one changed. Autovacuum is off for the copy's alert
tables, so that their statistics stay stale. EXPLAIN ANALYZE of the scan's queries follows, still
with the stale statistics.

Uses DATABASE_URL (default postgres://…/beian_bench); exits with status 2 when it holds fewer than
--filings (or, with --seed, seeds it up to that with filings.demo.seed_bulk).

    python bench/run.py scan_deadlines -- --filings 1000000
"""

import argparse
import gc
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GOALS_SECONDS = {
    "no watermark, no alert yet": 300,
    "ordinary minute": 0.2,
    "many due in one minute": 30,
    "24-hour outage": 300,
}
# Issue #29: 15,000 SMS windows expired in under 15 s (the outage's SMS phase, scaled to its count).
SMS_EXPIRY_GOAL = (15_000, 15.0)
SMS_EXPIRY_LABEL = "SMS expiry (of the outage)"


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/beian_bench")
    # DEBUG off, so that Django does not keep every query in memory.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class QueryTimer:
    """Sum the time the database spends on each query (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def _ensure_seeded(target: int, *, seed: bool) -> bool:
    from django.core.management import call_command

    from filings import demo
    from filings.models import Filing

    call_command("migrate", verbosity=0)
    existing = Filing.objects.count()
    if existing >= target:
        print(f"database holds {existing:,} filings (>= {target:,}); reusing it")
        return True
    if not seed:
        print(
            f"The bench database holds {existing:,} filings, fewer than {target:,}. Seed it first (12–30 min):\n"
            f"  DATABASE_URL=... .venv/bin/python manage.py seed_demo --filings {target}\n"
            "or pass --seed to let this benchmark top it up."
        )
        return False
    if not Filing.objects.filter(subject__name__startswith="[演示").exists():
        demo.seed_demo(password=None)
    missing = target - existing
    print(f"seeding {missing:,} filings with seed_bulk …", flush=True)
    demo.seed_bulk(count=missing, seed=int(time.time()) % 10**6, log=lambda line: None)
    return True


def _admin(sql: str) -> None:
    """Run a statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as admin:
        admin.execute(sql)


def _create_copy(source: str, copy: str, *, attempts: int = 20) -> None:
    """CREATE DATABASE … TEMPLATE source, which PostgreSQL refuses while anyone is connected to it."""
    import psycopg

    for attempt in range(attempts):
        try:
            _admin(f"CREATE DATABASE {copy} TEMPLATE {source}")
            return
        except psycopg.errors.ObjectInUse:
            if attempt == attempts - 1:
                raise
            print(f"  {source} is in use; trying again in 15 s", flush=True)
            time.sleep(15)


def _make_due(count: int, at) -> int:
    """Move `count` open deadlines that are not due for days (not SMS windows) to fall due at `at`."""
    from filings.models import Deadline

    chosen = list(
        Deadline.objects.filter(closed_at__isnull=True, due_at__gt=at + timedelta(days=3))
        .exclude(kind=Deadline.Kind.SMS_WINDOW)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:count]
    )
    return Deadline.objects.filter(pk__in=chosen).update(due_at=at)


def _alert_table_belief(connection) -> str:
    from filings.models import Alert

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint, relpages FROM pg_class WHERE oid = %s::regclass",
            [Alert._meta.db_table],
        )
        tuples, pages = cursor.fetchone()
    return f"alert table: {Alert.objects.count():,} rows; the planner's statistics say {max(tuples, 0):,} rows in {pages:,} pages"


class Phases:
    """Time the scan's three parts (thresholds, SMS expiry, repeats) apart: wall and database time."""

    # Attributes of the scan's module, or of a module it calls ("module.attribute").
    NAMES = {
        "alert_raising.raise_thresholds": "thresholds",
        "expire_sms_windows": "SMS expiry",
        "_raise_repeats": "repeats",
    }

    def __init__(self, module, timer: QueryTimer) -> None:
        self.module, self.timer = module, timer
        self.seconds = {name: [0.0, 0.0] for name in self.NAMES.values()}
        self.originals = {}

    def __enter__(self):
        for path, name in self.NAMES.items():
            owner, attribute = self._owner(path)
            original = getattr(owner, attribute)
            self.originals[path] = original
            setattr(owner, attribute, self._timed(original, self.seconds[name]))
        return self

    def __exit__(self, *exc) -> None:
        for path, original in self.originals.items():
            owner, attribute = self._owner(path)
            setattr(owner, attribute, original)

    def _owner(self, path: str):
        module, _dot, attribute = path.rpartition(".")
        return (getattr(self.module, module) if module else self.module), attribute

    def _timed(self, original, totals: list[float]):
        def timed(*args, **kwargs):
            started, db_before = time.perf_counter(), self.timer.seconds
            try:
                return original(*args, **kwargs)
            finally:
                totals[0] += time.perf_counter() - started
                totals[1] += self.timer.seconds - db_before

        return timed

    def __str__(self) -> str:
        return "; ".join(f"{name} {wall:.2f}s (db {db:.2f}s)" for name, (wall, db) in self.seconds.items())


def _scan(label: str, now, rows: list, *, made_due: int | None = None) -> None:
    from django.db import connection

    from filings.jobs import alert_scan

    print(
        f"\n-- {label} (scan as of {now:%Y-%m-%d %H:%M} UTC); {_alert_table_belief(connection)}", flush=True
    )
    timer = QueryTimer()
    gc.collect()
    # Each scan on a connection of its own, as the worker's scan task gets one (CONN_MAX_AGE 60 s):
    # PostgreSQL keeps a session's plans of the foreign-key checks, and those planned while the
    # alert table was empty read all of it for every notification inserted after (at 100,000
    # filings: 94,159 sequential scans of the alert table, 1.6 billion rows, in one run).
    connection.close()
    connection.ensure_connection()
    started = time.perf_counter()
    commit = connection._commit

    def timed_commit():
        # COMMIT is no cursor.execute: timed here, with the foreign-key checks Django defers to it.
        started = time.perf_counter()
        try:
            return commit()
        finally:
            timer.seconds += time.perf_counter() - started
            timer.count += 1

    connection._commit = timed_commit
    try:
        with connection.execute_wrapper(timer), Phases(alert_scan, timer) as phases:
            result = alert_scan.scan_deadlines(now=now)
    finally:
        del connection._commit
    wall = time.perf_counter() - started
    work = result.raised + result.repeated + result.expired
    goal = GOALS_SECONDS[label]
    rows.append((label, made_due, result, timer, wall, goal))
    print(
        f"   raised {result.raised:,}, repeated {result.repeated:,}, SMS windows expired {result.expired:,}"
        f" in {timer.count:,} queries; wall {wall:.2f}s, database {timer.seconds:.2f}s"
        + (f"; {wall / work * 1000:.2f} ms per alert or expiry" if work else ""),
        flush=True,
    )
    print(f"   {phases}", flush=True)
    if label == "24-hour outage":
        _sms_expiry_row(now, phases, rows)


def _sms_expiry_row(now, phases: Phases, rows: list) -> None:
    """Add the outage's SMS expiry, timed apart, with its goal scaled to the windows it expired."""
    from filings.models import FilingEvent
    from filings.services.alert_raising import ScanResult

    expired = FilingEvent.objects.filter(transition="expire_sms", at=now).count()
    wall, database = phases.seconds["SMS expiry"]
    timer = QueryTimer()
    timer.seconds = database
    count, seconds = SMS_EXPIRY_GOAL
    goal = round(seconds * max(expired, 1) / count, 2)
    rows.append((SMS_EXPIRY_LABEL, None, ScanResult(expired=expired), timer, wall, goal))
    rate = (
        f"{wall / expired * 1000:.2f} ms each; {count:,} at this rate: {wall / expired * count:.1f} s"
        if expired
        else ""
    )
    print(f"   SMS windows expired: {expired:,} in {wall:.2f}s ({rate}; goal {seconds:.0f} s)", flush=True)


def _explain(now, lower) -> None:
    from django.db import connection

    from filings.models import Alert, AlertThreshold, Deadline, Filing
    from filings.rules import due_deadlines

    breach = AlertThreshold.objects.get(deadline_kind="bureau_review", code="breach")
    workday = AlertThreshold.objects.get(deadline_kind="bureau_review", code="before_5wd")
    stale = AlertThreshold.objects.get(deadline_kind="stale_entry", code="after_30d")
    first = due_deadlines.due_batch(stale, lower=None, now=now).values_list("due_at", "pk")[:1].first()
    some = list(due_deadlines.due_batch(stale, lower=None, now=now).values_list("pk", "filing_id")[:500])
    plans = {
        "a batch of due deadlines, no watermark (stale entry, 30 days), after a key": (
            due_deadlines.due_batch(stale, lower=None, now=now, after=first).values_list(
                "due_at", "pk", "alerted"
            )[:500]
        ),
        "a batch of due deadlines in the window of the last scan (bureau breach)": due_deadlines.due_batch(
            breach, lower=lower, now=now
        ).values_list("due_at", "pk", "alerted")[:500],
        "a batch of due deadlines in the window of the last scan (5 working days before)": due_deadlines.due_batch(
            workday, lower=lower, now=now
        ).values_list("due_at", "pk", "alerted")[:500],
        "locking a batch's deadlines (skip locked)": Deadline.objects.select_for_update(
            skip_locked=True
        ).filter(pk__in=[pk for pk, _filing in some], closed_at__isnull=True),
        "the recipients of a batch's alerts": Filing.objects.filter(
            pk__in={filing for _pk, filing in some}
        ).values_list("pk", "assignee_id", "reviewer_id"),
        "passed SMS windows, a batch": Deadline.objects.filter(
            kind="sms_window", closed_at__isnull=True, due_at__lte=now
        ).order_by("due_at", "id")[:500],
        "breaches to repeat, a batch": Alert.objects.select_for_update(skip_locked=True)
        .filter(repeat_due_at__lte=now)
        .order_by("repeat_due_at")
        .only("filing_id", "deadline_id", "threshold_id", "occurrence", "due_at", "withdrawn_at")[:500],
    }
    for title, queryset in plans.items():
        print(f"\n-- EXPLAIN ANALYZE: {title}")
        if connection.vendor == "postgresql":
            print(queryset.explain(analyze=True, buffers=True))


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scan_deadlines")
    parser.add_argument("--filings", type=int, default=1_000_000)
    parser.add_argument("--minute-due", type=int, default=50)
    parser.add_argument("--many-due", type=int, default=10_000)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument(
        "--seed", action="store_true", help="seed the database up to --filings if it holds fewer"
    )
    options, _unknown = parser.parse_known_args(args)
    _setup()

    from django.db import connection, transaction
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone

    from filings.jobs import alert_scan
    from filings.models import Alert, AlertScan, Deadline, Filing, Notification
    from filings.rules import due_deadlines
    from filings.services import alert_raising, notifications

    if connection.vendor != "postgresql":
        print("this benchmark needs PostgreSQL (DATABASE_URL=postgres://…)")
        return 2
    if not _ensure_seeded(options.filings, seed=options.seed):
        return 2
    total = Filing.objects.count()
    open_deadlines = Deadline.objects.filter(closed_at__isnull=True).count()
    print(f"filings: {total:,}; open deadlines: {open_deadlines:,}; batch {due_deadlines.batch_size()}")

    # The broker is an external edge: the bench measures the scan, not message publishing.
    notifications.queue_alert_delivery = lambda alert_ids: None
    # A worker imports the URLconf once, for its first mail (a transition's mail links to the
    # filing); imported here, so that the SMS expiry's first batch does not time that import
    # (0.5–0.8 s here, a third of the SMS expiry of a 100k database).
    reverse("filings:detail", args=[1])
    # Keep the statistics stale all along: the scan's own ANALYZE after a burst would refresh them.
    alert_raising.refresh_alert_statistics = lambda: None
    source = connection.settings_dict["NAME"]
    copy = f"{source}_scan_copy"
    connection.close()
    _admin(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")
    print(f"copying {source} to {copy} (the scans commit there; it is dropped afterwards) …", flush=True)
    _create_copy(source, copy)
    connection.settings_dict["NAME"] = copy
    now = timezone.now().replace(second=0, microsecond=0)
    rows: list = []
    try:
        with connection.cursor() as cursor:
            for table in (Alert._meta.db_table, Notification._meta.db_table):
                # Stale on purpose: autovacuum would otherwise analyze the table during the run.
                cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        Notification.objects.all().delete()
        Alert.objects.all().delete()
        AlertScan.objects.all().delete()
        with connection.cursor() as cursor:
            # Analyzed while empty: the planner then knows nothing of the rows the scans add.
            cursor.execute(f"VACUUM ANALYZE {Alert._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {Notification._meta.db_table}")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            _scan("no watermark, no alert yet", now, rows)
            minute = now + timedelta(minutes=1)
            made = _make_due(options.minute_due, minute - timedelta(seconds=30))
            _scan("ordinary minute", minute, rows, made_due=made)
            many = now + timedelta(minutes=2)
            made = _make_due(options.many_due, many - timedelta(seconds=30))
            _scan("many due in one minute", many, rows, made_due=made)
            _scan("24-hour outage", many + timedelta(days=1), rows)
        if not options.no_explain:
            later = many + timedelta(days=1, minutes=1)
            with transaction.atomic():
                _explain(later, later - timedelta(minutes=1) - alert_scan.SCAN_LOOKBACK)
                transaction.set_rollback(True)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = source
        _admin(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")

    print(
        f"\n{total:,} filings; the alert table's statistics stale throughout (analyzed empty); run on a copy"
    )
    print(
        f"{'scan':<28} {'made due':>8} {'raised':>8} {'repeat':>7} {'expired':>7} {'queries':>8}"
        f" {'db s':>8} {'wall s':>8} {'goal s':>7}  verdict"
    )
    status = 0
    for label, made_due, result, timer, wall, goal in rows:
        met = wall < goal
        status |= 0 if met else 1
        print(
            f"{label:<28} {made_due if made_due is not None else '-':>8} {result.raised:>8,} {result.repeated:>7,}"
            f" {result.expired:>7,} {timer.count:>8,} {timer.seconds:>8.3f} {wall:>8.3f} {goal:>7}  "
            + ("met" if met else "MISSED")
        )
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min) on {os.cpu_count()} cores: {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
