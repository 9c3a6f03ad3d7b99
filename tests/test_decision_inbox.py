"""Every decision on a principal's filing reaches their in-app inbox (and the filing page's 提醒 card),
with a link to the place to act; their own steps do not."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from filings.kinds.states import State
from filings.models import Notification, SmsVerifier
from filings.reads import selectors
from filings.services import notifications, transitions
from tests import factories

pytestmark = pytest.mark.django_db
REASONS = [{"field": "website.description", "reason": "内容描述过于简单", "suggested_fix": "写明主要内容"}]


def _submitted(principal):
    return transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)


def _in_bureau(principal, reviewer):
    filing = transitions.pass_review(_submitted(principal), by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    return filing


def test_a_return_is_in_the_inbox_with_its_reasons_and_a_link_to_fix(client, principal, reviewer):
    filing = transitions.return_filing(_submitted(principal), by=reviewer, reasons=REASONS, comment="请补充")
    assert filing.state == State.ENTRY
    client.force_login(principal)

    inbox = client.get(reverse("alert-inbox")).content.decode()

    assert f"[服务商初审退回] {filing.subject.name}" in inbox
    assert "网站 · 内容描述:内容描述过于简单 建议:写明主要内容" in inbox
    assert f'href="/filings/{filing.pk}/#reasons">查看原因并修改 →' in inbox
    assert selectors.unread_alert_count(principal) == 1

    # The filing page's 提醒 card shows it too, instead of 暂无提醒.
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    card = page.split('id="alerts-h"', 1)[1].split("</section>", 1)[0]
    assert "暂无提醒" not in card
    assert "服务商初审退回" in card and "查看原因并修改" in card
    # And the list shows the filing's unread count.
    listing = client.get(reverse("filings:list")).content.decode()
    assert "1 条未读提醒" in listing


def test_a_return_fixed_and_resubmitted_no_longer_asks_to_fix_it(client, principal, reviewer):
    filing = transitions.return_filing(_submitted(principal), by=reviewer, reasons=REASONS, comment="请补充")
    transitions.submit_filing(filing, by=principal)
    client.force_login(principal)

    inbox = client.get(reverse("alert-inbox")).content.decode()

    # The reasons are history now: the filing page no longer has them to fix, and nothing asks to.
    assert f"[服务商初审退回] {filing.subject.name}" in inbox
    assert "#reasons" not in inbox and "查看原因并修改" not in inbox
    assert f'href="/filings/{filing.pk}/">查看备案 →' in inbox
    assert "decision-fail" in inbox  # still shown as the return it was
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert 'id="reasons"' not in page and "查看原因并修改" not in page


@pytest.mark.parametrize(
    ("decide", "title", "link_text", "link"),
    [
        ("reject", "[管局退回]", "查看原因并修改", "/filings/{pk}/#reasons"),
        ("approve", "[管局审核通过]", "登记公安联网备案号", "/filings/{pk}/#next-h"),
    ],
)
def test_bureau_decisions_reach_the_inbox(client, principal, reviewer, decide, title, link_text, link):
    filing = _in_bureau(principal, reviewer)
    if decide == "reject":
        filing = transitions.reject_filing(filing, by=reviewer, reasons=REASONS)
    else:
        number = f"{filing.province.icp_abbreviation}ICP备2026012345号"
        filing = transitions.approve_filing(filing, by=reviewer, icp_number=number)
    client.force_login(principal)

    inbox = client.get(reverse("alert-inbox")).content.decode()

    assert f"{title} {filing.subject.name}" in inbox
    assert f'href="{link.format(pk=filing.pk)}">{link_text} →' in inbox
    # pass_review, the SMS record and the decision: each one row, in the order they happened.
    names = list(
        Notification.objects.filter(user=principal)
        .order_by("created_at", "id")
        .values_list("event__transition", flat=True)
    )
    assert names == ["pass_review", "complete_sms", decide]


def _card(html: str, event) -> str:
    return html.split(f'id="decision-{event.pk}"', 1)[1].split("</article>", 1)[0]


def _alerts_card(html: str) -> str:
    return html.split('id="alerts-h"', 1)[1].split("</details>", 1)[0]


def test_an_approval_asks_for_the_public_security_number_only_until_it_is_recorded(
    client, principal, reviewer
):
    filing = _in_bureau(principal, reviewer)
    filing = transitions.approve_filing(
        filing, by=reviewer, icp_number=f"{filing.province.icp_abbreviation}ICP备2026012345号"
    )
    approval = filing.events.get(transition="approve")
    detail = reverse("filings:detail", args=[filing.pk])
    client.force_login(principal)
    card = _card(client.get(reverse("alert-inbox")).content.decode(), approval)
    assert f'href="{detail}#next-h">登记公安联网备案号 →' in card
    assert "登记公安联网备案号" in _alerts_card(client.get(detail).content.decode())

    transitions.register_public_security(filing, by=reviewer, psb_number="粤公网安备44030502000001号")

    # Done: the approval stays in the inbox as what happened, and now only leads to the filing.
    card = _card(client.get(reverse("alert-inbox")).content.decode(), approval)
    assert f"[管局审核通过] {filing.subject.name}" in card
    assert "登记公安联网备案号" not in card and "#next-h" not in card
    assert f'href="{detail}">查看备案 →' in card
    shown = _alerts_card(client.get(detail).content.decode())
    assert "登记公安联网备案号" not in shown and "查看备案" in shown


def test_an_approval_of_a_site_no_longer_online_does_not_ask_for_public_security(
    client, published, principal, reviewer
):
    from filings.services import cancellations

    approval = published.events.get(transition="approve")
    client.force_login(principal)
    assert "登记公安联网备案号" in _card(client.get(reverse("alert-inbox")).content.decode(), approval)

    # Its only website cancelled: nothing is left online to register.
    cancellation = factories.cancel_website(published, principal)
    factories.add_required_materials(cancellation)
    cancellation = factories.carry_to_bureau(cancellation, reviewer=reviewer)
    cancellations.approve_cancellation(cancellation, by=reviewer)

    card = _card(client.get(reverse("alert-inbox")).content.decode(), approval)
    assert "登记公安联网备案号" not in card and "查看备案" in card


def test_the_principals_own_steps_are_not_put_in_their_inbox(principal):
    _submitted(principal)
    assert not Notification.objects.filter(user=principal).exists()


def test_a_decision_row_is_read_like_an_alert(client, principal, reviewer):
    filing = transitions.return_filing(_submitted(principal), by=reviewer, reasons=REASONS)
    row = Notification.objects.get(user=principal, event__filing=filing)
    client.force_login(principal)

    response = client.post(reverse("alert-read", args=[row.pk]))

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.read_at is not None
    assert selectors.unread_alert_count(principal) == 0


def test_alert_delivery_leaves_decision_rows_alone(principal, reviewer):
    transitions.return_filing(_submitted(principal), by=reviewer, reasons=REASONS)
    assert notifications.deliver_alert_notifications() == 0


def test_an_inbox_row_names_either_an_alert_or_an_event(principal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=principal, reason=Notification.Reason.ASSIGNEE)
