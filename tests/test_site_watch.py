"""Scheduled checks of every published website (issue #25), against HTTP servers started here on
127.0.0.1: the rotation, each outcome stored, rectification periods opened, closed and escalated,
moved hosts flagged, shell sites proposed, and hostile pages recorded as failures."""

import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from filings.jobs import site_watch
from filings.models import (
    Alert,
    Deadline,
    Notification,
    ProviderAddressRange,
    SiteCheck,
    SiteRotation,
    SiteWatch,
)
from filings.models.rotation import phase_of
from filings.rules import proposals, site_probe, site_rotation
from filings.rules.site_rotation import Arc, Position
from tests import factories
from tests.test_concurrency import race

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


def _sweep_from(moment):
    """Put the rotation's position at this moment."""
    here = site_rotation.position_at(moment, site_watch.interval())
    SiteRotation.objects.update_or_create(
        pk=1,
        defaults={
            "cycle": here.cycle,
            "phase": here.phase,
            "interval_hours": settings.BEIAN_SITE_CHECK_INTERVAL_HOURS,
            "swept_at": moment,
        },
    )


def _check_now(**options):
    """Put the sweep one interval behind (every site due) and run the checks."""
    now = timezone.now()
    _sweep_from(now - site_watch.interval())
    return site_watch.run_due_checks(now=now, timeout=2, **options)


def _claimed(moment, **options) -> list[int]:
    return site_watch.claim_due(now=moment, **options).website_ids


def _just_past(website):
    """Return a moment just after the sweep passes the website's phase: its next pass is an interval on."""
    interval = site_watch.interval()
    cycle = site_rotation.position_at(timezone.now(), interval).cycle
    return site_rotation.moment_of(Position(cycle, phase_of(website.pk)), interval) + timedelta(seconds=1)


def _more_sites(filing, count):
    return [factories.WebsiteFactory(filing=filing, position=n) for n in range(2, count + 2)]


def _open(filing, kind):
    return Deadline.objects.filter(filing=filing, kind=kind, closed_at__isnull=True)


def test_each_watched_site_is_claimed_once_per_interval_hour_by_hour_evenly(published, principal, settings):
    settings.BEIAN_SITE_CHECK_INTERVAL_HOURS = 24 * 7
    watched = [published.websites.get(), *_more_sites(published, 59)]
    factories.WebsiteFactory(filing=published, position=61, cancelled_at=timezone.now())
    factories.WebsiteFactory(filing=published, position=62, access_cancelled_at=timezone.now())
    factories.ready_filing(assignee=principal)  # a draft's website is not watched
    start = timezone.now()
    assert _claimed(start) == []  # the first claim starts the rotation at its own time
    for week in range(2):
        claimed, per_day = Counter(), [0] * 7
        for hour in range(24 * 7):
            ids = _claimed(start + timedelta(hours=week * 24 * 7 + hour + 1))
            claimed.update(ids)
            per_day[hour // 24] += len(ids)
        assert claimed == Counter(w.pk for w in watched)  # each exactly once, nothing else
        assert max(per_day) - min(per_day) <= 2, per_day  # no day bunches the checks
    assert not SiteWatch.objects.exists()  # claiming writes nothing per site


def test_a_site_published_after_the_rotation_started_is_claimed_within_one_interval(principal, reviewer):
    start = timezone.now()
    _claimed(start)
    website = factories.published_filing(assignee=principal, reviewer=reviewer).websites.get()
    hours = range(1, 24 * 7 + 1)
    assert sum(website.pk in _claimed(start + timedelta(hours=h)) for h in hours) == 1
    assert sum(website.pk in _claimed(start + timedelta(hours=24 * 7 + h)) for h in hours) == 1


def test_a_late_scheduler_catches_up_one_round_in_batches_without_bunching(published, settings):
    settings.BEIAN_SITE_CHECK_INTERVAL_HOURS = 24
    watched = {w.pk for w in [published.websites.get(), *_more_sites(published, 29)]}
    start = timezone.now()
    _claimed(start)
    # Down for three days: one round is due, each site once, in batches of the limit.
    batches = [_claimed(start + timedelta(days=3), limit=8) for _ in range(5)]
    assert [len(b) for b in batches] == [8, 8, 8, 6, 0]
    assert Counter(pk for b in batches for pk in b) == Counter(watched)
    # Then the sweep goes on at its pace: the next hour takes that hour's share, not a burst.
    next_hour = _claimed(start + timedelta(days=3, hours=1))
    assert len(next_hour) <= 3


def test_a_change_of_interval_restarts_the_sweep_at_now_rather_than_sweeping_everything(published, settings):
    _more_sites(published, 29)
    start = timezone.now()
    _claimed(start)
    settings.BEIAN_SITE_CHECK_INTERVAL_HOURS = 24
    assert _claimed(start + timedelta(minutes=1)) == []
    assert SiteRotation.objects.get().interval_hours == 24
    assert 0 < len(_claimed(start + timedelta(hours=12))) < 30


def test_a_check_records_the_site_when_the_sweep_reaches_it_and_not_again_before_the_next_round(
    published, site
):
    website = _point_at(published, f"{site}/good")
    at, interval = _just_past(website), site_watch.interval()
    _sweep_from(at - timedelta(minutes=1))
    assert site_watch.run_due_checks(now=at - timedelta(seconds=2)) == []  # not yet reached
    [check] = site_watch.run_due_checks(now=at, timeout=2)
    assert check.passed and check.answered and check.resolves and check.icp_found and check.icp_linked
    watch = SiteWatch.objects.get()  # kept from its first check on
    assert watch.website == website and watch.last_check == check and watch.recheck_at is None
    assert site_watch.run_due_checks(now=at + interval - timedelta(seconds=2)) == []
    [again] = site_watch.run_due_checks(now=at + interval, timeout=2)
    assert again.website_id == website.pk
    assert not Deadline.objects.filter(filing=published, kind__in=["footer_fix", "site_unreachable"]).exists()


def test_failed_footer_opens_a_period_alerting_principal_and_reviewer_and_a_pass_closes_it(published, site):
    _point_at(published, f"{site}/missing")
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


def test_a_failing_site_is_checked_again_within_a_day_until_it_passes(published, site, settings):
    settings.BEIAN_SITE_RECHECK_FAILING_HOURS = 24
    website = _point_at(published, f"{site}/missing")
    at, interval = _just_past(website), site_watch.interval()
    _sweep_from(at - timedelta(minutes=1))
    [failed] = site_watch.run_due_checks(now=at, timeout=2)
    assert not failed.passed and SiteWatch.objects.get().recheck_at == at + timedelta(hours=24)
    assert site_watch.run_due_checks(now=at + timedelta(hours=23)) == []

    [still] = site_watch.run_due_checks(now=at + timedelta(hours=24), timeout=2)  # not a week later
    assert not still.passed and SiteWatch.objects.get().recheck_at == at + timedelta(hours=48)

    _point_at(published, f"{site}/good")
    [check] = site_watch.run_due_checks(now=at + timedelta(hours=48), timeout=2)
    assert check.passed and not _open(published, Deadline.Kind.FOOTER_FIX).exists()
    assert SiteWatch.objects.get().recheck_at is None
    assert site_watch.run_due_checks(now=at + timedelta(hours=72)) == []  # back to its round
    [in_its_round] = site_watch.run_due_checks(now=at + interval, timeout=2)
    assert in_its_round.website_id == website.pk


def _failing_with_recheck(published, url):
    """Check the site once, failing, just after the sweep passed it; return when its recheck is due."""
    website = _point_at(published, url)
    at = _just_past(website)
    _sweep_from(at - timedelta(minutes=1))
    site_watch.run_due_checks(now=at, timeout=2)
    return SiteWatch.objects.get(website=website).recheck_at


def test_a_recheck_claimed_but_never_recorded_is_tried_again_later(published, site, settings):
    settings.BEIAN_SITE_RECHECK_FAILING_HOURS = 24
    due = _failing_with_recheck(published, f"{site}/missing")
    website_id = published.websites.get().pk
    assert _claimed(due) == [website_id]  # the worker dies before probing it
    assert _claimed(due + timedelta(hours=1)) == []
    assert _claimed(due + timedelta(hours=24)) == [website_id]


def test_one_scheduler_for_footer_checks(settings):
    from filings import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "filings.tasks.run_site_checks_task" in scheduled
    assert not [task for task in scheduled if "plan" in task]  # nothing is planned per site
    assert not [task for task in scheduled if "footer" in task]
    assert not hasattr(tasks, "check_footers_task")


def test_the_reviewers_footer_check_and_the_rotation_agree(published, site, reviewer):
    from filings.jobs import footer_checks

    _point_at(published, f"{site}/missing")
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
    _check_now()
    assert _open(published, Deadline.Kind.FOOTER_FIX).exists()
    published.websites.update(cancelled_at=timezone.now())
    assert _check_now() == []  # not probed: it left the rotation
    assert not SiteWatch.objects.exists()
    assert not _open(published, Deadline.Kind.FOOTER_FIX).exists()


def test_a_failing_site_whose_access_ended_is_dropped_at_its_recheck(published, site):
    due = _failing_with_recheck(published, f"{site}/missing")
    assert _open(published, Deadline.Kind.FOOTER_FIX).exists()
    published.websites.update(access_cancelled_at=timezone.now())
    assert site_watch.run_due_checks(now=due) == []  # its recheck brings it up: dropped, not probed
    assert not SiteWatch.objects.exists() and not _open(published, Deadline.Kind.FOOTER_FIX).exists()


@pytest.mark.postgres
def test_the_sweep_reads_the_phase_indexes(published, site):
    _point_at(published, f"{site}/missing")
    _check_now()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as at a million rows; tiny tables get scanned
    arc = Arc(cycle=0, after=0.25, upto=0.5)
    assert "website_rotation_phase" in site_watch.sites_in_arc(arc).explain()
    assert "site_watch_phase" in site_watch.watches_in_arc(arc).explain()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_claiming_at_once_take_different_sites(published):
    watched = {w.pk for w in [published.websites.get(), *_more_sites(published, 29)]}
    start = timezone.now()
    _claimed(start)
    later = start + site_watch.interval()
    first, second = race(lambda: _claimed(later, limit=10), lambda: _claimed(later, limit=10))
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    rest = _claimed(later)
    assert Counter([*first, *second, *rest]) == Counter(watched)


def test_the_rotation_command_shows_how_far_the_sweep_has_got(published):
    out = StringIO()
    call_command("site_rotation", stdout=out)
    assert "swept_to=none" in out.getvalue() and "watched=1 " in out.getvalue()
    _claimed(timezone.now() - timedelta(hours=2))
    out = StringIO()
    call_command("site_rotation", stdout=out)
    assert "behind=2:00:" in out.getvalue() and "rechecks_waiting=0" in out.getvalue()
