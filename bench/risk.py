"""The rejection-risk estimate on a large PostgreSQL database: the read its pages make (the
summaries of one province and filing type, and the model), timed for a different filing in entry
or pre-review each run; the refresh of the cases and summaries; and the evaluation on held-back
history (train on the decisions before --before, test after), with calibration and Brier score.

The read is timed alone: each filing is loaded and checked beforehand (as its page does anyway),
so the figure is what the estimate adds to the checklist and pre-review pages.

Uses DATABASE_URL (default postgres://…/beian_bench), seeded by `manage.py seed_demo --filings N`
(a seed older than issue #27 recorded no submission features: reseed, or the evaluation has no
cases).

    python bench/run.py risk -- --runs 200 --before 2026-08-01
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta

from bench._common import on_postgres, setup_django

GOAL_READ_MS = 5.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="risk")
    parser.add_argument("--runs", type=int, default=200, help="filings whose estimate is read")
    parser.add_argument("--before", help="evaluation cut, YYYY-MM-DD (default: 120 days ago)")
    parser.add_argument("--full", action="store_true", help="rebuild every case, not only the recent ones")
    options = parser.parse_args(argv)
    setup_django()
    if not on_postgres():
        return 2

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from filings.jobs import risk_summaries
    from filings.models import Filing
    from filings.reads.risk import ESTIMATED_STATES, rejection_risk
    from filings.rules.checks import load_filing_for_checks, run_submission_checks

    print(f"filings: {Filing.objects.count():,}", flush=True)
    refresh = risk_summaries.refresh_risk_summaries(full=options.full)
    print(
        f"refresh of the risk summaries: {refresh.cases:,} cases rebuilt, {refresh.slices} province and"
        f" type slices, {refresh.seconds:.1f}s",
        flush=True,
    )

    ids = list(
        Filing.objects.filter(state__in=ESTIMATED_STATES)
        .order_by("?")
        .values_list("pk", flat=True)[: options.runs]
    )
    samples, enough = [], 0
    for filing_id in ids:
        loaded = load_filing_for_checks(filing_id)
        checklist = run_submission_checks(loaded)
        started = time.perf_counter()
        risk = rejection_risk(loaded, checklist)
        samples.append((time.perf_counter() - started) * 1000)
        enough += risk.enough
    if samples:
        median = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) >= 10 else max(samples)
        verdict = "met" if median < GOAL_READ_MS else "MISSED"
        print(
            f"estimate read, {len(samples)} filings ({enough} with enough history, minimum"
            f" {settings.BEIAN_RISK_MIN_CASES}): median {median:.2f} ms, p90 {p90:.2f} ms;"
            f" goal {GOAL_READ_MS} ms: {verdict}",
            flush=True,
        )
    else:
        print("no filing in entry or pre-review to read an estimate for")

    before = options.before or (timezone.localdate() - timedelta(days=120)).isoformat()
    started = time.perf_counter()
    call_command("evaluate_risk", before=before, no_refresh=True, stdout=sys.stdout)
    print(f"evaluation: {time.perf_counter() - started:.1f}s", flush=True)
    return 0 if not samples or statistics.median(samples) < GOAL_READ_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
