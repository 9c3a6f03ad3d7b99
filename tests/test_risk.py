"""The rejection-risk estimate (issue #27): the model from constructed histories, the summaries
rebuilt from the filing history, the checklist and pre-review pages, the API, their query counts,
and the evaluation on a seeded history."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings import demo
from filings.jobs import risk_summaries
from filings.kinds.states import State
from filings.models import Domain, RiskCase, RiskSummary, SmsVerifier, SubmittedFeatures
from filings.reads.risk import rejection_risk
from filings.rules import risk_model
from filings.rules.checks import load_filing_for_checks, run_submission_checks
from filings.rules.risk_features import filing_features
from filings.services import transitions
from tests import factories

ENTERPRISE = {"subject_kind": "enterprise", "websites": "1", "legal_rep": "yes"}
INDIVIDUAL = {"subject_kind": "individual", "websites": "1", "legal_rep": "yes"}


def _history(n_each: int = 100) -> dict:
    """Enterprises come back 10% of the time for their scans; individuals 50%, mostly for their site
    names; the number of websites has the same shares whatever the outcome."""
    cases = []
    for kind, share, reason in (("enterprise", 10, "licence-scan-unclear"), ("individual", 50, "name")):
        for i in range(n_each):
            features = {"subject_kind": kind, "websites": "2" if i % 2 else "1", "legal_rep": "yes"}
            came_back = i % 100 < share
            cases.append(
                (1, "first", "returned" if came_back else "accepted", features, [reason] * came_back)
            )
    return risk_model.tally(cases)


def test_a_feature_that_matters_moves_the_estimate_and_its_reasons():
    counts = _history()[(1, "first")]
    enterprise = risk_model.estimate(counts, ENTERPRISE, minimum=30)
    individual = risk_model.estimate(counts, INDIVIDUAL, minimum=30)
    assert enterprise.enough and enterprise.cases == 200
    assert enterprise.chance == pytest.approx(0.10, abs=0.03)
    assert individual.chance == pytest.approx(0.50, abs=0.05)
    assert individual.reasons[0].key == "name" and enterprise.reasons[0].key == "licence-scan-unclear"
    assert individual.rejected < 0.02  # nothing was ever rejected by the bureau


def test_a_feature_that_does_not_matter_leaves_the_estimate():
    counts = _history()[(1, "first")]
    one_site = risk_model.estimate(counts, ENTERPRISE, minimum=30)
    two_sites = risk_model.estimate(counts, {**ENTERPRISE, "websites": "2"}, minimum=30)
    assert abs(one_site.chance - two_sites.chance) < 0.01


def test_too_little_history_says_so():
    counts = _history(n_each=10)[(1, "first")]
    thin = risk_model.estimate(counts, ENTERPRISE, minimum=30)
    assert not thin.enough and thin.cases == 20 and thin.chance == 0 and not thin.reasons
    nothing = risk_model.estimate(None, ENTERPRISE, minimum=30)
    assert not nothing.enough and nothing.cases == 0


# Through the database.

pytestmark = pytest.mark.django_db
CATALOGUE_FIX = "请修改网站名称和内容描述"  # business-scope-mismatch's suggested fix


def _features_of(filing):
    loaded = load_filing_for_checks(filing.pk)
    return filing_features(loaded, run_submission_checks(loaded), today=timezone.localdate())


def _cases_like(filing, *, decisions: int, returned: int, reason: str = "business-scope-mismatch", **changed):
    """Store decided cases of the filing's province and type with its features (as `changed`)."""
    features = {**_features_of(filing), **changed}
    at = timezone.now() - timedelta(days=30)
    RiskCase.objects.bulk_create(
        RiskCase(
            filing=filing,
            province_id=filing.province_id,
            filing_type=filing.filing_type,
            decided_at=at,
            outcome=RiskCase.Outcome.RETURNED if i < returned else RiskCase.Outcome.ACCEPTED,
            features=features,
            reasons=[reason] if i < returned else [],
        )
        for i in range(decisions)
    )


def test_the_estimate_reads_the_summaries_of_its_province_and_type(principal):
    filing = factories.ready_filing(assignee=principal)
    _cases_like(filing, decisions=40, returned=20, legal_rep="no")
    _cases_like(filing, decisions=40, returned=2, legal_rep="yes")
    risk_summaries.rebuild_summaries()
    loaded = load_filing_for_checks(filing.pk)
    risk = rejection_risk(loaded, run_submission_checks(loaded))
    assert risk.enough and risk.cases == 80 and risk.features["legal_rep"] == "yes"
    assert risk.chance < 0.15
    subject = filing.subject
    subject.legal_representative = "另一位法人"
    subject.save()
    loaded = load_filing_for_checks(filing.pk)
    not_legal_rep = rejection_risk(loaded, run_submission_checks(loaded))
    assert not_legal_rep.features["legal_rep"] == "no" and not_legal_rep.chance > 0.35
    assert not_legal_rep.reasons[0].code == "business-scope-mismatch"
    assert CATALOGUE_FIX in not_legal_rep.reasons[0].suggested_fix
    # Another province has no history of its own.
    other = factories.ready_filing(assignee=principal, province_code="33")
    loaded = load_filing_for_checks(other.pk)
    assert not rejection_risk(loaded, run_submission_checks(loaded)).enough


def _to_bureau(filing, reviewer):
    filing = transitions.pass_review(filing, by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    assert filing.state == State.BUREAU_REVIEW
    return filing


def test_cases_are_rebuilt_from_the_history_with_the_features_as_submitted(principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    assert SubmittedFeatures.objects.get(filing=filing, round=1).features["real_name_age"] == "30_90d"
    reason = {
        "field": "subject.business_scope",
        "reason": "网站内容与主体经营范围不符。",
        "code": "business-scope-mismatch",
    }
    filing = transitions.return_filing(filing, by=reviewer, reasons=[{**reason, "suggested_fix": "改"}])
    # Fixed after the return: the next submission is recorded as it then was.
    Domain.objects.filter(website__filing=filing).update(
        real_name_verified_at=timezone.localdate() - timedelta(days=200)
    )
    filing = transitions.submit_filing(filing, by=principal)
    filing = _to_bureau(filing, reviewer)
    transitions.reject_filing(filing, by=reviewer, reasons=[{"field": "website.name", "reason": "名称不妥"}])
    risk_summaries.refresh_risk_summaries()
    cases = list(RiskCase.objects.order_by("decided_at").values_list("outcome", "reasons", "features"))
    assert [(o, r) for o, r, _f in cases] == [
        ("returned", ["business-scope-mismatch"]),
        ("rejected", ["名称不妥"]),
    ]
    assert cases[0][2]["real_name_age"] == "30_90d" and cases[1][2]["real_name_age"] == "over_90d"
    total = RiskSummary.objects.get(province=filing.province, filing_type="first", feature="")
    assert (total.decisions, total.returned, total.rejected) == (2, 1, 1)
    assert total.reason_words["名称不妥"] == {"reason": "名称不妥", "fix": ""}
    assert total.reason_words["business-scope-mismatch"]["fix"]["id"].startswith(CATALOGUE_FIX)
    # A second refresh changes nothing (the history is append-only).
    risk_summaries.refresh_risk_summaries()
    assert RiskCase.objects.count() == 2


def test_checklist_page_says_the_risk_in_words_with_the_fix(client, principal, settings):
    filing = factories.ready_filing(assignee=principal)
    _cases_like(filing, decisions=50, returned=9)
    risk_summaries.rebuild_summaries()
    client.force_login(principal)
    url = reverse("filings:checklist", args=[filing.pk])
    response = client.get(url)
    percent = response.context["risk"].percent
    assert 17 <= percent <= 20  # 9 of 50 came back, and a little for a rejection never seen yet
    body = response.content.decode()
    assert f"广东同类备案 {percent}% 曾被退回,最常见原因:网站内容与主体经营范围不符" in body
    assert f"(改法:{CATALOGUE_FIX}" in body and "50 个" in body
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        f"Guangdong: {percent}% of similar filings were sent back; most common reason: The website" in english
    )
    settings.BEIAN_RISK_MIN_CASES = 60
    thin = client.get(url).content.decode()
    assert "广东同类备案历史不足(50 个,至少需要 60 个)" in thin and "曾被退回" not in thin
    # Chinese joins the province to the sentence; English keeps its own spacing.
    assert (
        "Guangdong: too little history of similar filings (50, at least 60 needed)"
        in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_pre_review_page_shows_the_risk(client, principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    _cases_like(filing, decisions=40, returned=10)
    risk_summaries.rebuild_summaries()
    client.force_login(reviewer)
    response = client.get(reverse("filings:review-filing", kwargs={"filing_id": filing.pk}))
    assert 24 <= response.context["risk"].percent <= 27
    body = response.content.decode()
    assert f"同类备案 {response.context['risk'].percent}% 曾被退回" in body and CATALOGUE_FIX in body


def _risk_queries(client, url) -> tuple[int, list[str]]:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    sqls = [q["sql"] for q in captured.captured_queries]
    return len(sqls), [s for s in sqls if "risk" in s]


@pytest.mark.parametrize("page", ["checklist", "review-filing"])
def test_pages_read_the_risk_in_one_query_whatever_the_history(client, principal, reviewer, page):
    filing = factories.ready_filing(assignee=principal)
    if page == "review-filing":
        filing = transitions.submit_filing(filing, by=principal)
        client.force_login(reviewer)
        url = reverse("filings:review-filing", kwargs={"filing_id": filing.pk})
    else:
        client.force_login(principal)
        url = reverse("filings:checklist", args=[filing.pk])
    _cases_like(filing, decisions=40, returned=10)
    risk_summaries.rebuild_summaries()
    few, risk_sql = _risk_queries(client, url)
    assert len(risk_sql) == 1 and "filings_risksummary" in risk_sql[0]
    _cases_like(filing, decisions=400, returned=100, legal_rep="no", reason="licence-scan-unclear")
    risk_summaries.rebuild_summaries()
    many, risk_sql = _risk_queries(client, url)
    assert many == few and len(risk_sql) == 1


def test_api_returns_the_estimate_and_refuses_other_stages(api, principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    _cases_like(filing, decisions=50, returned=9)
    risk_summaries.rebuild_summaries()
    answer = api(principal).get(f"/api/v1/filings/{filing.pk}/risk/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["enough"] and data["cases"] == 50 and 0.17 < data["chance"] < 0.20
    assert data["summary"].startswith(f"广东同类备案 {round(data['chance'] * 100)}% 曾被退回")
    assert data["reasons"][0]["code"] == "business-scope-mismatch"
    assert data["reasons"][0]["suggested_fix"].startswith(CATALOGUE_FIX)
    published = factories.published_filing(assignee=principal, reviewer=reviewer)
    refused = api(principal).get(f"/api/v1/filings/{published.pk}/risk/")
    assert refused.status_code == 409 and refused.json()["code"] == "not_applicable"
    schema = api(principal).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/filings/{id}/risk/"]["get"]
    assert "409" in operation["responses"]
    assert "RiskEstimate" in str(operation["responses"]["200"]) or "Risk" in str(
        operation["responses"]["200"]
    )


def test_evaluation_prints_calibration_and_brier_on_a_seeded_history(reviewer):
    demo.seed_bulk(count=600, seed=3, states=demo.DEMO_HISTORY_STATES, log=lambda *args: None)
    refresh = risk_summaries.refresh_risk_summaries(full=True)
    assert refresh.cases > 500
    # The seed's shape: individuals and young domains come back more often than the rest.
    shares = {}
    for feature, value in (("subject_kind", "individual"), ("subject_kind", "enterprise")):
        rows = RiskSummary.objects.filter(feature=feature, value=value)
        decided = sum(r.decisions for r in rows)
        shares[value] = sum(r.returned + r.rejected for r in rows) / decided
    assert shares["individual"] > shares["enterprise"] + 0.05
    out = StringIO()
    before = (timezone.localdate() - timedelta(days=120)).isoformat()
    call_command("evaluate_risk", before=before, minimum=5, stdout=out)
    text = out.getvalue()
    assert "Brier score:" in text and "province base rate:" in text
    deciles = [line for line in text.splitlines() if line.strip()[:2].strip().isdigit() and "%" in line]
    assert len(deciles) == 10


def test_evaluation_refuses_a_bad_date():
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("evaluate_risk", before="2026-13-01")


def test_the_hourly_task_rebuilds_the_cases_decided_since_the_last_refresh(principal, reviewer):
    from filings import tasks

    first = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    transitions.return_filing(first, by=reviewer, reasons=[{"field": "website.name", "reason": "名称不妥"}])
    assert tasks.refresh_risk_task() == 1
    second = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    transitions.return_filing(second, by=reviewer, reasons=[{"field": "website.name", "reason": "名称不妥"}])
    # The first case is rebuilt with the second (both decided within the day before the latest).
    assert tasks.refresh_risk_task() == 2
    assert RiskCase.objects.count() == 2
    total = RiskSummary.objects.get(province__isnull=True, filing_type="first", feature="")
    assert (total.decisions, total.returned, total.reasons) == (2, 2, {"名称不妥": 2})


def _summary_rows():
    return sorted(
        RiskSummary.objects.values_list(
            "province_id", "filing_type", "feature", "value", "decisions", "returned", "rejected", "reasons"
        ),
        key=str,
    )


def test_a_refresh_moves_the_summaries_as_a_recount_would(principal, reviewer):
    old = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    transitions.return_filing(old, by=reviewer, reasons=[{"field": "website.name", "reason": "名称不妥"}])
    risk_summaries.refresh_risk_summaries()
    for index in range(3):
        filing = factories.ready_filing(assignee=principal)
        if index == 1:
            filing = transitions.submit_filing(filing, by=principal)
            transitions.return_filing(filing, by=reviewer, reasons=[{"field": "x", "reason": "材料不清"}])
        else:
            factories.publish(filing, reviewer=reviewer)
        risk_summaries.refresh_risk_summaries()
    moved = _summary_rows()
    assert RiskCase.objects.count() == 4
    risk_summaries.refresh_risk_summaries(full=True)
    assert moved == _summary_rows()
