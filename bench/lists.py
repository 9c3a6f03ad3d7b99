"""Every list, search and deep page users reach at a million filings, measured cold: each run writes
first (a filing changes) and then asks for another filter, term, customer or position than the run
before. Goal: < 50 ms server time each. Prints the median, the worst run, the queries and a verdict.

    python bench/run.py lists -- --runs 20
"""

import argparse
import itertools
import sys

from bench._common import on_postgres, setup_django, time_path, touching

GOAL_MS = 50
DEEP_ROWS = 10_000  # "500 pages in" at 20 rows a page


def _position_at(queryset, order, rows: int) -> str:
    """The token of the position `rows` rows into a list (found once, untimed); on a smaller database
    than a million filings, the position halfway down a list shorter than that."""
    from filings.reads import keyset

    names = [name.lstrip("-") for name in order]
    values = queryset.order_by(*order).values_list(*names)[rows - 1 : rows]
    if not values:
        values = queryset.order_by(*order).values_list(*names)[queryset.count() // 2 :][:1]
    return keyset.Position(tuple(values[0])).token()


def main(argv: list[str]) -> int:  # noqa: C901 - one table of paths
    parser = argparse.ArgumentParser(prog="bench lists")
    parser.add_argument("--runs", type=int, default=20)
    args, _unknown = parser.parse_known_args(argv)
    setup_django()

    from django.conf import settings
    from django.db.models import Count

    from accounts.models import User
    from filings.kinds.states import OPEN_STATES, State
    from filings.models import Deadline, Domain, Filing, Province, Subject
    from filings.reads import dashboard as dashboard_stats
    from filings.reads import keyset
    from filings.reads.queues import QUEUES

    if not on_postgres():
        return 1
    print(f"database {settings.DATABASES['default']['NAME']}: {Filing.objects.order_by().count():,} filings")
    from bench._database import ensure_realistic

    ensure_realistic()

    from bench._database import logged_in_client as logged_in

    manager = logged_in(User.objects.get(username="manager"))
    reviewer_user = User.objects.get(username="reviewer")
    reviewer = logged_in(reviewer_user)
    by_owner = Filing.objects.values("assignee_id").order_by().annotate(n=Count("id")).order_by("-n")
    largest_id = by_owner[0]["assignee_id"]
    largest = logged_in(User.objects.get(pk=largest_id))
    small_ids = list(by_owner.filter(n__lte=5).values_list("assignee_id", flat=True)[:50])
    small_clients = itertools.cycle([logged_in(User.objects.get(pk=pk)) for pk in small_ids[:10]])
    provinces = list(Province.objects.values_list("code", flat=True))
    writes = touching(itertools.cycle(Filing.objects.order_by("-id").values_list("id", flat=True)[:500]))
    cycle = itertools.cycle

    everything = Filing.objects.all()
    deep_staff = _position_at(everything, keyset.NEWEST_FIRST, DEEP_ROWS)
    deep_largest = _position_at(everything.filter(assignee_id=largest_id), keyset.NEWEST_FIRST, DEEP_ROWS)
    deep_queue = _position_at(
        Deadline.objects.filter(kind=QUEUES["bureau_review"].deadline_kind, closed_at__isnull=True),
        keyset.SOONEST_DUE,
        40 * 25,
    )
    deep_open = _position_at(
        Filing.objects.filter(state=State.BUREAU_REVIEW), dashboard_stats.OPEN_FILING_ORDER, 1000 * 50
    )
    deep_overdue = _position_at(dashboard_stats.overdue_deadlines(), keyset.SOONEST_DUE, 100 * 50)
    subjects = list(Subject.objects.order_by("-id").values_list("name", "certificate_number")[:200])
    terms = cycle(["星河", "云帆", "数据", "科技", "网络", "星河数据", "信息", "传媒"])
    domains = cycle(list(Domain.objects.order_by("-id").values_list("name", flat=True)[:100]))
    icp_numbers = cycle(
        list(Filing.objects.exclude(icp_number="").order_by("-id").values_list("icp_number", flat=True)[:100])
    )
    api_cursor = manager.get("/api/v1/filings/?page_size=50").json()["next"]
    detail_ids = cycle(list(Filing.objects.order_by("-id").values_list("id", flat=True)[:200]))

    class Rotating:
        """A client per request from a cycle (each small customer in turn)."""

        def __init__(self, clients):
            self.clients = clients

        def get(self, url):
            return next(self.clients).get(url)

    paths = [
        ("staff list, first page", manager, cycle(["/filings/"])),
        ("staff list, 500 pages in", manager, cycle([f"/filings/?after={deep_staff}"])),
        ("staff list by state", manager, cycle(f"/filings/?state={s}" for s in State.values)),
        ("staff list by province", manager, cycle(f"/filings/?province={p}" for p in provinces)),
        ("staff list, overdue", manager, cycle(["/filings/?overdue=on"])),
        ("principal list (small customers)", Rotating(small_clients), cycle(["/filings/"])),
        ("principal list (largest customer)", largest, cycle(["/filings/"])),
        ("  500 pages in", largest, cycle([f"/filings/?after={deep_largest}"])),
        ("  overdue", largest, cycle(["/filings/?overdue=on"])),
        ("  by state", largest, cycle(f"/filings/?state={s}" for s in State.values)),
        ("search by name (2–4 characters)", manager, (f"/filings/?q={t}" for t in terms)),
        ("search by a whole subject name", manager, cycle(f"/filings/?q={n}" for n, _c in subjects)),
        ("search by certificate number", manager, cycle(f"/filings/?q={c}" for _n, c in subjects)),
        ("search by ICP number", manager, (f"/filings/?q={n}" for n in icp_numbers)),
        ("search by domain", manager, (f"/filings/?domain={d}" for d in domains)),
        ("new-filing page (largest customer)", largest, cycle(["/filings/new/"])),
        (
            "  subject picker search",
            largest,
            (f"/filings/new/?subject_search={t}&find_subject=1" for t in terms),
        ),
        ("API list, first page (reviewer)", reviewer, cycle(["/api/v1/filings/?page_size=50"])),
        ("API list, next page", manager, cycle([api_cursor])),
        ("API detail", manager, (f"/api/v1/filings/{pk}/" for pk in detail_ids)),
        *(
            (
                f"queue {slug} by province",
                reviewer,
                cycle(f"/filings/review/queues/{slug}/?province={p}" for p in provinces),
            )
            for slug in QUEUES
        ),
        ("queue bureau_review, mine", reviewer, cycle(["/filings/review/queues/bureau_review/?mine=1"])),
        (
            "queue bureau_review, 40 pages in",
            reviewer,
            cycle([f"/filings/review/queues/bureau_review/?after={deep_queue}"]),
        ),
        *(
            (
                f"dashboard {kind} by province",
                manager,
                cycle(f"/filings/dashboard/deadlines/{kind}/?province={p}" for p in provinces),
            )
            for kind in dashboard_stats.DEADLINE_LISTS
        ),
        (
            "dashboard overdue, 100 pages in",
            manager,
            cycle([f"/filings/dashboard/deadlines/overdue/?after={deep_overdue}"]),
        ),
        (
            "open filings by state and province",
            manager,
            cycle(f"/filings/dashboard/open/?state={s}&province={p}" for s in OPEN_STATES for p in provinces),
        ),
        ("open filings, 1000 pages in", manager, cycle([f"/filings/dashboard/open/?after={deep_open}"])),
    ]
    print(
        f"\ncold paths, {args.runs} runs each (a write before each, another filter/term/position each time)"
    )
    print(f"{'path':<40} {'median ms':>10} {'worst ms':>9} {'queries':>8}   goal")
    missed = 0
    for name, client, urls in paths:
        median, worst, queries, _sql = time_path(client, urls, writes, args.runs)
        verdict = "met" if median < GOAL_MS else "MISSED"
        missed += verdict != "met"
        print(f"{name:<40} {median:>10.1f} {worst:>9.1f} {queries:>8}   < {GOAL_MS} ms  {verdict}")
    print(f"\n{len(paths) - missed} of {len(paths)} paths met the goal")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
