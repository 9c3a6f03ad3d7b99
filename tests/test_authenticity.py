"""The province's further authenticity step (真实性核验 after the SMS): the province rule decides
whether it applies; it has its deadline and reminders; passed lets the filing go on, failed or
expired sends it back with the reason."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from filings.exceptions import InvalidInput, TransitionNotPermitted, TransitionNotPossible
from filings.jobs import alert_scan
from filings.kinds.states import State
from filings.models import Alert, AlertThreshold, AuthenticityCheck, Deadline, Filing, Province, SmsVerifier
from filings.services import authenticity, transitions
from tests import factories


@pytest.fixture
def guangdong_checks_faces(db):
    Province.objects.filter(code="44").update(face_check_hours=12, face_check_in_own_app=False)


def in_sms(principal, reviewer) -> Filing:
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    return transitions.pass_review(filing, by=reviewer)


def confirm_sms(filing: Filing, reviewer) -> Filing:
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    return filing


def test_no_check_where_the_province_asks_for_none(principal, reviewer):
    filing = in_sms(principal, reviewer)
    assert not AuthenticityCheck.objects.filter(filing=filing, step="province").exists()
    assert confirm_sms(filing, reviewer).state == State.BUREAU_REVIEW


@pytest.mark.django_db
def test_shanghai_asks_for_it_in_its_own_app_by_the_reference_data():
    shanghai = Province.objects.get(code="31")
    assert shanghai.face_check_hours and shanghai.face_check_in_own_app


def test_the_check_opens_after_pre_review_with_its_deadline(principal, reviewer, guangdong_checks_faces):
    filing = in_sms(principal, reviewer)
    check = AuthenticityCheck.objects.get(filing=filing, step="province")
    assert check.outcome == "pending" and check.person_id == filing.subject_principal_id
    assert check.expires_at - check.started_at == timedelta(hours=12)
    deadline = Deadline.objects.get(filing=filing, kind=Deadline.Kind.FACE_CHECK, closed_at__isnull=True)
    assert deadline.due_at == check.expires_at


def test_sms_alone_does_not_reach_the_bureau_until_the_face_check_passes(
    principal, reviewer, guangdong_checks_faces
):
    filing = confirm_sms(in_sms(principal, reviewer), reviewer)
    assert filing.state == State.SMS_VERIFICATION
    filing = authenticity.record_face_check(filing, by=principal, passed=True)
    assert filing.state == State.BUREAU_REVIEW
    assert filing.events.filter(transition="face_check_passed").exists()


def test_passing_first_waits_for_the_sms_and_closes_its_deadline(principal, reviewer, guangdong_checks_faces):
    filing = authenticity.record_face_check(in_sms(principal, reviewer), by=reviewer, passed=True)
    assert filing.state == State.SMS_VERIFICATION
    assert not Deadline.objects.filter(
        filing=filing, kind=Deadline.Kind.FACE_CHECK, closed_at__isnull=True
    ).exists()
    assert confirm_sms(filing, reviewer).state == State.BUREAU_REVIEW


def test_a_failure_sends_the_filing_back_with_its_reason(principal, reviewer, guangdong_checks_faces):
    filing = in_sms(principal, reviewer)
    with pytest.raises(InvalidInput, match="原因"):
        authenticity.record_face_check(filing, by=reviewer, passed=False)
    filing = authenticity.record_face_check(filing, by=reviewer, passed=False, reason="人脸与证件照片不符")
    assert filing.state == State.ENTRY
    event = filing.events.get(transition="fail_face_check")
    assert (
        event.reasons[0]["reason"] == "人脸与证件照片不符"
        and event.reasons[0]["field"] == "face_verification"
    )
    assert AuthenticityCheck.objects.get(filing=filing, step="province").outcome == "failed"
    # The next round opens a new check.
    filing = transitions.pass_review(transitions.submit_filing(filing, by=principal), by=reviewer)
    assert AuthenticityCheck.objects.filter(filing=filing, step="province").count() == 2


def test_expiry_by_the_scan_sends_the_filing_back(principal, reviewer, guangdong_checks_faces):
    filing = in_sms(principal, reviewer)
    check = AuthenticityCheck.objects.get(filing=filing, step="province")
    with pytest.raises(TransitionNotPossible, match="尚未到期"):
        authenticity.expire_face_check(filing, now=check.expires_at - timedelta(minutes=1))
    result = alert_scan.scan_deadlines(now=check.expires_at + timedelta(minutes=1))
    filing.refresh_from_db()
    assert filing.state == State.ENTRY and result.expired >= 1
    check.refresh_from_db()
    assert check.outcome == "expired"
    assert filing.events.get(transition="expire_face_check").reasons[0]["code"] == "face_check_timeout"


def test_reminder_before_the_face_check_expires(principal, reviewer, guangdong_checks_faces):
    assert AlertThreshold.objects.filter(deadline_kind="face_check", code="before_4h").exists()
    filing = in_sms(principal, reviewer)
    check = AuthenticityCheck.objects.get(filing=filing, step="province")
    alert_scan.scan_deadlines(now=check.expires_at - timedelta(hours=3))
    assert Alert.objects.filter(filing=filing, deadline__kind=Deadline.Kind.FACE_CHECK).exists()
    assert Filing.objects.get(pk=filing.pk).state == State.SMS_VERIFICATION


def test_only_the_principal_or_a_reviewer_records_it_and_only_once(
    principal, other_principal, reviewer, guangdong_checks_faces
):
    filing = in_sms(principal, reviewer)
    with pytest.raises(TransitionNotPermitted):
        authenticity.record_face_check(filing, by=other_principal, passed=True)
    authenticity.record_face_check(filing, by=principal, passed=True)
    with pytest.raises(TransitionNotPossible, match="已记录"):
        authenticity.record_face_check(Filing.objects.get(pk=filing.pk), by=reviewer, passed=True)


def test_recording_where_none_is_asked_is_refused(principal, reviewer):
    with pytest.raises(TransitionNotPossible, match="不要求真实性核验"):
        authenticity.record_face_check(in_sms(principal, reviewer), by=reviewer, passed=True)


def test_face_check_through_the_pages_and_the_api(principal, reviewer, api, guangdong_checks_faces):
    filing = in_sms(principal, reviewer)
    client = Client()
    client.force_login(principal)
    page = client.get(filing.get_absolute_url()).content.decode()
    assert "真实性核验" in page and "记录核验通过" in page
    response = client.post(reverse("filings:face-check", args=[filing.pk]), {"outcome": "failed"})
    assert response.status_code == 400 and "请填写真实性核验未通过的原因" in response.content.decode()
    staff = api(reviewer)
    response = staff.post(
        f"/api/v1/filings/{filing.pk}/face-check/", {"outcome": "failed", "reason": "非本人"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "entry"
    province_step = [c for c in response.json()["authenticity_checks"] if c["step"] == "province"]
    assert province_step[0]["outcome"] == "failed"
    detail = client.get(filing.get_absolute_url()).content.decode()
    assert "非本人" in detail and "真实性核验未通过退回" in detail
