"""Messages that agree with each other and with the filing: one outcome per footer check, examples from
the filing's own province, no raw keys, no "第 0 次提交", a next step that agrees with what is open,
each upload error once, and a province's rules box without repeats."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings.models import Deadline, Province, SmsVerifier
from filings.services import transitions
from tests import factories
from tests.test_footer_checks import ICP, _point_at, published, site  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _in_bureau(principal, reviewer, province_code="44"):
    filing = factories.ready_filing(assignee=principal, province_code=province_code)
    filing = transitions.pass_review(transitions.submit_filing(filing, by=principal), by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    return filing


def test_a_failed_footer_check_says_only_that_it_failed(client, published, site, reviewer):  # noqa: F811
    _point_at(published, f"{site}/missing")
    client.force_login(reviewer)

    page = client.post(
        reverse("filings:review-footer-check", kwargs={"filing_id": published.pk}), follow=True
    ).content.decode()

    assert "页脚检查未通过" in page
    assert "页脚检查已完成" not in page


def test_a_passing_footer_check_says_it_passed(client, published, site, reviewer):  # noqa: F811
    _point_at(published, f"{site}/good")
    client.force_login(reviewer)

    page = client.post(
        reverse("filings:review-footer-check", kwargs={"filing_id": published.pk}), follow=True
    ).content.decode()

    assert "页脚检查已完成,全部通过" in page and "页脚检查未通过" not in page


def test_a_wrong_icp_number_on_a_zhejiang_filing_gives_a_zhejiang_example_once(client, principal, reviewer):
    filing = _in_bureau(principal, reviewer, province_code="33")
    client.force_login(reviewer)

    response = client.post(
        reverse("filings:review-approve", kwargs={"filing_id": filing.pk}), {"icp_number": "浙ICP备123号"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    alert = page.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "浙ICP备2026012345号" in alert and "粤ICP" not in alert
    assert "icp_number" not in alert
    assert alert.count("主体备案号格式应为") == 1


def test_a_new_draft_says_it_is_not_submitted_yet(client, principal):
    filing = factories.ready_filing(assignee=principal)
    client.force_login(principal)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "第 0 次提交" not in page and "尚未提交" in page
    transitions.submit_filing(filing, by=principal)
    assert "第 1 次提交" in client.get(reverse("filings:detail", args=[filing.pk])).content.decode()


def test_the_next_step_names_an_open_footer_rectification(client, published, site, reviewer):  # noqa: F811
    from filings.jobs import footer_checks

    transitions.register_public_security(published, by=reviewer, psb_number="粤公网安备44030502000001号")
    _point_at(published, f"{site}/missing")
    footer_checks.run_footer_check(published, by=reviewer)
    assert Deadline.objects.filter(filing=published, kind="footer_fix", closed_at__isnull=True).exists()
    client.force_login(published.assignee)

    page = client.get(reverse("filings:detail", args=[published.pk])).content.decode()
    listing = client.get(reverse("filings:list")).content.decode()

    assert "备案已完成,无需操作" not in page and "备案已完成,无需操作" not in listing
    assert "页脚整改" in page and "请按页脚检查的结果整改" in listing


def test_an_empty_file_is_refused_with_one_message(client, principal):
    filing = factories.ready_filing(assignee=principal)
    client.force_login(principal)

    response = client.post(
        reverse("filings:materials", args=[filing.pk]),
        {"kind": "business_licence", "file": SimpleUploadedFile("empty.pdf", b"", "application/pdf")},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("提交的是空文件") == 1, page


def test_the_zhejiang_rules_box_says_each_thing_once(client, principal):
    zhejiang = Province.objects.get(code="33")
    client.force_login(principal)

    page = client.get(reverse("filings:create"), {"filing_type": "first", "province": "33"}).content.decode()

    box = page.split('id="rules-h"', 1)[1].split("</aside>", 1)[0]
    items = [item.split("</li>", 1)[0].strip() for item in box.split("<li>")[1:]]
    assert len(items) == len(set(items)), items
    assert box.count("居住证") == 1, items
    assert "20 个工作日" in box  # the bureau's time limit, from its data (Art. 12: 20 everywhere)
    assert zhejiang.bureau_review_workdays == 20
