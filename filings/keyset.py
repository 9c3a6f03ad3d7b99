"""Pages of newest-first lists read from a position (keyset pagination), and how many rows a list
holds up to a cap: page 500 costs what page 1 costs, and no page counts a million rows."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet

# A list shows its exact size up to this many rows, and "more than" beyond.
COUNT_CAP = 1000


@dataclass(frozen=True)
class Position:
    """Where a newest-first page starts: just after the row with this modification time and id."""

    updated_at: datetime
    pk: int

    def token(self) -> str:
        """Return the position as it travels in a URL: microseconds since the epoch and the id."""
        micros = round((self.updated_at - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)
        return f"{micros}.{self.pk}"

    @classmethod
    def parse(cls, token: str) -> "Position":
        """Return the position a token names; ValueError when it names none."""
        micros, _, pk = token.partition(".")
        if not (micros.lstrip("-").isdigit() and pk.isdigit()) or len(token) > 40:
            raise ValueError(token)
        moment = datetime.fromtimestamp(int(micros) // 1_000_000, tz=UTC)
        return cls(moment.replace(microsecond=int(micros) % 1_000_000), int(pk))


@dataclass
class Page:
    rows: list[Any]
    next: Position | None
    first: bool


def newest_first(queryset: QuerySet, *, after: Position | None, size: int) -> Page:
    """Return up to `size` rows of the queryset, newest first (-updated_at, -id), after `after`."""
    rows = queryset.order_by("-updated_at", "-pk")
    if after is not None:
        # The first condition bounds the index range; the second breaks ties on the time.
        rows = rows.filter(updated_at__lte=after.updated_at).filter(
            Q(updated_at__lt=after.updated_at) | Q(pk__lt=after.pk)
        )
    fetched = list(rows[: size + 1])
    last = fetched[size - 1] if len(fetched) > size else None
    return Page(
        rows=fetched[:size],
        next=Position(last.updated_at, last.pk) if last is not None else None,
        first=after is None,
    )


def capped_count(queryset: QuerySet, *, cap: int = COUNT_CAP) -> int:
    """Return how many rows the queryset holds, counting no further than cap + 1."""
    return queryset.order_by()[: cap + 1].count()
