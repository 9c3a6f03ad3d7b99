"""Transitions written for a batch (services.transition_batch): the bureau import's chunks and the
scan's expired SMS windows write what the single transition services write, a chunk's refused row
changes nothing of its filing, a hand decision racing a chunk ends with one winner, and a chunk's
queries do not grow with its rows."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from filings.exceptions import BeianError
from filings.kinds.states import State
from filings.models import BureauImportRow, Deadline, Filing, FilingEvent, Notification
from filings.services import bureau_apply, bureau_import, sms_expiry, transitions
from tests import factories
from tests.test_bureau_import import approve_line, csv_bytes, in_bureau, reject_line
from tests.test_concurrency import race

pytestmark = [pytest.mark.postgres]
Row = BureauImportRow


def uploaded(reviewer, *lines: str):
    return bureau_import.upload_results(by=reviewer, name="结果.csv", data=csv_bytes(*lines))


def row_ids(upload) -> list[int]:
    return list(upload.rows.order_by("line").values_list("pk", flat=True))


def what_it_wrote(filing: Filing, *, before: Filing, replace: dict[str, str]) -> dict:
    """The rows a decision wrote for the filing, with what names this filing or upload replaced."""
    filing.refresh_from_db()
    event = FilingEvent.objects.filter(filing=filing).latest("at", "id")
    wrote = {
        "state": filing.state,
        "visits": filing.stage_visit - before.stage_visit,
        "versions": filing.version - before.version,
        "icp_number": filing.icp_number,
        "published": filing.published_at is not None,
        "went_live_on": filing.went_live_on,
        "websites": [w.icp_number for w in filing.websites.order_by("position")],
        "event": (
            event.transition,
            event.from_state,
            event.to_state,
            event.actor_id,
            event.stage_visit,
            event.comment,
            event.comment_source,
            event.reasons,
        ),
        "open deadlines": sorted(
            (d.kind, d.stage, d.stage_visit, d.provisional, d.due_at - d.starts_at)
            for d in Deadline.objects.filter(filing=filing, closed_at__isnull=True)
        ),
        "closed deadlines": Deadline.objects.filter(filing=filing, closed_at=event.at).count(),
        "inbox": sorted(
            (n.user_id, n.reason, n.created_at == event.at) for n in Notification.objects.filter(event=event)
        ),
    }
    for key, value in wrote.items():
        text = repr(value)
        for old, new in replace.items():
            text = text.replace(old, new)
        wrote[key] = text
    return wrote


def mail_texts(replace: dict[str, str]) -> list[str]:
    texts = []
    for message in mail.outbox:
        text = f"{message.to} {message.subject}\n{message.body}"
        for old, new in replace.items():
            text = text.replace(old, new)
        texts.append(re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "TIME", text))
    return sorted(texts)


@pytest.mark.django_db
def test_a_chunk_writes_what_the_single_service_writes(
    principal, reviewer, django_capture_on_commit_callbacks
):
    chunked, single = (
        [in_bureau(principal, reviewer) for _ in range(2)],
        [in_bureau(principal, reviewer) for _ in range(2)],
    )
    before = {f.pk: Filing.objects.get(pk=f.pk) for f in [*chunked, *single]}
    first = uploaded(reviewer, approve_line(chunked[0], "粤ICP备2026000001号"), reject_line(chunked[1]))
    second = uploaded(reviewer, approve_line(single[0], "粤ICP备2026000002号"), reject_line(single[1]))

    with django_capture_on_commit_callbacks(execute=True):
        bureau_apply.apply_chunk(row_ids(first), upload=first, by=reviewer)
    chunk_mails = mail_texts(
        {
            "2026000001": "N",
            f"#{first.pk} ": "#U ",
            chunked[0].subject.name: "A",
            chunked[1].subject.name: "B",
            f"/filings/{chunked[0].pk}/": "/filings/A/",
            f"/filings/{chunked[1].pk}/": "/filings/B/",
        }
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for row_id in row_ids(second):
            bureau_apply.apply_row(row_id, upload=second, by=reviewer)
    single_mails = mail_texts(
        {
            "2026000002": "N",
            f"#{second.pk} ": "#U ",
            single[0].subject.name: "A",
            single[1].subject.name: "B",
            f"/filings/{single[0].pk}/": "/filings/A/",
            f"/filings/{single[1].pk}/": "/filings/B/",
        }
    )

    numbers = {"2026000001": "N", "2026000002": "N"}
    for by_chunk, by_single in zip(chunked, single, strict=True):
        assert what_it_wrote(
            by_chunk,
            before=before[by_chunk.pk],
            replace={**numbers, f"#{first.pk} ": "#U ", f"'upload': {first.pk}}}": "'upload': U}"},
        ) == what_it_wrote(
            by_single,
            before=before[by_single.pk],
            replace={**numbers, f"#{second.pk} ": "#U ", f"'upload': {second.pk}}}": "'upload': U}"},
        )
    assert chunked[0].state == State.PUBLISHED and chunked[1].state == State.ENTRY
    assert chunked[0].websites.get().icp_number == "粤ICP备2026000001号-1"
    assert len(chunk_mails) == 2 and chunk_mails == single_mails
    done = list(Row.objects.filter(upload__in=[first, second]).order_by("upload", "line"))
    assert [(r.status, r.message, bool(r.decision_key), bool(r.applied_at)) for r in done[:2]] == [
        (r.status, r.message, bool(r.decision_key), bool(r.applied_at)) for r in done[2:]
    ]
    assert {r.status for r in done} == {Row.Status.APPLIED}


@pytest.mark.django_db
def test_a_chunk_reads_and_writes_in_statements_that_do_not_grow_with_its_rows(principal, reviewer):
    def queries_for(n: int) -> int:
        filings = [in_bureau(principal, reviewer) for _ in range(n)]
        lines = [
            approve_line(f, f"粤ICP备20260{f.subject_id:05d}号") if i % 2 else reject_line(f)
            for i, f in enumerate(filings)
        ]
        upload = uploaded(reviewer, *lines)
        with CaptureQueriesContext(connection) as queries:
            bureau_apply.apply_chunk(row_ids(upload), upload=upload, by=reviewer)
        assert {r.status for r in upload.rows.all()} == {Row.Status.APPLIED}
        return len(queries)

    assert queries_for(2) == queries_for(6)


@pytest.mark.django_db
def test_a_row_the_chunk_refuses_changes_nothing_of_its_filing_and_the_others_apply(principal, reviewer):
    approved, refused, rejected = (in_bureau(principal, reviewer) for _ in range(3))
    # Another filing of the refused one's subject already published it under another number.
    earlier = factories.ready_filing(assignee=principal)
    Filing.objects.filter(pk=earlier.pk).update(
        subject=refused.subject,
        state=State.PUBLISHED,
        icp_number="粤ICP备2026099999号",
        published_at=timezone.now(),
    )
    version, events = refused.version, FilingEvent.objects.filter(filing=refused).count()
    upload = uploaded(
        reviewer,
        approve_line(approved, "粤ICP备2026000001号"),
        approve_line(refused, "粤ICP备2026000002号"),
        reject_line(rejected),
    )

    bureau_apply.apply_chunk(row_ids(upload), upload=upload, by=reviewer)

    first, second, third = upload.rows.order_by("line")
    assert (first.status, third.status) == (Row.Status.APPLIED, Row.Status.APPLIED)
    assert second.status == Row.Status.FAILED and "该主体已有备案号 粤ICP备2026099999号" in second.message
    refused.refresh_from_db()
    assert (refused.state, refused.version, refused.icp_number) == (State.BUREAU_REVIEW, version, "")
    assert refused.websites.get().icp_number == ""
    assert FilingEvent.objects.filter(filing=refused).count() == events
    assert Filing.objects.get(pk=approved.pk).state == State.PUBLISHED
    assert Filing.objects.get(pk=rejected.pk).state == State.ENTRY
    # The single service refuses it with the same words.
    message = second.message
    assert bureau_apply.apply_row(second.pk, upload=upload, by=reviewer).message == message


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_hand_decision_holding_the_filing_wins_and_the_chunk_sees_it_after(principal, reviewer):
    filing, other = in_bureau(principal, reviewer), in_bureau(principal, reviewer)
    upload = uploaded(reviewer, approve_line(filing, "粤ICP备2026000001号"), reject_line(other))
    holding, release = threading.Event(), threading.Event()

    def hand_rejection():
        try:
            with transaction.atomic():
                transitions.reject_filing(filing, by=reviewer, reasons=[{"reason": "材料不全"}])
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    hand = threading.Thread(target=hand_rejection)
    hand.start()
    assert holding.wait(timeout=10)
    chunk = threading.Thread(
        target=lambda: (
            bureau_apply.apply_chunk(row_ids(upload), upload=upload, by=reviewer),
            connection.close(),
        )
    )
    chunk.start()
    chunk.join(timeout=1)
    assert chunk.is_alive()  # waiting for the filing's lock
    release.set()
    hand.join(timeout=20)
    chunk.join(timeout=20)

    filing.refresh_from_db()
    assert filing.state == State.ENTRY
    assert FilingEvent.objects.filter(filing=filing, transition__in=["approve", "reject"]).count() == 1
    first, second = upload.rows.order_by("line")
    assert first.status == Row.Status.INVALID and "不在管局审核中" in first.message
    assert second.status == Row.Status.APPLIED and Filing.objects.get(pk=other.pk).state == State.ENTRY


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_hand_decision_racing_a_chunk_ends_with_one_winner(principal, reviewer):
    filing = in_bureau(principal, reviewer)
    upload = uploaded(reviewer, approve_line(filing, "粤ICP备2026000001号"))

    hand, _chunk = race(
        lambda: transitions.reject_filing(filing, by=reviewer, reasons=[{"reason": "材料不全"}]),
        lambda: bureau_apply.apply_chunk(row_ids(upload), upload=upload, by=reviewer),
    )

    decisions = list(
        FilingEvent.objects.filter(filing=filing, transition__in=["approve", "reject"]).values_list(
            "transition", flat=True
        )
    )
    assert len(decisions) == 1
    row = upload.rows.get()
    filing.refresh_from_db()
    if decisions == ["approve"]:
        assert isinstance(hand, BeianError) and filing.state == State.PUBLISHED
        assert row.status == Row.Status.APPLIED
    else:
        assert not isinstance(hand, Exception) and filing.state == State.ENTRY
        assert row.status == Row.Status.INVALID


@pytest.mark.django_db
def test_an_sms_expiry_in_a_batch_writes_what_the_single_service_writes(
    principal, reviewer, django_capture_on_commit_callbacks
):
    filings = [
        transitions.pass_review(
            transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal), by=reviewer
        )
        for _ in range(3)
    ]
    before = {f.pk: Filing.objects.get(pk=f.pk) for f in filings}
    windows = {w.filing_id: w for w in Deadline.objects.filter(kind=Deadline.Kind.SMS_WINDOW, closed_at=None)}
    now = max(w.due_at for w in windows.values()) + timedelta(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        transitions.expire_sms_window(filings[0], now=now)
    single_mails = mail_texts({filings[0].subject.name: "S", f"/filings/{filings[0].pk}/": "/filings/F/"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        expired = sms_expiry.expire_sms_windows([windows[f.pk] for f in filings[1:]], now=now)
    assert [f.pk for f, _window in expired] == [f.pk for f in filings[1:]]
    batch_mails = mail_texts(
        {
            **{f.subject.name: "S" for f in filings[1:]},
            **{f"/filings/{f.pk}/": "/filings/F/" for f in filings[1:]},
        }
    )

    expected = what_it_wrote(filings[0], before=before[filings[0].pk], replace={})
    for filing in filings[1:]:
        assert what_it_wrote(filing, before=before[filing.pk], replace={}) == expected
    assert expected["state"] == "'entry'" and "expire_sms" in expected["event"]
    assert batch_mails == single_mails * 2


@pytest.mark.django_db
def test_an_sms_expiry_batch_reads_and_writes_in_statements_that_do_not_grow_with_its_windows(
    principal, reviewer, django_capture_on_commit_callbacks
):
    # The locked filings are read with only the fields the expiry, its rows and its mail use: one
    # more read later would be a statement per filing.
    def queries_for(n: int) -> int:
        filings = [
            transitions.pass_review(
                transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal),
                by=reviewer,
            )
            for _ in range(n)
        ]
        windows = list(
            Deadline.objects.filter(filing__in=filings, kind=Deadline.Kind.SMS_WINDOW, closed_at=None)
        )
        now = max(w.due_at for w in windows) + timedelta(minutes=1)
        mail.outbox.clear()
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
        ):
            assert len(sms_expiry.expire_sms_windows(windows, now=now)) == n
        assert len(mail.outbox) == n
        return len(queries)

    assert queries_for(1) == queries_for(4)
