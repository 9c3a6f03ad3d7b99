"""The reviewer console through its pages: queues, the pre-review page, each action, permissions, query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.jobs import summaries
from filings.kinds.states import State
from filings.models import Domain, Filing, FilingEvent, RejectionReason, SmsVerifier
from filings.reads import queues
from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db


def _submitted(principal):
    filing = factories.ready_filing(assignee=principal)
    return transitions.submit_filing(filing, by=principal)


def _in_bureau(principal, reviewer):
    filing = transitions.pass_review(_submitted(principal), by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    assert filing.state == State.BUREAU_REVIEW
    return filing


def test_queue_lists_filings_nearest_deadline_first_with_claim(client, principal, reviewer):
    first = _submitted(principal)
    second = _submitted(factories.principal_user(username="principal-c"))
    client.force_login(reviewer)
    response = client.get(reverse("filings:review-queue", kwargs={"queue": "provider_review"}))
    assert response.status_code == 200
    names = [row["filing_id"] for row in response.context["page"].rows]
    assert names == [first.pk, second.pk]
    assert "认领" in response.content.decode()

    response = client.post(reverse("filings:review-claim", kwargs={"filing_id": second.pk}))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.reviewer == reviewer
    mine = client.get(reverse("filings:review-queue", kwargs={"queue": "provider_review"}) + "?mine=1")
    assert [row["filing_id"] for row in mine.context["page"].rows] == [second.pk]


def test_pre_review_page_shows_checklist_and_materials(client, principal, reviewer):
    filing = _submitted(principal)
    client.force_login(reviewer)
    response = client.get(reverse("filings:review-filing", kwargs={"filing_id": filing.pk}))
    assert response.status_code == 200
    assert response.context["checklist"].passed
    assert response.context["materials"]
    body = response.content.decode()
    assert (
        reverse(
            "filings:material-download",
            kwargs={"filing_id": filing.pk, "material_id": response.context["materials"][0].pk},
        )
        in body
    )
    assert "初审通过" in body and "退回修改" in body


def test_pre_review_page_names_each_checks_status_in_the_readers_language(client, principal, reviewer):
    filing = _submitted(principal)
    Domain.objects.filter(website__filing=filing).update(registrar="某未获批准的注册商")
    client.force_login(reviewer)
    url = reverse("filings:review-filing", kwargs={"filing_id": filing.pk})

    body = client.get(url).content.decode()
    assert "某未获批准的注册商" in body
    assert '<span class="badge warning">提示</span>' in body
    assert ">warning<" not in body

    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(url).content.decode()
    assert '<span class="badge warning">Notice</span>' in english


def test_pre_review_page_shows_the_filing_number_a_bureau_result_file_names(client, principal, reviewer):
    filing = _submitted(principal)
    client.force_login(reviewer)
    body = client.get(reverse("filings:review-filing", kwargs={"filing_id": filing.pk})).content.decode()
    assert f"<code>{filing.reference}</code>" in body


def test_pass_review_through_the_view(client, principal, reviewer):
    filing = _submitted(principal)
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-pass", kwargs={"filing_id": filing.pk}), {"comment": "材料齐全"}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == State.SMS_VERIFICATION and filing.reviewer == reviewer
    assert FilingEvent.objects.filter(filing=filing, transition="pass_review", actor=reviewer).exists()


def test_return_with_catalogue_reasons_and_free_text(client, principal, reviewer):
    filing = _submitted(principal)
    reason = RejectionReason.objects.filter(active=True).first()
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-return", kwargs={"filing_id": filing.pk}),
        {
            "codes": [reason.code],
            "field": "website.name",
            "reason": "网站名称过于宽泛",
            "suggested_fix": "请改为能反映内容的名称",
            "comment": "请修改后重新提交",
        },
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == State.ENTRY
    event = FilingEvent.objects.get(filing=filing, transition="return_to_entry")
    assert event.reasons == [
        {
            "field": reason.field,
            "reason": reason.reason,
            "suggested_fix": reason.suggested_fix,
            "code": reason.code,
            # The catalogue's texts are kept untranslated too, to be said in each reader's language.
            "reason_source": {"id": reason.reason, "params": {}},
            "suggested_fix_source": {"id": reason.suggested_fix, "params": {}},
        },
        {
            "field": "website.name",
            "reason": "网站名称过于宽泛",
            "suggested_fix": "请改为能反映内容的名称",
            "code": "",
        },
    ]


def test_a_bureau_rejection_without_reason_is_refused_with_its_own_message(client, principal, reviewer):
    filing = _in_bureau(principal, reviewer)
    client.force_login(reviewer)
    url = reverse("filings:review-reject", kwargs={"filing_id": filing.pk})
    response = client.post(url, {"comment": "x"})
    assert response.status_code == 400
    assert "记录管局退回时请至少填写一条原因。" in response.content.decode()
    english = client.post(url, {"comment": "x"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Give at least one reason when recording a bureau rejection." in english
    assert "when returning a filing" not in english
    filing.refresh_from_db()
    assert filing.state == State.BUREAU_REVIEW


def test_return_without_reason_is_refused_with_a_message(client, principal, reviewer):
    filing = _submitted(principal)
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-return", kwargs={"filing_id": filing.pk}), {"comment": "x"}
    )
    assert response.status_code == 400
    assert "请至少填写一条原因" in response.content.decode()
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW


def test_approve_with_icp_number_sets_website_numbers(client, principal, reviewer):
    filing = _in_bureau(principal, reviewer)
    website = filing.websites.get()
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-approve", kwargs={"filing_id": filing.pk}),
        {"icp_number": "粤ICP备2026012345号"},
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    website.refresh_from_db()
    assert filing.state == State.PUBLISHED and filing.icp_number == "粤ICP备2026012345号"
    assert website.icp_number == "粤ICP备2026012345号-1"


@pytest.mark.parametrize(
    "number, message",
    [
        ("京ICP备2026012345号", "备案号简称应为“粤”"),
        ("粤ICP证030173号", "主体备案号格式"),
        ("粤ICP备202601234号", "主体备案号格式"),
        ("", "主体备案号格式"),
    ],
)
def test_approve_refuses_a_wrong_icp_number(client, principal, reviewer, number, message):
    filing = _in_bureau(principal, reviewer)
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-approve", kwargs={"filing_id": filing.pk}), {"icp_number": number}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    filing.refresh_from_db()
    assert filing.state == State.BUREAU_REVIEW and filing.icp_number == ""


def test_approve_refuses_a_website_number_of_another_subject(client, principal, reviewer):
    filing = _in_bureau(principal, reviewer)
    website = filing.websites.get()
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-approve", kwargs={"filing_id": filing.pk}),
        {"icp_number": "粤ICP备2026012345号", f"website_{website.pk}": "粤ICP备2026099999号-1"},
    )
    assert response.status_code == 400
    filing.refresh_from_db()
    assert filing.state == State.BUREAU_REVIEW


def test_reject_and_register_public_security(client, principal, reviewer):
    rejected = _in_bureau(principal, reviewer)
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-reject", kwargs={"filing_id": rejected.pk}),
        {"reason": "网站名称与内容不符", "field": "website.name", "suggested_fix": "修改网站名称"},
    )
    assert response.status_code == 302
    rejected.refresh_from_db()
    assert rejected.state == State.ENTRY

    published = transitions.approve_filing(
        _in_bureau(factories.principal_user(username="principal-d"), reviewer),
        by=reviewer,
        icp_number="粤ICP备2026054321号",
    )
    response = client.post(
        reverse("filings:review-psb", kwargs={"filing_id": published.pk}),
        {"psb_number": "粤公网安备44030502000001号"},
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.psb_number == "粤公网安备44030502000001号"


def test_action_in_the_wrong_stage_is_a_conflict(client, principal, reviewer):
    filing = _submitted(principal)
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-approve", kwargs={"filing_id": filing.pk}),
        {"icp_number": "粤ICP备2026012345号"},
    )
    assert response.status_code == 409
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW


@pytest.mark.parametrize("who", ["principal", "manager", "anonymous"])
def test_reviewer_console_is_for_reviewers_only(client, principal, manager, reviewer, who):
    filing = _submitted(principal)
    if who != "anonymous":
        client.force_login({"principal": principal, "manager": manager}[who])
    urls = [
        reverse("filings:review-queue", kwargs={"queue": "provider_review"}),
        reverse("filings:review-filing", kwargs={"filing_id": filing.pk}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == (302 if who == "anonymous" else 403)
    response = client.post(reverse("filings:review-pass", kwargs={"filing_id": filing.pk}))
    assert response.status_code in (302, 403)
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW


@pytest.mark.parametrize("who", ["principal", "reviewer"])
def test_dashboard_is_for_managers_only(client, principal, reviewer, who):
    client.force_login({"principal": principal, "reviewer": reviewer}[who])
    for url in [
        reverse("filings:dashboard"),
        reverse("filings:dashboard-deadlines", kwargs={"kind": "overdue"}),
        reverse("filings:dashboard-open"),
    ]:
        assert client.get(url).status_code == 403


def test_pre_review_page_reads_sms_verifiers_and_face_checks_only_in_sms_verification(
    client, principal, reviewer
):
    in_review = _submitted(principal)
    in_sms = transitions.pass_review(
        _submitted(factories.principal_user(username="principal-sms")), by=reviewer
    )
    client.force_login(reviewer)
    url = reverse("filings:review-filing", kwargs={"filing_id": in_review.pk})
    read = _queries(client, url)
    # The checks still ask for each principal's entry face check (its outcome), not for every check.
    assert not [q for q in read if "filings_smsverifier" in q or 'authenticitycheck"."id"' in q]
    assert [q for q in read if 'SELECT "filings_authenticitycheck"."outcome"' in q]
    # During SMS verification the page offers each verifier of this round in its form.
    response = client.get(reverse("filings:review-filing", kwargs={"filing_id": in_sms.pk}))
    verifiers = SmsVerifier.objects.filter(filing=in_sms, stage_visit=in_sms.stage_visit)
    assert verifiers and list(response.context["verifiers"]) == list(verifiers.order_by("id"))
    body = response.content.decode()
    assert all(f'<option value="{v.pk}">' in body for v in verifiers)


def test_unknown_queue_is_404(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("filings:review-queue", kwargs={"queue": "nope"})).status_code == 404


def _queries(client, url) -> list[str]:
    """Return the statements one request ran (their first 80 characters), so that a failing
    comparison names the one that came or went."""
    # Counted at steady state: the first request may read the user's permissions into the cache.
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # The session is read from Redis or, when its copy there is missing, from the database: which
    # one depends on the cache, not on the page.
    return [q["sql"][:80] for q in captured.captured_queries if 'FROM "django_session"' not in q["sql"]]


def _many_filings(n, reviewer):
    filings = []
    for index in range(n):
        owner = factories.principal_user(username=f"owner-{index}")
        filings.append(transitions.submit_filing(factories.ready_filing(assignee=owner), by=owner))
    return filings


@pytest.mark.parametrize("queue", ["provider_review", "public_security"])
def test_queue_query_count_does_not_grow_with_filings(client, reviewer, queue):
    client.force_login(reviewer)
    url = reverse("filings:review-queue", kwargs={"queue": queue})
    _many_filings(1, reviewer)
    summaries.refresh_summaries(full=True)
    one = _queries(client, url)
    _many_filings(29, reviewer)
    summaries.refresh_summaries(full=True)
    thirty = _queries(client, url)
    assert len(one) == len(thirty), (one, thirty)
    if queue == "provider_review":
        first = client.get(url).context
        assert len(first["rows"]) == queues.PAGE_SIZE == 25 and first["page"].next
        second = client.get(url, {"after": first["page"].next.token()})
        assert len(second.context["rows"]) == 30 - queues.PAGE_SIZE and second.context["page"].next is None
        deep = _queries(client, f"{url}?after={first['page'].next.token()}")
        assert len(deep) == len(thirty), (deep, thirty)  # a later page costs what the first costs
        assert client.get(url, {"after": "nonsense"}).status_code == 400


def test_dashboard_query_count_does_not_grow_with_filings(client, manager, reviewer):
    client.force_login(manager)
    url = reverse("filings:dashboard")
    _many_filings(1, reviewer)
    summaries.refresh_summaries(full=True)
    one = _queries(client, url)
    filings = _many_filings(29, reviewer)
    # Some of them overdue and returned, so that every list and table has rows.
    Filing.objects.filter(pk__in=[f.pk for f in filings[:10]]).update(
        stage_entered_at=filings[0].stage_entered_at
    )
    for filing in filings[10:15]:
        transitions.return_filing(
            filing, by=reviewer, reasons=[{"field": "x", "reason": "缺少材料", "suggested_fix": "补充"}]
        )
    summaries.refresh_summaries(full=True)
    thirty = _queries(client, url)
    assert len(one) == len(thirty), (one, thirty)


def test_queue_and_deadline_lists_export_to_csv_and_offer_excel(client, principal, reviewer, manager):
    filing = _submitted(principal)
    client.force_login(reviewer)
    url = reverse("filings:review-queue", kwargs={"queue": "provider_review"})
    response = client.get(url + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("备案ID,主体,省份") and lines[1].startswith(f"{filing.pk},")
    # Excel is made by a worker: the list offers it (tests/test_exports.py follows the job).
    offer = client.get(url + "?format=xlsx").content.decode()
    assert 'action="/filings/exports/"' in offer and 'name="queue" value="provider_review"' in offer

    client.force_login(manager)
    response = client.get(reverse("filings:dashboard-open") + "?state=provider_review&format=csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].split(",")[0] == str(filing.pk)


def test_queue_rows_are_escaped_and_claim_forms_carry_the_requesters_token(principal, reviewer):
    import re

    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    filing = _submitted(principal)
    filing.subject.name = '<b>"甲&乙"</b>科技有限公司'
    filing.subject.save()
    client = Client()
    client.force_login(reviewer)
    url = reverse("filings:review-queue", kwargs={"queue": "provider_review"})
    response = client.get(url + "?province=" + filing.province.code)
    body = response.content.decode()
    assert "&lt;b&gt;&quot;甲&amp;乙&quot;&lt;/b&gt;科技有限公司" in body and "<b>" not in body
    assert f'<option value="{filing.province.code}" selected>' in body
    assert f'formaction="/filings/review/{filing.pk}/claim/"' in body
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body))
    secret = response.wsgi_request.META["CSRF_COOKIE"]
    assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)


def test_a_verifier_not_of_this_round_is_refused_with_one_message(client, principal, reviewer):
    first = transitions.pass_review(_submitted(principal), by=reviewer)
    other = transitions.pass_review(_submitted(principal), by=reviewer)
    foreign = SmsVerifier.objects.filter(filing=other).first()
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-sms-verified", kwargs={"filing_id": first.pk}), {"verifier": foreign.pk}
    )
    assert response.status_code == 400
    card = re.search(r'<div class="card error" role="alert">(.*?)</div>', response.content.decode(), re.S)
    said = re.sub(r"<[^>]+>", "\n", card.group(1)).split()
    assert said == ["该核验人不属于本轮短信核验,请刷新页面后重新选择。"]
    assert not SmsVerifier.objects.filter(filing=first, verified_at__isnull=False).exists()
