"""The name of an alert threshold ("到期前4小时", "停滞15天"), said from its kind and parameters in the
reader's language; an admin's own name, when given, is shown as written."""

from datetime import timedelta

from django.utils.translation import gettext_lazy, ngettext

from filings.models import AlertThreshold, Deadline

# A draft untouched this long is overdue; the stale-entry thresholds count back from it.
STALE_ENTRY_DAYS = 30

# What reaching the deadline itself means, by the deadline's kind.
AT_DEADLINE = {
    Deadline.Kind.SMS_WINDOW: gettext_lazy("超时退回"),
    Deadline.Kind.PREREVIEW_TARGET: gettext_lazy("达到1个工作日目标"),
    Deadline.Kind.PREREVIEW_OVERDUE: gettext_lazy("超过2个工作日"),
    Deadline.Kind.BUREAU_REVIEW: gettext_lazy("超过审核时限"),
    Deadline.Kind.PUBLIC_SECURITY: gettext_lazy("超过30天"),
    Deadline.Kind.FOOTER_FIX: gettext_lazy("页脚检查未通过"),
}
AT_DEADLINE_OTHERWISE = gettext_lazy("到期时")


def _whole_days(offset: timedelta) -> int | None:
    seconds = abs(int(offset.total_seconds()))
    return seconds // 86400 if seconds % 86400 == 0 else None


def _hours(offset: timedelta) -> int:
    return max(1, round(abs(offset.total_seconds()) / 3600))


def threshold_label(threshold: AlertThreshold) -> str:
    """Return the threshold's name in the active language (its own label when an admin gave one)."""
    if threshold.label:
        return threshold.label
    if threshold.workdays_before:
        n = threshold.workdays_before
        return ngettext("到期前%(n)s个工作日", "到期前%(n)s个工作日", n) % {"n": n}
    offset = threshold.offset or timedelta(0)
    if threshold.deadline_kind == Deadline.Kind.STALE_ENTRY:
        n = STALE_ENTRY_DAYS + offset.days
        return ngettext("停滞%(n)s天", "停滞%(n)s天", n) % {"n": n}
    days = _whole_days(offset)
    if offset < timedelta(0) and days:
        return ngettext("到期前%(n)s天", "到期前%(n)s天", days) % {"n": days}
    if offset < timedelta(0):
        return ngettext("到期前%(n)s小时", "到期前%(n)s小时", _hours(offset)) % {"n": _hours(offset)}
    if offset > timedelta(0) and days:
        return ngettext("超期%(n)s天", "超期%(n)s天", days) % {"n": days}
    if offset > timedelta(0):
        return ngettext("超期%(n)s小时", "超期%(n)s小时", _hours(offset)) % {"n": _hours(offset)}
    return str(AT_DEADLINE.get(threshold.deadline_kind, AT_DEADLINE_OTHERWISE))
