"""The filing list's cards written in Python: the words cards repeat (type, province, deadline kind)
are translated once per page, the links reversed once and the times formatted in Python, and each
card is one string (some 40 template calls a printed value made a 20-card loop most of the page)."""

import functools
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.per_language import per_language, translated_name
from filings.models import Deadline, Filing
from filings.models.deadlines import deadline_label
from filings.web.escaping import escaped
from filings.web.views import display
from filings.web.views.queue_rows import minute, url_for_each


def card_rows(
    filings: list[Filing], *, user: Any, unread_alerts: dict[int, int], now: datetime
) -> list[dict[str, Any]]:
    """Return what each card of the filing list shows."""
    type_label = functools.cache(lambda value: str(Filing.Type(value).label))
    limit_label = functools.cache(lambda kind, days: deadline_label(Deadline.Kind(kind).label, days))
    # Remembered per language and process; these per page, saving a lookup of the language a card.
    province_label = functools.cache(translated_name)
    bar = functools.cache(progress_bar)
    detail_url = url_for_each("filings:detail", "filing_id")
    tz = timezone.get_current_timezone()
    rows = []
    for filing in filings:
        returned = display.returned_by(filing, filing.last_round_transition)
        countdown = display.next_deadline(filing.open_deadlines, now)
        deadline = countdown.deadline if countdown else None
        rows.append(
            {
                "filing": filing,
                "url": detail_url(filing.pk),
                "subject": filing.subject.name,
                "first_app_name": filing.first_app_name,
                "type": type_label(filing.filing_type),
                "province": province_label(filing.province.short_name),
                "progress_bar": bar(filing.filing_type, filing.state, returned),
                "deadline": countdown
                and {
                    "text": countdown.text,
                    "overdue": countdown.overdue,
                    "urgent": countdown.urgent,
                    "label": limit_label(deadline.kind, deadline.workdays),
                    "due": minute(deadline.due_at, tz),
                    "provisional": deadline.provisional,
                },
                # The next step speaks to the filing's principal; staff reading the list are not asked.
                "next_step": (
                    display.next_step(filing, returned, filing.open_deadlines)
                    if filing.assignee_id == user.pk
                    else ""
                ),
                "updated": minute(filing.updated_at, tz),
                "unread_alerts": unread_alerts.get(filing.pk, 0),
            }
        )
    words = _card_words()
    for row in rows:
        row["html"] = card_html(row, words)
    return rows


@per_language
def progress_bar(filing_type: str, state: str, returned: str) -> SafeString:
    """Return the progress bar of the filings of one type in one state (and returned by one
    transition) as HTML, written once per language and process: it follows from the filing types'
    declarations and the translations alone. Through the template engine it cost 0.14 ms a card."""
    return progress_html(display.progress_in(filing_type, state, returned), progress_words())


def progress_words() -> dict[str, str]:
    """Return the words every progress bar shows, translated and escaped."""
    return {"aria_label": conditional_escape(_("备案进度")), "withdrawn": conditional_escape(_("已撤回"))}


def progress_html(progress: display.Progress, words: dict[str, str]) -> SafeString:
    """Return the progress bar as the cards and the filing page show it (each value escaped)."""
    e = conditional_escape
    current = ' aria-current="step"'
    steps = "".join(
        f'\n  <li class="step {e(step.status)}"{current if step.status == "current" else ""}>\n'
        f'    <span class="dot" aria-hidden="true">{e(step.mark)}</span>\n'
        f'    <span class="step-label">{e(step.label)}</span>\n'
        f'    <span class="visually-hidden">{e(step.status_text)}</span>\n'
        "  </li>\n  "
        for step in progress.steps
    )
    # As {% blocktranslate %} printed it: the translation as it is, the value escaped.
    returned = (
        f'<p class="badge bad">{_("已退回:%(what)s") % {"what": e(progress.returned)}}</p>'
        if progress.returned
        else ""
    )
    withdrawn = f'<p class="badge muted">{words["withdrawn"]}</p>' if progress.withdrawn else ""
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<div class="progress-wrap">\n'
        f'<ol class="progress{" withdrawn" if progress.withdrawn else ""}" aria-label="{words["aria_label"]}">\n'
        f"  {steps}\n</ol>\n{returned}\n{withdrawn}\n</div>\n"
    )


@per_language
def _card_words() -> dict[str, str]:
    """Return the words every card shows, translated and escaped once per language."""
    return {
        key: conditional_escape(text)
        for key, text in {
            "next_deadline": _("下一个截止"),
            "next_step": _("下一步"),
            "updated": _("更新时间"),
            "provisional": _("暂定"),
            "provisional_title": _("跨越尚无官方放假安排的年份,录入后将重新计算"),
            "unread_title": _("未读提醒"),
        }.items()
    }


def card_html(row: dict[str, Any], words: dict[str, str]) -> SafeString:
    """Return one card of the list as HTML, as the template printed it (each value escaped)."""
    e = escaped
    title = e(row["subject"])
    if row["first_app_name"]:
        title += " · " + e(row["first_app_name"])
    unread = ""
    if row["unread_alerts"]:
        n = row["unread_alerts"]
        # As {% blocktranslate count %} printed it: the translation as it is, the number escaped.
        text = ngettext("%(n)s 条未读提醒", "%(n)s 条未读提醒", n) % {"n": e(n)}
        unread = f'<span class="badge warn" title="{words["unread_title"]}">{text}</span>'
    deadline = row["deadline"]
    if deadline:
        tone = " overdue" if deadline["overdue"] else " urgent" if deadline["urgent"] else ""
        when = (
            f'<span class="countdown{tone}">{e(deadline["text"])}</span> '
            f'<span class="muted">{e(deadline["label"])} · {e(deadline["due"])}</span>'
        )
        if deadline["provisional"]:
            when += f' <span class="badge muted" title="{words["provisional_title"]}">{words["provisional"]}</span>'
    else:
        when = "—"
    next_step = (
        f"<div><dt>{words['next_step']}</dt><dd>{e(row['next_step'])}</dd></div>" if row["next_step"] else ""
    )
    return mark_safe(  # noqa: S308 - every value above is escaped
        "\n"
        '  <li class="card filing-card">\n'
        '    <div class="filing-card-head">\n'
        f'      <h2><a href="{e(row["url"])}">{title}</a></h2>\n'
        f'      <span class="tag">{e(row["type"])}</span>\n'
        f'      <span class="tag">{e(row["province"])}</span>\n'
        f"      {unread}\n"
        "    </div>\n"
        f"    {e(row['progress_bar'])}\n"
        '    <dl class="facts">\n'
        f"      <div><dt>{words['next_deadline']}</dt><dd>{when}</dd></div>\n"
        f"      {next_step}\n"
        f"      <div><dt>{words['updated']}</dt><dd>{e(row['updated'])}</dd></div>\n"
        "    </dl>\n"
        "  </li>\n"
    )
