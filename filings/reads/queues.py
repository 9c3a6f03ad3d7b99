"""The reviewer's work queues: open filings of one stage ordered by their nearest deadline."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.kinds.states import State
from filings.models import Deadline, Province
from filings.reads import keyset
from filings.reads.dashboard import AT_RISK_WINDOWS


@dataclass(frozen=True)
class Queue:
    slug: str
    label: str
    state: str
    deadline_kind: str


QUEUES = {
    q.slug: q
    for q in [
        Queue("provider_review", _("服务商初审"), State.PROVIDER_REVIEW, Deadline.Kind.PREREVIEW_OVERDUE),
        Queue("sms_verification", _("等待短信核验"), State.SMS_VERIFICATION, Deadline.Kind.SMS_WINDOW),
        Queue("bureau_review", _("管局审核中"), State.BUREAU_REVIEW, Deadline.Kind.BUREAU_REVIEW),
        Queue("public_security", _("已公示待公安备案"), State.PUBLISHED, Deadline.Kind.PUBLIC_SECURITY),
    ]
}
PAGE_SIZE = 25
# What a queue's page and API show of each row and its filing; the province comes from the
# page's own list of provinces (one join fewer to plan).
ROW_FIELDS = (
    "kind",
    "workdays",
    "due_at",
    "provisional",
    "filing__state",
    "filing__filing_type",
    "filing__stage_entered_at",
    "filing__province",
    "filing__subject__name",
    "filing__reviewer_id",
    "filing__reviewer__username",
    "filing__reviewer__display_name",
)
# The same read as plain values, for the web page: building 25 deadlines, their filings, subjects
# and reviewers as model instances cost more than the query.
ROW_VALUES = (
    "id",
    "kind",
    "workdays",
    "due_at",
    "provisional",
    "filing_id",
    "filing__state",
    "filing__filing_type",
    "filing__stage_entered_at",
    "filing__province_id",
    "filing__subject__name",
    "filing__reviewer_id",
    "filing__reviewer__username",
    "filing__reviewer__display_name",
)


def queue_deadlines(
    queue: Queue, *, user: Any = None, mine: bool = False, province_code: str | None = None
) -> QuerySet[Deadline]:
    """Return the queue's open deadlines (one per filing), nearest first, with their filings."""
    rows = Deadline.objects.filter(kind=queue.deadline_kind, closed_at__isnull=True)
    if mine and user is not None:
        rows = rows.filter(filing__reviewer=user)
    if province_code:
        # One province id (a scalar subquery), so the queue walks (kind, province, due_at, id).
        rows = rows.filter(province=Subquery(Province.objects.filter(code=province_code).values("pk")[:1]))
    return (
        rows.select_related("filing__subject", "filing__reviewer").only(*ROW_FIELDS).order_by("due_at", "id")
    )


# A tab says how many rows its queue lists up to this many, and "more than" beyond.
TAB_COUNT_CAP = 1000


# One queue's open deadlines (of one kind), read along its partial index no further than a limit;
# the overdue count adds a bound on the due time.
_CAPPED_SIZE = (
    f"cardinality(ARRAY(SELECT id FROM {Deadline._meta.db_table} WHERE kind = %s AND closed_at IS NULL"
    "{passed} LIMIT %s))"
)


def queue_sizes(
    *,
    cap: int = TAB_COUNT_CAP,
    overdue_in: Queue | None = None,
    now: datetime | None = None,
    overdue_cap: int = keyset.COUNT_CAP,
) -> dict[str, int]:
    """Return how many rows each queue lists now (its open deadlines), each read along its own index
    no further than cap + 1, in one statement: one grouped count of every open deadline grew with
    the queues (37 ms at 100,000 filings), and fetching the capped rows cost 3-4 ms. With
    `overdue_in`, the same statement also counts that queue's passed deadlines (to overdue_cap + 1)
    under the key "overdue" (one query fewer for a queue page)."""
    kinds = {q.slug: q.deadline_kind for q in QUEUES.values()}
    if connection.vendor == "postgresql":
        # Written as SQL: building its five subqueries through the ORM cost 1.6 ms of CPU on every
        # queue page (of about 14 ms at 100,000 filings), this statement 0.2 ms; it has no ORM twin.
        parts = [_CAPPED_SIZE.format(passed="")] * len(kinds)
        params: list[Any] = [value for kind in kinds.values() for value in (kind, cap + 1)]
        keys = list(kinds)
        if overdue_in is not None:
            parts.append(_CAPPED_SIZE.format(passed=" AND due_at < %s"))
            params += [overdue_in.deadline_kind, now or timezone.now(), overdue_cap + 1]
            keys.append("overdue")
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            return dict(zip(keys, cursor.fetchone(), strict=True))
    # SQLite (make run's small demo) has no arrays: one grouped count.
    sizes = dict(
        Deadline.objects.filter(closed_at__isnull=True, kind__in=list(kinds.values()))
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    result = {slug: sizes.get(kind, 0) for slug, kind in kinds.items()}
    if overdue_in is not None:
        result["overdue"] = overdue_count(overdue_in, now=now, cap=overdue_cap)
    return result


def queue_page(
    queue: Queue, *, after: keyset.Position | None = None, values: tuple[str, ...] = (), **filters: Any
) -> keyset.Page:
    """Return one page of a queue from a position; one query, no count of the whole queue. With
    `values` (ROW_VALUES), the rows are dicts of those fields."""
    rows = queue_deadlines(queue, **filters)
    return keyset.page_after(
        rows.values(*values) if values else rows, order=keyset.SOONEST_DUE, after=after, size=PAGE_SIZE
    )


# How a queue or list marks an open deadline's urgency (see urgency()).
URGENCY_MARKS = {"overdue": _("已超期"), "at_risk": _("即将到期"), "": _("按期")}


def urgency(deadline: Deadline, *, now: datetime | None = None) -> str:
    """Return "overdue", "at_risk" or "" for an open deadline."""
    return urgency_of(deadline.kind, deadline.due_at, now=now)


def urgency_of(kind: str, due_at: datetime, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if due_at < now:
        return "overdue"
    window = AT_RISK_WINDOWS.get(kind)
    if window is not None and due_at < now + window:
        return "at_risk"
    return ""


def overdue_count(queue: Queue, *, now: datetime | None = None, cap: int | None = None) -> int:
    """Return how many of the queue's open deadlines have passed, counting no further than cap + 1."""
    overdue = Deadline.objects.filter(
        kind=queue.deadline_kind, closed_at__isnull=True, due_at__lt=now or timezone.now()
    )
    return overdue.count() if cap is None else keyset.capped_count(overdue, cap=cap)
