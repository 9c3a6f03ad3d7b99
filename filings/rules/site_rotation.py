"""The site-check rotation's clock: where a moment falls in the interval, and which phases a sweep
from one position to another covers."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Intervals are counted from here; any fixed moment would do.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, order=True)
class Position:
    """A point of the sweep: whole intervals since EPOCH (cycle), then the phase within (0 ≤ phase < 1)."""

    cycle: int
    phase: float

    def intervals_after(self, other: "Position") -> float:
        return (self.cycle - other.cycle) + (self.phase - other.phase)


@dataclass(frozen=True)
class Arc:
    """The phases of one cycle a sweep covers: above `after` (None: from 0) up to `upto` included
    (None: up to 1)."""

    cycle: int
    after: float | None
    upto: float | None


def position_at(moment: datetime, interval: timedelta) -> Position:
    """Return the sweep's position at this moment."""
    cycle, into = divmod(moment - EPOCH, interval)
    return Position(cycle, into / interval)


def moment_of(position: Position, interval: timedelta) -> datetime:
    """Return when the sweep reaches this position."""
    return EPOCH + interval * position.cycle + interval * position.phase


def arcs_between(start: Position, end: Position) -> list[Arc]:
    """Return the arcs a sweep from `start` to `end` covers, in sweep order.

    At most one interval: a sweep that fell further behind (the scheduler was down) catches up one
    full round, each site once, rather than every round it missed."""
    start = max(start, Position(end.cycle - 1, end.phase))
    if start >= end:
        return []
    if start.cycle == end.cycle:
        return [Arc(end.cycle, start.phase, end.phase)]
    return [Arc(start.cycle, start.phase, None), Arc(end.cycle, None, end.phase)]
