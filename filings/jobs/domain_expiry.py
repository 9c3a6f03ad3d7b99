"""Domain expiry of published websites: the expiry dates (entered, or read from a registrar through
an adapter, a CSV file being one), and one deadline per filing at its earliest expiry, whose alerts go out 30 and 7 days before
and whose passing marks the filing at risk of cancellation."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from filings.models import Deadline, Domain, Filing
from filings.rules import workdays
from filings.services import alert_raising, rectifications

from . import registrars
from .site_watch import watched_websites

Kind = Deadline.Kind
# A period opens this long before the earliest expiry: the first alert comes 30 days before it.
WATCH_BEFORE = timedelta(days=31)


def expiry_moment(day: date) -> datetime:
    """A domain is valid through its expiry day: it has lapsed from the next midnight in Shanghai."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=workdays.SHANGHAI)


def sync_domain_deadlines(*, now: datetime | None = None) -> tuple[int, int]:
    """Open (or move) each published filing's domain-expiry deadline to its earliest expiry within the
    watch window, and close the ones whose domains were renewed. Return (opened or moved, closed)."""
    now = now or timezone.now()
    horizon = (now + WATCH_BEFORE).astimezone(workdays.SHANGHAI).date()
    earliest = dict(
        Domain.objects.filter(website__in=watched_websites(), expires_on__lte=horizon)
        .values("website__filing_id")
        .annotate(first=Min("expires_on"))
        .values_list("website__filing_id", "first")
    )
    stale = Deadline.objects.filter(kind=Kind.DOMAIN_EXPIRY, closed_at__isnull=True).exclude(
        filing_id__in=list(earliest)
    )
    closed = 0
    for filing in Filing.objects.filter(pk__in=stale.values("filing_id")):
        with transaction.atomic():
            closed += rectifications.close_rectification(filing, Kind.DOMAIN_EXPIRY, now=now)
    changed = 0
    for filing in Filing.objects.filter(pk__in=list(earliest)).select_related("province"):
        with transaction.atomic():
            changed += _set_deadline(filing, expiry_moment(earliest[filing.pk]), now=now)
    return changed, closed


def _set_deadline(filing: Filing, due_at: datetime, *, now: datetime) -> int:
    deadline = (
        Deadline.objects.select_for_update()
        .filter(filing=filing, stage_visit=filing.stage_visit, kind=Kind.DOMAIN_EXPIRY)
        .first()
    )
    if deadline is None:
        deadline = Deadline.objects.create(
            filing=filing,
            stage=filing.state,
            stage_visit=filing.stage_visit,
            kind=Kind.DOMAIN_EXPIRY,
            starts_at=now,
            due_at=due_at,
        )
    elif deadline.closed_at is None and deadline.due_at == due_at:
        return 0
    else:
        reopened = deadline.closed_at is not None
        deadline.closed_at, deadline.due_at = None, due_at
        deadline.save(update_fields=["closed_at", "due_at"])
        if not reopened:
            alert_raising.reconcile_alerts(
                [deadline.pk], now=now, reason=rectifications.PASSED_REASONS[Kind.DOMAIN_EXPIRY]
            )
            return 1
    alert_raising.raise_alerts_for([deadline.pk], now=now)
    return 1


def import_expiry_csv(text: str) -> registrars.ImportResult:
    """Set domains' expiry dates from a registrar's CSV (domain,expires_on as YYYY-MM-DD; a header
    row is allowed). Every row is checked before any is saved: a bad row saves nothing."""
    return registrars.import_expiry(registrars.CsvFileRegistrar(text))


def import_from_registrar(adapter: registrars.RegistrarAdapter) -> tuple[registrars.ImportResult, int, int]:
    """Import the adapter's expiry dates and bring the deadlines in step; return the import's result
    and the deadlines (opened or moved, closed)."""
    result = registrars.import_expiry(adapter)
    if result.errors:
        return result, 0, 0
    changed, closed = sync_domain_deadlines()
    return result, changed, closed
