"""The pre-review page writes its repeated rows in Python (the reasons form's catalogued reasons and
fields' options, the checks' results, the history): the same HTML its templates wrote, in Chinese
and English, with every value escaped."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from accounts.models import User
from filings.kinds import KINDS
from filings.models import FilingEvent, RejectionReason
from filings.rules.checks import Checklist
from filings.rules.fields import field_choices
from filings.web.views.review_rows import (
    catalogue_by_section,
    checklist_lines,
    field_options,
    field_options_html,
    history_lines,
    reason_groups_html,
)

# The form's loops as its template wrote them before the rows were written in Python.
TEMPLATE_ROWS = Template(
    "{% load i18n %}"
    '{% for section, reasons in catalogue %}<fieldset class="reason-group"><legend>{{ section }}</legend>\n'
    '      {% for item in reasons %}<label data-reason-option><input type="checkbox" name="codes" '
    'value="{{ item.reason.code }}"> {{ item.reason.reason }} <small class="muted">({{ item.field_label }})'
    "</small></label>{% endfor %}\n"
    "    </fieldset>{% endfor %}"
    "|"
    '{% for group, options in field_choices %}{% if forloop.first %}<option value="">'
    '{% translate "不指定字段" %}</option>{% endif %}<optgroup label="{{ group }}">{% for value, label in options %}'
    '<option value="{{ value }}">{{ group }} · {{ label }}</option>{% endfor %}</optgroup>{% endfor %}'
)
CATALOGUE = [
    RejectionReason(code="D1", field="domain.registrant_name", reason="注册人与主体不一致", suggested_fix=""),
    RejectionReason(code='x"<&', field="sms", reason="<b>内容</b> & \"描述\" '过简'", suggested_fix=""),
    RejectionReason(code="M1", field="materials.business_licence", reason="营业执照不清晰", suggested_fix=""),
    RejectionReason(code="A1", field="app.name", reason="应用名称不符", suggested_fix=""),
    RejectionReason(code="S1", field="sms", reason="短信未核验", suggested_fix=""),
    RejectionReason(code="F1", field="free text <field>", reason="其他", suggested_fix=""),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_rows_are_the_templates_rows(language, kind):
    sections = KINDS[kind].return_sections
    with translation.override(language):
        catalogue = catalogue_by_section(CATALOGUE, sections)
        choices = field_choices(sections)
        expected = TEMPLATE_ROWS.render(Context({"catalogue": catalogue, "field_choices": choices}))
        written = f"{reason_groups_html(catalogue)}|{field_options_html(choices)}"

    assert written == expected
    assert "&lt;b&gt;内容&lt;/b&gt; &amp; &quot;描述&quot; &#x27;过简&#x27;" in written
    assert 'value="x&quot;&lt;&amp;"' in written


def test_the_field_options_are_written_once_a_process_in_each_language():
    sections = KINDS["first"].return_sections
    with translation.override("zh-hans"):
        chinese = field_options(sections)
        assert chinese == field_options_html(field_choices(sections)) and "网站名称" in chinese
    with translation.override("en"):
        english = field_options(sections)
        assert english == field_options_html(field_choices(sections)) and english != chinese
    with translation.override("zh-hans"):
        assert field_options(sections) is chinese


def test_no_fields_no_options():
    assert field_options_html([]) == ""


# The checks' results and the history as the page's template wrote them.
TEMPLATE_RESULTS = Template(
    '{% for r in checklist.results %}{% if r.status != "pass" or r.code == "prior_approval" %}<li>'
    '<span class="badge {{ r.status }}">{{ r.status_label }}</span> {{ r.message }}{% if r.fix %} — {{ r.fix }}'
    "{% endif %}</li>{% endif %}{% endfor %}"
)
TEMPLATE_HISTORY = Template(
    '{% load i18n %}{% for label, e in events %}<li>{{ e.at|date:"Y-m-d H:i" }} · {{ e.actor|default:_("系统") }} '
    "· {{ label }}{% if e.from_state != e.to_state %}({{ e.get_from_state_display }} → "
    "{{ e.get_to_state_display }}){% endif %}{% if e.comment %} · {{ e.shown_comment }}{% endif %}\n"
    '    {% if e.reasons and e.transition != "edit" %}<ul>{% for r in e.shown_reasons %}<li>{{ r.reason }}'
    "{% if r.suggested_fix %} — {{ r.suggested_fix }}{% endif %}</li>{% endfor %}</ul>{% endif %}</li>"
    "{% endfor %}"
)
MARKUP = "<b>&\"'"


def _checklist() -> Checklist:
    checklist = Checklist()
    checklist.add("a", True, "", passed_message="通过")
    checklist.add("prior_approval", True, "", passed_message=f"前置审批 {MARKUP}")
    checklist.add("b", False, f"未通过 {MARKUP}", fix=f"改 {MARKUP}")
    checklist.add("c", False, "未通过,无改法")
    checklist.add("d", False, "提醒", fix="看看", warn=True)
    return checklist


def _events() -> list[tuple[str, FilingEvent]]:
    at = datetime(2026, 12, 1, 2, 3, tzinfo=UTC)
    actor = User(username=MARKUP)
    return [
        (
            f"退回 {MARKUP}",
            FilingEvent(
                transition="return_to_entry",
                from_state="provider_review",
                to_state="entry",
                at=at,
                actor=actor,
                comment=f"请改 {MARKUP}",
                reasons=[{"reason": f"过简 {MARKUP}", "suggested_fix": MARKUP}, {"reason": "其他"}, "纯文字"],
            ),
        ),
        (
            "修改",
            FilingEvent(
                transition="edit", from_state="entry", to_state="entry", at=at, reasons=[{"field": "x"}]
            ),
        ),
        ("提交", FilingEvent(transition="submit", from_state="", to_state="provider_review", at=at)),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_checks_and_the_history_are_the_templates_lines(language):
    with translation.override(language):
        checklist, events = _checklist(), _events()
        results = checklist_lines(checklist)
        history = history_lines(events)
        assert results == TEMPLATE_RESULTS.render(Context({"checklist": checklist}))
        assert history == TEMPLATE_HISTORY.render(Context({"events": events}))
    assert "前置审批 &lt;b&gt;&amp;&quot;&#x27;" in results and "通过</li>" not in results
    assert history.count("&lt;b&gt;&amp;&quot;&#x27;") == 5 and "<b>&" not in history
