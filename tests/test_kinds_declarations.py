"""The filing types are declared once (filings.kinds), the transition names once (the state
machine), and approval is one dispatch that runs what the type declares."""

import pytest

from filings.exceptions import TransitionNotPossible
from filings.kinds import KINDS
from filings.kinds.states import State
from filings.models import REQUESTED_TRANSITIONS, TRANSITION_LABELS, Filing
from filings.services import dispatch, transitions
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_filing_type_has_one_declaration():
    assert set(KINDS) == set(Filing.Type.values)
    for kind in KINDS.values():
        assert kind.stages[0] == State.ENTRY and kind.stages[-1] == State.PUBLISHED


def test_transition_names_and_labels_come_from_the_state_machine():
    assert TRANSITION_LABELS["finish_at_provider"] == "取消接入完成"
    assert "expire_sms" not in REQUESTED_TRANSITIONS and "approve" in REQUESTED_TRANSITIONS


def test_asking_a_cancel_access_for_a_bureau_approval_is_refused(published, principal, reviewer):
    filing = factories.cancel_website(published, principal, scope="access")
    filing = transitions.submit_filing(filing, by=principal)
    with pytest.raises(TransitionNotPossible, match="取消接入完成"):
        dispatch.perform_transition(filing, "approve", by=reviewer)
    filing = dispatch.perform_transition(filing, "finish_at_provider", by=reviewer)
    assert filing.state == State.PUBLISHED
