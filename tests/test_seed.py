"""`manage.py seed_demo`: idempotent demo users and showcase filings, and consistent bulk rows."""

from collections import defaultdict

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from filings.kinds.states import OPEN_STATES, State
from filings.models import Deadline, Filing, FilingEvent, SmsVerifier, Website
from filings.rules import deadlines

DEMO_USERNAMES = {"principal", "principal2", "reviewer", "manager", "admin"}


def seed(*args: str) -> None:
    call_command("seed_demo", *args, stdout=_Sink())


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_sets_passwords():
    seed("--password", "demo-pass-1")
    users = {u.username: u.pk for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert set(users) == DEMO_USERNAMES
    filings = set(Filing.objects.values_list("pk", flat=True))
    events = FilingEvent.objects.count()
    for username in DEMO_USERNAMES:
        assert authenticate(username=username, password="demo-pass-1") is not None, username

    seed()  # again, without a password: nothing new, passwords kept

    assert {u.username: u.pk for u in User.objects.filter(username__in=DEMO_USERNAMES)} == users
    assert set(Filing.objects.values_list("pk", flat=True)) == filings
    assert FilingEvent.objects.count() == events
    assert authenticate(username="principal", password="demo-pass-1") is not None

    seed("--password", "other-pass-2")
    assert authenticate(username="reviewer", password="other-pass-2") is not None
    assert authenticate(username="reviewer", password="demo-pass-1") is None
    assert set(Filing.objects.values_list("pk", flat=True)) == filings


@pytest.mark.django_db
def test_random_passwords_are_printed_once():
    out = _Sink()
    call_command("seed_demo", stdout=out)
    lines = [
        line.split()
        for line in out.text.splitlines()
        if line.strip().split()[:1] and line.split()[0] in DEMO_USERNAMES
    ]
    assert {parts[0] for parts in lines} == DEMO_USERNAMES
    username, password = lines[0]
    assert authenticate(username=username, password=password) is not None
    again = _Sink()
    call_command("seed_demo", stdout=again)
    assert password not in again.text


@pytest.mark.django_db
def test_showcase_covers_every_state_and_both_principals():
    seed("--password", "demo-pass-1")
    states = set(Filing.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert Filing.objects.filter(assignee__username="principal").exists()
    assert Filing.objects.filter(assignee__username="principal2").exists()
    assert Filing.objects.values("province").distinct().count() >= 8
    assert Filing.objects.exclude(psb_number="").filter(state=State.PUBLISHED).exists()
    # The returned showcase carries structured reasons.
    returned = FilingEvent.objects.filter(transition__in=["return_to_entry", "reject"])
    assert returned.exists()
    assert all(r["reason"] and "suggested_fix" in r for e in returned for r in e.reasons)
    _assert_consistent(Filing.objects.all(), stage_entered_at_is_last_event=False)


def _assert_consistent(filings, *, stage_entered_at_is_last_event: bool = True) -> None:
    events = defaultdict(list)
    for event in FilingEvent.objects.filter(filing__in=filings).order_by("at", "id"):
        events[event.filing_id].append(event)
    open_deadlines = defaultdict(list)
    for deadline in Deadline.objects.filter(filing__in=filings, closed_at__isnull=True):
        open_deadlines[deadline.filing_id].append(deadline)
    open_per_subject = defaultdict(int)
    for filing in filings.select_related("province"):
        history = [e for e in events[filing.pk] if e.from_state != e.to_state or e.transition == "create"]
        assert history, filing.pk
        assert history[0].transition == "create" and history[0].to_state == State.ENTRY
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_state == before.to_state, (filing.pk, before.transition, after.transition)
            assert after.at >= before.at
        assert history[-1].to_state == filing.state, filing.pk
        assert filing.stage_visit == len(history), filing.pk
        if stage_entered_at_is_last_event:
            assert filing.stage_entered_at == history[-1].at, filing.pk
        else:  # the showcase ages some stages into the past to raise alerts
            assert filing.stage_entered_at <= history[-1].at, filing.pk
        assert all(e.at <= timezone.now() for e in events[filing.pk])
        assert filing.round == sum(1 for e in history if e.transition == "submit")
        for event in history:
            if event.transition in ("return_to_entry", "reject"):
                assert event.reasons and all(r["reason"] for r in event.reasons)
        expected_kinds = {rule.kind for rule in deadlines.rules_for(filing)}
        current = open_deadlines[filing.pk]
        assert {d.kind for d in current} == expected_kinds, (filing.pk, filing.state)
        assert all(d.stage_visit == filing.stage_visit and d.stage == filing.state for d in current)
        # The public-security period runs from the day the site went live, the others from the stage.
        assert all(
            d.starts_at
            == (
                deadlines.public_security_start(filing)
                if d.kind == Deadline.Kind.PUBLIC_SECURITY
                else filing.stage_entered_at
            )
            for d in current
        )
        if filing.state == State.PUBLISHED:
            assert filing.icp_number.startswith(filing.province.icp_abbreviation + "ICP备")
            assert filing.published_at is not None
            assert filing.went_live_on == timezone.localdate(filing.published_at)
            assert all(
                w.icp_number.startswith(filing.icp_number + "-")
                for w in Website.objects.filter(filing=filing)
            )
            registered = [e for e in events[filing.pk] if e.transition == "register_public_security"]
            assert bool(filing.psb_number) == bool(registered) == bool(filing.psb_registered_at), filing.pk
        else:
            assert not filing.icp_number and not filing.psb_number
        if filing.state == State.SMS_VERIFICATION:
            assert SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit).exists()
        if filing.state in OPEN_STATES:
            open_per_subject[filing.subject_id] += 1
    assert all(count == 1 for count in open_per_subject.values())


@pytest.mark.django_db
@pytest.mark.parametrize("seed_value", ["7", "11"])
def test_bulk_mode_writes_consistent_rows(seed_value):
    seed("--password", "demo-pass-1", "--filings", "200", "--batch", "64", "--seed", seed_value)
    bulk = Filing.objects.exclude(subject__name__startswith="[演示")
    assert bulk.count() == 200
    states = set(bulk.values_list("state", flat=True))
    assert {State.ENTRY, State.PROVIDER_REVIEW, State.BUREAU_REVIEW, State.PUBLISHED} <= states
    assert bulk.filter(events__transition="reject").exists()  # some went through a bureau rejection
    _assert_consistent(bulk)
    # Principals of every size: one very large customer, the rest owning one to a few hundred.
    sizes = sorted(bulk.values("assignee").annotate(n=Count("id")).values_list("n", flat=True), reverse=True)
    assert 10 in sizes and sizes[-1] >= 1 and all(n <= 300 for n in sizes) and len(sizes) > 20
    owners = list(User.objects.filter(assigned_filings__in=bulk).distinct()[:5])
    assert all(owner.groups.filter(name=Role.PRINCIPAL).exists() for owner in owners)
    assert not any(owner.has_usable_password() for owner in owners)


@pytest.mark.django_db
def test_an_old_bulk_database_is_given_owners_of_every_size():
    from filings import demo
    from tests import factories

    old_owner = factories.principal_user(username="principal")
    made = [factories.ready_filing(assignee=old_owner) for _ in range(40)]
    assert demo.reshape_bulk_owners() == 40
    owners = Filing.objects.filter(pk__in=[f.pk for f in made]).values("assignee").annotate(n=Count("id"))
    sizes = sorted((row["n"] for row in owners), reverse=True)
    assert sum(sizes) == 40 and len(sizes) > 3 and 2 in sizes  # the large customer's 5%
    assert not Filing.objects.filter(assignee=old_owner).exists()
    assert demo.reshape_bulk_owners() == 0  # done once


@pytest.mark.postgres
@pytest.mark.django_db
def test_bulk_filings_are_searchable_and_leave_the_search_triggers_on():
    """The bulk seed writes the search documents itself (once per batch); what it wrote must be what
    the database's own function computes, and the triggers must be on again for later writes."""
    from django.db import connection

    seed("--password", "demo-pass-1", "--filings", "30", "--batch", "16")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE search_document = "
            "beian_filing_document(id, subject_id, icp_number) AND search_document LIKE '%site%')"
            " FROM filings_filing WHERE NOT subject_id IN (SELECT id FROM filings_subject WHERE name LIKE '[演示%')"
        )
        assert cursor.fetchone() == (30, 30)
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'")
        assert cursor.fetchone() == (0,)
