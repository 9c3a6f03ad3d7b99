"""The pages users open most, measured cold on a large PostgreSQL database: every run views a
different filing (or another page of a list) right after a write that changes what it shows, so
nothing a previous run read can help it. Prints each page's median server time, its query count,
the goal it is held to and a verdict.

Uses DATABASE_URL (default postgres://…/beian_bench), seeded by `manage.py seed_demo --filings N`.

    python bench/run.py pages -- --runs 40
"""

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable, Iterator

from bench._common import on_postgres, setup_django

# Cold figures at 1,000,011 filings before the simplification, with every cache emptied, as issue #10
# quotes them (measured on another machine: compare the old code on the same machine, interleaved,
# as docs/performance.md does, before reading a verdict as a regression).
GOALS_MS = {
    "dashboard": 85,
    "filing detail": 34,
    "pre-review page": 55,
    "queue": 12,
    "alert inbox API": 30,
}
# Where each goal comes from.
GOAL_SOURCES = {
    "queue": "issue #29",
    "alert inbox API": "issue #29",
}


def _touch(filing_id: int) -> None:
    """A write that changes what the filing's pages show (a newer version and modification time),
    then an empty cache: what any earlier run read cannot serve this one, whatever caches the code
    under test keeps (the same benchmark measures older commits)."""
    from django.core.cache import cache
    from django.db.models import F
    from django.utils import timezone

    from filings.models import Filing

    Filing.objects.filter(pk=filing_id).update(updated_at=timezone.now(), version=F("version") + 1)
    cache.clear()


def _time_cold(views: Iterator[tuple[object, str, Callable[[], None]]], runs: int) -> tuple[float, int]:
    """Return the median server time (ms) and the queries of the last run: each run writes first
    (untimed), then views a page it has not viewed before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples, queries = [], 0
    for _ in range(runs):
        client, url, write = next(views)
        write()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            _ = response.content
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    return statistics.median(samples) * 1000, queries


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench pages")
    parser.add_argument("--runs", type=int, default=40)
    args, _unknown = parser.parse_known_args(argv)
    setup_django()

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from filings.kinds.states import State
    from filings.models import Deadline, Filing
    from filings.reads.queues import QUEUES

    if not on_postgres():
        return 1
    database = settings.DATABASES["default"]
    estimate = Filing.objects.count()
    print(f"database {database['NAME']}: {estimate:,} filings")
    if estimate == 0:
        print(
            "Seed it first (15–30 min): DATABASE_URL=... .venv/bin/python manage.py seed_demo --filings 1000000"
        )
        return 2
    call_command("refresh_stats")  # the 5-minute task, so the dashboard reads current summaries
    from bench._database import scan_as_the_scheduler_does, stand_in_for_autovacuum

    scan_as_the_scheduler_does()
    stand_in_for_autovacuum()

    manager = User.objects.get(username="manager")
    reviewer = User.objects.get(username="reviewer")
    from bench._database import logged_in_client

    as_manager, as_reviewer = logged_in_client(manager), logged_in_client(reviewer)

    # Filings in bureau review, each viewed by its own principal, a different one every run.
    in_bureau = list(
        Filing.objects.filter(state=State.BUREAU_REVIEW)
        .order_by("-id")
        .values_list("id", "assignee_id")[: args.runs * 2]
    )
    owners: dict[int, Client] = {}

    def owner_client(user_id: int) -> Client:
        if user_id not in owners:
            owners[user_id] = logged_in_client(User.objects.get(pk=user_id))
        return owners[user_id]

    in_review = list(
        Filing.objects.filter(state=State.PROVIDER_REVIEW)
        .order_by("-id")
        .values_list("id", flat=True)[: args.runs * 2]
    )
    any_open = (
        Deadline.objects.filter(closed_at__isnull=True).order_by("-id").values_list("filing_id", flat=True)
    )
    writes = itertools.cycle(list(any_open[: args.runs * 2]))

    def detail_views():
        for filing_id, owner_id in itertools.cycle(in_bureau):
            yield owner_client(owner_id), f"/filings/{filing_id}/", lambda f=filing_id: _touch(f)

    def review_views():
        for filing_id in itertools.cycle(in_review):
            yield as_reviewer, f"/filings/review/{filing_id}/", lambda f=filing_id: _touch(f)

    def dashboard_views():
        while True:
            yield as_manager, "/filings/dashboard/", lambda: _touch(next(writes))

    def queue_views(slug: str):
        while True:
            yield as_reviewer, f"/filings/review/queues/{slug}/", lambda: _touch(next(writes))

    # The manager's alert inbox API, page after page (each run reads the page after the last's).
    alert_pages = ["/api/v1/alerts/?page_size=50"]
    while len(alert_pages) < args.runs:
        following = as_manager.get(alert_pages[-1]).json()["next"]
        if not following:
            break
        alert_pages.append(following.split("testserver", 1)[-1])

    def alert_api_views():
        for url in itertools.cycle(alert_pages):
            yield as_manager, url, lambda: _touch(next(writes))

    pages = [
        ("dashboard (manager)", "dashboard", dashboard_views()),
        ("filing detail (principal)", "filing detail", detail_views()),
        ("pre-review page (reviewer)", "pre-review page", review_views()),
        *((f"queue {slug}", "queue", queue_views(slug)) for slug in QUEUES),
        ("alert inbox API (manager, 50 a page)", "alert inbox API", alert_api_views()),
    ]
    print(f"\ncold paths, median of {args.runs} runs (each after a write, a different filing or page)")
    print(f"{'page':<36} {'server ms':>10} {'queries':>8}   goal")
    missed = 0
    for name, goal_name, views in pages:
        page_ms, queries = _time_cold(views, args.runs)
        goal = GOALS_MS[goal_name]
        verdict = "met" if page_ms <= goal else "MISSED"
        missed += verdict == "MISSED"
        source = GOAL_SOURCES.get(goal_name, "before #10, caches emptied")
        print(f"{name:<36} {page_ms:>10.1f} {queries:>8}   ≤ {goal} ms ({source})  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
