"""Scheduled checks of every published website: each takes its place in a rotation spread evenly
over the interval, due sites are claimed in batches, probed outside any transaction, and each outcome
is stored and opens, keeps or closes the filing's rectification periods."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.utils import timezone

from filings.kinds import Approval, codes
from filings.kinds.states import State
from filings.models import Filing, ProviderAddressRange, SiteCheck, SiteWatch, Website
from filings.models.site_watch import Failure
from filings.rules import site_probe
from filings.services import rectifications

from .footer_checks import expected_numbers

# The golden ratio's fraction: id * φ mod 1 spreads consecutive ids evenly over the interval, so new
# sites land between the old ones instead of in a burst.
SPREAD = 0.6180339887498949
# The scheduled planning looks at filings published this recently (it runs every 15 minutes).
PLAN_LOOKBACK = timedelta(days=7)


def interval() -> timedelta:
    return timedelta(hours=settings.BEIAN_SITE_CHECK_INTERVAL_HOURS)


def watched_websites():
    """Websites that must be watched: live sites of published filings that put sites online."""
    return Website.objects.filter(
        filing__state=State.PUBLISHED,
        filing__filing_type__in=codes(approval=Approval.PUBLISH),
        cancelled_at__isnull=True,
        access_cancelled_at__isnull=True,
    ).exclude(filing__icp_number="")


def plan_watches(*, now: datetime | None = None, full: bool = False, batch: int = 100_000) -> tuple[int, int]:
    """Give watched websites without a place one in the rotation. Return (added, dropped).

    The scheduled run looks only at filings published within PLAN_LOOKBACK (index on state and
    stage_entered_at: its cost does not grow with the published filings); a site that stops being
    watched leaves the rotation when its slot comes (drop_unwatched). `full` (after deploying, or
    after the scheduler was down longer than the lookback) considers every website, in id ranges of
    `batch` so that no statement runs long, and drops the places of sites no longer watched."""
    now = now or timezone.now()
    candidates = watched_websites()
    if not full:
        # The recent filings first, then their websites and places by index lookups: the plan does
        # not hinge on statistics guessing how few they are.
        recent = list(
            Filing.objects.filter(state=State.PUBLISHED, stage_entered_at__gte=now - PLAN_LOOKBACK)
            .order_by()
            .values_list("pk", flat=True)
        )
        added = 0
        for start in range(0, len(recent), 1000):
            pairs = candidates.filter(filing_id__in=recent[start : start + 1000]).values_list(
                "pk", "filing_id"
            )
            added += _plan_rows(list(pairs.order_by()), now=now)
        return added, 0
    added = dropped = 0
    last = Website.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, last + 1, batch):
        with transaction.atomic():
            in_range = candidates.filter(pk__gte=start, pk__lt=start + batch)
            if connection.vendor == "postgresql":
                added += _plan_all(in_range, now=now)
            else:  # SQLite (make run's demo, a few sites)
                added += _plan_rows(list(in_range.values_list("pk", "filing_id").order_by()), now=now)
            # NOT EXISTS, not NOT IN: a NOT IN list of a million ids outgrows work_mem and is then
            # probed row by row (the single NOT IN over every site did not finish in 20 minutes at 1M).
            stale = SiteWatch.objects.filter(website_id__gte=start, website_id__lt=start + batch).filter(
                ~Exists(watched_websites().filter(pk=OuterRef("website_id")))
            )
            dropped += stale.delete()[0]
    return added, dropped


def plan_scheduled(*, now: datetime | None = None) -> tuple[int, int]:
    """The scheduled planning: the recent publications, or every website while none has a place
    (the first run after deploying, or make run's demo whose filings were published long ago)."""
    return plan_watches(now=now, full=not SiteWatch.objects.exists())


def _slot(website_id: int, *, now: datetime) -> datetime:
    return now + interval() * ((website_id * SPREAD) % 1)


def _plan_rows(pairs: list[tuple[int, int]], *, now: datetime) -> int:
    """Insert the places of these (website, filing) pairs that have none."""
    have = set(
        SiteWatch.objects.filter(website_id__in=[pk for pk, _ in pairs]).values_list("website_id", flat=True)
    )
    created = SiteWatch.objects.bulk_create(
        [
            SiteWatch(website_id=pk, filing_id=filing_id, next_check_at=_slot(pk, now=now))
            for pk, filing_id in pairs
            if pk not in have
        ],
        ignore_conflicts=True,
    )
    return len(created)


def _plan_all(candidates, *, now: datetime) -> int:
    """Insert the places of these websites that have none, in one statement (PostgreSQL)."""
    seconds = interval().total_seconds()
    unplanned = candidates.filter(~Exists(SiteWatch.objects.filter(website=OuterRef("pk"))))
    new = (
        unplanned.annotate(
            slot=RawSQL(
                "%s::timestamptz + make_interval(secs => %s * ((filings_website.id * %s) - floor(filings_website.id * %s)))",
                (now, seconds, SPREAD, SPREAD),
            )
        )
        .values_list("pk", "filing_id", "slot")
        .order_by()
    )
    sql, params = new.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SiteWatch._meta.db_table} "
            "(website_id, filing_id, next_check_at, failing, consecutive_failures) "
            f"SELECT id, filing_id, slot, '[]'::jsonb, 0 FROM ({sql}) AS planned(id, filing_id, slot) "
            "ON CONFLICT DO NOTHING",
            params,
        )
        return cursor.rowcount


def drop_unwatched(watches: list[SiteWatch], *, now: datetime | None = None) -> list[SiteWatch]:
    """Remove from the rotation the claimed sites no longer watched (cancelled, access ended, the
    filing no longer published), closing the periods their failures alone kept open; return the others."""
    live = set(watched_websites().filter(pk__in=[w.website_id for w in watches]).values_list("pk", flat=True))
    gone = [w for w in watches if w.website_id not in live]
    for filing_id in {w.filing_id for w in gone}:
        with transaction.atomic():
            filing = Filing.objects.select_for_update().get(pk=filing_id)
            SiteWatch.objects.filter(
                website_id__in=[w.website_id for w in gone if w.filing_id == filing_id]
            ).delete()
            failing = {f for kept in SiteWatch.objects.filter(filing=filing) for f in kept.failing}
            for failure, kind in rectifications.DEADLINE_KINDS.items():
                if failure not in failing:
                    rectifications.close_rectification(filing, kind, now=now or timezone.now())
    return [w for w in watches if w.website_id in live]


def claim_due(*, now: datetime | None = None, limit: int | None = None) -> list[SiteWatch]:
    """Take the due sites (oldest slot first) and move each to its next slot, so a second worker
    takes others. Slots keep their phase: a late run does not bunch the sites it catches up on."""
    now = now or timezone.now()
    limit = limit or settings.BEIAN_SITE_CHECK_BATCH
    step = interval()
    with transaction.atomic():
        watches = list(
            SiteWatch.objects.select_for_update(skip_locked=True)
            .filter(next_check_at__lte=now)
            .order_by("next_check_at", "website_id")[:limit]
        )
        for watch in watches:
            missed = (now - watch.next_check_at) // step
            watch.next_check_at += step * (missed + 1)
        SiteWatch.objects.bulk_update(watches, ["next_check_at"])
    return watches


def targets_for(watches: list[SiteWatch]) -> list[site_probe.Target]:
    websites = Website.objects.filter(pk__in=[w.website_id for w in watches]).select_related(
        "filing__province"
    )
    ranges = defaultdict(list)
    providers = {w.server_provider for w in websites}
    for provider, cidr in ProviderAddressRange.objects.filter(provider__in=providers).values_list(
        "provider", "cidr"
    ):
        ranges[provider].append(cidr)
    targets = []
    for website in websites:
        icp, psb = expected_numbers(website.filing, website)
        targets.append(
            site_probe.Target(website.pk, website.homepage, icp, psb, tuple(ranges[website.server_provider]))
        )
    return targets


def run_due_checks(
    *, now: datetime | None = None, limit: int | None = None, **probe_options
) -> list[SiteCheck]:
    """Claim the due sites, probe them (concurrently, outside any transaction) and record each."""
    watches = drop_unwatched(claim_due(now=now, limit=limit), now=now)
    outcomes = site_probe.probe_all(targets_for(watches), **probe_options)
    return record_outcomes(outcomes, now=now)


def record_outcomes(outcomes: list[site_probe.Outcome], *, now: datetime | None = None) -> list[SiteCheck]:
    """Store each outcome, then open or close each filing's rectification periods."""
    now = now or timezone.now()
    by_filing = defaultdict(list)
    filing_of = dict(
        Website.objects.filter(pk__in=[o.target.website_id for o in outcomes]).values_list("pk", "filing_id")
    )
    for outcome in outcomes:
        by_filing[filing_of[outcome.target.website_id]].append(outcome)
    checks = []
    for filing_id, filing_outcomes in by_filing.items():
        with transaction.atomic():
            filing = Filing.objects.select_for_update().select_related("province").get(pk=filing_id)
            checks.extend(_record_filing(filing, filing_outcomes, now=now))
    return checks


def _record_filing(filing: Filing, outcomes: list[site_probe.Outcome], *, now: datetime) -> list[SiteCheck]:
    checks = SiteCheck.objects.bulk_create(
        SiteCheck(
            filing=filing,
            website_id=o.target.website_id,
            checked_at=now,
            url=o.target.url[:300],
            resolves=o.resolves,
            addresses=o.addresses[:20],
            in_provider_ranges=o.in_provider_ranges,
            answered=o.result is not None and o.result.status != "unreachable",
            http_status=o.result.http_status if o.result else None,
            icp_found=bool(o.result and o.result.icp_found),
            icp_linked=bool(o.result and o.result.icp_linked),
            psb_found=o.result.psb_found if o.result else None,
            failures=[str(f) for f in o.failures],
            problems=o.problems,
            problem_sources=o.problem_sources,
        )
        for o in outcomes
    )
    watches = {w.website_id: w for w in SiteWatch.objects.select_for_update().filter(filing=filing)}
    recheck = timedelta(hours=settings.BEIAN_SITE_RECHECK_FAILING_HOURS)
    escalate = set()
    for check in checks:
        watch = watches.get(check.website_id)
        if watch is None:
            continue
        watch.last_check, watch.failing = check, check.failures
        if check.passed:
            watch.consecutive_failures, watch.escalated_at = 0, None
        else:
            watch.consecutive_failures += 1
            watch.next_check_at = min(watch.next_check_at, now + recheck)
        if Failure.UNREACHABLE in check.failures:
            watch.unreachable_since = watch.unreachable_since or now
        else:
            watch.unreachable_since = None
        if watch.consecutive_failures >= settings.BEIAN_SITE_ESCALATE_AFTER and watch.escalated_at is None:
            watch.escalated_at = now
            escalate.update(rectifications.DEADLINE_KINDS[f] for f in check.failures)
        watch.save(
            update_fields=[
                "next_check_at",
                "last_check",
                "failing",
                "consecutive_failures",
                "unreachable_since",
                "escalated_at",
            ]
        )
    # One period per filing and kind: it stays open while any of the filing's sites fails that way.
    failing = {f for w in watches.values() for f in w.failing}
    for failure, kind in rectifications.DEADLINE_KINDS.items():
        if failure in failing:
            rectifications.open_rectification(filing, kind, now=now)
        else:
            rectifications.close_rectification(filing, kind, now=now)
    if escalate:
        rectifications.escalate_rectifications(filing, sorted(escalate))
    return checks
