"""The filing list's cards written in Python print what the templates they replace printed."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from filings.kinds import kind_of
from filings.kinds.states import State
from filings.models import Filing
from filings.web.views import display, filing_cards


def _progresses():
    for filing_type in Filing.Type.values:
        stages = kind_of(filing_type).stages
        returns = ["", *(t for t, stage in display.RETURN_TRANSITIONS.items() if stage in stages)]
        for state in [*stages, State.WITHDRAWN]:
            for returned in returns:
                yield display.progress_in(filing_type, state, returned)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_cards_progress_bar_is_the_templates(language):
    """Every type, stage and return, both languages: the bar written in Python is the include's HTML."""
    with translation.override(language):
        progresses = list(_progresses())
        assert any(p.returned for p in progresses) and any(p.withdrawn for p in progresses)
        for progress in progresses:
            written = filing_cards.progress_html(progress, filing_cards.progress_words())
            assert written == render_to_string("filings/_progress.html", {"progress": progress})


def test_a_progress_bar_escapes_its_words():
    progress = display.Progress(
        steps=[display.Step("entry", '<b>"填报"</b>', "current", 1, "当前&阶段")], returned="<i>退回</i>"
    )
    written = filing_cards.progress_html(progress, filing_cards.progress_words())
    assert written == render_to_string("filings/_progress.html", {"progress": progress})
    assert "<b>" not in written and "<i>" not in written
