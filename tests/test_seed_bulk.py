"""The bulk seed on PostgreSQL (COPY, indexes and keys set aside and built again): the shape the
benchmarks rely on, and a database left as the migrations made it."""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from filings.demo import bulk
from filings.kinds.states import State
from filings.models import Alert, Deadline, Filing, FilingEvent, Notification, RiskCase, SubmittedFeatures
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SCHEMA = """
SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
 WHERE indrelid = ANY(%(tables)s::regclass[])
UNION ALL
SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = ANY(%(tables)s::regclass[])
UNION ALL
SELECT 'trigger', tgname, tgenabled::text FROM pg_trigger
 WHERE tgrelid = ANY(%(tables)s::regclass[]) AND NOT tgisinternal
"""


def _schema() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(SCHEMA, {"tables": [model._meta.db_table for model in bulk.LOADED]})
        return {(kind, name, _without_casts(definition)) for kind, name, definition in cursor.fetchall()}


def _without_casts(definition: str) -> str:
    # PostgreSQL prints a predicate it parsed back from its own output with its casts placed
    # differently ("(ARRAY['a'::varchar])::text[]" becomes "ARRAY[('a'::varchar)::text]"): the
    # same index, the same text once casts and parentheses are left out.
    return re.sub(r"::[a-z ]+(\[\])?|[()\s]", "", definition)


class _Sink:
    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(text)

    def flush(self):
        pass


def test_a_bulk_seed_has_the_documented_shape_and_leaves_the_schema_as_it_was():
    before = _schema()
    assert any(kind == "constraint" and d.startswith("FOREIGNKEY") for kind, _n, d in before)
    out = _Sink()
    started = timezone.now()
    call_command("seed_demo", "--password", "demo-pass-1", "--filings", "2000", "--batch", "700", stdout=out)

    # Every index, key and trigger is back as the migrations made it (and the triggers are on).
    assert _schema() == before
    # Progress names the count, the rate and the time left; the large load rebuilt the indexes.
    text = "".join(out.lines)
    assert "2,000/2,000 filings · " in text and "/s · 0 s left" in text
    assert "indexes and" in text and "keys built after the load" in text

    seeded = Filing.objects.exclude(subject__name__startswith="[演示")
    assert seeded.count() == 2000
    # Owners of every size: one customer with 5%, the rest one to a few hundred each.
    sizes = sorted(
        seeded.values("assignee").annotate(n=Count("id")).values_list("n", flat=True), reverse=True
    )
    assert 100 in sizes and sizes[0] <= bulk.LARGEST_ORDINARY_CUSTOMER
    assert 1 in sizes and max(sizes[1:]) >= 10 and len(set(sizes)) >= 6 and len(sizes) > 200

    # A realistic mix of stages: mostly published, some in every open stage and some withdrawn.
    states = Counter(seeded.values_list("state", flat=True))
    assert set(states) == {s for s, _w in bulk.STATE_WEIGHTS}
    assert 0.62 < states[State.PUBLISHED] / 2000 < 0.82, states
    # History: every filing was created; returns and rejections carry their catalogue reasons, and
    # each submission's features are recorded.
    events = FilingEvent.objects.filter(filing__in=seeded)
    transitions = Counter(events.values_list("transition", flat=True))
    assert transitions["create"] == 2000
    assert transitions["submit"] == SubmittedFeatures.objects.filter(filing__in=seeded).count()
    assert transitions["return_to_entry"] > 20 and transitions["reject"] > 20
    assert transitions["register_public_security"] > 0
    sent_back = events.filter(transition__in=["return_to_entry", "reject"])
    assert all(event.reasons and event.reasons[0]["code"] for event in sent_back)
    # The risk shape: individuals are returned more often than organisations on their first try.
    first = dict(
        SubmittedFeatures.objects.filter(filing__in=seeded, round=1).values_list("filing_id", "features")
    )
    returned = set(events.filter(transition="return_to_entry").values_list("filing_id", flat=True))
    share = {
        kind: sum(1 for f, features in first.items() if features["subject_kind"] == kind and f in returned)
        / sum(1 for features in first.values() if features["subject_kind"] == kind)
        for kind in ("individual", "enterprise")
    }
    assert share["individual"] > share["enterprise"] + 0.03, share

    # The catch-up raised the alerts of passed deadlines and put them in inboxes; the summaries
    # the risk estimate reads were built.
    assert Alert.objects.filter(filing__in=seeded).count() > 50
    assert Notification.objects.filter(alert__filing__in=seeded).exists()
    passed = Deadline.objects.filter(filing__in=seeded, closed_at__isnull=True, due_at__lt=started)
    assert not passed.filter(kind=Deadline.Kind.SMS_WINDOW).exists()
    assert RiskCase.objects.count() > 1000
    # The inbox the catch-up filled was analysed after it: the planner knows its size (it would
    # otherwise believe it empty, and a page's unread counts would read a manager's whole inbox).
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Notification._meta.db_table])
        assert cursor.fetchone()[0] == Notification.objects.count()

    # The sequences moved past the copied rows: the app's own writes go on as before.
    last = max(seeded.values_list("pk", flat=True))
    assert factories.ready_filing().pk > last
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM filings_filing WHERE search_document = beian_filing_document(id, subject_id, icp_number)"
        )
        assert cursor.fetchone()[0] == Filing.objects.count()


def test_duration_reads_as_people_read_it():
    assert bulk.duration(45.4) == "45 s"
    assert bulk.duration(170) == "2 min 50 s"
    assert bulk.duration(3 * 3600 + 125) == "3 h 2 min"


def test_progress_is_printed_at_every_step_and_at_the_end():
    lines = []
    progress = bulk.Progress(count=120_000, log=lines.append, every=50_000)
    for done in range(10_000, 120_001, 10_000):
        progress.update(done)
    assert [line.split("/")[0].strip() for line in lines] == ["50,000", "100,000", "120,000"]
    assert lines[-1].endswith("0 s left")
