"""The searches that missed at a million filings (issue #29), measured as bench/lists.py measures:
cold (a write before each run), another term each run, server time of the whole list page.

    python bench/run.py search -- --runs 20
"""

import argparse
import itertools
import sys

from bench._common import on_postgres, setup_django, time_path, touching

# The start of an ICP number: a busy province's abbreviation and a year (京ICP备2025 matches
# ~10,600 of a million filings).
ICP_PREFIXES = [f"{abbreviation}ICP备{year}" for year in (2025, 2026) for abbreviation in "京粤沪浙苏"]
# Words in an eighth to a quarter of all names (科技有 in 250,000 of a million), in a few (藏凌, of
# 西藏凌云…: 1,641 of a million, which the planner took for 5), and in the largest customer's list.
COMMON_TERMS = ["科技有", "技有限", "软件有", "技术有"]
SPARSE_TERMS = ["藏凌", "藏星", "藏云", "藏远"]
# Between (海青, of 上海青禾 and 青海青禾…: 4,800–7,500 of a million): read like a rare term, a
# page visited every match's row; in the list of every filing it now walks for its page.
MIDDLING_TERMS = ["海青", "江凌", "海星", "南星"]
CUSTOMER_TERMS = ["软件", "网络", "信息", "传媒"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench search")
    parser.add_argument("--runs", type=int, default=20)
    args, _unknown = parser.parse_known_args(argv)
    setup_django()

    from django.conf import settings
    from django.db.models import Count

    from accounts.models import User
    from bench._database import logged_in_client as logged_in
    from filings.models import Filing

    if not on_postgres():
        return 1
    print(f"database {settings.DATABASES['default']['NAME']}: {Filing.objects.order_by().count():,} filings")
    from bench._database import stand_in_for_autovacuum

    stand_in_for_autovacuum()
    manager = logged_in(User.objects.get(username="manager"))
    by_owner = Filing.objects.values("assignee_id").order_by().annotate(n=Count("id")).order_by("-n")
    largest = logged_in(User.objects.get(pk=by_owner[0]["assignee_id"]))
    writes = touching(itertools.cycle(Filing.objects.order_by("-id").values_list("id", flat=True)[:500]))
    cycle = itertools.cycle
    paths = [
        ("search by an ICP number prefix", 50, manager, cycle(f"/filings/?q={p}" for p in ICP_PREFIXES)),
        ("search of a common term", 40, manager, cycle(f"/filings/?q={t}" for t in COMMON_TERMS)),
        ("search of a rarer term", 40, manager, cycle(f"/filings/?q={t}" for t in SPARSE_TERMS)),
        (
            "search of a term in a few thousand",
            40,
            manager,
            cycle(f"/filings/?q={t}" for t in MIDDLING_TERMS),
        ),
        ("largest customer's search", 40, largest, cycle(f"/filings/?q={t}" for t in CUSTOMER_TERMS)),
    ]
    print(f"\ncold paths, {args.runs} runs each (a write before each, another term each time)")
    print(f"{'path':<40} {'median ms':>10} {'worst ms':>9} {'queries':>8} {'SQL ms':>7}   goal")
    missed = 0
    for name, goal, client, urls in paths:
        median, worst, queries, sql = time_path(client, urls, writes, args.runs)
        verdict = "met" if median < goal else "MISSED"
        missed += verdict != "met"
        print(f"{name:<40} {median:>10.1f} {worst:>9.1f} {queries:>8} {sql:>7.1f}   < {goal} ms  {verdict}")
    print(f"\n{len(paths) - missed} of {len(paths)} paths met the goal")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
