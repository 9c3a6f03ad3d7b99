"""The rule "a phone used by another subject is refused" reveals nothing more, and cannot be probed."""

import pytest
from django.test import Client
from django.urls import reverse

from filings.formats.identity import make_mobile
from filings.models import Person
from filings.rules import checks
from filings.rules.checks import load_filing_for_checks, run_submission_checks
from filings.rules.privacy import mask_phone
from tests import factories


def _clash(filing):
    results = run_submission_checks(load_filing_for_checks(filing.pk)).results
    return next(r for r in results if r.code == "phones_unique_to_subject")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clashing(filing, other_principal):
    other = factories.ready_filing(assignee=other_principal)
    Person.objects.filter(pk=other.subject_principal_id).update(mobile=filing.subject_principal.mobile)
    return other


def test_the_clash_names_only_the_principals_own_person_and_a_masked_number(filing, clashing):
    result = _clash(filing)
    number = filing.subject_principal.mobile
    assert result.status == checks.FAIL
    assert result.message == f"{filing.subject_principal.name}的手机号码 {mask_phone(number)}不能使用。"
    assert number not in result.message
    assert (
        clashing.subject.name not in result.message and clashing.subject_principal.name not in result.message
    )


@pytest.mark.parametrize("role", ["principal", "manager", "reviewer"])
def test_the_checklist_page_shows_no_unmasked_number_to_anyone(request, filing, clashing, role):
    page = _client(request.getfixturevalue(role)).get(reverse("filings:checklist", args=[filing.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert mask_phone(filing.subject_principal.mobile) in body
    assert filing.subject_principal.mobile not in body
    assert clashing.subject.name not in body


def test_a_manager_sees_no_unmasked_number_on_the_checklist_page(filing, manager):
    """Whatever the checks say, the manager's checklist page never shows what the detail page masks."""
    body = _client(manager).get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    for person in (filing.subject_principal, *[w.principal for w in filing.websites.all()]):
        assert person.mobile not in body and person.emergency_phone not in body


def test_probing_many_numbers_is_throttled(settings, filing, clashing):
    settings.BEIAN_PHONE_PROBES_PER_FILING = 5
    client = _client(filing.assignee)
    person = filing.subject_principal
    url = reverse("filings:checklist", args=[filing.pk])
    taken = person.mobile
    # The emergency phone and each new mobile spend the budget: 5 numbers after four checks.
    for _ in range(4):
        Person.objects.filter(pk=person.pk).update(mobile=make_mobile(factories.rng))
        assert "过多" not in client.get(url).content.decode()
    # The budget is spent: the taken number is not told apart from a free one any more.
    Person.objects.filter(pk=person.pk).update(mobile=taken)
    body = client.get(url).content.decode()
    assert "核对的电话号码过多" in body
    assert "不能使用" not in body
    result = _clash(filing)
    assert result.status == checks.FAIL and "过多" in result.message


def test_rechecking_the_same_numbers_costs_nothing(settings, filing):
    settings.BEIAN_PHONE_PROBES_PER_FILING = 3
    client = _client(filing.assignee)
    url = reverse("filings:checklist", args=[filing.pk])
    for _ in range(10):
        assert "过多" not in client.get(url).content.decode()
    assert _clash(filing).status == checks.PASS


def test_a_principal_probing_through_many_filings_is_throttled(settings, principal):
    settings.BEIAN_PHONE_PROBES_PER_USER = 3
    first, second = factories.ready_filing(assignee=principal), factories.ready_filing(assignee=principal)
    assert _clash(first).status == checks.PASS
    assert _clash(second).status == checks.FAIL and "过多" in _clash(second).message
