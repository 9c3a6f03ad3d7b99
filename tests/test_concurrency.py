"""Two database connections racing one filing on PostgreSQL: exactly one wins, the other gets a conflict."""

import json
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from filings.exceptions import BeianError, ConflictError, InvalidInput
from filings.kinds.states import State
from filings.models import Filing, FilingEvent, Subject
from filings.services import drafts, transitions
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment, each in its own thread (so its own connection); return results
    or the exceptions they raised, in call order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the race's loser is the result we check
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def copies(filing: Filing, n: int = 2) -> list[Filing]:
    """Independent in-memory copies, as two browser tabs would hold."""
    return [Filing.objects.get(pk=filing.pk) for _ in range(n)]


REASONS = [{"field": "website.name", "reason": "名称不符", "suggested_fix": "修改名称"}]


def test_pass_review_races_return_to_entry(principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    first, second = copies(filing)
    other_reviewer = factories.reviewer_user(username="reviewer-b")

    results = race(
        lambda: transitions.pass_review(first, by=reviewer),
        lambda: transitions.return_filing(second, by=other_reviewer, reasons=REASONS),
    )

    winners = [r for r in results if isinstance(r, Filing)]
    losers = [r for r in results if isinstance(r, BeianError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], ConflictError)
    assert "刷新" in str(losers[0].message)
    row = Filing.objects.get(pk=filing.pk)
    assert row.state == winners[0].state
    decided = FilingEvent.objects.filter(filing=filing, transition__in=["pass_review", "return_to_entry"])
    assert decided.count() == 1
    assert decided.get().to_state == row.state
    assert row.version == filing.version + 1


def test_submit_twice(principal):
    filing = factories.ready_filing(assignee=principal)
    first, second = copies(filing)

    results = race(
        lambda: transitions.submit_filing(first, by=principal),
        lambda: transitions.submit_filing(second, by=principal),
    )

    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "Filing"], results
    row = Filing.objects.get(pk=filing.pk)
    assert (row.state, row.round) == (State.PROVIDER_REVIEW, 1)
    assert FilingEvent.objects.filter(filing=filing, transition="submit").count() == 1


def _api_post(user, url: str, body: dict):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_racing_transitions_through_the_api_answer_409(principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    base = f"/api/v1/filings/{filing.pk}/transitions/"

    other_reviewer = factories.reviewer_user(username="reviewer-b")

    results = race(
        lambda: _api_post(reviewer, base + "pass_review/", {"comment": "通过"}),
        lambda: _api_post(other_reviewer, base + "return_to_entry/", {"reasons": REASONS}),
    )

    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [(r.status_code, r.content[:200]) for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.json()["code"] in ("conflict", "transition_not_possible")
    assert (
        FilingEvent.objects.filter(filing=filing, transition__in=["pass_review", "return_to_entry"]).count()
        == 1
    )


def test_two_draft_updates_with_the_same_version(principal):
    filing = factories.ready_filing(assignee=principal)
    version = filing.version
    first, second = copies(filing)

    results = race(
        lambda: drafts.update_filing(
            first, by=principal, expected_version=version, subject={"business_scope": "甲的修改"}
        ),
        lambda: drafts.update_filing(
            second, by=principal, expected_version=version, subject={"business_scope": "乙的修改"}
        ),
    )

    winners = [r for r in results if isinstance(r, Filing)]
    losers = [r for r in results if isinstance(r, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, results
    row = Filing.objects.get(pk=filing.pk)
    assert row.version == version + 1
    assert Subject.objects.get(pk=filing.subject_id).business_scope in ("甲的修改", "乙的修改")
    assert FilingEvent.objects.filter(filing=filing, transition="edit").count() == 1


def test_two_draft_updates_through_the_api(principal):
    filing = factories.ready_filing(assignee=principal)
    url = f"/api/v1/filings/{filing.pk}/"

    def patch(filing_type: str):
        client = APIClient()
        client.force_authenticate(principal)
        body = {"version": filing.version, "filing_type": filing_type}
        return client.patch(url, data=json.dumps(body), content_type="application/json")

    results = race(lambda: patch("new_website"), lambda: patch("change"))
    assert sorted(r.status_code for r in results) == [200, 409]
    loser = next(r for r in results if r.status_code == 409)
    assert "刷新" in loser.json()["detail"]


def _create_data(certificate_number: str, name: str) -> dict:
    today = timezone.localdate()
    person = factories.PersonFactory.build()
    return {
        "province_id": factories.province("44").pk,
        "filing_type": Filing.Type.FIRST,
        "subject": {
            "kind": Subject.Kind.ENTERPRISE,
            "name": name,
            "certificate_kind": Subject.CertificateKind.USCC,
            "certificate_number": certificate_number,
            "licence_long_term": True,
            "city": "深圳市",
            "registered_address": "深圳市南山区科苑路1号",
            "postal_address": "深圳市南山区科苑路1号",
            "legal_representative": person.name,
        },
        "subject_principal": {
            "name": person.name,
            "id_number": person.id_number,
            "mobile": person.mobile,
            "email": person.email,
        },
        "websites": [
            {
                "name": "星河科技产品展示",
                "homepage": "https://www.race-demo.cn/",
                "principal": {"same_as_subject_principal": True},
                "server_provider": "示例云计算有限公司",
                "server_valid_until": today + timedelta(days=365),
                "domains": [{"name": "race-demo.cn", "registrant_name": name}],
            }
        ],
    }


def test_one_open_filing_per_subject_under_a_race_of_two_creations(principal, other_principal):
    number = factories.make_uscc(factories.rng, "44")
    data = _create_data(number, "深圳市竞速科技有限公司")

    results = race(
        lambda: drafts.create_filing(by=principal, **data),
        lambda: drafts.create_filing(by=other_principal, **data),
    )

    assert sorted(type(r).__name__ for r in results) == ["Filing", "OpenFilingExists"], results
    assert Filing.objects.filter(subject__certificate_number=number, state__in=["entry"]).count() == 1


def test_one_open_filing_per_subject_row_under_a_race(principal):
    # A subject whose earlier filing was withdrawn gets two new drafts at once.
    earlier = factories.ready_filing(assignee=principal)
    transitions.withdraw_filing(earlier, by=principal)
    subject = earlier.subject
    data = _create_data(subject.certificate_number, subject.name)

    results = race(
        lambda: drafts.create_filing(by=principal, subject_id=subject.pk, **data),
        lambda: drafts.create_filing(by=principal, subject_id=subject.pk, **data),
    )

    assert sorted(type(r).__name__ for r in results) == ["Filing", "OpenFilingExists"], results
    assert Filing.objects.filter(subject=subject, state=State.ENTRY).count() == 1


def test_the_database_itself_refuses_a_second_open_filing(principal):
    filing = factories.ready_filing(assignee=principal)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.FilingFactory(subject=filing.subject, province=filing.province, assignee=principal)
    assert Filing.objects.filter(subject=filing.subject).count() == 1
    with pytest.raises(InvalidInput):
        drafts.create_filing(
            by=principal, subject_id=filing.subject_id, **_create_data(filing.subject.certificate_number, "x")
        )
