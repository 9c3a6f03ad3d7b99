"""Cancellations: 注销网站 / 注销APP / 注销主体 go through pre-review, SMS and the bureau like any
filing; 取消接入 ends at the provider. Each starts from a short form on a published filing."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import InvalidInput, TransitionNotPossible
from filings.kinds import KINDS, Approval
from filings.kinds.states import State
from filings.models import App, Cancellation, Filing, FilingEvent, Website
from filings.models.wording import Said, said
from filings.rules import deadlines, proposals
from filings.services.changes import create_followup, lock_followup_target, refuse_open_followup
from filings.services.drafts import start_draft_history
from filings.services.transitions import apply_transition, lock_filing, refuse_unless_allowed

Scope = Cancellation.Scope


def _item(
    target: Filing, scope: str, website_id: int | None, app_id: int | None
) -> tuple[Website | None, App | None]:
    """Return the published website or app a cancellation names, refusing one that cannot be cancelled."""
    if scope in (Scope.WEBSITE, Scope.ACCESS):
        website = target.websites.filter(pk=website_id).first() if website_id else None
        if website is None:
            problem = _("网站不属于该备案。") if website_id else _("请选择本备案的网站。")
            raise InvalidInput(_("请选择该备案中要注销或取消接入的网站。"), details={"website": [problem]})
        if website.cancelled_at:
            raise TransitionNotPossible(_("网站“%(name)s”已注销。") % {"name": website.name})
        if scope == Scope.ACCESS and website.access_cancelled_at:
            raise TransitionNotPossible(_("网站“%(name)s”已取消接入。") % {"name": website.name})
        return website, None
    if scope == Scope.APP:
        app = target.apps.filter(pk=app_id).first() if app_id else None
        if app is None:
            problem = _("应用不属于该备案。") if app_id else _("请选择本备案的应用。")
            raise InvalidInput(_("请选择该备案中要注销的应用。"), details={"app": [problem]})
        if app.cancelled_at:
            raise TransitionNotPossible(_("应用“%(name)s”已注销。") % {"name": app.name})
        return None, app
    return None, None


def open_cancellation(
    target: Filing,
    *,
    by: Any,
    scope: str,
    reason: str,
    confirm: bool,
    website_id: int | None = None,
    app_id: int | None = None,
    explanation: str = "",
    next_provider: str = "",
    last_item: str = "",
) -> Filing:
    """Open a cancellation (or cancel access) of a published filing's website, app or subject. When
    the website or app is the subject's last, cancelling the subject is proposed instead and
    `last_item` says what the principal chose (proposals.LastItemChoice)."""
    if scope not in Scope.values:
        raise InvalidInput(_("未知的注销类型。"), details={"scope": [_("请选择注销类型。")]})
    if reason not in Cancellation.Reason.values:
        raise InvalidInput(_("请选择注销原因。"), details={"reason": [_("请选择注销原因。")]})
    if not confirm:
        raise InvalidInput(
            _("请确认要%(scope)s的对象。") % {"scope": Scope(scope).label},
            details={"confirm": [_("请勾选确认。")]},
        )
    now = timezone.now()
    with transaction.atomic():
        target = lock_followup_target(
            target,
            by=by,
            not_yours=_("只有该备案的服务负责人可以办理注销或取消接入。"),
            not_published=_("只有已公示的备案可以%(scope)s(当前阶段:%(state)s)。")
            % {"scope": Scope(scope).label, "state": target.get_state_display()},
            not_main=_("请在主体的网站或APP备案上办理。"),
        )
        website, app = _item(target, scope, website_id, app_id)
        keeps_shell = False
        if scope in (Scope.WEBSITE, Scope.APP) and proposals.leaves_shell_subject(
            target, website_id=website and website.pk, app_id=app and app.pk
        ):
            if last_item == proposals.LastItemChoice.CANCEL_SUBJECT:
                scope, website, app = Scope.SUBJECT, None, None
            elif last_item == proposals.LastItemChoice.KEEP_SUBJECT:
                keeps_shell = True
            else:
                raise _shell_subject_proposed(website or app)
        refuse_open_followup(target, by=by)
        filing = create_followup(
            target,
            filing_type=next(code for code, kind in KINDS.items() if scope in kind.cancel_scopes),
            by=by,
            now=now,
        )
        cancellation = Cancellation.objects.create(
            filing=filing,
            scope=scope,
            website=website,
            app=app,
            reason=reason,
            explanation=explanation.strip()[:1000],
            next_provider=next_provider.strip()[:100],
            confirmed_at=now,
        )
        start_draft_history(
            filing,
            by=by,
            now=now,
            comment=said(
                gettext_noop("%(scope)s:%(item)s(%(reason)s);主体保留,将成为空壳主体。")
                if keeps_shell
                else gettext_noop("%(scope)s:%(item)s(%(reason)s)。"),
                scope=Scope(cancellation.scope).label,
                item=cancellation.item_name,
                reason=Cancellation.Reason(cancellation.reason).label,
            ),
        )
    return filing


def _shell_subject_proposed(item: Website | App) -> InvalidInput:
    message = _(
        "“%(name)s”是该主体最后一个已备案的网站或APP,注销后主体将成为空壳主体。"
        "建议改为注销主体;如只注销它、保留主体,请选择“保留主体”。"
    ) % {"name": item.name}
    return InvalidInput(
        message,
        details={"last_item": [_("请选择改为注销主体,或只注销它并保留主体。")]},
    )


def finish_access_cancellation(filing: Filing, *, by: Any, comment: str = "") -> Filing:
    """End a cancel access at the provider: the site is no longer hosted here (no SMS, no bureau)."""
    now = timezone.now()
    with transaction.atomic():
        locked = lock_filing(filing)
        if locked.kind.approval != Approval.END_ACCESS:
            raise TransitionNotPossible(_("只有取消接入在服务商处完成。"))
        refuse_unless_allowed(locked, locked.finish_at_provider, by=by)
        cancellation = Cancellation.objects.select_related("website").get(filing=locked)
        text = (
            said(
                gettext_noop("取消接入已完成,网站“%(name)s”不再由本服务商接入,继续由%(next)s接入。"),
                name=cancellation.item_name,
                next=cancellation.next_provider,
            )
            if not cancellation.leaves_shell
            else said(
                gettext_noop(
                    "取消接入已完成;网站“%(name)s”已无接入服务商,将成为空壳网站,管局可能注销其备案。"
                ),
                name=cancellation.item_name,
            )
        )
        apply_transition(locked, locked.finish_at_provider, by=by, comment=comment or text, now=now)
        _apply(cancellation, by=by, now=now, text=text)
    return locked


def approve_cancellation(filing: Filing, *, by: Any, comment: str = "") -> Filing:
    """Record the bureau's approval of a cancellation: the website, app or subject is cancelled."""
    now = timezone.now()
    with transaction.atomic():
        locked = lock_filing(filing)
        refuse_unless_allowed(locked, locked.approve, by=by)
        if locked.kind.approval != Approval.CANCEL:
            raise TransitionNotPossible(_("这不是一个注销备案。"))
        cancellation = Cancellation.objects.select_related("website", "app").get(filing=locked)
        text = said(gettext_noop("管局已注销:%(item)s。"), item=cancellation.item_name)
        apply_transition(locked, locked.approve, by=by, comment=comment or text, now=now)
        _apply(cancellation, by=by, now=now, text=text)
    return locked


def _apply(cancellation: Cancellation, *, by: Any, now, text: Said) -> None:
    target = lock_filing(cancellation.filing.target)
    if cancellation.scope == Scope.WEBSITE:
        Website.objects.filter(pk=cancellation.website_id).update(cancelled_at=now)
    elif cancellation.scope == Scope.ACCESS:
        values = {"access_cancelled_at": now}
        if cancellation.next_provider:
            values["server_provider"] = cancellation.next_provider
        Website.objects.filter(pk=cancellation.website_id).update(**values)
    elif cancellation.scope == Scope.APP:
        App.objects.filter(pk=cancellation.app_id).update(cancelled_at=now)
    else:
        subjects = Filing.objects.filter(subject_id=target.subject_id).values("pk")
        Website.objects.filter(filing_id__in=subjects, cancelled_at__isnull=True).update(cancelled_at=now)
        App.objects.filter(filing_id__in=subjects, cancelled_at__isnull=True).update(cancelled_at=now)
    cancellation.applied_at = now
    cancellation.save(update_fields=["applied_at"])
    # What was cancelled owes no public-security registration or footer any more.
    touched = (
        Filing.objects.filter(subject_id=target.subject_id, state=State.PUBLISHED)
        if cancellation.scope == Scope.SUBJECT
        else Filing.objects.filter(pk=target.pk)
    )
    deadlines.close_when_nothing_online(list(touched.prefetch_related("websites", "apps")), now=now)
    FilingEvent.record_step(target, transition="cancellation_applied", by=by, at=now, comment=text)
