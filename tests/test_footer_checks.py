"""Footer checks of published filings against a local HTTP server: recorded with their time, and a
failure raises an alert (through the alerts' footer_fix threshold) that a later pass withdraws."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from filings.jobs import footer_checks
from filings.models import Alert, Deadline, FilingEvent, FooterCheck, Notification, Province
from filings.services import notifications, transitions
from tests import factories

pytestmark = pytest.mark.django_db

ICP = "粤ICP备2026012345号"
PAGES = {
    # Guangdong sites show the subject number.
    "/good": f'<html><body><footer><a href="https://beian.miit.gov.cn/">{ICP}</a></footer></body></html>',
    "/missing": "<html><body><footer>版权所有</footer></body></html>",
}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = PAGES.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def published(principal, reviewer):
    return factories.publish(factories.ready_filing(assignee=principal), reviewer=reviewer, icp_number=ICP)


def _point_at(filing, url):
    website = filing.websites.get()
    website.homepage = url
    website.save(update_fields=["homepage"])


def test_passing_check_is_recorded_with_time(published, site, reviewer):
    _point_at(published, f"{site}/good")
    [check] = footer_checks.run_footer_check(published, by=reviewer)
    stored = FooterCheck.objects.get(pk=check.pk)
    assert stored.status == FooterCheck.Status.PASS and stored.icp_found and stored.icp_linked
    assert stored.expected_icp == ICP  # the subject number, as Guangdong sites show it
    assert stored.checked_at is not None and stored.checked_by == reviewer
    assert FilingEvent.objects.filter(filing=published, transition="footer_check").exists()
    assert not Alert.objects.filter(filing=published, kind=Deadline.Kind.FOOTER_FIX).exists()


def test_failed_check_raises_an_alert_and_a_later_pass_withdraws_it(published, site, reviewer):
    _point_at(published, f"{site}/missing")
    [check] = footer_checks.run_footer_check(published, by=reviewer)
    assert check.status == FooterCheck.Status.FAIL and check.problems
    alert = Alert.objects.get(filing=published, kind=Deadline.Kind.FOOTER_FIX)
    assert alert.withdrawn_at is None
    assert Notification.objects.filter(alert=alert, user=published.assignee).exists()

    # A second failure keeps the one alert.
    footer_checks.run_footer_check(published, by=reviewer)
    assert Alert.objects.filter(filing=published, kind=Deadline.Kind.FOOTER_FIX).count() == 1

    _point_at(published, f"{site}/good")
    footer_checks.run_footer_check(published, by=reviewer)
    alert.refresh_from_db()
    assert alert.withdrawn_at is not None
    assert not Deadline.objects.filter(
        filing=published, kind=Deadline.Kind.FOOTER_FIX, closed_at__isnull=True
    ).exists()

    # Failing again after the fix raises a new alert.
    _point_at(published, f"{site}/missing")
    footer_checks.run_footer_check(published, by=reviewer)
    assert (
        Alert.objects.filter(
            filing=published, kind=Deadline.Kind.FOOTER_FIX, withdrawn_at__isnull=True
        ).count()
        == 1
    )


def test_unreachable_site_raises_an_alert(published, reviewer):
    _point_at(published, "http://127.0.0.1:9/")
    [check] = footer_checks.run_footer_check(published, by=reviewer, timeout=2)
    assert check.status == FooterCheck.Status.UNREACHABLE
    assert Alert.objects.filter(filing=published, kind=Deadline.Kind.FOOTER_FIX).exists()


def test_psb_number_is_expected_once_registered(published, site, reviewer):
    transitions.register_public_security(published, by=reviewer, psb_number="粤公网安备44030502000001号")
    published.refresh_from_db()
    _point_at(published, f"{site}/good")
    [check] = footer_checks.run_footer_check(published, by=reviewer)
    assert check.expected_psb == "粤公网安备44030502000001号"
    assert check.status == FooterCheck.Status.FAIL and check.psb_found is False


def test_footer_check_through_the_reviewer_page(client, published, site, reviewer):
    _point_at(published, f"{site}/good")
    client.force_login(reviewer)
    response = client.post(reverse("filings:review-footer-check", kwargs={"filing_id": published.pk}))
    assert response.status_code == 302
    page = client.get(reverse("filings:review-filing", kwargs={"filing_id": published.pk}))
    assert "页脚检查记录" in page.content.decode()


def test_footer_check_needs_a_published_filing(client, principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    client.force_login(reviewer)
    response = client.post(reverse("filings:review-footer-check", kwargs={"filing_id": filing.pk}))
    assert response.status_code == 409
    assert not FooterCheck.objects.exists()


def test_principal_cannot_run_footer_checks(published, principal):
    from filings.exceptions import TransitionNotPermitted

    with pytest.raises(TransitionNotPermitted):
        footer_checks.run_footer_check(published, by=principal)


# The rectification period.


def _open_fix(filing):
    return Deadline.objects.get(filing=filing, kind=Deadline.Kind.FOOTER_FIX, closed_at__isnull=True)


def test_failed_check_opens_a_period_of_working_days_not_an_overdue_deadline(
    published, site, reviewer, manager
):
    from django.utils import timezone

    from filings.jobs import alert_scan
    from filings.rules import workdays

    _point_at(published, f"{site}/missing")
    now = timezone.now()
    footer_checks.run_footer_check(published, by=reviewer, now=now)
    fix = _open_fix(published)
    assert fix.workdays == 5 == published.province.footer_fix_workdays
    assert fix.due_at == workdays.workday_deadline(now, 5).at
    assert fix.due_at > now + timedelta(days=4)
    [alert] = Alert.objects.filter(filing=published, kind=Deadline.Kind.FOOTER_FIX)
    assert alert.severity == "notice" and not alert.escalated
    recipients = set(Notification.objects.filter(alert=alert).values_list("user_id", flat=True))
    # The principal and (issue #25) the reviewer; managers are not told yet.
    assert recipients == {published.assignee_id, published.reviewer_id}

    # At the end of the period, still failing: a breach, escalated to the managers.
    alert_scan.scan_deadlines(now=fix.due_at + timedelta(seconds=1))
    breach = Alert.objects.get(filing=published, kind=Deadline.Kind.FOOTER_FIX, threshold__code="breach")
    assert breach.escalated
    assert Notification.objects.filter(alert=breach, user=manager).exists()


def test_period_length_is_province_data(published, site, reviewer):
    Province.objects.filter(pk=published.province_id).update(footer_fix_workdays=10)
    published.province.refresh_from_db()
    _point_at(published, f"{site}/missing")
    footer_checks.run_footer_check(published, by=reviewer)
    assert _open_fix(published).workdays == 10


def test_principal_page_and_inbox_say_what_is_missing_and_how_to_fix_it(client, published, site, reviewer):
    _point_at(published, f"{site}/missing")
    footer_checks.run_footer_check(published, by=reviewer)
    client.force_login(published.assignee)
    page = client.get(reverse("filings:detail", args=[published.pk])).content.decode()
    assert "页脚整改" in page and "页脚缺少备案号" in page
    assert f"页面未显示备案号 {ICP}" in page
    assert "beian.miit.gov.cn" in page
    assert "无需操作" not in page
    alert = Alert.objects.get(filing=published, kind=Deadline.Kind.FOOTER_FIX)
    text = notifications.alert_message(alert)
    assert f"页面未显示备案号 {ICP}" in text and "怎么改" in text
    inbox = client.get(reverse("alert-inbox")).content.decode()
    assert f"页面未显示备案号 {ICP}" in inbox


def test_unreachable_site_is_told_apart_from_a_missing_number(client, published, reviewer):
    _point_at(published, "http://127.0.0.1:9/")
    footer_checks.run_footer_check(published, by=reviewer, timeout=2)
    client.force_login(published.assignee)
    page = client.get(reverse("filings:detail", args=[published.pk])).content.decode()
    assert "无法访问或域名无法解析" in page and "页脚缺少备案号" not in page
    assert "DNS" in page
    alert = Alert.objects.get(filing=published, kind=Deadline.Kind.FOOTER_FIX)
    text = notifications.alert_message(alert)
    assert "无法访问" in text and "DNS" in text


def test_unresolvable_name_reads_as_such():
    from filings.rules import footer

    result = footer.check_footer("http://no-such-host.invalid/", expected_icp=ICP, timeout=2)
    assert result.status == "unreachable"
    assert "no-such-host.invalid 解析失败" in result.problems[0]
