"""Reaching a published filing's responsible people: a reviewer records each call; two failed calls
to one person within a week give the principal a task to confirm their numbers."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import BeianError, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import State
from filings.models import CallAttempt, Deadline, Filing, FilingEvent
from filings.models.wording import said
from filings.reads.compliance import contacts_of
from filings.services import rectifications

FAILED_CALLS_WINDOW = timedelta(days=7)
FAILED_CALLS_FOR_TASK = 2


def record_call_attempt(
    filing: Filing,
    *,
    person_id: int,
    number: str,
    outcome: str,
    called_at: datetime | None = None,
    by: Any,
) -> CallAttempt:
    """Record a reviewer's call to one of the filing's responsible people; the second failed call to
    them within a week opens the principal's task to confirm their numbers."""
    if not getattr(by, "is_reviewer", False):
        raise TransitionNotPermitted(_("只有初审员可以记录电话核实。"))
    if outcome not in CallAttempt.Outcome.values:
        raise BeianError(_("请选择拨打结果。"), code="invalid_outcome")
    now = timezone.now()
    called_at = called_at or now
    if called_at > now + timedelta(minutes=5):
        raise BeianError(_("拨打时间不能晚于现在。"), code="called_in_future")
    with transaction.atomic():
        filing = (
            Filing.objects.select_for_update()
            .select_related("province", "subject_principal")
            .get(pk=filing.pk)
        )
        if filing.state != State.PUBLISHED:
            raise TransitionNotPossible(_("只有已公示的备案需要电话核实。"))
        person = next((p for p in contacts_of(filing) if p.pk == person_id), None)
        if person is None:
            raise BeianError(_("该负责人不属于此备案。"), code="unknown_person")
        number = number.strip()
        if number not in {person.mobile, person.emergency_phone} - {""}:
            raise BeianError(_("号码必须是该负责人登记的手机号码或应急电话。"), code="unknown_number")
        attempt = CallAttempt.objects.create(
            filing=filing, person=person, number=number, called_at=called_at, outcome=outcome, recorded_by=by
        )
        FilingEvent.record_step(
            filing,
            transition="call_attempt",
            by=by,
            at=now,
            comment=said(
                gettext_noop("电话核实:%(person)s %(number)s,%(outcome)s。"),
                person=person.name,
                number=number,
                outcome=CallAttempt.Outcome(outcome).label,
            ),
        )
        recent_failures = CallAttempt.objects.filter(
            filing=filing,
            person=person,
            called_at__gte=called_at - FAILED_CALLS_WINDOW,
            called_at__lte=called_at,
        ).exclude(outcome=CallAttempt.Outcome.ANSWERED)
        if attempt.failed and recent_failures.count() >= FAILED_CALLS_FOR_TASK:
            rectifications.open_rectification(filing, Deadline.Kind.CONTACT_CONFIRM, now=now)
    return attempt


def confirm_contact_numbers(filing: Filing, *, by: Any) -> int:
    """The principal confirms their numbers are right: the task closes. Return how many closed."""
    if by is None or by.pk != filing.assignee_id:
        raise TransitionNotPermitted(_("只有本备案的服务负责人可以确认联系电话。"))
    now = timezone.now()
    with transaction.atomic():
        filing = Filing.objects.select_for_update().get(pk=filing.pk)
        closed = rectifications.close_rectification(filing, Deadline.Kind.CONTACT_CONFIRM, now=now)
        if closed:
            FilingEvent.record_step(
                filing,
                transition="contacts_confirmed",
                by=by,
                at=now,
                comment=said(gettext_noop("服务负责人已确认联系电话。")),
            )
    return closed
