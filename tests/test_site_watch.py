"""Scheduled checks of every published website (issue #25), against HTTP servers started here on
127.0.0.1: the rotation, each outcome stored, rectification periods opened, closed and escalated,
moved hosts flagged, shell sites proposed, and hostile pages recorded as failures."""

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from filings.jobs import site_watch
from filings.models import Alert, Deadline, Notification, ProviderAddressRange, SiteCheck, SiteWatch
from filings.rules import proposals, site_probe
from tests import factories

pytestmark = pytest.mark.django_db

ICP = "粤ICP备2026012345号"
GOOD = f'<html><body><footer><a href="https://beian.miit.gov.cn/">{ICP}</a></footer></body></html>'


class _Handler(BaseHTTPRequestHandler):
    active = 0
    most_active = 0
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        if path == "/good":
            self._send(200, GOOD.encode())
        elif path == "/missing":
            self._send(200, "<html><body><footer>版权所有</footer></body></html>".encode())
        elif path == "/huge":
            self._send(200, b"<html><body>" + b"x" * (10 * 1024 * 1024) + b"</body></html>")
        elif path.startswith("/loop"):
            self._send(302, headers=[("Location", f"/loop{len(path)}")])
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(50):
                    self.wfile.write(b"<p>")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif path == "/broken":
            self._send(200, b"<html><body><footer><a href='https://beian.miit.gov.cn/'>\xff\xfe<<<div </")
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4", content_type="application/pdf")
        elif path == "/slow":
            with _Handler.lock:
                _Handler.active += 1
                _Handler.most_active = max(_Handler.most_active, _Handler.active)
            time.sleep(0.2)
            with _Handler.lock:
                _Handler.active -= 1
            self._send(200, GOOD.encode())
        else:
            self._send(404)


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
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
    return website


def _check_now(**options):
    """Make every watch due and run the checks."""
    SiteWatch.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    return site_watch.run_due_checks(timeout=2, **options)


def _open(filing, kind):
    return Deadline.objects.filter(filing=filing, kind=kind, closed_at__isnull=True)


def test_every_published_site_gets_a_place_spread_over_the_interval(published, principal, reviewer, settings):
    settings.BEIAN_SITE_CHECK_INTERVAL_HOURS = 24 * 7
    draft = factories.ready_filing(assignee=principal)
    now = timezone.now()
    added, _ = site_watch.plan_watches(now=now)
    assert added == 1
    watch = SiteWatch.objects.get()
    assert watch.website.filing == published and not SiteWatch.objects.filter(filing=draft).exists()
    assert now <= watch.next_check_at < now + timedelta(days=7)
    # Planning again adds nothing; a cancelled site leaves the rotation when its slot comes, unchecked.
    assert site_watch.plan_watches(now=now) == (0, 0)
    published.websites.update(cancelled_at=now)
    assert site_watch.plan_watches(now=now) == (0, 0)
    assert site_watch.run_due_checks(now=now + timedelta(days=8)) == []
    assert not SiteWatch.objects.exists() and not SiteCheck.objects.exists()


def test_the_scheduled_planning_looks_at_recent_publications_and_the_full_one_at_all(published, settings):
    now = timezone.now()
    published.__class__.objects.filter(pk=published.pk).update(stage_entered_at=now - timedelta(days=30))
    assert site_watch.plan_watches(now=now) == (0, 0)  # published a month ago: beyond the lookback
    assert site_watch.plan_watches(now=now, full=True, batch=50) == (1, 0)
    SiteWatch.objects.all().delete()
    assert site_watch.plan_scheduled(now=now) == (1, 0)  # no site had a place: every site is planned
    published.websites.update(access_cancelled_at=now)
    assert site_watch.plan_watches(now=now, full=True) == (0, 1)


def test_a_check_claims_the_site_and_moves_it_one_interval_on(published, site):
    _point_at(published, f"{site}/good")
    site_watch.plan_watches()
    watch = SiteWatch.objects.get()
    slot = watch.next_check_at
    assert site_watch.run_due_checks(now=slot - timedelta(seconds=1)) == []  # not yet due
    [check] = site_watch.run_due_checks(now=slot, timeout=2)
    assert check.passed and check.answered and check.resolves and check.icp_found and check.icp_linked
    watch.refresh_from_db()
    assert watch.next_check_at == slot + site_watch.interval() and watch.last_check == check
    assert not Deadline.objects.filter(filing=published, kind__in=["footer_fix", "site_unreachable"]).exists()


def test_failed_footer_opens_a_period_alerting_principal_and_reviewer_and_a_pass_closes_it(published, site):
    _point_at(published, f"{site}/missing")
    site_watch.plan_watches()
    [check] = _check_now()
    assert check.failures == ["footer"] and check.problems
    deadline = _open(published, Deadline.Kind.FOOTER_FIX).get()
    assert deadline.workdays == published.province.footer_fix_workdays
    alert = Alert.objects.get(deadline=deadline)
    users = set(Notification.objects.filter(alert=alert).values_list("user", flat=True))
    assert {published.assignee_id, published.reviewer_id} <= users

    _check_now()  # still failing: the same period keeps running
    assert Deadline.objects.filter(filing=published, kind=Deadline.Kind.FOOTER_FIX).count() == 1
    assert SiteCheck.objects.filter(filing=published).count() == 2  # history kept

    _point_at(published, f"{site}/good")
    _check_now()
    assert not _open(published, Deadline.Kind.FOOTER_FIX).exists()
    alert.refresh_from_db()
    assert alert.withdrawn_at is not None


def test_a_site_outside_its_providers_ranges_is_flagged_as_moved(published, site):
    website = _point_at(published, f"{site}/good")
    ProviderAddressRange.objects.create(provider=website.server_provider, cidr="203.0.113.0/24")
    site_watch.plan_watches()
    [check] = _check_now()
    assert check.failures == ["moved"] and check.in_provider_ranges is False
    assert check.addresses == ["127.0.0.1"]
    assert _open(published, Deadline.Kind.SITE_MOVED).exists()

    ProviderAddressRange.objects.create(provider=website.server_provider, cidr="127.0.0.0/8")
    [check] = _check_now()
    assert check.passed and check.in_provider_ranges is True
    assert not _open(published, Deadline.Kind.SITE_MOVED).exists()


def test_repeated_failure_escalates_and_a_long_unreachable_site_is_a_shell(published, manager, settings):
    settings.BEIAN_SITE_ESCALATE_AFTER = 3
    settings.BEIAN_SITE_SHELL_AFTER_DAYS = 30
    _point_at(published, "http://127.0.0.1:9/")
    site_watch.plan_watches()
    for _ in range(2):
        [check] = _check_now()
    assert check.failures == ["unreachable"] and not check.answered
    deadline = _open(published, Deadline.Kind.SITE_UNREACHABLE).get()
    assert not Notification.objects.filter(alert__deadline=deadline, user=manager).exists()
    _check_now()
    assert Notification.objects.filter(alert__deadline=deadline, user=manager, reason="manager").exists()

    today = timezone.localdate()
    assert not [p for p in proposals.proposed_cancellations(published, today=today) if p.reason == "closed"]
    SiteWatch.objects.update(unreachable_since=timezone.now() - timedelta(days=31))
    [proposal] = proposals.proposed_cancellations(published, today=today)
    assert proposal.scope == "website" and proposal.reason == "closed" and "空壳" in proposal.why


def test_unresolvable_domain_is_recorded_as_unreachable(published):
    _point_at(published, "http://no-such-host.invalid/")
    site_watch.plan_watches()
    [check] = _check_now()
    assert check.resolves is False and check.failures == ["unreachable"] and check.problems


@pytest.mark.parametrize(
    ("path", "failure", "reason"),
    [
        ("/huge", "footer", "截断"),
        ("/loop", "unreachable", "重定向次数过多"),
        ("/drip", "unreachable", "超时"),
        ("/broken", "footer", "未显示备案号"),
        ("/pdf", "footer", "不是 HTML"),
    ],
)
def test_hostile_pages_are_recorded_failures_with_the_reason(published, site, path, failure, reason):
    _point_at(published, f"{site}{path}")
    site_watch.plan_watches()
    started = time.monotonic()
    [check] = _check_now()
    assert time.monotonic() - started < 15
    assert check.failures == [failure]
    assert any(reason in problem for problem in check.problems), check.problems


def test_concurrency_is_limited_per_host(site):
    _Handler.most_active = 0
    targets = [site_probe.Target(i, f"{site}/slow", ICP, None) for i in range(8)]
    outcomes = site_probe.probe_all(targets, concurrency=8, per_host=2, timeout=5)
    assert all(not o.failures for o in outcomes)
    assert _Handler.most_active == 2


def test_the_footer_checks_guard_against_private_addresses_is_kept(published, site, settings):
    settings.BEIAN_FOOTER_ALLOW_PRIVATE_HOSTS = False
    _point_at(published, f"{site}/good")
    site_watch.plan_watches()
    [check] = _check_now()
    assert check.failures == ["unreachable"] and "不是公网地址" in check.problems[0]


def test_provider_ranges_are_admin_data(admin_client):
    response = admin_client.post(
        "/admin/filings/provideraddressrange/add/", {"provider": "阿里云", "cidr": "not-a-range", "note": ""}
    )
    assert response.status_code == 200 and not ProviderAddressRange.objects.exists()
    admin_client.post(
        "/admin/filings/provideraddressrange/add/", {"provider": "阿里云", "cidr": "47.96.1.7/16", "note": ""}
    )
    assert ProviderAddressRange.objects.get().cidr == "47.96.0.0/16"


def test_a_failing_site_is_checked_again_within_a_day_and_then_keeps_its_interval(published, site, settings):
    settings.BEIAN_SITE_RECHECK_FAILING_HOURS = 24
    _point_at(published, f"{site}/missing")
    site_watch.plan_watches()
    now = timezone.now()
    SiteWatch.objects.update(next_check_at=now)
    site_watch.run_due_checks(now=now, timeout=2)
    watch = SiteWatch.objects.get()
    assert watch.next_check_at == now + timedelta(hours=24)  # not a week later

    _point_at(published, f"{site}/good")
    later = now + timedelta(hours=24)
    [check] = site_watch.run_due_checks(now=later, timeout=2)
    assert check.passed and not _open(published, Deadline.Kind.FOOTER_FIX).exists()
    watch.refresh_from_db()
    assert watch.next_check_at == later + site_watch.interval()


def test_one_scheduler_for_footer_checks(settings):
    from filings import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "filings.tasks.run_site_checks_task" in scheduled
    assert not [task for task in scheduled if "footer" in task]
    assert not hasattr(tasks, "check_footers_task")


def test_the_reviewers_footer_check_and_the_rotation_agree(published, site, reviewer):
    from filings.jobs import footer_checks

    _point_at(published, f"{site}/missing")
    site_watch.plan_watches()
    _check_now()
    assert _open(published, Deadline.Kind.FOOTER_FIX).exists()
    assert SiteWatch.objects.get().failing == ["footer"]

    # The principal fixes the footer and the reviewer presses the button: the period closes, and the
    # rotation knows the site passes (it would otherwise reopen the period on its next run).
    _point_at(published, f"{site}/good")
    [check] = footer_checks.run_footer_check(published, by=reviewer)
    assert check.passed and not _open(published, Deadline.Kind.FOOTER_FIX).exists()
    assert SiteWatch.objects.get().failing == []

    # The button finds the footer gone again: the period reopens, and the rotation sees it failing.
    _point_at(published, f"{site}/missing")
    footer_checks.run_footer_check(published, by=reviewer)
    assert _open(published, Deadline.Kind.FOOTER_FIX).exists()
    assert SiteWatch.objects.get().failing == ["footer"]


def test_a_cancelled_failing_site_leaves_the_rotation_and_its_period_closes(published, site):
    _point_at(published, f"{site}/missing")
    site_watch.plan_watches()
    _check_now()
    assert _open(published, Deadline.Kind.FOOTER_FIX).exists()
    published.websites.update(cancelled_at=timezone.now())
    assert _check_now() == []  # not probed: it left the rotation
    assert not SiteWatch.objects.exists()
    assert not _open(published, Deadline.Kind.FOOTER_FIX).exists()
