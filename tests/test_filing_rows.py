"""The filing page writes its inbox rows and its open deadlines' rows in Python: the same HTML its
template wrote, in Chinese and English, with every value escaped."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from filings.kinds.states import State
from filings.models import Deadline
from filings.web.views.display import Countdown
from filings.web.views.filing_rows import deadline_lines, inbox_lines

# The rows as the filing page's template wrote them before they were written in Python.
TEMPLATE_INBOX = Template(
    '{% load i18n %}{% for a in alerts %}<li class="alert-row {{ a.tone }}">{% if a.unread %}<span class="badge warn">'
    '{% translate "未读" %}</span> {% endif %}<span class="badge {{ a.tone }}">{{ a.badge }}</span> {{ a.title }} '
    '<span class="muted">{{ a.at|date:"Y-m-d H:i" }}</span>{% if a.url %} <a href="{{ a.url }}">{{ a.action }} →</a>'
    "{% endif %}</li>{% endfor %}"
)
TEMPLATE_DEADLINES = Template(
    "{% load i18n %}{% for row in deadlines %}{% with d=row.deadline %}\n"
    '      <tr><td>{{ d.label }}</td><td>{{ d.get_stage_display }}</td><td>{{ d.starts_at|date:"Y-m-d H:i" }}</td>'
    '<td>{{ d.due_at|date:"Y-m-d H:i" }}{% if d.provisional %} <span class="badge muted">{% translate "暂定" %}'
    "</span>{% endif %}</td>\n"
    '      <td><span class="countdown{% if row.countdown.overdue %} overdue{% elif row.countdown.urgent %} urgent'
    '{% endif %}">{{ row.countdown.text }}</span></td></tr>\n'
    "    {% endwith %}{% endfor %}"
)
MARKUP = "<b>&\"'"
AT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)


def _inbox() -> list[dict]:
    return [
        {
            "tone": "warn",
            "badge": MARKUP,
            "title": f"标题 {MARKUP}",
            "at": AT,
            "unread": True,
            "url": "",
            "action": "",
        },
        {
            "tone": "fail",
            "badge": "退回",
            "title": "服务商初审退回",
            "at": AT,
            "unread": False,
            "url": f"/filings/1/edit/?a=1&b={MARKUP}",
            "action": f"去修改 {MARKUP}",
        },
    ]


def _countdowns() -> list[Countdown]:
    def deadline(**fields) -> Deadline:
        return Deadline(kind=Deadline.Kind.BUREAU_REVIEW, stage=State.BUREAU_REVIEW, due_at=AT, **fields)

    return [
        Countdown(deadline(starts_at=AT, workdays=20, provisional=True), "剩余 3 个工作日", False, False),
        Countdown(deadline(starts_at=None, workdays=None), f"已超期 {MARKUP}", True, True),
        Countdown(deadline(starts_at=AT, workdays=1), "今天截止", False, True),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_are_the_templates_rows(language):
    with translation.override(language):
        inbox, countdowns = _inbox(), _countdowns()
        written_inbox, written_deadlines = inbox_lines(inbox), deadline_lines(countdowns)
        assert written_inbox == TEMPLATE_INBOX.render(Context({"alerts": inbox}))
        rows = [{"deadline": c.deadline, "countdown": c} for c in countdowns]
        assert written_deadlines == TEMPLATE_DEADLINES.render(Context({"deadlines": rows}))
    assert written_inbox.count("&lt;b&gt;&amp;&quot;&#x27;") == 4 and "<b>&" not in written_inbox
    assert "&lt;b&gt;&amp;&quot;&#x27;" in written_deadlines
    assert all(
        tone in written_deadlines for tone in ("countdown overdue", "countdown urgent", 'class="countdown"')
    )
