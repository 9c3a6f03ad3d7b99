"""Scheduled checks of every published website: a rotation sweeps the interval, each site due at the
phase its id gives it (nothing is planned per site), due sites are claimed in batches, probed outside
any transaction, and each outcome is stored and opens, keeps or closes the filing's rectification
periods."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from filings.kinds import Approval, codes
from filings.kinds.states import State
from filings.models import Filing, ProviderAddressRange, SiteCheck, SiteRotation, SiteWatch, Website
from filings.models.rotation import RotationPhase
from filings.models.site_watch import Failure
from filings.rules import site_probe, site_rotation
from filings.rules.site_rotation import Arc, Position
from filings.services import rectifications

from .footer_checks import expected_numbers


def interval() -> timedelta:
    return timedelta(hours=settings.BEIAN_SITE_CHECK_INTERVAL_HOURS)


def recheck_delay() -> timedelta:
    return timedelta(hours=settings.BEIAN_SITE_RECHECK_FAILING_HOURS)


def watched_websites():
    """Websites that must be watched: live sites of published filings that put sites online."""
    return Website.objects.filter(
        filing__state=State.PUBLISHED,
        filing__filing_type__in=codes(approval=Approval.PUBLISH),
        cancelled_at__isnull=True,
        access_cancelled_at__isnull=True,
    ).exclude(filing__icp_number="")


@dataclass(frozen=True)
class DueSites:
    """What one claim took: the watched sites to probe, and the watches of sites no longer watched."""

    website_ids: list[int]
    unwatched: list[SiteWatch]


def claim_due(*, now: datetime | None = None, limit: int | None = None) -> DueSites:
    """Take the failing sites due for their recheck, then the watched sites whose phase the sweep
    passes from its stored position to now's, in phase order, up to `limit` in all; move the position
    to the last site taken.

    The position row stays locked until this returns, so a second worker takes the sites after
    these. A sweep that fell behind by more than an interval catches up one full round, and only
    as fast as the batches go: the sites keep their phases, so a late run does not bunch them."""
    now = now or timezone.now()
    limit = limit or settings.BEIAN_SITE_CHECK_BATCH
    with transaction.atomic():
        rotation = _locked_rotation(now=now)
        rechecks = _claim_rechecks(now=now, limit=limit)
        swept, arcs, reached = _sweep(
            Position(rotation.cycle, rotation.phase),
            site_rotation.position_at(now, interval()),
            limit=limit - len(rechecks),
        )
        rotation.cycle, rotation.phase, rotation.swept_at = reached.cycle, reached.phase, now
        rotation.save(update_fields=["cycle", "phase", "swept_at"])
        # Every watched site of the arcs swept has been taken: the other watches there are of sites
        # no longer watched (checked again below, a handful of rows).
        taken = set(swept)
        others = [pk for arc in arcs for pk in watches_in_arc(arc) if pk not in taken]
        unwatched = list(_unwatched(SiteWatch.objects.filter(pk__in=others + [w.pk for w in rechecks])))
    gone = {w.pk: w for w in unwatched}
    rechecked = {w.pk for w in rechecks if w.pk not in gone}
    website_ids = [*rechecked, *(pk for pk in swept if pk not in rechecked)]
    return DueSites(website_ids=website_ids, unwatched=list(gone.values()))


def _locked_rotation(*, now: datetime) -> SiteRotation:
    """Lock the rotation's position; the first claim starts it at now's position."""
    hours = settings.BEIAN_SITE_CHECK_INTERVAL_HOURS
    here = site_rotation.position_at(now, interval())
    rotation, _ = SiteRotation.objects.select_for_update().get_or_create(
        pk=1, defaults={"cycle": here.cycle, "phase": here.phase, "interval_hours": hours, "swept_at": now}
    )
    stored = Position(rotation.cycle, rotation.phase)
    # A position counted in intervals of another length means nothing in this one, and one more than
    # an interval ahead of now means the clock went back: either way the sweep goes on from now's
    # position, without sweeping every site at once.
    if rotation.interval_hours != hours or stored.intervals_after(here) > 1:
        rotation.cycle, rotation.phase, rotation.interval_hours = here.cycle, here.phase, hours
        rotation.save(update_fields=["cycle", "phase", "interval_hours"])
    return rotation


def _claim_rechecks(*, now: datetime, limit: int) -> list[SiteWatch]:
    """Take the failing sites due for their recheck and move each recheck a delay on: another worker
    does not take them again, and one whose check never gets recorded is tried again later."""
    due = list(
        SiteWatch.objects.select_for_update(skip_locked=True)
        .filter(recheck_at__lte=now)
        .order_by("recheck_at", "website_id")
        .only("website_id", "filing_id")[:limit]
    )
    SiteWatch.objects.filter(pk__in=[w.pk for w in due]).update(recheck_at=now + recheck_delay())
    return due


def _sweep(start: Position, end: Position, *, limit: int) -> tuple[list[int], list[Arc], Position]:
    """Return the watched sites from `start` to `end` in phase order, up to `limit`, the arcs swept
    and the position reached (the last site's, when the limit cut the sweep short)."""
    if limit <= 0:
        return [], [], start
    taken: list[int] = []
    swept: list[Arc] = []
    for arc in site_rotation.arcs_between(start, end):
        rows = list(sites_in_arc(arc)[: limit - len(taken)])
        taken += [pk for pk, _ in rows]
        if len(taken) == limit:
            last = rows[-1][1]
            return taken, [*swept, Arc(arc.cycle, arc.after, last)], Position(arc.cycle, last)
        swept.append(arc)
    return taken, swept, max(start, end)


def sites_in_arc(arc: Arc) -> QuerySet:
    """The watched websites whose phase lies in the arc, as (id, phase) in phase order (read from the
    websites' phase index)."""
    return _in_arc(watched_websites(), arc, "id").order_by("phase", "id").values_list("id", "phase")


def watches_in_arc(arc: Arc) -> QuerySet:
    """The website ids of the watches whose phase lies in the arc (read from their phase index alone)."""
    return _in_arc(SiteWatch.objects.all(), arc, "website").values_list("website_id", flat=True)


def _in_arc(queryset: QuerySet, arc: Arc, website_id: str) -> QuerySet:
    # The expression must be the very one the index holds for PostgreSQL to read the index.
    queryset = queryset.annotate(phase=RotationPhase(website_id))
    if arc.after is not None:
        queryset = queryset.filter(phase__gt=arc.after)
    if arc.upto is not None:
        queryset = queryset.filter(phase__lte=arc.upto)
    return queryset


def _unwatched(watches: QuerySet) -> QuerySet:
    return watches.filter(~Exists(watched_websites().filter(pk=OuterRef("website_id")))).only(
        "website_id", "filing_id"
    )


@dataclass(frozen=True)
class RotationStatus:
    swept_to: datetime | None  # the moment the sweep's position stands for; None before the first claim
    behind: timedelta | None
    watched: int
    rechecks_waiting: int


def rotation_status(*, now: datetime | None = None) -> RotationStatus:
    """Return how far the sweep has got, how far behind now that is, how many sites are watched and
    how many failing sites wait for their recheck."""
    now = now or timezone.now()
    rotation = SiteRotation.objects.filter(pk=1).first()
    swept_to = None
    if rotation is not None:
        swept_to = site_rotation.moment_of(Position(rotation.cycle, rotation.phase), interval())
    return RotationStatus(
        swept_to=swept_to,
        behind=now - swept_to if swept_to else None,
        watched=watched_websites().count(),
        rechecks_waiting=SiteWatch.objects.filter(recheck_at__isnull=False).count(),
    )


def drop_unwatched(watches: list[SiteWatch], *, now: datetime | None = None) -> None:
    """Delete the watches of sites no longer watched (cancelled, access ended, the filing no longer
    published), closing the periods their failures alone kept open."""
    for filing_id in {w.filing_id for w in watches}:
        with transaction.atomic():
            filing = Filing.objects.select_for_update().get(pk=filing_id)
            SiteWatch.objects.filter(
                website_id__in=[w.website_id for w in watches if w.filing_id == filing_id]
            ).delete()
            failing = {f for kept in SiteWatch.objects.filter(filing=filing) for f in kept.failing}
            for failure, kind in rectifications.DEADLINE_KINDS.items():
                if failure not in failing:
                    rectifications.close_rectification(filing, kind, now=now or timezone.now())


def targets_for(website_ids: list[int]) -> list[site_probe.Target]:
    websites = Website.objects.filter(pk__in=website_ids).select_related("filing__province")
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
    """Claim the due sites, drop those no longer watched, probe the others (concurrently, outside any
    transaction) and record each."""
    due = claim_due(now=now, limit=limit)
    drop_unwatched(due.unwatched, now=now)
    outcomes = site_probe.probe_all(targets_for(due.website_ids), **probe_options)
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
    first_checked = [c.website_id for c in checks if c.website_id not in watches]
    if first_checked:
        SiteWatch.objects.bulk_create(
            [SiteWatch(website_id=pk, filing=filing) for pk in first_checked], ignore_conflicts=True
        )
        watches.update(
            (w.website_id, w)
            for w in SiteWatch.objects.select_for_update().filter(website_id__in=first_checked)
        )
    escalate = set()
    for check in checks:
        watch = watches[check.website_id]
        watch.last_check, watch.failing = check, check.failures
        if check.passed:
            watch.consecutive_failures, watch.escalated_at, watch.recheck_at = 0, None, None
        else:
            watch.consecutive_failures += 1
            watch.recheck_at = now + recheck_delay()
        if Failure.UNREACHABLE in check.failures:
            watch.unreachable_since = watch.unreachable_since or now
        else:
            watch.unreachable_since = None
        if watch.consecutive_failures >= settings.BEIAN_SITE_ESCALATE_AFTER and watch.escalated_at is None:
            watch.escalated_at = now
            escalate.update(rectifications.DEADLINE_KINDS[f] for f in check.failures)
        watch.save(
            update_fields=[
                "recheck_at",
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
