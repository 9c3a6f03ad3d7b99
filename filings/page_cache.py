"""The rendered filing detail page, cached under a key that changes whenever what it shows changes.

With a shared cache (Redis) the key is built from change tokens kept in the cache (config/cache.py):
one per filing, replaced by every write to the filing or the rows its page shows; one per user,
replaced when their notifications or their user row change; and a global epoch, replaced by writes
that cannot name their filings cheaply (bulk seeding, recomputing every provisional deadline, admin
edits of reference data). A cache hit then asks the database nothing. When a token is missing
(evicted, Redis restarted or unreachable) or the cache is per process, the key is built instead
from the database: one query reads the change stamps of everything the page shows (the filing's own version and
state, its newest history row, deadlines, materials, SMS verifiers, alerts and the viewer's
notifications); the key adds the viewer, their permissions, the language, the URL and the current
minute (the countdowns). A key therefore never has to be deleted: any change makes a new one, and
old ones expire. The CSRF token is not cached: pages are stored with a placeholder that each
response replaces with the requester's own token.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from accounts.roles import Perm
from config.cache import bump_tokens, current_tokens
from filings import statements
from filings.fragments import CSRF_PLACEHOLDER
from filings.models import Alert, Deadline, Filing, FilingEvent, Material, Notification, SmsVerifier

# Long enough to serve repeated views, short enough that rows changed outside the services
# (admin repairs of reference data such as province names) show within minutes.
TIMEOUT_SECONDS = 300


def _aggregate(model, expression, *, link: str = "filing_id", **filters: Any) -> Subquery:
    rows = model.objects.filter(**{link: OuterRef("pk")}, **filters).order_by().values(link)
    return Subquery(rows.annotate(value=expression).values("value")[:1])


# Stand-ins compiled into the stamp query once per process; each request substitutes its own ids.
_FILING = -7_000_000_001
_USER = -7_000_000_002
_stamp_sql: tuple[str, tuple] | None = None


def _stamp_query() -> tuple[str, tuple]:
    """Return the SQL and parameters of the change-stamp query, built by the ORM once per process
    (building it took ~5 ms of Python per request, more than running it)."""
    global _stamp_sql
    if _stamp_sql is None:
        open_deadline = Q(closed_at__isnull=True)
        unread_total = (
            Notification.objects.filter(user_id=_USER, read_at__isnull=True)
            .order_by()
            .values("user_id")
            .annotate(value=Count("id"))
            .values("value")[:1]
        )
        mine = {"link": "alert__filing_id", "user_id": _USER}
        queryset = (
            Filing.objects.filter(pk=_FILING)
            .annotate(
                last_event=_aggregate(FilingEvent, Max("id")),
                last_deadline=_aggregate(Deadline, Max("id")),
                last_closed=_aggregate(Deadline, Max("closed_at")),
                open_first=_aggregate(Deadline, Min("due_at", filter=open_deadline)),
                open_last=_aggregate(Deadline, Max("due_at", filter=open_deadline)),
                open_provisional=_aggregate(
                    Deadline, Count("id", filter=open_deadline & Q(provisional=True))
                ),
                last_material=_aggregate(Material, Max("id")),
                material_count=_aggregate(Material, Count("id")),
                last_verifier=_aggregate(SmsVerifier, Max("id")),
                verified_count=_aggregate(SmsVerifier, Count("verified_at")),
                last_verified=_aggregate(SmsVerifier, Max("verified_at")),
                last_alert=_aggregate(Alert, Max("id")),
                alert_count=_aggregate(Alert, Count("id", filter=Q(withdrawn_at__isnull=True))),
                last_withdrawn=_aggregate(Alert, Max("withdrawn_at")),
                last_acknowledged=_aggregate(Alert, Max("acknowledged_at")),
                my_notifications=_aggregate(Notification, Count("id"), **mine),
                my_unread=_aggregate(Notification, Count("id", filter=Q(read_at__isnull=True)), **mine),
                unread_total=Subquery(unread_total),
            )
            .values_list(*STAMP_FIELDS)
        )
        _stamp_sql = queryset.query.sql_with_params()
    return _stamp_sql


STAMP_FIELDS = (
    "assignee_id",  # first: who may see the filing
    "version",
    "updated_at",
    "state",
    "stage_visit",
    "reviewer_id",
    "last_event",
    "last_deadline",
    "last_closed",
    "open_first",
    "open_last",
    "open_provisional",
    "last_material",
    "material_count",
    "last_verifier",
    "verified_count",
    "last_verified",
    "last_alert",
    "alert_count",
    "last_withdrawn",
    "last_acknowledged",
    "my_notifications",
    "my_unread",
    "unread_total",
)


def _may_see(user: Any, assignee_id: int) -> bool:
    # The rule of selectors.filings_for_user, applied to the one row already read.
    return user.has_perm(Perm.VIEW_ALL) or (user.has_perm(Perm.WORK_ON_OWN) and assignee_id == user.pk)


def detail_stamp(user: Any, filing_id: int) -> tuple | None:
    """Return everything that changes the filing's detail page for this user, or None when the
    user may not see the filing (the caller then takes the ordinary path, which answers 404)."""
    sql, params = _stamp_query()
    ids = {_FILING: filing_id, _USER: user.pk}
    row = statements.first_row(sql, [ids.get(p, p) if isinstance(p, int) else p for p in params])
    if row is None or not _may_see(user, row[0]):
        return None
    return row


EVERYTHING = "stamp:epoch"


def filing_token_key(filing_id: int) -> str:
    return f"stamp:filing:{filing_id}"


def user_token_key(user_id: int) -> str:
    return f"stamp:user:{user_id}"


def filings_changed(filing_ids: Any) -> None:
    """Record (now and on commit) that these filings' pages show something new."""
    bump_tokens(filing_token_key(pk) for pk in filing_ids if pk is not None)


def users_changed(user_ids: Any) -> None:
    """Record that these users' own part of every page (notifications, nav) changed."""
    bump_tokens(user_token_key(pk) for pk in user_ids if pk is not None)


def everything_changed() -> None:
    """Record a change whose filings are not known cheaply: every cached page is dropped."""
    bump_tokens([EVERYTHING])


def detail_key(request: HttpRequest, filing_id: int) -> str | None:
    """Return the cache key of this request's rendering of the page, or None when not cacheable."""
    user_id = request.user.pk
    keys = [filing_token_key(filing_id), user_token_key(user_id), EVERYTHING]
    tokens = current_tokens(keys)
    epoch = getattr(request.user, "permission_epoch", None)
    if tokens is not None and epoch is not None:
        # Whether the viewer may see the filing is checked when the page is rendered; a change of
        # assignee replaces the filing's token. The viewer's permissions are what the epoch and the
        # superuser flag read with the user say (accounts/permission_cache.py): a hit need not load them.
        stamp = ("tokens", *(tokens[key] for key in keys))
        permissions = (epoch, request.user.is_superuser)
    else:
        stamp = detail_stamp(request.user, filing_id)
        permissions = sorted(request.user.get_all_permissions())  # loaded already by detail_stamp
    if stamp is None:
        return None
    viewer = (
        user_id,
        permissions,
        get_language(),
        request.get_full_path(),
        timezone.now().replace(second=0, microsecond=0).isoformat(),  # countdowns show minutes
    )
    digest = hashlib.sha256(repr((stamp, viewer)).encode()).hexdigest()
    return f"filing-detail:{filing_id}:{user_id}:{digest}"


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def cached_detail_page(request: HttpRequest, filing_id: int, render: Callable[[dict], str]) -> HttpResponse:
    """Serve the page from the cache, or render it with `render(extra_context)` and store it.

    Pages carrying one-off messages (after a redirect) are always rendered afresh."""
    key = None if _has_messages(request) else detail_key(request, filing_id)
    stored = cache.get(key) if key else None
    if stored is None:
        # The placeholder goes with the page: another worker has its own.
        stored = (CSRF_PLACEHOLDER, render({"csrf_token": CSRF_PLACEHOLDER}))
        if key:
            cache.set(key, stored, TIMEOUT_SECONDS)
    placeholder, html = stored
    return HttpResponse(html.replace(placeholder, get_token(request)))
