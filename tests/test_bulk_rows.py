"""Rows written many at once (services.bulk_rows): each row stored as the objects held it, whether its
columns vary from row to row or hold one value for all of them."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from filings.models import Alert, Filing, FilingEvent
from filings.services import bulk_rows
from tests import factories

pytestmark = [pytest.mark.postgres]


def event(filing, *, at, reasons, comment="同一说明") -> FilingEvent:
    return FilingEvent(
        filing=filing,
        at=at,
        transition="expire_sms",
        from_state="sms_verification",
        to_state="entry",
        comment=comment,
        comment_source={},
        reasons=reasons,
        stage_visit=1,
    )


def stored(events: list[FilingEvent]) -> list[tuple]:
    rows = {
        pk: (at, comment, json.dumps(reasons, ensure_ascii=False))
        for pk, at, comment, reasons in FilingEvent.objects.filter(pk__in=[e.pk for e in events]).values_list(
            "pk", "at", "comment", "reasons"
        )
    }
    return [rows[e.pk] for e in events]


@pytest.mark.django_db
def test_rows_alike_in_python_but_not_in_a_json_column_are_each_stored_as_they_are(principal):
    filing = factories.ready_filing(assignee=principal)
    now = timezone.now()
    # Equal in Python (1 == 1.0 == True), three different JSON values.
    events = [event(filing, at=now, reasons=[{"n": value}]) for value in (1, 1.0, True)]
    bulk_rows.insert(events)
    assert stored(events) == [
        (now, "同一说明", '[{"n": 1}]'),
        (now, "同一说明", '[{"n": 1.0}]'),
        (now, "同一说明", '[{"n": true}]'),
    ]


@pytest.mark.django_db
def test_shared_and_varying_columns_keep_each_row_with_its_key(principal):
    filing = factories.ready_filing(assignee=principal)
    now = timezone.now()
    shared = [{"reason": "同一原因"}]
    events = [
        event(filing, at=now + timedelta(seconds=n % 2), reasons=shared, comment=f"说明{n}") for n in range(5)
    ]
    bulk_rows.insert(events)
    assert stored(events) == [
        (now + timedelta(seconds=n % 2), f"说明{n}", '[{"reason": "同一原因"}]') for n in range(5)
    ]


@pytest.mark.django_db
def test_rows_with_every_column_alike_are_all_inserted(principal):
    filing = factories.ready_filing(assignee=principal)
    now = timezone.now()
    events = [event(filing, at=now, reasons=[]) for _ in range(3)]
    bulk_rows.insert(events)
    assert len({e.pk for e in events}) == 3
    assert stored(events) == [(now, "同一说明", "[]")] * 3
    single = [event(filing, at=now, reasons=[{"n": 2}])]
    bulk_rows.insert(single)
    assert stored(single) == [(now, "同一说明", '[{"n": 2}]')]


@pytest.mark.django_db
def test_insert_new_leaves_out_conflicting_rows_and_returns_the_others(principal):
    filing = factories.ready_filing(assignee=principal)
    deadline = filing.deadlines.first()
    alert = Alert.objects.filter(deadline=deadline).first()
    assert deadline is not None and alert is None
    from filings.models import AlertThreshold

    threshold = AlertThreshold.objects.filter(deadline_kind=deadline.kind).first()
    now = timezone.now()
    columns = ("filing", "deadline", "threshold", "stage", "stage_visit", "kind", "occurrence", "severity")
    columns += ("escalated", "due_at", "deadline_at", "provisional", "raised_at", "withdrawn_reason")
    row = [filing.pk, deadline.pk, threshold.pk, deadline.stage, deadline.stage_visit, deadline.kind]
    rows = [(*row, occurrence, "warning", False, now, now, False, now, "") for occurrence in (0, 1)]
    first = bulk_rows.insert_new(Alert, columns, rows[:1], returning=("id", "occurrence"))
    again = bulk_rows.insert_new(Alert, columns, rows, returning=("id", "occurrence"))
    assert [occurrence for _pk, occurrence in first] == [0]
    assert [occurrence for _pk, occurrence in again] == [1]
    assert Alert.objects.filter(deadline=deadline).count() == 2


@pytest.mark.django_db
def test_update_fields_saves_shared_and_varying_fields_of_each_row(principal):
    filings = [factories.ready_filing(assignee=principal) for _ in range(3)]
    now = timezone.now()
    for n, filing in enumerate(filings):
        filing.version, filing.round, filing.updated_at = 10 + n, 2, now
    assert bulk_rows.update_fields(filings, ["version", "round", "updated_at"]) == 3
    ids = [f.pk for f in filings]
    saved = dict(Filing.objects.filter(pk__in=ids).values_list("pk", "version"))
    assert [saved[pk] for pk in ids] == [10, 11, 12]
    assert set(Filing.objects.filter(pk__in=ids).values_list("round", "updated_at")) == {(2, now)}
    filings[0].version = 20
    assert bulk_rows.update_fields(filings[:1], ["version"]) == 1
    assert Filing.objects.get(pk=ids[0]).version == 20
    assert Filing.objects.get(pk=ids[1]).version == 11
