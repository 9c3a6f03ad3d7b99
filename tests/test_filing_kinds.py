"""Each filing type's declaration (filings.kinds) decides what users see of it: the stages on its
progress bar, what its approval does and says, what a cancelled item still asks for, and the queues."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from filings.jobs import alert_scan
from filings.kinds.states import State
from filings.models import Deadline, Province, SmsVerifier
from filings.services import cancellations, transitions
from filings.web.views import display
from tests import factories

pytestmark = pytest.mark.django_db


def _cancelled(published, principal, reviewer, scope="website"):
    filing = factories.cancel_website(published, principal, scope=scope)
    factories.add_required_materials(filing)
    filing = transitions.submit_filing(filing, by=principal)
    if scope == "access":
        return cancellations.finish_access_cancellation(filing, by=reviewer)
    filing = transitions.pass_review(filing, by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    return cancellations.approve_cancellation(filing, by=reviewer)


def test_cancel_access_progress_shows_only_the_stages_it_walks(published, principal, reviewer):
    filing = _cancelled(published, principal, reviewer, scope="access")
    steps = display.progress_of(filing).steps
    assert [s.state for s in steps] == [State.ENTRY, State.PROVIDER_REVIEW, State.PUBLISHED]
    assert steps[-1].status == "current"


@pytest.mark.parametrize("scope", ["website", "access"])
def test_a_cancelled_site_owes_no_public_security_registration(client, published, principal, reviewer, scope):
    open_psb = Deadline.objects.filter(filing=published, kind=Deadline.Kind.PUBLIC_SECURITY, closed_at=None)
    assert open_psb.exists()
    staff = factories.reviewer_user()
    client.force_login(staff)
    queue = reverse("filings:review-queue", args=["public_security"])
    assert published.subject.name in client.get(queue).content.decode()

    cancellation = _cancelled(published, principal, reviewer, scope=scope)

    assert not open_psb.exists()
    assert published.subject.name not in client.get(queue).content.decode()
    review = client.get(reverse("filings:review-filing", args=[published.pk])).content.decode()
    assert "记录公安备案号" not in review and "立即检查网站页脚" not in review
    client.force_login(principal)
    for filing in (published, cancellation):
        page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
        assert "公安联网备案" not in page.split('id="next-h"', 1)[1].split("</section>", 1)[0]
        assert 'name="psb_number"' not in page and 'name="went_live_on"' not in page


def test_a_finished_change_does_not_ask_for_public_security(client, published, principal, reviewer):
    from filings.models import Filing
    from filings.services import changes, drafts
    from tests.test_changes import entry_payload

    change = changes.open_change(published, by=principal)
    drafts.update_filing(
        change,
        by=principal,
        expected_version=change.version,
        **entry_payload(change, city="广州市", postal_address="广东省广州市天河区新址3号"),
    )
    factories.add_required_materials(change)
    change = factories.carry_to_bureau(Filing.objects.get(pk=change.pk), reviewer=reviewer)
    change = changes.approve_change(change, by=reviewer)
    assert change.state == State.PUBLISHED
    client.force_login(principal)
    page = client.get(reverse("filings:detail", args=[change.pk])).content.decode()
    assert "公安联网备案" not in page.split('id="next-h"', 1)[1].split("</section>", 1)[0]
    # Its decision in the inbox leads to the filing, not to a public-security step it does not have.
    approval = change.events.get(transition="approve")
    inbox = client.get(reverse("alert-inbox")).content.decode()
    card = inbox.split(f'id="decision-{approval.pk}"', 1)[1].split("</article>", 1)[0]
    assert "[变更已生效]" in card
    assert "登记公安联网备案号" not in card and f'href="/filings/{change.pk}/">查看备案 →' in card


def test_a_cancellations_decision_says_cancelled_without_a_public_security_link(
    client, published, principal, reviewer
):
    cancellation = _cancelled(published, principal, reviewer)
    approval = cancellation.events.get(transition="approve")
    client.force_login(principal)
    inbox = client.get(reverse("alert-inbox")).content.decode()
    card = inbox.split(f'id="decision-{approval.pk}"', 1)[1].split("</article>", 1)[0]
    assert f"[已注销] {published.subject.name}" in card
    assert "→ 已注销" in card
    assert "登记公安联网备案号" not in card and "查看备案" in card


def test_a_face_check_alert_says_what_to_do(principal, reviewer):
    Province.objects.filter(code="44").update(face_check_hours=12)
    filing = transitions.pass_review(
        transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal), by=reviewer
    )
    due = Deadline.objects.get(filing=filing, kind=Deadline.Kind.FACE_CHECK).due_at
    alert_scan.scan_deadlines(now=due - timedelta(hours=3))
    alert = filing.alerts.get(kind=Deadline.Kind.FACE_CHECK)
    assert "人脸核验" in alert.action and alert.action != "请尽快处理该备案。"


def test_face_check_expiry_after_the_sms_returns_for_the_face_check(client, principal, reviewer):
    Province.objects.filter(code="44").update(face_check_hours=24)
    filing = transitions.pass_review(
        transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal), by=reviewer
    )
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    assert filing.state == State.SMS_VERIFICATION
    # SMS done: its window neither warns nor expires; 下一步 asks for the face check.
    assert not Deadline.objects.filter(filing=filing, kind=Deadline.Kind.SMS_WINDOW, closed_at=None).exists()
    client.force_login(principal)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    next_card = page.split('id="next-h"', 1)[1].split("</section>", 1)[0]
    assert "真实性核验" in next_card and "短信核验," not in next_card
    inbox = client.get(reverse("alert-inbox")).content.decode()
    assert "去完成短信核验" not in inbox

    alert_scan.scan_deadlines(now=timezone.now() + timedelta(hours=25))

    filing.refresh_from_db()
    assert filing.state == State.ENTRY
    event = filing.events.order_by("-at", "-id").first()
    assert event.transition == "expire_face_check"
    assert "短信核验未在24小时内完成" not in str(event.shown_reasons)


def test_queue_tab_counts_equal_the_rows_listed(client, published, principal, reviewer):
    _cancelled(published, principal, reviewer)
    factories.published_filing(assignee=principal, reviewer=reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("filings:review-queue", args=["public_security"])).content.decode()
    listed = Deadline.objects.filter(kind=Deadline.Kind.PUBLIC_SECURITY, closed_at=None).count()
    assert listed == 1
    assert f"已公示待公安备案 ({listed})" in page
