"""The filing types are declared once (filings.kinds), the transition names once (the state
machine), and approval is one dispatch that runs what the type declares."""

import ast
from pathlib import Path

import pytest

from filings.exceptions import TransitionNotPossible
from filings.kinds import KINDS
from filings.kinds.states import State
from filings.models import (
    FIX_TRANSITIONS,
    REQUESTED_TRANSITIONS,
    TRANSITION_LABELS,
    Filing,
    Transition,
    finish_transition,
)
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


def test_the_transition_enum_is_the_state_machine():
    machine = list(Filing._meta.get_field("state").get_all_transitions(Filing))
    assert {t.value for t in Transition} == {t.name for t in machine} == set(TRANSITION_LABELS)
    assert (
        Transition.SUBMIT == "submit" and Filing.finish_at_provider.__name__ == Transition.FINISH_AT_PROVIDER
    )
    into_entry = {t.name: t.source for t in machine if t.target == State.ENTRY}
    assert into_entry == FIX_TRANSITIONS and FIX_TRANSITIONS[Transition.REJECT] == State.BUREAU_REVIEW


@pytest.mark.parametrize(
    ("filing_type", "finish"),
    [(code, Transition.APPROVE) for code in Filing.Type.values if code != Filing.Type.CANCEL_ACCESS]
    + [(Filing.Type.CANCEL_ACCESS, Transition.FINISH_AT_PROVIDER)],
)
def test_each_type_finishes_with_the_transition_out_of_its_last_open_stage(filing_type, finish):
    assert finish_transition(Filing(filing_type=filing_type)) == finish


def _spelled_transition_names(path: Path) -> list[str]:
    """Return the string literals of a module that equal a transition's name (URL names aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    url_names = {
        id(k.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for k in node.keywords
        if k.arg == "name"
    }
    return [
        f"{path}:{node.lineno} {node.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in set(Transition) and id(node) not in url_names
    ]


def test_no_module_spells_a_transition_name():
    root = Path(__file__).resolve().parent.parent / "filings"
    modules = [p for p in root.rglob("*.py") if "migrations" not in p.parts]
    assert [hit for path in modules for hit in _spelled_transition_names(path)] == []


def test_asking_a_cancel_access_for_a_bureau_approval_is_refused(published, principal, reviewer):
    filing = factories.cancel_website(published, principal, scope="access")
    filing = transitions.submit_filing(filing, by=principal)
    with pytest.raises(TransitionNotPossible, match="取消接入完成"):
        dispatch.perform_transition(filing, "approve", by=reviewer)
    filing = dispatch.perform_transition(filing, "finish_at_provider", by=reviewer)
    assert filing.state == State.PUBLISHED
