"""The site-check rotation's clock: positions, the arcs a sweep covers (the wrap at 1, at most one
round after an outage) and the phase every website gets from its id, alike in Python and in SQL."""

from datetime import UTC, datetime, timedelta

import pytest

from filings.models import Website
from filings.models.rotation import RotationPhase, phase_of
from filings.rules.site_rotation import Arc, Position, arcs_between, moment_of, position_at
from tests import factories

WEEK = timedelta(days=7)


def test_a_position_is_whole_intervals_and_the_phase_within():
    moment = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    here = position_at(moment, WEEK)
    assert 0 <= here.phase < 1
    assert position_at(moment + WEEK, WEEK) == Position(here.cycle + 1, here.phase)
    assert abs(moment_of(here, WEEK) - moment) < timedelta(milliseconds=1)
    half_a_day_on = position_at(moment + timedelta(hours=12), WEEK)
    assert half_a_day_on.intervals_after(here) == pytest.approx(12 / 168)


@pytest.mark.parametrize(
    ("start", "end", "arcs"),
    [
        (Position(5, 0.2), Position(5, 0.3), [Arc(5, 0.2, 0.3)]),
        (Position(5, 0.9), Position(6, 0.1), [Arc(5, 0.9, None), Arc(6, None, 0.1)]),  # the wrap at 1
        # Down for longer than an interval: one round from end's phase, each phase once.
        (Position(2, 0.5), Position(6, 0.25), [Arc(5, 0.25, None), Arc(6, None, 0.25)]),
        (Position(5, 0.25), Position(6, 0.25), [Arc(5, 0.25, None), Arc(6, None, 0.25)]),
        (Position(5, 0.3), Position(5, 0.3), []),
        (Position(5, 0.4), Position(5, 0.3), []),  # the sweep is ahead: nothing is due
    ],
)
def test_the_arcs_a_sweep_covers(start, end, arcs):
    assert arcs_between(start, end) == arcs


def test_consecutive_ids_spread_evenly():
    phases = sorted(phase_of(i) for i in range(1000, 2000))
    gaps = [b - a for a, b in zip(phases, phases[1:], strict=False)]
    assert max(gaps) < 3 * min(gaps)  # the golden ratio's three gaps, no clusters


@pytest.mark.django_db
def test_the_database_computes_the_phase_python_does(principal):
    filing = factories.ready_filing(assignee=principal)
    for position, pk in enumerate([1_000_003, 987_654_321, 40_000_000_019], start=2):
        factories.WebsiteFactory(pk=pk, filing=filing, position=position)
    phases = dict(Website.objects.annotate(phase=RotationPhase("id")).values_list("pk", "phase"))
    assert len(phases) == 4 and all(phase == phase_of(pk) for pk, phase in phases.items())
