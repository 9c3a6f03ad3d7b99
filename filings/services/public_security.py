"""Writes for the public-security registration (公安联网备案) after publication: correcting a
recorded number and recording the day the site went live, which starts the 30-day period."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import ConflictError, InvalidInput, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import State
from filings.models import Deadline, Filing, FilingEvent
from filings.models import transition_rules as transition_perms
from filings.models.wording import Said, said
from filings.rules import deadlines
from filings.services import alert_raising
from filings.services.transitions import checked_psb_number


def _lock_published(filing: Filing, *, expected_version: int | None) -> Filing:
    locked = Filing.objects.select_for_update(of=("self",)).select_related("province").get(pk=filing.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("该备案已被他人更新,请刷新后重试。"))
    if locked.state != State.PUBLISHED:
        raise TransitionNotPossible(
            _("备案处于“%(state)s”阶段,尚未公示。") % {"state": locked.get_state_display()}
        )
    return locked


def _record(locked: Filing, *, by: Any, now, transition: str, comment: Said, changes: list[dict]) -> None:
    locked.version += 1
    locked.updated_at = now
    locked.save(update_fields=[*{c["field"] for c in changes}, "version", "updated_at"])
    FilingEvent.record_step(locked, transition=transition, by=by, at=now, comment=comment, reasons=changes)


def correct_public_security_number(
    filing: Filing, *, by: Any, psb_number: str, expected_version: int | None = None
) -> Filing:
    """Replace a recorded public-security number; the history keeps the old and the new value."""
    with transaction.atomic():
        locked = _lock_published(filing, expected_version=expected_version)
        if not transition_perms.is_assignee_or_reviewer(locked, by):
            raise TransitionNotPermitted(_("只有服务负责人或初审员可以更正公安联网备案号。"))
        if not locked.psb_number:
            raise TransitionNotPossible(_("尚未记录公安联网备案号,请先记录。"))
        number = checked_psb_number(locked, psb_number)
        if number == locked.psb_number:
            return locked
        old = locked.psb_number
        locked.psb_number = number
        _record(
            locked,
            by=by,
            now=timezone.now(),
            transition="correct_public_security",
            comment=said(gettext_noop("公安联网备案号由 %(old)s 更正为 %(new)s。"), old=old, new=number),
            changes=[{"field": "psb_number", "old": old, "new": number}],
        )
    return locked


def set_went_live_on(
    filing: Filing, *, by: Any, went_live_on: date, expected_version: int | None = None
) -> Filing:
    """Record the day the site went live and move the open public-security deadline with it."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_published(filing, expected_version=expected_version)
        if not transition_perms.is_assignee(locked, by):
            raise TransitionNotPermitted(_("只有该备案的服务负责人可以修改网站开通日期。"))
        published_on = timezone.localdate(locked.published_at) if locked.published_at else None
        if published_on and went_live_on < published_on:
            raise InvalidInput(
                _("网站开通日期不能早于备案公示日期 %(day)s:取得备案号之前网站不得开通。")
                % {"day": published_on.isoformat()},
                details={"went_live_on": [_("请填写公示当天或之后的日期。")]},
            )
        if went_live_on > timezone.localdate(now):
            raise InvalidInput(
                _("网站开通日期不能晚于今天。"), details={"went_live_on": [_("网站开通后再填写。")]}
            )
        if went_live_on == locked.went_live_on:
            return locked
        old = locked.went_live_on
        locked.went_live_on = went_live_on
        _record(
            locked,
            by=by,
            now=now,
            transition="set_went_live_on",
            comment=said(
                gettext_noop("网站开通日期改为 %(day)s,公安联网备案期限随之重新计算。"),
                day=went_live_on.isoformat(),
            ),
            changes=[
                {
                    "field": "went_live_on",
                    "old": old.isoformat() if old else None,
                    "new": went_live_on.isoformat(),
                }
            ],
        )
        _move_public_security_deadline(locked, now=now)
    return locked


def _move_public_security_deadline(filing: Filing, *, now) -> None:
    deadline = (
        Deadline.objects.select_for_update()
        .filter(filing=filing, kind=Deadline.Kind.PUBLIC_SECURITY, closed_at__isnull=True)
        .first()
    )
    if deadline is None:
        return
    deadline.starts_at = deadlines.public_security_start(filing)
    due = deadlines.public_security_due(deadline.starts_at)
    deadline.due_at, deadline.provisional = due.at, due.provisional
    deadline.save(update_fields=["starts_at", "due_at", "provisional"])
    alert_raising.reconcile_alerts(
        [deadline.pk], now=now, reason=gettext_noop("网站开通日期已修改,公安联网备案期限重新计算。")
    )


def recompute_open_deadlines(*, now=None) -> int:
    """Recount every open public-security deadline from its filing's go-live date (after the rule
    changed from "30 days after publication"); return how many moved."""
    now = now or timezone.now()
    moved = []
    with transaction.atomic():
        open_ones = (
            Deadline.objects.select_for_update(of=("self",))
            .select_related("filing")
            .filter(kind=Deadline.Kind.PUBLIC_SECURITY, closed_at__isnull=True)
        )
        for deadline in open_ones:
            starts_at = deadlines.public_security_start(deadline.filing)
            due = deadlines.public_security_due(starts_at)
            if (deadline.starts_at, deadline.due_at, deadline.provisional) != (
                starts_at,
                due.at,
                due.provisional,
            ):
                deadline.starts_at, deadline.due_at, deadline.provisional = starts_at, due.at, due.provisional
                deadline.save(update_fields=["starts_at", "due_at", "provisional"])
                moved.append(deadline.pk)
        if moved:
            alert_raising.reconcile_alerts(
                moved, now=now, reason=gettext_noop("公安联网备案期限改为自网站开通之日起计算。")
            )
    return len(moved)
