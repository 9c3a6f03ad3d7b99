"""filings.web.escaping.escaped: the same text as conditional_escape for what the pages print."""

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from filings.web.escaping import escaped


def test_escaped_writes_what_conditional_escape_writes():
    values = ["<b>甲&\"乙'</b>", "plain", 42, None, mark_safe("<i>kept</i>"), gettext_lazy("审核队列")]
    for language in ("zh-hans", "en"):
        with override(language):
            for value in values:
                assert escaped(value) == conditional_escape(value), value
    assert escaped("<b>") == "&lt;b&gt;" and escaped(mark_safe("<b>")) == "<b>"
