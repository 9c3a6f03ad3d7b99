"""The names of the filing state machine's transitions, read from its @transition methods so that
nothing else spells them (labels, the admin, the API, the pages and the summaries read these)."""

from enum import StrEnum
from typing import Any

from filings.kinds.states import State


def _machine(model: Any) -> list:
    return list(model._meta.get_field("state").get_all_transitions(model))


def transition_enum(model: Any) -> type[StrEnum]:
    """Return the enum of the model's transitions in declaration order (SUBMIT = "submit", …)."""
    names = {t.name for t in _machine(model)}
    return StrEnum("Transition", [(name.upper(), name) for name in vars(model) if name in names])


def transitions_into(model: Any, target: str) -> dict[str, str]:
    """Return {transition: the state it leaves} for the model's transitions that land in `target`."""
    return {t.name: t.source for t in _machine(model) if t.target == target and t.source != target}


def finish_transition(filing: Any) -> str:
    """Return the transition that ends the filing's last open stage: the bureau's approval, or the
    finish at the provider for a type that never goes to the bureau."""
    last_open = filing.kind.last_open_stage
    return next(
        t.name for t in _machine(type(filing)) if t.source == last_open and t.target == State.PUBLISHED
    )
