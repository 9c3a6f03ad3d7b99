"""Contacts reachable (issue #25): reviewers record calls; two failed calls in a week give the
principal a task to confirm their numbers; a number out of service proposes a change filing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from filings.exceptions import BeianError, TransitionNotPermitted
from filings.models import Alert, CallAttempt, Deadline, FilingEvent, Notification
from filings.reads import compliance
from filings.services import contacts
from tests import factories

pytestmark = pytest.mark.django_db

Outcome = CallAttempt.Outcome


@pytest.fixture
def published(principal, reviewer):
    return factories.publish(factories.ready_filing(assignee=principal), reviewer=reviewer)


def _call(filing, reviewer, outcome, *, days_ago=0, number=None):
    person = filing.subject_principal
    return contacts.record_call_attempt(
        filing,
        person_id=person.pk,
        number=number or person.mobile,
        outcome=outcome,
        called_at=timezone.now() - timedelta(days=days_ago),
        by=reviewer,
    )


def _task(filing):
    return Deadline.objects.filter(filing=filing, kind=Deadline.Kind.CONTACT_CONFIRM, closed_at__isnull=True)


def test_two_failed_calls_in_a_week_give_the_principal_a_task(published, reviewer, principal):
    _call(published, reviewer, Outcome.NO_ANSWER, days_ago=10)
    _call(published, reviewer, Outcome.NO_ANSWER)
    assert not _task(published).exists()  # the first was more than a week before
    assert FilingEvent.objects.filter(filing=published, transition="call_attempt").count() == 2

    _call(published, reviewer, Outcome.WRONG_PERSON)
    task = _task(published).get()
    alert = Alert.objects.get(deadline=task)
    assert Notification.objects.filter(alert=alert, user=principal).exists()

    contacts.confirm_contact_numbers(published, by=principal)
    assert not _task(published).exists()
    alert.refresh_from_db()
    assert alert.withdrawn_at is not None


def test_answered_calls_open_no_task(published, reviewer):
    _call(published, reviewer, Outcome.NO_ANSWER)
    _call(published, reviewer, Outcome.ANSWERED)
    assert not _task(published).exists()


def test_out_of_service_number_proposes_a_change_filing(published, reviewer):
    assert compliance.numbers_out_of_service(published) == []
    _call(published, reviewer, Outcome.OUT_OF_SERVICE)
    [(person, number)] = compliance.numbers_out_of_service(published)
    assert person == published.subject_principal and number == person.mobile
    _call(published, reviewer, Outcome.ANSWERED)  # the number works again
    assert compliance.numbers_out_of_service(published) == []


def test_bad_calls_are_refused_without_saving(published, reviewer, principal):
    with pytest.raises(TransitionNotPermitted):
        _call(published, principal, Outcome.NO_ANSWER)
    with pytest.raises(BeianError):
        _call(published, reviewer, Outcome.NO_ANSWER, number="13800000000")
    with pytest.raises(BeianError):
        _call(published, reviewer, "maybe")
    with pytest.raises(BeianError):
        _call(published, reviewer, Outcome.NO_ANSWER, days_ago=-1)
    assert not CallAttempt.objects.exists()
