"""The deadline scan on a large PostgreSQL database: database time of one scan with N thresholds due,
the query plans (index use), and the worker's memory across repeated scans.

Uses DATABASE_URL (default postgres://…/beian_bench); exits with status 2 when it holds fewer than
--filings (or, with --seed, seeds it up to that with filings.demo.seed_bulk). The scan window is
set as in steady state (a scan a minute ago); each round makes --due open deadlines reach a threshold inside the next minute, scans, and
afterwards restores their due times and removes the alerts it raised.

    python bench/run.py scan_deadlines -- --filings 1000000 --due 1000 --rounds 10
"""

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/beian_bench")
    # DEBUG off, so that Django does not keep every query in memory during the rounds.
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


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


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
    started = time.monotonic()
    last = [started]

    def log(line: str) -> None:
        if time.monotonic() - last[0] > 30:
            print(line, flush=True)
            last[0] = time.monotonic()

    demo.seed_bulk(count=missing, seed=int(time.time()) % 10**6, log=log)
    seconds = time.monotonic() - started
    print(f"seeded {missing:,} filings in {seconds:.0f}s ({missing / seconds:,.0f} filings/s)")
    return True


def _pick_due(count: int, at, exclude: set[int]) -> dict[int, object]:
    """Choose open deadlines (not SMS windows, no alert yet) and make them fall due at `at`."""
    from django.db.models import Exists, OuterRef

    from filings.models import Alert, Deadline

    chosen = list(
        Deadline.objects.filter(closed_at__isnull=True)
        .exclude(kind=Deadline.Kind.SMS_WINDOW)
        .exclude(pk__in=exclude)
        .exclude(Exists(Alert.objects.filter(deadline=OuterRef("pk"))))
        .values_list("pk", "due_at")[:count]
    )
    originals = dict(chosen)
    Deadline.objects.filter(pk__in=originals).update(due_at=at)
    return originals


def _restore(originals: dict[int, object]) -> None:
    from filings.models import Deadline

    rows = [Deadline(pk=pk, due_at=due_at) for pk, due_at in originals.items()]
    Deadline.objects.bulk_update(rows, ["due_at"], batch_size=1000)


class _ExpiryTime:
    def __init__(self, original, timer: QueryTimer) -> None:
        self.original, self.timer, self.seconds = original, timer, 0.0

    def __call__(self, **kwargs):
        before = self.timer.seconds
        try:
            return self.original(**kwargs)
        finally:
            self.seconds += self.timer.seconds - before


def _time_sms_expiry(alert_scan, timer: QueryTimer) -> _ExpiryTime:
    """Measure SMS expiry (a transition per filing) apart from raising alerts."""
    wrapper = _ExpiryTime(alert_scan.expire_sms_windows, timer)
    alert_scan.expire_sms_windows = wrapper
    return wrapper


def _tidy(connection) -> None:
    """Each round moves 1,000 due times and back and raises and deletes alerts: vacuum what it
    churned, so that the next benchmark (or the next run) does not measure the dead rows."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("filings_deadline", "filings_alert", "filings_notification", "filings_filing"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _explain(now, lower) -> None:
    from django.db import connection, transaction

    from filings import alert_scan
    from filings.models import Alert, AlertThreshold, Deadline, Filing
    from filings.states import State

    breach = AlertThreshold.objects.get(deadline_kind="bureau_review", code="breach")
    workday = AlertThreshold.objects.get(deadline_kind="bureau_review", code="before_5wd")
    plans = {
        "threshold candidates (bureau breach, calendar offset)": alert_scan.threshold_candidates(
            breach, lower=lower, now=now
        ).select_for_update(skip_locked=True, of=("self",))[:500],
        "threshold candidates (5 working days before)": alert_scan.threshold_candidates(
            workday, lower=lower, now=now
        ).select_for_update(skip_locked=True, of=("self",))[:500],
        "breaches to repeat": Alert.objects.filter(repeat_due_at__lte=now).order_by("repeat_due_at", "id")[
            :500
        ],
        "SMS windows past due (filing ids)": Deadline.objects.filter(
            kind="sms_window", closed_at__isnull=True, due_at__lte=now
        ).values_list("filing_id", flat=True),
        "their filings still in SMS verification": Filing.objects.filter(
            pk__in=sorted(
                Deadline.objects.filter(
                    kind="sms_window", closed_at__isnull=True, due_at__lte=now
                ).values_list("filing_id", flat=True)
            )
            or [0],
            state=State.SMS_VERIFICATION,
        )
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")[:500],
    }
    for title, queryset in plans.items():
        print(f"\n-- EXPLAIN ANALYZE: {title}")
        if connection.vendor == "postgresql":
            with transaction.atomic():
                print(queryset.explain(analyze=True, buffers=True))


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scan_deadlines")
    parser.add_argument("--filings", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument(
        "--seed", action="store_true", help="seed the database up to --filings if it holds fewer"
    )
    # tracemalloc slows every Python line several times, including psycopg's work inside each
    # execute (adapting a 500-row insert), so it inflated "database time"; opt in to see Python's peak.
    parser.add_argument("--trace-memory", action="store_true")
    options = parser.parse_args(args)
    _setup()

    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from filings import alert_scan, notifications
    from filings.models import Alert, AlertScan, Deadline, Filing

    if not _ensure_seeded(options.filings, seed=options.seed):
        return 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            if cursor.fetchone()[0] != "on":
                print(
                    "note: autovacuum is off on this server, so nothing refreshes the planner's statistics"
                    " or clears dead rows between rounds but the scan itself (ANALYZE after a burst)."
                )
    total = Filing.objects.count()
    open_deadlines = Deadline.objects.filter(closed_at__isnull=True).count()
    print(f"filings: {total:,}; deadlines: {Deadline.objects.count():,} ({open_deadlines:,} open)")

    # The broker is an external edge: the bench measures the scan, not message publishing.
    notifications.queue_alert_delivery = lambda alert_ids: None
    now = timezone.now().replace(microsecond=0)
    # Steady state: the previous scan finished a minute ago.
    bench_scans = [AlertScan.objects.create(scanned_until=now - timedelta(minutes=1)).pk]
    used: set[int] = set()
    raised_ids: list[int] = []
    rows = []
    if options.trace_memory:
        tracemalloc.start()
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for round_number in range(1, options.rounds + 1):
                scan_at = now + timedelta(minutes=round_number - 1)
                originals = _pick_due(options.due, scan_at - timedelta(seconds=30), used)
                used.update(originals)
                gc.collect()
                if options.trace_memory:
                    tracemalloc.reset_peak()
                timer = QueryTimer()
                expiry_db = _time_sms_expiry(alert_scan, timer)
                started = time.perf_counter()
                with connection.execute_wrapper(timer):
                    result = alert_scan.scan_deadlines(now=scan_at)
                wall = time.perf_counter() - started
                alert_scan.expire_sms_windows = expiry_db.original
                peak = tracemalloc.get_traced_memory()[1] if options.trace_memory else 0
                raised_ids.extend(result.alert_ids)
                bench_scans.append(AlertScan.objects.latest("scanned_until").pk)
                rows.append(
                    (
                        round_number,
                        len(originals),
                        result.total,
                        result.expired,
                        timer.count,
                        timer.seconds - expiry_db.seconds,
                        expiry_db.seconds,
                        wall,
                        peak,
                        _rss_mb(),
                    )
                )
                _restore(originals)
                if round_number == 1 and not options.no_explain:
                    _explain(scan_at + timedelta(minutes=1), scan_at - alert_scan.SCAN_LOOKBACK)
    finally:
        tracemalloc.stop()
        Alert.objects.filter(pk__in=raised_ids).delete()
        AlertScan.objects.filter(pk__in=bench_scans).delete()
        _tidy(connection)

    print(f"\n{total:,} filings, {options.due:,} made due per round (plus any naturally due in the window)")
    print("db-ms: query time of the alert scan; sms-db-ms: of SMS windows expiring meanwhile (transitions)")
    print("round  made-due  raised  expired  queries  db-ms   sms-db-ms  wall-ms  py-peak-KiB  rss-MiB")
    for number, made_due, raised, expired, queries, db, sms_db, wall, peak, rss in rows:
        print(
            f"{number:>5}  {made_due:>8}  {raised:>6}  {expired:>7}  {queries:>7}  {db * 1000:>6.1f}"
            f"  {sms_db * 1000:>9.1f}  {wall * 1000:>7.1f}  {peak / 1024:>11.0f}  {rss:>7.1f}"
        )
    db_times = sorted(r[5] for r in rows)
    print(f"median database time per scan: {db_times[len(db_times) // 2] * 1000:.1f} ms")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
