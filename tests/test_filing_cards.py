"""The filing list's cards written in Python print what the templates they replace printed."""

import pytest
from django.template import Context, Template
from django.utils import translation

from filings.kinds import kind_of
from filings.kinds.states import State
from filings.models import Filing
from filings.web.views import display, filing_cards

# The progress bar as its include (filings/_progress.html) wrote it before the cards and the filing
# page wrote it in Python.
PROGRESS_TEMPLATE = Template(
    "{% load i18n %}"
    '<div class="progress-wrap">\n'
    '<ol class="progress{% if progress.withdrawn %} withdrawn{% endif %}" aria-label="{% translate \'备案进度\' %}">\n'
    "  {% for step in progress.steps %}\n"
    '  <li class="step {{ step.status }}"{% if step.status == "current" %} aria-current="step"{% endif %}>\n'
    '    <span class="dot" aria-hidden="true">{{ step.mark }}</span>\n'
    '    <span class="step-label">{{ step.label }}</span>\n'
    '    <span class="visually-hidden">{{ step.status_text }}</span>\n'
    "  </li>\n"
    "  {% endfor %}\n"
    "</ol>\n"
    '{% if progress.returned %}<p class="badge bad">{% blocktranslate with what=progress.returned %}已退回:{{ what }}{% endblocktranslate %}</p>{% endif %}\n'
    '{% if progress.withdrawn %}<p class="badge muted">{% translate "已撤回" %}</p>{% endif %}\n'
    "</div>\n"
)


def render_progress(progress: display.Progress) -> str:
    return PROGRESS_TEMPLATE.render(Context({"progress": progress}))


def _progresses():
    for filing_type in Filing.Type.values:
        stages = kind_of(filing_type).stages
        returns = ["", *(t for t, stage in display.RETURN_TRANSITIONS.items() if stage in stages)]
        for state in [*stages, State.WITHDRAWN]:
            for returned in returns:
                yield display.progress_in(filing_type, state, returned)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_cards_progress_bar_is_the_templates(language):
    """Every type, stage and return, both languages: the bar written in Python is what the include wrote."""
    with translation.override(language):
        progresses = list(_progresses())
        assert any(p.returned for p in progresses) and any(p.withdrawn for p in progresses)
        for progress in progresses:
            written = filing_cards.progress_html(progress, filing_cards.progress_words())
            assert written == render_progress(progress)


def test_a_cards_remembered_bar_is_the_templates_in_each_language_in_turn():
    """The bars a list prints are remembered per language: each language in turn gets its own."""
    for language in ["zh-hans", "en", "zh-hans", "en"]:
        with translation.override(language):
            for filing_type in Filing.Type.values:
                for state in kind_of(filing_type).stages:
                    progress = display.progress_in(filing_type, state, "")
                    assert filing_cards.progress_bar(filing_type, state, "") == render_progress(progress)


def test_a_progress_bar_escapes_its_words():
    progress = display.Progress(
        steps=[display.Step("entry", '<b>"填报"</b>', "current", 1, "当前&阶段")], returned="<i>退回</i>"
    )
    written = filing_cards.progress_html(progress, filing_cards.progress_words())
    assert written == render_progress(progress)
    assert "<b>" not in written and "<i>" not in written


@pytest.mark.django_db
def test_the_list_reads_the_cards_unread_alerts_in_one_statement_whatever_the_page_holds(
    client_for, principal, other_principal
):
    """One statement reads the page's unread alerts and decisions, for one card as for twenty; a
    notification of another user's filing is neither counted nor shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from filings.models import Notification
    from tests import factories

    theirs = factories.ready_filing(assignee=other_principal)
    event = theirs.events.create(transition="reject", from_state=State.BUREAU_REVIEW, to_state=State.ENTRY)
    Notification.objects.create(user=other_principal, event=event, reason=Notification.Reason.ASSIGNEE)
    client = client_for(principal)

    def unread_statements() -> tuple[int, int, str]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("filings:list")).content.decode()
        sqls = [query["sql"] for query in captured.captured_queries]
        return len(sqls), sum("UNION ALL" in sql and "filings_notification" in sql for sql in sqls), page

    mine = factories.ready_filing(assignee=principal)
    event = mine.events.create(transition="reject", from_state=State.BUREAU_REVIEW, to_state=State.ENTRY)
    Notification.objects.create(user=principal, event=event, reason=Notification.Reason.ASSIGNEE)
    few, unread_few, page = unread_statements()
    assert unread_few == 1
    assert "1 条未读提醒" in page and theirs.subject.name not in page
    for _ in range(19):  # a full page, which is counted without a statement (filings/reads/keyset.py)
        factories.ready_filing(assignee=principal)
    many, unread_many, page = unread_statements()
    assert (many, unread_many) == (few, 1)
    assert page.count("条未读提醒</span>") == 1
