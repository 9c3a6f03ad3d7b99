"""Deadline alerts: thresholds, breaches and their daily repeats, SMS expiry, provisional recomputation,
texts, delivery, the API and the inbox."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from filings.jobs import alert_scan
from filings.kinds.states import State
from filings.models import (
    Alert,
    AlertScan,
    AlertThreshold,
    CalendarDay,
    Deadline,
    Filing,
    FilingEvent,
    Notification,
)
from filings.rules import deadlines, workdays
from filings.services import alert_raising, calendar, drafts, notifications, transitions
from tests import factories

SHANGHAI = workdays.SHANGHAI
Kind = Deadline.Kind


pytestmark = pytest.mark.usefixtures("fresh_calendar_cache")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def entered(state: str, when: datetime, *, assignee=None, reviewer=None) -> Filing:
    """Put a ready filing in `state` as if it entered the stage at `when`, with its deadlines."""
    filing = factories.ready_filing(assignee=assignee)
    Filing.objects.filter(pk=filing.pk).update(
        state=state, stage_visit=2, stage_entered_at=when, reviewer=reviewer
    )
    filing = Filing.objects.select_related("province").get(pk=filing.pk)
    deadlines.open_stage_deadlines(filing, now=when)
    return filing


def codes(filing: Filing) -> list[str]:
    return sorted(
        f"{a.kind}:{a.threshold.code}:{a.occurrence}"
        for a in Alert.objects.filter(filing=filing, withdrawn_at__isnull=True).select_related("threshold")
    )


def scan(when: str | datetime) -> alert_scan.ScanResult:
    return alert_scan.scan_deadlines(now=at(when) if isinstance(when, str) else when)


@pytest.mark.django_db
def test_thresholds_are_data_covering_every_deadline_kind():
    rows = AlertThreshold.objects.all()
    assert {t.deadline_kind for t in rows} == set(Kind.values)
    by_key = {(t.deadline_kind, t.code): t for t in rows}
    assert by_key[("sms_window", "before_4h")].offset == -timedelta(hours=4)
    assert by_key[("bureau_review", "before_5wd")].workdays_before == 5
    breaches = [t for t in rows if t.severity == "breach"]
    assert all(t.escalate for t in breaches)


# Each case: the stage entered and when, the threshold, the moment it is reached.
THRESHOLD_CASES = [
    (State.SMS_VERIFICATION, "2026-11-10 10:00", "sms_window:before_4h:0", "2026-11-11 06:00:00"),
    (State.SMS_VERIFICATION, "2026-11-10 10:00", "sms_window:before_1h:0", "2026-11-11 09:00:00"),
    # Thursday: the 1-working-day target ends with Friday, the 2-day limit with Monday.
    (State.PROVIDER_REVIEW, "2026-11-26 10:00", "prereview_target:target:0", "2026-11-27 23:59:59"),
    (State.PROVIDER_REVIEW, "2026-11-26 10:00", "prereview_overdue:breach:0", "2026-11-30 23:59:59"),
    # Monday 2 November: the 20-working-day limit ends on Monday 30 November; 15 working days
    # remain from 9 November (5 working days in), 5 remain from 23 November.
    (State.BUREAU_REVIEW, "2026-11-02 10:00", "bureau_review:before_15wd:0", "2026-11-09 00:00:00"),
    (State.BUREAU_REVIEW, "2026-11-02 10:00", "bureau_review:before_5wd:0", "2026-11-23 00:00:00"),
    (State.BUREAU_REVIEW, "2026-11-02 10:00", "bureau_review:breach:0", "2026-11-30 23:59:59"),
    # Live on 1 October: day 30 is Saturday 31 October, so the period ends with Monday 2 November.
    (State.PUBLISHED, "2026-10-01 10:00", "public_security:before_7d:0", "2026-10-26 23:59:59"),
    (State.PUBLISHED, "2026-10-01 10:00", "public_security:breach:0", "2026-11-02 23:59:59"),
    (State.ENTRY, "2026-10-01 10:00", "stale_entry:after_7d:0", "2026-10-08 10:00:00"),
    (State.ENTRY, "2026-10-01 10:00", "stale_entry:after_15d:0", "2026-10-16 10:00:00"),
    (State.ENTRY, "2026-10-01 10:00", "stale_entry:after_30d:0", "2026-10-31 10:00:00"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "start", "code", "moment"), THRESHOLD_CASES)
def test_each_threshold_is_raised_when_reached_and_not_before(state, start, code, moment):
    filing = entered(state, at(start))
    reached = at(moment)
    scan(reached - timedelta(seconds=1))
    assert code not in codes(filing)
    scan(reached)
    assert codes(filing).count(code) == 1
    alert = Alert.objects.get(filing=filing, kind=code.split(":")[0], threshold__code=code.split(":")[1])
    assert alert.due_at == reached
    assert alert.stage == state and alert.stage_visit == 2
    assert alert.raised_at == reached


@pytest.mark.django_db
def test_a_deadline_past_several_thresholds_at_once_raises_only_the_most_urgent(principal, reviewer, manager):
    # Bureau review from Monday 2 November ends on 30 November; the first scan comes 12 days later
    # (after an outage, or a filing imported late), past the 15- and 5-day notices and the breach.
    filing = entered(State.BUREAU_REVIEW, at("2026-11-02 10:00"), assignee=principal, reviewer=reviewer)
    first = scan("2026-12-12 10:00")
    assert codes(filing) == ["bureau_review:breach:0"]
    assert first.raised == 1
    mail.outbox.clear()
    assert notifications.deliver_alert_notifications(alert_ids=first.alert_ids) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([principal.email, reviewer.email, manager.email])
    assert scan("2026-12-12 10:01").raised == 0
    # Without the scan history (a fresh database, a lost watermark) a full sweep still adds nothing.
    AlertScan.objects.all().delete()
    assert scan("2026-12-12 10:02").raised == 0
    assert Alert.objects.filter(filing=filing).count() == 1


@pytest.mark.django_db
def test_scans_that_follow_a_deadline_raise_each_threshold_in_its_turn(reviewer):
    filing = entered(State.BUREAU_REVIEW, at("2026-11-02 10:00"), reviewer=reviewer)
    for moment in ("2026-11-09 00:00", "2026-11-23 00:00", "2026-12-01 08:00"):
        assert scan(moment).raised == 1
    assert codes(filing) == [
        "bureau_review:before_15wd:0",
        "bureau_review:before_5wd:0",
        "bureau_review:breach:0",
    ]


@pytest.mark.django_db
def test_a_passed_sms_window_raises_the_timeout_alone(principal, reviewer):
    filing = transitions.pass_review(
        transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal), by=reviewer
    )
    window = Deadline.objects.get(filing=filing, kind=Kind.SMS_WINDOW, closed_at__isnull=True)
    scan(window.due_at + timedelta(hours=1))
    assert codes(filing) == ["sms_window:expired:0"]


@pytest.mark.django_db
def test_recipients_principal_reviewer_and_managers_for_escalations(principal, reviewer, manager):
    filing = entered(State.BUREAU_REVIEW, at("2026-11-02 10:00"), assignee=principal, reviewer=reviewer)
    scan("2026-11-23 00:00")
    warning = Alert.objects.get(filing=filing, threshold__code="before_5wd")
    assert not warning.escalated
    assert set(warning.recipients.all()) == {principal, reviewer}
    scan("2026-12-01 00:00")
    breach = Alert.objects.get(filing=filing, threshold__code="breach")
    assert breach.escalated and breach.severity == "breach"
    assert set(breach.recipients.all()) == {principal, reviewer, manager}
    reasons = dict(Notification.objects.filter(alert=breach).values_list("user__username", "reason"))
    assert reasons == {
        principal.username: "assignee",
        reviewer.username: "reviewer",
        manager.username: "manager",
    }
    other = factories.principal_user(username="somebody-else")
    assert not Notification.objects.filter(user=other).exists()


@pytest.mark.django_db
def test_breach_repeats_daily_while_open_one_repeat_after_a_gap_and_stops_when_closed(manager):
    filing = entered(State.BUREAU_REVIEW, at("2026-11-02 10:00"))
    scan("2026-12-01 00:00")
    assert codes(filing)[-1] == "bureau_review:breach:0"
    scan("2026-12-01 23:00")
    assert "bureau_review:breach:1" not in codes(filing)
    scan("2026-12-01 23:59:59")
    assert "bureau_review:breach:1" in codes(filing)
    # Four days without scans: one repeat for today, not one per missed day.
    result = scan("2026-12-05 12:00")
    assert result.repeated == 1
    breach_codes = [c for c in codes(filing) if c.startswith("bureau_review:breach")]
    assert breach_codes == ["bureau_review:breach:0", "bureau_review:breach:1", "bureau_review:breach:4"]
    latest = Alert.objects.get(filing=filing, threshold__code="breach", occurrence=4)
    assert latest.due_at == at("2026-12-04 23:59:59")
    assert latest.repeat_due_at == at("2026-12-05 23:59:59")
    assert manager in latest.recipients.all()
    assert "(第5次)" in latest.title
    Deadline.objects.filter(filing=filing).update(closed_at=at("2026-12-05 13:00"))
    assert scan("2026-12-07 12:00").repeated == 0
    assert not Alert.objects.filter(repeat_due_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_late_first_breach_alert_does_not_repeat_at_once():
    filing = entered(State.PUBLISHED, at("2026-10-01 10:00"))
    scan("2026-11-05 12:00")  # breached at the end of 2 November; nobody scanned since before then
    breach = Alert.objects.get(filing=filing, threshold__code="breach")
    assert breach.occurrence == 0
    assert breach.repeat_due_at == at("2026-11-04 23:59:59") + timedelta(days=1)
    assert scan("2026-11-05 12:01").repeated == 0


@pytest.mark.django_db
def test_an_admin_switching_a_threshold_off_stops_it():
    AlertThreshold.objects.filter(deadline_kind="stale_entry", code="after_7d").update(active=False)
    filing = entered(State.ENTRY, at("2026-10-01 10:00"))
    scan("2026-10-20 10:00")
    assert codes(filing) == ["stale_entry:after_15d:0"]


@pytest.mark.django_db
def test_sms_expiry_sends_the_filing_back_through_the_transition_service(principal, reviewer, manager):
    filing = factories.ready_filing(assignee=principal)
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    window = Deadline.objects.get(filing=filing, kind=Kind.SMS_WINDOW, closed_at__isnull=True)
    sms_visit = filing.stage_visit
    assert scan(window.due_at - timedelta(seconds=1)).expired == 0
    filing.refresh_from_db()
    assert filing.state == State.SMS_VERIFICATION

    result = scan(window.due_at + timedelta(minutes=1))
    filing.refresh_from_db()
    assert result.expired == 1
    assert filing.state == State.ENTRY
    assert filing.stage_visit == sms_visit + 1
    event = FilingEvent.objects.filter(filing=filing).last()
    assert event.transition == "expire_sms" and event.actor is None
    assert event.from_state == State.SMS_VERIFICATION and event.to_state == State.ENTRY
    assert event.reasons[0]["reason"] == "短信核验未在24小时内完成"
    assert event.reasons[0]["code"] == "sms_timeout"
    window.refresh_from_db()
    assert window.closed_at is not None
    assert Deadline.objects.filter(filing=filing, kind=Kind.STALE_ENTRY, closed_at__isnull=True).exists()

    alert = Alert.objects.get(filing=filing, kind=Kind.SMS_WINDOW, threshold__code="expired")
    assert alert.stage_visit == sms_visit and alert.stage == State.SMS_VERIFICATION
    assert alert.escalated and set(alert.recipients.all()) >= {principal, manager}
    assert "已退回信息填报" in alert.message and "重新提交" in alert.message
    assert "会再次收到核验短信" in alert.message

    # The next scan neither expires again nor raises the alert again.
    again = scan(window.due_at + timedelta(minutes=2))
    assert again.expired == 0 and again.raised == 0
    assert FilingEvent.objects.filter(filing=filing, transition="expire_sms").count() == 1


@pytest.mark.django_db
def test_sms_confirmed_in_time_is_not_expired(principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    filing = transitions.pass_review(transitions.submit_filing(filing, by=principal), by=reviewer)
    due = Deadline.objects.get(filing=filing, kind=Kind.SMS_WINDOW, closed_at__isnull=True).due_at
    for verifier in filing.sms_verifiers.all():
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=principal)
    scan(due + timedelta(hours=1))
    filing.refresh_from_db()
    assert filing.state == State.BUREAU_REVIEW
    assert not Alert.objects.filter(filing=filing, kind=Kind.SMS_WINDOW).exists()


@pytest.mark.django_db
def test_provisional_alert_is_labelled_and_withdrawn_when_the_calendar_moves_the_deadline(principal):
    # Entered 15 December 2026: the 20 working days reach into 2027, which has no official data.
    filing = entered(State.BUREAU_REVIEW, at("2026-12-15 10:00"), assignee=principal)
    deadline = Deadline.objects.get(filing=filing, kind=Kind.BUREAU_REVIEW, closed_at__isnull=True)
    assert deadline.provisional and deadline.due_at == at("2027-01-13 23:59:59")
    now = at("2027-01-06 08:00")
    scan(now)
    warning = Alert.objects.get(filing=filing, threshold__code="before_5wd")
    assert warning.provisional
    assert "暂定" in warning.message
    assert Notification.objects.get(alert=warning, user=principal).read_at is None

    # The official notice makes 4–8 January holidays: the limit moves a week later.
    for day in range(4, 9):
        CalendarDay.objects.create(date=f"2027-01-0{day}", is_workday=False, name="测试假期")
    assert calendar.publish_calendar_year(year=2027, notice="国办发明电〔2026〕", now=now) == 1
    deadline.refresh_from_db()
    assert not deadline.provisional and deadline.due_at == at("2027-01-20 23:59:59")
    warning.refresh_from_db()
    assert warning.withdrawn_at == now and warning.withdrawn_reason
    # Withdrawn alerts leave the unread count; the still-valid 15-day notice stays.
    assert Notification.objects.get(alert=warning, user=principal).read_at is not None
    assert codes(filing) == ["bureau_review:before_15wd:0"]
    # When the moved threshold arrives it is raised again, this time not provisional.
    scan(at("2027-01-13 00:00"))
    again = Alert.objects.get(filing=filing, threshold__code="before_5wd", withdrawn_at__isnull=True)
    assert again.pk != warning.pk and not again.provisional


@pytest.mark.django_db
def test_recomputation_that_brings_a_deadline_forward_raises_what_is_now_due():
    filing = entered(State.BUREAU_REVIEW, at("2026-12-15 10:00"))
    now = at("2027-01-13 08:00")
    scan(now)
    assert "bureau_review:breach:0" not in codes(filing)
    # A make-up working Saturday on 9 January brings the limit forward to 12 January.
    CalendarDay.objects.create(date="2027-01-09", is_workday=True, name="调休上班")
    calendar.publish_calendar_year(year=2027, now=now)
    assert "bureau_review:breach:0" in codes(filing)
    assert Alert.objects.get(filing=filing, threshold__code="breach").due_at == at("2027-01-12 23:59:59")


@pytest.mark.django_db
def test_publishing_a_calendar_year_from_the_admin_reconciles_alerts(client, principal):
    filing = entered(State.BUREAU_REVIEW, at("2026-12-15 10:00"), assignee=principal)
    scan(at("2027-01-06 08:00"))  # past the 15- and 5-day notices: the 5-day one is raised
    assert Alert.objects.filter(filing=filing, withdrawn_at__isnull=True).count() == 1
    for day in range(4, 9):
        CalendarDay.objects.create(date=f"2027-01-0{day}", is_workday=False, name="测试假期")
    calendar.publish_calendar_year(year=2027, notice="test")
    # The recomputation runs at the real current time, before 2027: every alert of the old limit
    # lies in the future again.
    if timezone.now() < at("2026-12-22 00:00"):
        assert Alert.objects.filter(filing=filing, withdrawn_at__isnull=True).count() == 0
    assert Deadline.objects.get(filing=filing, kind=Kind.BUREAU_REVIEW, closed_at__isnull=True).due_at == at(
        "2027-01-20 23:59:59"
    )


@pytest.mark.django_db
def test_alert_text_names_filing_stage_deadline_in_shanghai_time_and_action(principal):
    filing = entered(State.SMS_VERIFICATION, at("2026-11-10 10:00"), assignee=principal)
    scan("2026-11-11 06:30")
    alert = Alert.objects.select_related("filing__subject", "threshold").get(filing=filing)
    assert alert.title == f"[预警] {filing.subject.name}:短信核验时限(24小时) · 到期前4小时"
    lines = alert.message.splitlines()
    assert filing.subject.name in lines[0] and f"#{filing.pk}" in lines[0]
    assert lines[1] == "阶段:短信核验"
    assert lines[2] == "截止时间:2026-11-11 10:00(北京时间)"
    assert "短信核验" in lines[3] and "退回" in lines[3]
    assert str(alert) == "预警 · 短信核验时限(24小时) · 到期前4小时"


@pytest.mark.django_db
def test_a_stale_entry_reminder_says_how_long_the_draft_stalled_not_a_deadline(client, principal):
    # Entry has no time limit: the reminder names the days stalled and the last change instead.
    from django.utils import translation

    filing = entered(State.ENTRY, at("2026-10-01 10:00"), assignee=principal)
    scan("2026-10-08 10:00")
    alert = Alert.objects.select_related("filing__subject", "threshold").get(filing=filing)
    lines = alert.message.splitlines()
    assert lines[1] == "阶段:信息填报"
    assert lines[2] == "已停滞 7 天(最近一次更新:2026-10-01 10:00,北京时间)"
    assert "截止" not in alert.message and "截止" not in alert.sms_text
    with translation.override("en"):
        assert (
            alert.message.splitlines()[2]
            == "Stalled for 7 days (last updated 2026-10-01 10:00, Beijing time)"
        )
        assert "Due" not in alert.message and "Due" not in alert.sms_text
    client.force_login(principal)
    inbox = client.get("/alerts/").content.decode()
    assert "已停滞 7 天" in inbox and "截止时间" not in inbox
    scan("2026-10-31 10:00")  # the 30-day breach
    breach = Alert.objects.get(filing=filing, threshold__code="after_30d")
    assert breach.message.splitlines()[2].startswith("已停滞 30 天")


@pytest.mark.django_db
def test_alert_text_follows_each_readers_language_in_turn_and_an_admins_own_threshold_name(principal):
    # The fixed words are translated once per language: a reader in English between two in
    # Chinese must not get the other language's words, nor the generated name once an admin
    # names the threshold.
    from django.utils import translation

    filing = entered(State.SMS_VERIFICATION, at("2026-11-10 10:00"), assignee=principal)
    scan("2026-11-11 06:30")
    alert = Alert.objects.select_related("filing__subject", "threshold").get(filing=filing)
    with translation.override("zh-hans"):
        chinese = alert.title, alert.message
    with translation.override("en"):
        assert (
            alert.title
            == f"[Warning] {filing.subject.name}: SMS verification limit (24 hours) · 4 hours before the deadline"
        )
        assert alert.message.splitlines()[1:3] == [
            "Stage: SMS verification",
            "Due: 2026-11-11 10:00 (Beijing time)",
        ]
    with translation.override("zh-hans"):
        assert (alert.title, alert.message) == chinese
        alert.threshold.label = "核验提醒"
        assert alert.title.endswith(" · 核验提醒")


@pytest.mark.django_db
def test_delivery_emails_and_texts_each_recipient_once(principal, settings):
    principal.mobile = "13800138000"
    principal.save(update_fields=["mobile"])
    settings.BEIAN_SMS_BACKEND = "filings.services.notifications.LoggingSmsBackend"
    notifications.LoggingSmsBackend.sent.clear()
    filing = entered(State.SMS_VERIFICATION, at("2026-11-10 10:00"), assignee=principal)
    result = scan("2026-11-11 06:30")
    mail.outbox.clear()
    assert notifications.deliver_alert_notifications(alert_ids=result.alert_ids) == 1
    assert notifications.deliver_alert_notifications(alert_ids=result.alert_ids) == 0
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [principal.email]
    assert filing.subject.name in email.subject and "2026-11-11 10:00" in email.body
    assert len(notifications.LoggingSmsBackend.sent) == 1
    mobile, text = notifications.LoggingSmsBackend.sent[0]
    assert mobile == "13800138000" and text.startswith("【备案提醒】")
    row = Notification.objects.get(user=principal)
    assert row.emailed_at and row.sms_sent_at and row.delivered_at


@pytest.mark.django_db
def test_scan_command_runs_once_as_of_now_and_delivers(principal):
    filing = entered(State.ENTRY, at("2026-10-01 10:00"), assignee=principal)
    mail.outbox.clear()
    call_command("scan_deadlines", "--now", "2026-10-08T10:00:00+08:00")
    assert codes(filing) == ["stale_entry:after_7d:0"]
    assert len(mail.outbox) == 1
    assert AlertScan.objects.latest("scanned_until").scanned_until == at("2026-10-08 10:00")


@pytest.mark.django_db
def test_scan_command_refuses_a_malformed_time():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ISO-8601"):
        call_command("scan_deadlines", "--now", "next tuesday")


@pytest.mark.django_db
def test_insert_keeps_the_alert_another_scanner_committed():
    filing = entered(State.ENTRY, at("2026-10-01 10:00"))
    deadline = Deadline.objects.get(filing=filing, closed_at__isnull=True)
    threshold = AlertThreshold.objects.get(deadline_kind="stale_entry", code="after_7d")
    now = at("2026-10-20 10:00")
    theirs = alert_raising.new_alert(deadline, threshold, now=now, moment=now)
    theirs.save()
    second = AlertThreshold.objects.get(deadline_kind="stale_entry", code="after_15d")
    mine = [
        alert_raising.new_alert(deadline, threshold, now=now, moment=now),
        alert_raising.new_alert(deadline, second, now=now, moment=now),
    ]
    with transaction.atomic():
        created = alert_raising.insert_alerts(mine)
    assert [a.threshold.code for a in created] == ["after_15d"]
    assert Alert.objects.filter(filing=filing).count() == 2


# The API and the inbox.


@pytest.fixture
def raised(principal, other_principal, reviewer, manager):
    """A breach on the principal's filing and a notice on another principal's filing."""
    mine = entered(State.BUREAU_REVIEW, at("2026-11-02 10:00"), assignee=principal)
    theirs = entered(State.ENTRY, at("2026-10-01 10:00"), assignee=other_principal)
    for moment in ("2026-10-08 10:00", "2026-11-09 00:00", "2026-11-23 00:00", "2026-12-01 00:00"):
        scan(moment)
    return mine, theirs


@pytest.mark.django_db
def test_api_lists_own_alerts_and_managers_all(api, raised, principal, other_principal, manager):
    mine, theirs = raised
    own = api(principal).get("/api/v1/alerts/").json()
    assert {a["filing"]["id"] for a in own["results"]} == {mine.pk}
    assert len(own["results"]) == 3 and "count" not in own and own["next"] is None
    # Alerts raised by one scan share their time; which comes first among them is not specified.
    first = next(a for a in own["results"] if a["severity"] == "breach")
    assert first["unread"] is True and first["escalated"] is True
    assert first["deadline_at"] == "2026-11-30T23:59:59+08:00"
    assert mine.subject.name in first["message"]
    everything = api(manager).get("/api/v1/alerts/").json()
    assert {a["filing"]["id"] for a in everything["results"]} == {mine.pk, theirs.pk}
    assert api(other_principal).get(f"/api/v1/alerts/{first['id']}/").status_code == 404
    assert api().get("/api/v1/alerts/").status_code in (401, 403)
    assert api(principal).get("/api/v1/alerts/?unread=maybe").status_code == 400
    assert len(api(principal).get("/api/v1/alerts/?severity=breach").json()["results"]) == 1


@pytest.mark.django_db
def test_unread_counts_per_filing_cover_alerts_and_decisions_of_that_user_only(
    raised, principal, manager, django_assert_num_queries
):
    from filings.reads import selectors

    mine, theirs = raised
    alerts = list(Notification.objects.filter(user=principal, alert__filing=mine).order_by("id"))
    assert len(alerts) == 3
    alerts[0].read_at = alerts[0].created_at
    alerts[0].save(update_fields=["read_at"])
    event = mine.events.create(transition="reject", from_state=State.BUREAU_REVIEW, to_state=State.ENTRY)
    Notification.objects.create(user=principal, event=event, reason=Notification.Reason.ASSIGNEE)

    # Two unread alerts and one unread decision: alerts and events are counted in one statement.
    with django_assert_num_queries(1):
        assert selectors.unread_alert_counts(principal, [mine.pk, theirs.pk]) == {mine.pk: 3}
    assert selectors.unread_alert_counts(principal, [theirs.pk]) == {}
    managers = selectors.unread_alert_counts(manager, [mine.pk, theirs.pk])
    assert managers == {
        f.pk: Notification.objects.filter(user=manager, read_at__isnull=True, alert__filing=f).count()
        for f in (mine, theirs)
        if Notification.objects.filter(user=manager, alert__filing=f).exists()
    }


@pytest.mark.django_db
def test_api_alert_is_written_as_its_declared_fields_would_write_it(api, raised, principal, manager):
    from rest_framework import serializers

    from filings.api.alerts import AlertSerializer

    mine, _ = raised
    breach = Alert.objects.get(filing=mine, threshold__code="breach")
    api(principal).post(f"/api/v1/alerts/{breach.pk}/acknowledge/")
    withdrawn = Alert.objects.filter(filing=mine).exclude(pk=breach.pk).first()
    withdrawn.withdrawn_at, withdrawn.withdrawn_reason = withdrawn.raised_at, "办理阶段已变更"
    withdrawn.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    for alert in Alert.objects.filter(filing__in=raised).select_related("filing__subject", "threshold"):
        alert.unread = alert.pk != breach.pk
        serializer = AlertSerializer()
        fast = serializer.to_representation(alert)
        declared = serializers.ModelSerializer.to_representation(serializer, alert)
        assert list(fast) == list(declared)
        assert fast == dict(declared)
    assert {
        a["withdrawn_reason"] for a in api(manager).get("/api/v1/alerts/?withdrawn=true").json()["results"]
    }


@pytest.mark.django_db
def test_api_acknowledge_first_one_stands_and_marks_read(api, raised, principal, other_principal, manager):
    mine, _ = raised
    breach = Alert.objects.get(filing=mine, threshold__code="breach")
    response = api(principal).post(f"/api/v1/alerts/{breach.pk}/acknowledge/")
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged_by"] == str(principal) and body["unread"] is False
    later = api(manager).post(f"/api/v1/alerts/{breach.pk}/acknowledge/").json()
    assert later["acknowledged_by"] == str(principal)
    assert Notification.objects.get(alert=breach, user=manager).read_at is not None
    assert api(other_principal).post(f"/api/v1/alerts/{breach.pk}/acknowledge/").status_code == 404
    assert len(api(principal).get("/api/v1/alerts/?acknowledged=false").json()["results"]) == 2


@pytest.mark.django_db
def test_api_alert_pages_follow_the_cursor_and_read_unread_for_their_rows_only(
    api, raised, principal, django_assert_max_num_queries
):
    mine, _ = raised
    read = Notification.objects.filter(user=principal).order_by("created_at", "id").first()
    read.read_at = read.created_at
    read.save(update_fields=["read_at"])
    client = api(principal)
    seen, url = [], "/api/v1/alerts/?page_size=2"
    while url:
        body = client.get(url).json()
        assert "count" not in body and len(body["results"]) <= 2
        seen += [(a["id"], a["unread"]) for a in body["results"]]
        url = body["next"]
    expected = list(
        Alert.objects.filter(filing=mine).order_by("-raised_at", "-id").values_list("id", flat=True)
    )
    assert [pk for pk, _ in seen] == expected
    assert {pk for pk, unread in seen if not unread} == {read.alert_id}
    unread_only = client.get("/api/v1/alerts/?unread=true").json()["results"]
    assert {a["id"] for a in unread_only} == set(expected) - {read.alert_id}
    assert all(a["unread"] for a in unread_only)
    assert [a["id"] for a in client.get("/api/v1/alerts/?unread=false").json()["results"]] == [read.alert_id]
    # No count: the page's alerts, then their unread rows (plus the session and the user).
    with django_assert_max_num_queries(4) as captured:
        client.get("/api/v1/alerts/?page_size=2")
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


@pytest.mark.django_db
def test_inbox_page_shows_alerts_unread_count_and_marks_read(client, raised, principal, other_principal):
    mine, _ = raised
    client.force_login(principal)
    page = client.get("/alerts/")
    html = page.content.decode()
    assert page.status_code == 200
    assert mine.subject.name in html and "管局审核时限" in html
    assert "提醒 <span" in html and "(3)" in html
    row = Notification.objects.filter(user=principal).first()
    response = client.post(f"/alerts/{row.pk}/read/", {"next": "/alerts/"})
    assert response.status_code == 302
    assert "(2)" in client.get("/alerts/").content.decode()
    client.post("/alerts/read-all/")
    assert Notification.objects.filter(user=principal, read_at__isnull=True).count() == 0
    # Someone else's inbox rows and alerts are not reachable.
    client.force_login(other_principal)
    assert client.post(f"/alerts/{row.pk}/read/").status_code == 404
    assert client.post(f"/alerts/acknowledge/{row.alert_id}/").status_code == 404
    assert client.get("/alerts/read-all/").status_code == 405


@pytest.mark.django_db
def test_inbox_pages_follow_their_position_without_counting(client, raised, principal, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from filings.web.views import alerts as alert_views

    monkeypatch.setattr(alert_views, "INBOX_PAGE_SIZE", 2)
    client.force_login(principal)
    expected = list(
        Notification.objects.filter(user=principal)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 3
    with CaptureQueriesContext(connection) as captured:
        first = client.get("/alerts/?unread=1").content.decode()
    # The navigation's unread count stops at 100; nothing counts the whole inbox.
    assert not any("COUNT(*)" in q["sql"] and "LIMIT" not in q["sql"] for q in captured.captured_queries)
    assert 'rel="next"' in first
    token = first.split("after=")[1].split('"')[0]
    second = client.get(f"/alerts/?unread=1&after={token}").content.decode()
    shown = [pk for pk in expected if f"/alerts/{pk}/read/" in second]
    assert shown == expected[2:] and 'rel="next"' not in second and 'rel="first"' in second
    assert [pk for pk in expected if f"/alerts/{pk}/read/" in first] == expected[:2]
    bad = client.get("/alerts/?after=nonsense")
    assert bad.status_code == 400 and "分页位置无效" in bad.content.decode()


@pytest.mark.django_db
def test_unread_count_in_the_navigation_is_one_query(rf, raised, principal, django_assert_num_queries):
    from filings.web.context_processors import alerts

    request = rf.get("/")
    request.user = principal
    context = alerts(request)
    with django_assert_num_queries(1):
        assert context["unread_alert_count"]() == 3
        assert context["unread_alert_count"]() == 3


@pytest.mark.django_db
def test_the_navigation_shows_the_unread_count(client, raised, principal):
    client.force_login(principal)
    nav = client.get("/filings/").content.decode().split("</nav>")[0]
    assert 'aria-label="3 条未读">(3)</span>' in nav


@pytest.mark.django_db
def test_editing_a_draft_restarts_its_stale_reminders(principal):
    filing = entered(State.ENTRY, at("2026-10-01 10:00"), assignee=principal)
    scan("2026-10-08 10:00")
    assert codes(filing) == ["stale_entry:after_7d:0"]

    edited_at = at("2026-10-09 12:00")
    drafts.restart_stale_entry(filing, now=edited_at)
    assert codes(filing) == []
    withdrawn = Alert.objects.get(filing=filing, threshold__code="after_7d")
    assert withdrawn.withdrawn_at == edited_at and "重新计时" in withdrawn.withdrawn_reason
    # Stored as its source whatever language the editor used; each reader sees their own.
    from django.utils import translation

    with translation.override("en"):
        withdrawn.refresh_from_db()
        assert "start counting again" in withdrawn.shown_withdrawn_reason
        assert "start counting again" in withdrawn.message
    with translation.override("zh-hans"):
        assert "重新计时" in withdrawn.shown_withdrawn_reason

    scan("2026-10-15 12:00")  # six days after the edit: nothing yet
    assert codes(filing) == []
    scan("2026-10-16 12:00")  # seven days after the edit: the reminder comes again
    assert codes(filing) == ["stale_entry:after_7d:0"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_burst_of_alerts_refreshes_the_planner_statistics_and_a_trickle_does_not(reviewer, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        entered(State.BUREAU_REVIEW, at("2026-11-02 10:00"), reviewer=reviewer)
    monkeypatch.setattr(alert_scan, "ANALYZE_AFTER_ALERTS", 3)
    with CaptureQueriesContext(connection) as burst:
        assert scan("2026-12-01 08:00").raised == 3
    entered(State.BUREAU_REVIEW, at("2026-11-02 10:00"), reviewer=reviewer)
    monkeypatch.setattr(alert_scan, "ANALYZE_AFTER_ALERTS", 2)
    AlertScan.objects.all().delete()  # a full sweep, so that the fourth filing's alert counts
    with CaptureQueriesContext(connection) as trickle:
        assert scan("2026-12-01 08:01").raised == 1

    def analyzed(captured):
        return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]

    # The notifications too: the pages counting a user's unread rows are planned from theirs.
    assert analyzed(burst) == ['ANALYZE "filings_alert"', 'ANALYZE "filings_notification"']
    assert analyzed(trickle) == []


@pytest.mark.django_db
def test_the_unread_count_stops_past_what_the_navigation_shows(raised, principal, monkeypatch):
    from filings.reads import selectors

    assert selectors.unread_alert_count(principal) == 3
    monkeypatch.setattr(selectors, "UNREAD_SHOWN_UP_TO", 1)
    assert selectors.unread_alert_count(principal) == 2  # "more than 1": the rest is not counted


@pytest.mark.django_db
def test_the_unread_filter_with_nothing_unread_says_no_unread_alerts(client, raised, principal):
    client.force_login(principal)
    client.post("/alerts/read-all/")
    page = client.get("/alerts/?unread=1").content.decode()
    assert "暂无未读提醒。" in page and "暂无提醒。" not in page
    assert "No unread alerts." in client.get("/alerts/?unread=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Everything read, the whole inbox still lists them; an empty inbox still says 暂无提醒.
    assert "暂无未读提醒" not in client.get("/alerts/").content.decode()
    Notification.objects.filter(user=principal).delete()
    assert "暂无提醒。" in client.get("/alerts/").content.decode()
