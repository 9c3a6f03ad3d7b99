"""Deadline labels come from data: a province whose data names a longer bureau limit with its source
(none does today: 20 working days everywhere) reads it on the principal's page, the review console,
the dashboard, the CSV export and the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from filings.kinds.states import State
from filings.models import Deadline, Province
from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db


def _zhejiang_in_bureau_review(principal, reviewer):
    Province.objects.filter(code="33").update(
        bureau_review_workdays=30, bureau_review_source="测试用:假设浙江管局公布了30个工作日的时限"
    )
    filing = factories.carry_to_bureau(
        factories.ready_filing(assignee=principal, province_code="33"), reviewer=reviewer
    )
    assert filing.state == State.BUREAU_REVIEW
    return filing


def test_a_sourced_longer_limit_reads_30_working_days_everywhere(client, api, principal, reviewer, manager):
    filing = _zhejiang_in_bureau_review(principal, reviewer)
    deadline = Deadline.objects.get(filing=filing, kind=Deadline.Kind.BUREAU_REVIEW, closed_at__isnull=True)
    assert deadline.workdays == 30
    assert deadline.label == "管局审核时限(30个工作日)"

    client.force_login(principal)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "管局审核时限(30个工作日)" in page and "20个工作日" not in page
    listing = client.get(reverse("filings:list")).content.decode()
    assert "管局审核时限(30个工作日)" in listing and "20个工作日" not in listing

    client.force_login(reviewer)
    console = client.get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    assert "管局审核时限(30个工作日)" in console and "20个工作日" not in console

    # Overdue, so that the dashboard lists it.
    Deadline.objects.filter(pk=deadline.pk).update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(manager)
    for url in (
        reverse("filings:dashboard"),
        reverse("filings:dashboard-deadlines", kwargs={"kind": "overdue"}),
    ):
        body = client.get(url).content.decode()
        assert "管局审核时限(30个工作日)" in body and "20个工作日" not in body, url
    response = client.get(reverse("filings:dashboard-deadlines", kwargs={"kind": "overdue"}) + "?format=csv")
    csv_text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "管局审核时限(30个工作日)" in csv_text and "20个工作日" not in csv_text

    body = api(principal).get(f"/api/v1/filings/{filing.pk}/").json()
    [label] = [
        d["kind_label"] for d in body["deadlines"] if d["kind"] == "bureau_review" and not d["closed_at"]
    ]
    assert label == "管局审核时限(30个工作日)"


def test_other_provinces_read_their_own_limit(principal, reviewer):
    filing = transitions.submit_filing(
        factories.ready_filing(assignee=principal, province_code="44"), by=principal
    )
    labels = {d.kind: d.label for d in Deadline.objects.filter(filing=filing, closed_at__isnull=True)}
    assert labels == {"prereview_target": "初审目标(1个工作日)", "prereview_overdue": "初审超期(2个工作日)"}
