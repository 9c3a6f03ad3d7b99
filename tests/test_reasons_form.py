"""The reviewer's reasons form writes its catalogued reasons and its fields' options in Python: the
same HTML the form's template wrote, in Chinese and English, with every value escaped."""

import pytest
from django.template import Context, Template
from django.utils import translation

from filings.kinds import KINDS
from filings.models import RejectionReason
from filings.rules.fields import field_choices
from filings.web.views.reasons_form import catalogue_by_section, field_options_html, reason_groups_html

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


def test_no_fields_no_options():
    assert field_options_html([]) == ""
