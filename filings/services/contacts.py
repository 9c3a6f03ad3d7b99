"""Reaching a published filing's responsible people: a reviewer records each call, the SMS gateway
reports each text it could not deliver; two failed attempts to reach one person within a week give
the principal a task to confirm their numbers."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import BeianError, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import State
from filings.models import CallAttempt, Deadline, Filing, FilingEvent, Person, Website
from filings.models.contacts import CALL_OUTCOMES
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
    if outcome not in dict(CALL_OUTCOMES):
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
        # The review page's form gives the minute only: a call in the minute of creation is after it.
        if called_at < filing.created_at.replace(second=0, microsecond=0):
            raise BeianError(_("拨打时间不能早于备案创建时间。"), code="called_before_filing")
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
        _ask_to_confirm_after_failures(attempt, now=now)
    return attempt


def _ask_to_confirm_after_failures(attempt: CallAttempt, *, now: datetime) -> None:
    """Open the principal's task to confirm their numbers when this failed attempt is the second
    (call or SMS) to the same person within a week."""
    if not attempt.failed:
        return
    recent_failures = CallAttempt.objects.filter(
        filing=attempt.filing,
        person=attempt.person,
        called_at__gte=attempt.called_at - FAILED_CALLS_WINDOW,
        called_at__lte=attempt.called_at,
    ).exclude(outcome=CallAttempt.Outcome.ANSWERED)
    if recent_failures.count() >= FAILED_CALLS_FOR_TASK:
        rectifications.open_rectification(attempt.filing, Deadline.Kind.CONTACT_CONFIRM, now=now)


class DeliveryStatus:
    """What an SMS gateway's delivery report says of one text."""

    DELIVERED = "delivered"
    FAILED = "failed"  # not delivered: switched off, out of reach, refused, unknown
    INVALID_NUMBER = "invalid_number"  # the operator says the number is empty or suspended

    CHOICES = (DELIVERED, FAILED, INVALID_NUMBER)


OUTCOME_OF_STATUS = {
    DeliveryStatus.FAILED: CallAttempt.Outcome.UNDELIVERED,
    DeliveryStatus.INVALID_NUMBER: CallAttempt.Outcome.OUT_OF_SERVICE,
}


@dataclass(frozen=True)
class DeliveryReport:
    """One SMS gateway delivery report: the text's id at the gateway, its number, status and time."""

    message_id: str
    mobile: str
    status: str
    reported_at: datetime


def record_sms_delivery_reports(reports: list[DeliveryReport], *, now: datetime | None = None) -> int:
    """Record each undelivered SMS against every published filing whose responsible person has that
    number (mobile or emergency phone); it counts toward the two failed attempts in a week like a
    failed call. A report the gateway sends again is recorded once. Return the attempts recorded."""
    now = now or timezone.now()
    recorded = 0
    for report in reports:
        outcome = OUTCOME_OF_STATUS.get(report.status)
        if outcome is None or not report.mobile:
            continue
        for filing_id in _published_filings_reaching(report.mobile):
            recorded += _record_undelivered(filing_id, report, outcome=outcome, now=now)
    return recorded


def _published_filings_reaching(number: str) -> list[int]:
    """Return the published filings whose subject or website principal has this number, each by an
    index lookup (people by number, then filings by principal)."""
    people = list(
        Person.objects.filter(Q(mobile=number) | Q(emergency_phone=number)).values_list("pk", flat=True)
    )
    if not people:
        return []
    as_subject = Filing.objects.filter(state=State.PUBLISHED, subject_principal_id__in=people)
    as_website = Website.objects.filter(filing__state=State.PUBLISHED, principal_id__in=people)
    return sorted(
        set(as_subject.values_list("pk", flat=True)) | set(as_website.values_list("filing_id", flat=True))
    )


def _record_undelivered(filing_id: int, report: DeliveryReport, *, outcome: str, now: datetime) -> int:
    with transaction.atomic():
        filing = (
            Filing.objects.select_for_update()
            .select_related("province", "subject_principal")
            .get(pk=filing_id)
        )
        if filing.state != State.PUBLISHED:
            return 0
        recorded = 0
        for person in contacts_of(filing):
            if report.mobile not in {person.mobile, person.emergency_phone} - {""}:
                continue
            if CallAttempt.objects.filter(
                filing=filing, person=person, number=report.mobile, report_id=report.message_id
            ).exists():
                continue
            attempt = CallAttempt.objects.create(
                filing=filing,
                person=person,
                number=report.mobile,
                called_at=min(report.reported_at, now),
                outcome=outcome,
                channel=CallAttempt.Channel.SMS,
                report_id=report.message_id,
            )
            FilingEvent.record_step(
                filing,
                transition="sms_undelivered",
                by=None,
                at=now,
                comment=said(
                    gettext_noop("短信未送达:%(person)s %(number)s,%(outcome)s。"),
                    person=person.name,
                    number=report.mobile,
                    outcome=CallAttempt.Outcome(outcome).label,
                ),
            )
            _ask_to_confirm_after_failures(attempt, now=now)
            recorded += 1
    return recorded


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
