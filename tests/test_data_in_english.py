"""Text that comes from data is said in the reader's language: alert threshold names are made from
their kind and parameters, seeded province notes and stored scan-check messages are translated."""

import pytest
from django.db import transaction
from django.utils import translation

from filings.models import AlertThreshold
from filings.models.alerts import threshold_label
from filings.services import materials

pytestmark = pytest.mark.django_db

SEEDED_NAMES = {
    ("sms_window", "before_4h"): ("到期前4小时", "4 hours before the deadline"),
    ("sms_window", "expired"): ("超时退回", "Timed out, sent back"),
    ("prereview_target", "target"): ("达到1个工作日目标", "1-working-day target reached"),
    ("bureau_review", "before_5wd"): ("到期前5个工作日", "5 working days before the deadline"),
    ("public_security", "before_7d"): ("到期前7天", "7 days before the deadline"),
    ("stale_entry", "after_7d"): ("停滞7天", "Idle for 7 days"),
    ("stale_entry", "after_15d"): ("停滞15天", "Idle for 15 days"),
    ("stale_entry", "after_30d"): ("停滞30天", "Idle for 30 days"),
    ("footer_fix", "check_failed"): (
        "页脚检查未通过,整改期开始",
        "Footer check failed: rectification period begins",
    ),
}


@pytest.mark.parametrize(
    ("key", "names"), SEEDED_NAMES.items(), ids=[k[1] + "-" + k[0] for k in SEEDED_NAMES]
)
def test_seeded_thresholds_are_named_from_their_parameters_in_each_language(key, names):
    threshold = AlertThreshold.objects.get(deadline_kind=key[0], code=key[1])
    assert threshold.label == ""  # the words are not stored
    with translation.override("zh-hans"):
        assert threshold_label(threshold) == names[0]
    with translation.override("en"):
        assert threshold_label(threshold) == names[1]


def test_an_admins_own_name_is_shown_as_written():
    threshold = AlertThreshold.objects.get(deadline_kind="sms_window", code="before_1h")
    threshold.label = "最后一小时"
    with translation.override("en"):
        assert threshold_label(threshold) == "最后一小时"


def test_a_stored_scan_check_is_said_again_in_the_readers_language(principal):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from tests import factories, scan_samples

    filing = factories.ready_filing(assignee=principal)
    with translation.override("zh-hans"):
        material = materials.upload_material(
            filing,
            by=principal,
            kind="business_licence",
            upload=SimpleUploadedFile("low.jpg", scan_samples.licence_scan(dpi=150), "image/jpeg"),
            person_id=None,
            website_id=None,
        )
    stored = next(r for r in material.check_results if r["code"] == "dpi")
    assert "低于要求的 300 dpi" in stored["message"]  # worded for the uploader
    assert stored["message_id"] and stored["params"]["required"] == 300  # and kept as code + parameters

    client = Client()
    client.force_login(principal)
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(reverse("filings:materials", args=[filing.pk])).content.decode()
    assert "below the required 300 dpi" in english and "低于要求的" not in english
    detail = client.get(reverse("filings:detail", args=[filing.pk]) + "?history=1").content.decode()
    assert "below the required 300 dpi" in detail and "低于要求的" not in detail


def test_a_check_stored_before_codes_is_shown_as_it_was_stored():
    from filings.rules.scans import say

    assert (
        say({"code": "dpi", "status": "fail", "message": "旧的说明", "advice": ""}, "message") == "旧的说明"
    )


def test_province_names_and_notes_are_said_in_the_readers_language(principal):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(principal)
    client.post(reverse("set_language"), {"language": "en"})

    page = client.get(reverse("filings:create"), {"filing_type": "first", "province": "31"}).content.decode()

    assert "Shanghai Municipality" in page and "Shanghai Communications Administration" in page
    rules = page.split('id="rules-h"', 1)[1].split("</aside>", 1)[0]
    assert "Shanghai" in rules and "上海" not in rules
    assert "the face check must be done in person within Shanghai" in rules  # the province's note
    start = client.get(reverse("filings:create")).content.decode()
    assert ">Guangdong Province</option>" in start


def test_province_data_stays_chinese_for_a_chinese_reader(principal):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(principal)
    page = client.get(reverse("filings:create"), {"filing_type": "first", "province": "31"}).content.decode()
    assert "上海市" in page and "上海管局的要求" in page and "须本人在上海境内进行" in page


# Footer checks, history rows and the reviewers' catalogue: the system's words are stored as their
# untranslated source and said again in each reader's language; a person's words stay as written.

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from filings.jobs import footer_checks  # noqa: E402
from filings.kinds.states import State  # noqa: E402
from filings.models import (  # noqa: E402
    FilingEvent,
    FooterCheck,
    RejectionReason,
    SmsVerifier,
    wording,  # noqa: E402
)
from filings.reads import selectors  # noqa: E402
from filings.rules import footer  # noqa: E402
from filings.services import sms_expiry, transitions  # noqa: E402
from tests import factories  # noqa: E402
from tests.test_footer_checks import ICP, _point_at, published, site  # noqa: E402, F401


def _english_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en"})
    return client


def test_a_footer_problem_is_said_in_the_readers_language():
    with translation.override("zh-hans"):
        result = footer.check_footer("http://127.0.0.1/", expected_icp=ICP, allow_private_hosts=False)
    assert result.problems == ["无法访问网站:127.0.0.1 不是公网地址,已拒绝访问。"]
    [source] = result.problem_sources
    assert source["id"] == "无法访问网站:%(reason)s。"  # the code, with the reason as a nested source
    assert source["params"]["reason"] == {
        "id": "%(host)s 不是公网地址,已拒绝访问",
        "params": {"host": "127.0.0.1"},
    }
    with translation.override("en"):
        assert wording.say(source) == (
            "The website could not be reached: 127.0.0.1 is not a public address, access refused."
        )


def test_a_stored_footer_check_and_its_history_row_read_in_english(published, site, reviewer):  # noqa: F811
    _point_at(published, f"{site}/missing")
    with translation.override("zh-hans"):
        [check] = footer_checks.run_footer_check(published, by=reviewer)
    check = FooterCheck.objects.get(pk=check.pk)
    assert check.problems == [f"页面未显示备案号 {ICP}。"]  # worded for the one who ran it
    with translation.override("en"):
        assert check.shown_problems == [f"The page does not show the ICP number {ICP}."]
    with translation.override("zh-hans"):
        assert check.shown_problems == [f"页面未显示备案号 {ICP}。"]
    event = FilingEvent.objects.get(filing=published, transition="footer_check")
    with translation.override("en"):
        assert event.shown_comment == "Footer check: 0 of 1 websites passed."
        assert event.shown_reasons[0]["reason"] == f"The page does not show the ICP number {ICP}."

    client = _english_client(published.assignee)
    page = client.get(reverse("filings:detail", args=[published.pk]) + "?history=1").content.decode()
    assert "The page does not show the ICP number" in page and "Footer check: 0 of 1 websites passed." in page
    assert "页面未显示备案号" not in page and "个网站通过" not in page
    review = (
        _english_client(reviewer).get(reverse("filings:review-filing", args=[published.pk])).content.decode()
    )
    assert "The page does not show the ICP number" in review and "页面未显示备案号" not in review


def test_a_footer_check_stored_before_codes_is_shown_as_it_was_stored(published):  # noqa: F811
    website = published.websites.get()
    check = FooterCheck(
        filing=published, website=website, url=website.homepage, expected_icp=ICP, status="fail"
    )
    check.problems = ["旧的页脚问题"]
    with translation.override("en"):
        assert check.shown_problems == ["旧的页脚问题"]


def _in_sms(principal, reviewer):
    filing = transitions.submit_filing(
        factories.ready_filing(assignee=principal), by=principal, comment="请审核"
    )
    filing = transitions.pass_review(filing, by=reviewer)
    assert filing.state == State.SMS_VERIFICATION
    return filing


SMS_TIMEOUT = {
    "zh-hans": ("短信核验未在24小时内完成,备案退回信息填报", "短信核验未在24小时内完成"),
    "en": (
        "SMS verification was not completed within 24 hours",
        "SMS verification not completed within 24 hours",
    ),
}


@pytest.mark.parametrize("in_bulk", [False, True], ids=["one", "in-bulk"])
def test_a_system_history_row_is_said_in_the_readers_language(principal, reviewer, in_bulk):
    filing = _in_sms(principal, reviewer)
    with translation.override("zh-hans"):
        if in_bulk:
            window = filing.deadlines.get(kind="sms_window", closed_at__isnull=True)
            with transaction.atomic():
                sms_expiry.expire_sms_windows([window], now=window.due_at)
        else:
            transitions.expire_sms_window(filing)
    event = FilingEvent.objects.get(filing=filing, transition="expire_sms")
    assert event.comment.startswith(SMS_TIMEOUT["zh-hans"][0]) and event.comment_source["id"] == event.comment
    for language, (comment, reason) in SMS_TIMEOUT.items():
        with translation.override(language):
            assert event.shown_comment.startswith(comment)
            assert event.shown_reasons[0]["reason"] == reason

    page = _english_client(principal).get(reverse("filings:detail", args=[filing.pk]) + "?history=1")
    text = page.content.decode()
    assert SMS_TIMEOUT["en"][0] in text and SMS_TIMEOUT["en"][1] in text
    assert "短信核验未在24小时内完成" not in text
    assert "请审核" in text  # the principal's own comment, as written


def test_a_system_comment_with_parameters_and_a_persons_comment(principal, reviewer):
    filing = _in_sms(principal, reviewer)
    verifier = SmsVerifier.objects.filter(filing=filing).select_related("person").first()
    with translation.override("zh-hans"):
        transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    verified = FilingEvent.objects.get(filing=filing, transition="sms_verified")
    submitted = FilingEvent.objects.get(filing=filing, transition="submit")
    with translation.override("en"):
        assert verified.shown_comment == f"{verifier.person.name} has completed SMS verification."
        assert submitted.shown_comment == "请审核" and submitted.comment_source == {}
    with translation.override("zh-hans"):
        assert verified.shown_comment == f"{verifier.person.name}已完成短信核验。"


def test_seeded_catalogue_reasons_are_said_in_the_readers_language():
    RejectionReason.objects.create(
        code="own", field="website.name", reason="自拟原因", suggested_fix="自拟建议"
    )
    with translation.override("en"):
        english = {r.code: r for r in selectors.rejection_catalogue()}
    with translation.override("zh-hans"):
        chinese = {r.code: r for r in selectors.rejection_catalogue()}
    assert english["licence-scan-unclear"].reason == "The business licence scan is unclear or below 300 dpi."
    assert chinese["licence-scan-unclear"].reason == "营业执照扫描件不清晰或分辨率低于300dpi。"
    assert english["domain-real-name-not-synced"].suggested_fix == (
        "Complete the domain's real-name verification and wait at least 3 working days after it"
        " before submitting the filing."
    )
    assert "至少等待3个工作日" in chinese["domain-real-name-not-synced"].suggested_fix
    assert (english["own"].reason, english["own"].suggested_fix) == ("自拟原因", "自拟建议")  # an admin's own
    stored = RejectionReason.objects.get(code="licence-scan-unclear")
    assert stored.reason == "营业执照扫描件不清晰或分辨率低于300dpi。"  # the data stays as seeded


def test_a_return_with_catalogue_reasons_reads_in_english(principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    reviewing = Client()
    reviewing.force_login(reviewer)  # a Chinese-reading reviewer returns the filing
    form = reviewing.get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    assert "营业执照扫描件不清晰或分辨率低于300dpi。" in form
    response = reviewing.post(
        reverse("filings:review-return", kwargs={"filing_id": filing.pk}),
        {"codes": ["licence-scan-unclear"], "reason": "另附的说明", "field": "website.name"},
    )
    assert response.status_code == 302

    page = _english_client(principal).get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "The business licence scan is unclear or below 300 dpi." in page
    assert "Scan the original certificate in colour at 300 dpi or more" in page
    assert "营业执照扫描件不清晰" not in page and "请使用证件原件彩色扫描" not in page
    assert "另附的说明" in page  # the reviewer's own words, as written

    filing.refresh_from_db()
    transitions.submit_filing(filing, by=principal)
    english_form = (
        _english_client(reviewer).get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    )
    assert "The business licence scan is unclear or below 300 dpi." in english_form
    assert "营业执照扫描件不清晰" not in english_form
