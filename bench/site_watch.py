"""Scheduled site checks (issue #25) at scale, each figure printed with its goal and a verdict:

1. planning: the first (full) planning gives every published website its place (INSERT … SELECT in
   id ranges of 100,000; a one-time cost after deploying); the scheduled planning (every 15 minutes)
   looks only at filings published within a week (index on state and stage_entered_at), whatever the
   number published before — goal for 1M published filings: under 5 s of database time; the weekly
   full reconciliation is the safety net behind it;
2. the due batch of one hour: claiming the sites whose slot falls within the next hour — goal under
   5 s of database time;
3. probing: --sites sites checked against a local HTTP server that answers each request after
   --delay-ms (50 by default) with the default concurrency — goal for 1,000 sites: under 60 s.

Steps 1–2 run inside one transaction that is rolled back (the database is left as it was) on
DATABASE_URL (default postgres://…/beian_bench) with whatever published filings it holds (seed it
with `manage.py seed_demo --filings 1000000` for the 1M figure); step 3 needs no database:

    python bench/run.py site_watch -- --sites 1000

Figures on the shared 2-core development machine (2026-12-06, load average 6–9 from other teams'
work), a copy of the 100,000-filing seed (72,080 published websites, 4,344 published within 7 days):
- first (full) planning: 2.0–2.4 s db, about 27–33 s extrapolated to 1M: one-time, in statements
  of 100,000 ids (the earlier single statement took 3.4 s at this size);
- scheduled planning with a week of publications (4,344 sites added): 0.25 s db; with nothing new:
  0.10 s db. Its cost follows the week's publications, not the 1M published before: OK;
- weekly full reconciliation with nothing new: 0.42 s db, about 5.8 s at 1M in ten statements;
- the due batch of one hour: 424 sites claimed in 0.05–0.08 s db (expected about 429);
- probing 1,000 sites against a local server answering in 50 ms, concurrency 20: 3.6–4.0 s (goal 60 s).
At 1M (beian_bench, 728,521 watched websites, 52,126 of them published within 7 days; load 6–8):
first planning 47.5 s db (one-time); scheduled planning 8.5 s with the week's 52,126 to add (TOO
SLOW), 1.4 s with nothing new; weekly full reconciliation 21.0 s; due batch of one hour 4,348 sites
in 1.7 s; probing 1,000 sites 6.9 s.
"""

import argparse
import os
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN_GOAL_SECONDS = 5.0
DUE_GOAL_SECONDS = 5.0
PROBE_GOAL_SECONDS_PER_1000 = 60.0


def setup() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/beian_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("BEIAN_FOOTER_ALLOW_PRIVATE_HOSTS", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class QueryTimer:
    """Sum the time the database spends on each query (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def verdict(seconds: float, goal: float) -> str:
    return "OK" if seconds <= goal else "TOO SLOW"


def plan_and_due() -> None:
    """Time the plannings and the hour's batch inside one transaction that is rolled back: the
    database is left as it was."""
    from django.db import connection, transaction
    from django.utils import timezone

    from filings.jobs import site_watch
    from filings.models import Filing, SiteWatch

    with transaction.atomic():
        SiteWatch.objects.all().delete()  # the first planning: no site has a place yet
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            added, dropped = site_watch.plan_watches(full=True)
        watched = SiteWatch.objects.count()
        at_1m = timer.seconds * 1_000_000 / max(watched, 1)
        print(f"first (full) planning: {added:,} added, {dropped:,} dropped; db {timer.seconds:.2f}s, "
              f"{at_1m:.1f}s extrapolated to 1M (one-time, in id ranges of 100,000)")  # fmt: skip

        # The scheduled planning after a week of publications: the week's sites lose their places.
        week = timezone.now() - site_watch.PLAN_LOOKBACK
        recent = Filing.objects.filter(state="published", stage_entered_at__gte=week).values("pk")
        SiteWatch.objects.filter(filing__in=recent).delete()
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            added, _ = site_watch.plan_watches()
        print(f"scheduled planning: {added:,} sites published within {site_watch.PLAN_LOOKBACK.days} days "
              f"added among {watched:,} watched; db {timer.seconds:.2f}s (goal {PLAN_GOAL_SECONDS}s) "
              f"{verdict(timer.seconds, PLAN_GOAL_SECONDS)}")  # fmt: skip

        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            site_watch.plan_watches()
        print(f"scheduled planning, nothing new: db {timer.seconds:.2f}s (goal {PLAN_GOAL_SECONDS}s) "
              f"{verdict(timer.seconds, PLAN_GOAL_SECONDS)}")  # fmt: skip
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            site_watch.plan_watches(full=True)
        print(f"weekly full reconciliation, nothing new: db {timer.seconds:.2f}s, "
              f"{timer.seconds * 1_000_000 / max(watched, 1):.1f}s extrapolated to 1M (in id ranges)")  # fmt: skip

        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            claimed = site_watch.claim_due(now=timezone.now() + timedelta(hours=1), limit=10_000_000)
            live = site_watch.drop_unwatched(claimed)
        hour_share = watched / site_watch.interval().total_seconds() * 3600
        print(f"due batch of one hour: {len(live):,} sites (expected about {hour_share:,.0f}); db {timer.seconds:.2f}s "
              f"(goal {DUE_GOAL_SECONDS}s) {verdict(timer.seconds, DUE_GOAL_SECONDS)}")  # fmt: skip
        transaction.set_rollback(True)


def probe(sites: int, delay: float) -> None:
    from django.conf import settings

    from filings.rules import site_probe

    icp = "粤ICP备2026012345号"
    body = (
        f'<html><body><footer><a href="https://beian.miit.gov.cn/">{icp}</a></footer></body></html>'.encode()
    )

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        # Every site here is the one local server, while real sites are distinct customers' hosts:
        # the per-host limit is lifted to the overall one, which alone bounds the run.
        targets = [site_probe.Target(i, f"http://127.0.0.1:{port}/site{i}", icp, None) for i in range(sites)]
        started = time.perf_counter()
        concurrency = settings.BEIAN_SITE_CHECK_CONCURRENCY
        outcomes = site_probe.probe_all(targets, concurrency=concurrency, per_host=concurrency)
        seconds = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    failed = sum(1 for o in outcomes if o.failures)
    goal = PROBE_GOAL_SECONDS_PER_1000 * sites / 1000
    print(f"probe: {sites:,} sites, {failed} failed, concurrency {settings.BEIAN_SITE_CHECK_CONCURRENCY}, "
          f"{seconds:.1f}s (goal {goal:.1f}s) {verdict(seconds, goal)}")  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="site_watch")
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--delay-ms", type=int, default=50)
    parser.add_argument("--skip-db", action="store_true", help="only the probing figure")
    args = parser.parse_args(argv)
    setup()
    if not args.skip_db:
        plan_and_due()
    probe(args.sites, args.delay_ms / 1000)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
