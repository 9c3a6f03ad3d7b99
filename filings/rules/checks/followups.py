"""The rules of filings that act on a published one: a change keeps only the results of what it
changes and adds its own; a cancellation needs a published, still open target."""

from django.utils.translation import gettext as _

from filings.kinds.states import State
from filings.models import Filing
from filings.rules import change_rules
from filings.rules.change_diff import change_diff
from filings.rules.checks.result import Checklist, CheckResult


def checks_of_change(filing: Filing, checklist: Checklist) -> Checklist:
    """Keep the results about the parts the change changes, and add the change's own rules."""
    parts = change_diff(filing)
    site_of_domain = {d.pk: w.pk for w in filing.websites.all() for d in w.domains.all()}

    def relevant(result: CheckResult) -> bool:
        section = result.field.partition(".")[0]
        if section == "subject":
            return parts.subject or result.code == "one_open_filing"
        if section in ("subject_principal", "website_principal"):
            return result.object_id in parts.people or (result.object_id is None and parts.subject_principal)
        if section == "website":
            return result.object_id in parts.websites if result.object_id else bool(parts.websites)
        if section == "domain":
            return site_of_domain.get(result.object_id, result.object_id) in parts.websites
        if section == "app":
            return result.object_id in parts.apps if result.object_id else bool(parts.apps)
        if section == "app_principal":
            return result.object_id in parts.people
        return True

    scoped = Checklist([r for r in checklist.results if relevant(r)])
    scoped.add(
        "change_has_changes",
        parts.any,
        _("变更备案还没有修改任何内容。"),
        field="subject.name",
        fix=_("修改需要变更的信息后再提交。"),
        passed_message=_("变更备案修改了 %(n)s 处信息。") % {"n": len(parts.rows)},
    )
    published = change_rules.published_subject_of(filing)
    identity = (
        change_rules.identity_changes(
            published, {name: getattr(filing.subject, name) for name in change_rules.IDENTITY_FIELDS}
        )
        if published
        else []
    )
    for change in identity:
        scoped.add("change_keeps_identity", False, change.message, field=change.field, fix=change.fix)
    scoped.add(
        "change_keeps_websites",
        not parts.added_websites and not parts.removed_websites,
        _("变更备案不能新增或删除网站或应用(%(names)s)。")
        % {"names": "、".join(parts.added_websites + parts.removed_websites)},
        field="website.name",
        fix=_("新增请办理新增网站或APP备案,删除请办理注销网站或注销APP。"),
        passed_message=_("变更备案保留了原有的网站。"),
    )
    return scoped


def check_cancellation(filing: Filing, checklist: Checklist) -> None:
    cancellation = getattr(filing, "cancellation", None)
    target = filing.target
    checklist.add(
        "cancellation_target_published",
        target is not None and target.state == State.PUBLISHED,
        _("只有已公示的备案可以注销或取消接入。"),
        field="subject.name",
        fix=_("撤回本申请。"),
        passed_message=_("所注销的备案已公示。"),
    )
    item = cancellation and (cancellation.website or cancellation.app)
    still_there = cancellation is not None and (
        cancellation.scope == cancellation.Scope.SUBJECT
        or (item is not None and item.cancelled_at is None)
        and not (cancellation.scope == cancellation.Scope.ACCESS and cancellation.website.access_cancelled_at)
    )
    checklist.add(
        "cancellation_item_open",
        still_there,
        _("要注销或取消接入的对象已不存在或已办理。"),
        field="subject.name",
        fix=_("撤回本申请。"),
        passed_message=_("要办理的对象:%(item)s。")
        % {"item": cancellation.item_name if cancellation else "—"},
    )
