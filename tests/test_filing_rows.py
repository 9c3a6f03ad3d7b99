"""The filing page writes its inbox rows, its open deadlines' rows and its material slots in Python:
the same HTML its template wrote, in Chinese and English, with every value escaped."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from filings.kinds.states import State
from filings.models import Deadline, Material
from filings.web.views.display import Countdown, MaterialSlot
from filings.web.views.filing_rows import deadline_lines, inbox_lines, slot_lines

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


TEMPLATE_SLOTS = Template(
    '{% load i18n check_texts %}{% for slot in slots %}\n    <li class="slot {{ slot.status }}" id="{{ slot.anchor }}">{% if slot.kind_anchor %}<span id="{{ slot.kind_anchor }}"></span>{% endif %}\n      <div class="slot-head"><strong>{{ slot.label }}</strong>\n        {% if slot.latest %}<span class="badge {{ slot.status }}">{{ slot.latest.get_check_status_display }}</span>{% else %}<span class="badge fail">{% translate "未上传" %}</span>{% endif %}</div>\n      {% with m=slot.latest %}{% if m %}\n      <p class="muted"><a href="{% url \'filings:material-download\' filing.pk m.pk %}">{% blocktranslate with v=m.version %}第{{ v }}版{% endblocktranslate %}</a> · {{ m.uploaded_at|date:"Y-m-d H:i" }}{% if m.dpi %} · {{ m.dpi }} dpi{% endif %}{% if slot.versions|length > 1 %} · <a href="?history=1#history">{% blocktranslate count n=slot.versions|length|add:"-1" %}另有 {{ n }} 个早先版本{% plural %}另有 {{ n }} 个早先版本{% endblocktranslate %}</a>{% endif %}</p>\n      {% if m.check_status != "pass" %}<ul class="check-results">{% for r in m.check_results %}{% if r.status != "pass" %}<li class="{{ r.status }}"><strong>{{ r|said:"message" }}</strong>{% if r.advice %} {{ r|said:"advice" }}{% endif %}</li>{% endif %}{% endfor %}</ul>{% endif %}\n      {% endif %}{% endwith %}\n    </li>\n  {% endfor %}'
)


def _slots() -> list[MaterialSlot]:
    def version(pk: int, status: str, **fields) -> Material:
        return Material(pk=pk, kind="other", version=pk, uploaded_at=AT, check_status=status, **fields)

    failed = version(
        3,
        "fail",
        dpi=150,
        check_results=[
            {"status": "pass", "message": "清晰"},
            {"status": "fail", "message": f"太暗 {MARKUP}", "advice": f"补光 {MARKUP}"},
            {"status": "warning", "message": "有反光"},
            {"message": "没有状态"},
        ],
    )
    return [
        MaterialSlot(
            "other", "", f"其他 {MARKUP}", False, versions=[failed, version(2, "pass"), version(1, "pass")]
        ),
        MaterialSlot(
            "other",
            "person:4",
            "证件",
            True,
            versions=[version(5, "pass", dpi=300)],
            kind_anchor="material-x",
        ),
        MaterialSlot(
            "other", "website:6", "核验单", True, versions=[version(7, "warning", check_results=[])]
        ),
        MaterialSlot("business_licence", "", "营业执照", True),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_slots_are_the_templates_slots(language):
    with translation.override(language):
        slots = _slots()
        written = slot_lines(9, slots)
        assert written == TEMPLATE_SLOTS.render(Context({"slots": slots, "filing": {"pk": 9}}))
    assert written.count("&lt;b&gt;&amp;&quot;&#x27;") == 3 and "<b>&" not in written
    assert 'href="?history=1#history"' in written and "/filings/9/materials/3/" in written
