"""The reviewer's work queues: open filings of one stage ordered by their nearest deadline."""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings import statements
from filings.models import Deadline, Filing, Province, Subject
from filings.states import State
from filings.stats import AT_RISK_WINDOWS


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
# What a queue page shows of each row; fetched as plain values (no model instances).
ROW_FIELDS = (
    "id",
    "kind",
    "due_at",
    "provisional",
    "filing_id",
    "filing__state",
    "filing__province_id",
    "filing__stage_entered_at",
    "filing__reviewer_id",
    "filing__subject__name",
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
        rows = rows.filter(filing__province__code=province_code)
    return rows.select_related("filing__subject", "filing__province", "filing__reviewer").order_by(
        "due_at", "id"
    )


@dataclass
class QueuePage:
    rows: list[Deadline]
    page: int
    has_next: bool


def queue_page(queue: Queue, *, page: int = 1, **filters: Any) -> QueuePage:
    """Return one page of a queue; one query, no count of the whole queue."""
    page = max(1, page)
    start = (page - 1) * PAGE_SIZE
    rows = list(queue_deadlines(queue, **filters)[start : start + PAGE_SIZE + 1])
    return QueuePage(rows=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE)


def queue_value_rows(
    queue: Queue, *, page: int = 1, user: Any = None, mine: bool = False, province_code: str | None = None
) -> QueuePage:
    """Return one page of a queue as dicts of ROW_FIELDS; one query, no count of the whole queue.

    Same rows and order as queue_deadlines(), written out once per filter shape (statements.py)."""
    page = max(1, page)
    mine = bool(mine and user is not None)
    params: list[Any] = [queue.deadline_kind]
    if mine:
        params.append(user.pk)
    if province_code:
        params.append(province_code)
    params += [PAGE_SIZE + 1, (page - 1) * PAGE_SIZE]
    with connection.cursor() as cursor:
        cursor.execute(_queue_rows_sql(mine=mine, by_province=bool(province_code)), params)
        fetched = cursor.fetchall()
    if connection.vendor == "sqlite":
        fetched = [_typed(values) for values in fetched]
    rows = [dict(zip(ROW_FIELDS, values, strict=True)) for values in fetched]
    return QueuePage(rows=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE)


@functools.cache
def _queue_rows_sql(*, mine: bool, by_province: bool) -> str:
    deadline, filing = Deadline._meta.db_table, Filing._meta.db_table
    subject, province = Subject._meta.db_table, Province._meta.db_table
    user = get_user_model()._meta.db_table
    where = ["d.kind = %s", "d.closed_at IS NULL"]
    joins = [
        f"JOIN {filing} f ON f.id = d.filing_id",
        f"JOIN {subject} s ON s.id = f.subject_id",
        f"LEFT JOIN {user} u ON u.id = f.reviewer_id",
    ]
    if mine:
        where.append("f.reviewer_id = %s")
    if by_province:
        joins.append(f"JOIN {province} p ON p.id = f.province_id")
        where.append("p.code = %s")
    return (
        "SELECT d.id, d.kind, d.due_at, d.provisional, d.filing_id, f.state, f.province_id,"
        " f.stage_entered_at, f.reviewer_id, s.name, u.username, u.display_name"
        f" FROM {deadline} d {' '.join(joins)} WHERE {' AND '.join(where)}"
        " ORDER BY d.due_at, d.id LIMIT %s OFFSET %s"
    )


def _typed(values: tuple) -> tuple:
    """Make SQLite's naive UTC datetimes and 0/1 booleans what PostgreSQL returns."""
    (pk, kind, due_at, provisional, filing_id, state, province_id, entered, *rest) = values
    return (
        pk,
        kind,
        statements.aware(due_at),
        bool(provisional),
        filing_id,
        state,
        province_id,
        statements.aware(entered),
        *rest,
    )


class ProvinceBrief(NamedTuple):
    """What a queue page shows of a province and estimates publication dates with."""

    pk: int
    code: str
    name: str
    short_name: str
    icp_abbreviation: str
    typical_bureau_workdays: int


def province_briefs() -> list[ProvinceBrief]:
    """Return every province in code order (written out, as the rows are)."""
    with connection.cursor() as cursor:
        cursor.execute(_provinces_sql())
        return [ProvinceBrief(*row) for row in cursor.fetchall()]


@functools.cache
def _provinces_sql() -> str:
    columns = ", ".join(ProvinceBrief._fields).replace("pk", "id", 1)
    return f"SELECT {columns} FROM {Province._meta.db_table} ORDER BY code"


# How a queue or list marks an open deadline's urgency (see urgency()).
URGENCY_MARKS = {"overdue": _("已超期"), "at_risk": _("即将到期"), "": _("按期")}


def urgency_marks() -> dict[str, str]:
    """Return URGENCY_MARKS in the active language, translated once for a page's rows."""
    return {urgency: str(mark) for urgency, mark in URGENCY_MARKS.items()}


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


def overdue_count(queue: Queue, *, now: datetime | None = None) -> int:
    """Return how many of the queue's open deadlines have passed (written out, as the rows are)."""
    return statements.scalar(_overdue_sql(), [queue.deadline_kind, now or timezone.now()])


@functools.cache
def _overdue_sql() -> str:
    return (
        f"SELECT COUNT(*) FROM {Deadline._meta.db_table}"
        " WHERE kind = %s AND closed_at IS NULL AND due_at < %s"
    )
