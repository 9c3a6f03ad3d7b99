"""Text that comes from data is said in the reader's language: alert threshold names are made from
their kind and parameters, seeded province notes and stored scan-check messages are translated."""

import pytest
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
    from filings.scans import say

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
