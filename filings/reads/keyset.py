"""Pages of ordered lists read from a position (keyset pagination), and how many rows a list holds
up to a cap: page 500 costs what page 1 costs, and no page counts a million rows.

A position is the ordering values of the last row shown; the next page is the rows after it in
the same order. Each list's order ends in `id`, so every position is unique, and an index that
matches the order (filter columns first) serves any page in one range scan."""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

# A list shows its exact size up to this many rows, and "more than" beyond (a search or the
# overdue filter, whose rows lie far apart, up to fewer).
COUNT_CAP = 1000
SPARSE_COUNT_CAP = 100
NEWEST_FIRST = ("-updated_at", "-id")
SOONEST_DUE = ("due_at", "id")


@dataclass(frozen=True)
class Position:
    """Where a page starts: just after the row with these values of the list's ordering fields."""

    values: tuple

    def token(self) -> str:
        """Return the position as it travels in a URL."""
        plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in self.values]
        return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str, *, queryset: QuerySet, order: Sequence[str]) -> "Position":
        """Return the position a token names in this list; ValueError when it names none."""
        try:
            if len(token) > 200:
                raise ValueError(token)
            values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if not isinstance(values, list) or len(values) != len(order):
                raise ValueError(token)
            fields = [_field(queryset.model, name.lstrip("-")) for name in order]
            return cls(tuple(field.to_python(value) for field, value in zip(fields, values, strict=True)))
        except (
            binascii.Error,
            UnicodeDecodeError,
            json.JSONDecodeError,
            ValidationError,
            TypeError,
        ) as error:
            raise ValueError(token) from error


def _field(model: Any, name: str) -> Any:
    *path, last = name.split("__")
    for step in path:
        model = model._meta.get_field(step).related_model
    return model._meta.pk if last in ("id", "pk") else model._meta.get_field(last)


@dataclass
class Page:
    rows: list[Any]
    next: Position | None
    first: bool


def _after(order: Sequence[str], values: tuple) -> Q:
    """Rows after `values` in `order`: the first field past it, or equal and the rest after."""
    name, descending = order[0].lstrip("-"), order[0].startswith("-")
    past = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[0]})
    if len(order) == 1:
        return past
    return past | (Q(**{name: values[0]}) & _after(order[1:], values[1:]))


def rows_after(
    queryset: QuerySet, *, order: Sequence[str], after: Position | None, limit: int, sort_found: bool = False
) -> list:
    """Return up to `limit` rows of the queryset in `order`, starting after `after`.

    With `sort_found`, the database finds every row through the queryset's own filter (a search's
    index) and sorts them, instead of walking the order's index in the hope that a match comes soon
    (a search's matches can all lie far down the list: an ICP number's start matches old filings);
    the page's ids are chosen on the table alone, then joined to what the rows show."""
    rows = queryset.order_by(*order)
    if after is not None:
        # The bound on the first field gives the index its range; the rest breaks ties.
        first, descending = order[0].lstrip("-"), order[0].startswith("-")
        rows = rows.filter(**{f"{first}__{'lte' if descending else 'gte'}": after.values[0]})
        rows = rows.filter(_after(order, after.values))
    if sort_found:
        # COALESCE(x, x) sorts as x does, but no index serves it: the plan cannot be a walk.
        name, descending = order[0].lstrip("-"), order[0].startswith("-")
        unindexed = Coalesce(F(name), F(name))
        ids = rows.order_by(unindexed.desc() if descending else unindexed.asc(), *order[1:]).values("pk")
        shown = queryset.all()
        # The ids carry every filter; checking a search's again on each row of the page costs more.
        shown.query.clear_where()
        return list(shown.filter(pk__in=ids[:limit]).order_by(*order))
    return list(rows[:limit])


def page_of(rows: list, *, order: Sequence[str], size: int, first: bool) -> Page:
    """Return the page made of the first `size` of `rows`, which were fetched one beyond it."""
    last = rows[size - 1] if len(rows) > size else None
    return Page(
        rows=rows[:size],
        next=Position(tuple(_value(last, name.lstrip("-")) for name in order)) if last is not None else None,
        first=first,
    )


def page_after(
    queryset: QuerySet, *, order: Sequence[str], after: Position | None, size: int, sort_found: bool = False
) -> Page:
    """Return up to `size` rows of the queryset in `order`, starting after `after` (see rows_after())."""
    rows = rows_after(queryset, order=order, after=after, limit=size + 1, sort_found=sort_found)
    return page_of(rows, order=order, size=size, first=after is None)


def _value(row: Any, name: str) -> Any:
    for step in name.split("__"):
        row = row[step] if isinstance(row, dict) else getattr(row, step)
    return row


def capped_count(queryset: QuerySet, *, cap: int = COUNT_CAP, order: Sequence[str] = ()) -> int:
    """Return how many rows the queryset holds, counting no further than cap + 1 (along `order`'s
    index when given: a search of a common text walks the list as its page did, where the planner
    would read the table in its physical order and pass many rows of other customers)."""
    return queryset.order_by(*order)[: cap + 1].count()


def list_size(queryset: QuerySet, page: Page, *, cap: int | None, order: Sequence[str] = ()) -> int | None:
    """Return the list's size up to the cap on its first page (a later page does not repeat it;
    with no cap, only a list that fits on its page is counted)."""
    if not page.first:
        return None
    if page.next is None:
        return len(page.rows)
    return capped_count(queryset, cap=cap, order=order) if cap else None
