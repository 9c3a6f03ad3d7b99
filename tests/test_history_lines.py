"""The filing page's history writes its events' lines in Python: the same HTML its template wrote,
in Chinese and English, for every kind of event line (a return's reasons, an edit's fields, an
applied change's values, a comment, the system as actor), with every value escaped."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from accounts.models import User
from filings.models import FilingEvent
from filings.web.views.history import HistoryEntry, timeline, with_event_lines

# The event's line as the filing page's template wrote it before it was written in Python.
TEMPLATE_LINE = Template(
    "{% load i18n %}"
    + '{% with row=entry.event e=entry.event.event %}\n    <li class="{% if row.is_return %}returned{% endif %}">\n      <div><strong>{{ row.label }}</strong>{% if e.from_state != e.to_state and e.from_state %} <span class="muted">{{ row.from_label }} → {{ row.to_label }}</span>{% endif %}{% if row.round %} <span class="tag">{% blocktranslate with n=row.round %}第{{ n }}轮{% endblocktranslate %}</span>{% endif %}</div>\n      <div class="muted">{{ e.at|date:"Y-m-d H:i" }} · {{ e.actor|default:_("系统") }}</div>\n      {% if e.comment %}<p>{{ e.shown_comment }}</p>{% endif %}\n      {% if row.reasons %}<ul class="reason-list">{% for r in row.reasons %}<li>{% if r.field %}{{ r.field_label }}:{% endif %}{{ r.reason }}{% if r.suggested_fix %}({{ r.suggested_fix }}){% endif %}</li>{% endfor %}</ul>{% endif %}\n      {% if row.replaced %}<ul class="reason-list">{% for r in row.replaced %}<li>{{ r.section }} · {{ r.label }}:<del>{{ r.old }}</del> → <ins>{{ r.new }}</ins></li>{% endfor %}</ul>{% endif %}\n      {% if row.changed %}{% translate "、" context "list separator" as separator %}<p class="muted">{% translate "修改的字段:" %}{{ row.changed|join:separator }}</p>{% endif %}\n    </li>\n    {% endwith %}'
)
MARKUP = "<b>&\"'"
AT = datetime(2026, 12, 1, 2, 3, tzinfo=UTC)


def _events() -> list[FilingEvent]:
    actor = User(username="reviewer", first_name=MARKUP)
    return [
        FilingEvent(transition="submit", from_state="entry", to_state="provider_review", at=AT, actor=actor),
        FilingEvent(
            transition="return_to_entry",
            from_state="provider_review",
            to_state="entry",
            at=AT,
            actor=actor,
            comment=f"请修改 {MARKUP}",
            reasons=[
                {
                    "field": "website.description",
                    "reason": f"过简 {MARKUP}",
                    "suggested_fix": f"写明 {MARKUP}",
                },
                {"field": "", "reason": "其他原因"},
                {"field": "subject.name", "reason": "名称不符", "suggested_fix": ""},
            ],
        ),
        FilingEvent(
            transition="edit",
            from_state="entry",
            to_state="entry",
            at=AT,
            reasons=[{"field": "subject.postal_address", "old": "a", "new": "b"}, {"field": "website.name"}],
        ),
        FilingEvent(
            transition="change_applied",
            from_state="bureau_review",
            to_state="published",
            at=AT,
            reasons=[
                {"section": "网站", "label": "名称", "field": "website.name", "old": MARKUP, "new": "新"},
                {
                    "section": "主体负责人",
                    "label": "手机",
                    "field": "mobile",
                    "old": "13800138000",
                    "new": "13900139000",
                },
            ],
        ),
        FilingEvent(
            transition="submit", from_state="entry", to_state="provider_review", at=AT, comment="再次提交"
        ),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_event_line_is_the_templates_line(language):
    with translation.override(language):
        entries = [HistoryEntry(at=row["event"].at, kind="event", event=row) for row in timeline(_events())]
        with_event_lines(entries)
        for entry in entries:
            assert entry.html == TEMPLATE_LINE.render(Context({"entry": entry}))
    lines = "".join(entry.html for entry in entries)
    assert "&lt;b&gt;&amp;&quot;&#x27;" in lines and "<b>&" not in lines
    assert 'class="returned"' in lines and "<del>" in lines


def test_only_the_events_get_a_line():
    entries = [HistoryEntry(at=AT, kind="deadline")]
    with_event_lines(entries)
    assert entries[0].html == ""
