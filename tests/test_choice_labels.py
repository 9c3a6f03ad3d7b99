"""get_FOO_display() names the value in the reader's language, translating only that label."""

from unittest import mock

from django.utils import translation

from filings.kinds.states import State
from filings.models import FilingEvent


def test_a_stage_is_named_in_the_active_language_and_only_its_label_is_translated():
    event = FilingEvent(from_state=State.ENTRY, to_state=State.PROVIDER_REVIEW)
    chinese = event.get_to_state_display()
    with translation.override("en"):
        english = str(State.PROVIDER_REVIEW.label)
        with mock.patch(
            "django.utils.translation._trans.gettext", wraps=translation._trans.gettext
        ) as gettext:
            assert event.get_to_state_display() == english
    assert gettext.call_count == 1  # Django's own translated all six stages to find one
    assert chinese == "服务商初审" != english


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert FilingEvent(to_state="archived").get_to_state_display() == "archived"
    assert FilingEvent(from_state="").get_from_state_display() == ""
