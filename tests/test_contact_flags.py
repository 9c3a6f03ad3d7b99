"""Virtual-operator and non-local numbers flagged where the province's data asks (issue #25): a warning
before submission, and on a published filing's page and API for reviewers and the principal."""

import pytest

from filings.formats import phones
from filings.models import Person, Province
from filings.rules.checks import WARNING
from tests import factories
from tests.test_checks import checklist

pytestmark = pytest.mark.django_db

GUANGZHOU, BEIJING, VIRTUAL = "13902300000", "13800138000", "17012345678"


@pytest.mark.parametrize(
    ("number", "virtual", "region"),
    [
        ("13800138000", False, "北京市"),
        ("0755-12345678", False, "广东省深圳市"),
        ("010-12345678-123", False, "北京市"),
        ("13907710000", False, "广西南宁市"),
        ("17012345678", True, ""),  # the data knows only the country for a virtual operator's range
        ("16512345678", True, ""),
        ("not a number", False, ""),
        ("", False, ""),
    ],
)
def test_where_a_number_belongs(number, virtual, region):
    assert phones.is_virtual_operator(number) is virtual
    assert phones.home_region(number) == region


def test_issued_in_a_province_by_its_short_name():
    assert phones.issued_in("13907710000", "广西") is True
    assert phones.issued_in("13907710000", "广东") is False
    assert phones.issued_in("17012345678", "广东") is None


def _phones(filing, *, mobile, emergency=""):
    Person.objects.filter(pk=filing.subject_principal_id).update(mobile=mobile, emergency_phone=emergency)


def _flag_codes(filing):
    return [
        (r.code, r.field, r.status) for r in checklist(filing).results if r.code == "person_phone_not_local"
    ]


def test_non_local_numbers_are_warned_only_where_the_province_asks(principal):
    filing = factories.ready_filing(assignee=principal)  # Guangdong
    _phones(filing, mobile=BEIJING, emergency="010-12345678")
    assert _flag_codes(filing) == []

    Province.objects.filter(code="44").update(wants_local_numbers=True)
    assert _flag_codes(filing) == [
        ("person_phone_not_local", "subject_principal.mobile", WARNING),
        ("person_phone_not_local", "subject_principal.emergency_phone", WARNING),
    ]
    [message] = {
        r.message
        for r in checklist(filing).results
        if r.field == "subject_principal.mobile" and r.code == "person_phone_not_local"
    }
    assert "北京市" in message and BEIJING not in message  # the number is masked

    _phones(filing, mobile=GUANGZHOU, emergency="0755-12345678")
    assert _flag_codes(filing) == []
    _phones(filing, mobile=VIRTUAL)  # where it was issued is unknown: not flagged as non-local
    assert _flag_codes(filing) == []


def test_virtual_operator_numbers_are_warned_only_where_the_province_asks(principal):
    filing = factories.ready_filing(assignee=principal)
    _phones(filing, mobile=VIRTUAL)
    assert "person_mobile_virtual_operator" in {r.code for r in checklist(filing).warnings}
    Province.objects.filter(code="44").update(flags_virtual_numbers=False)
    assert "person_mobile_virtual_operator" not in {r.code for r in checklist(filing).results}


def test_a_published_filing_shows_its_flagged_numbers(principal, reviewer, manager, client, api):
    filing = factories.publish(factories.ready_filing(assignee=principal), reviewer=reviewer)
    _phones(filing, mobile=VIRTUAL, emergency="010-12345678")
    url = f"/api/v1/filings/{filing.pk}/compliance/"
    assert [f["code"] for f in api(reviewer).get(url).json()["flagged_numbers"]] == ["virtual_operator"]

    Province.objects.filter(code="44").update(wants_local_numbers=True)
    flagged = api(reviewer).get(url).json()["flagged_numbers"]
    assert [(f["code"], f["field"], f["number"]) for f in flagged] == [
        ("virtual_operator", "mobile", VIRTUAL),
        ("not_local", "emergency_phone", "010-12345678"),
    ]
    assert [f["number"] for f in api(manager).get(url).json()["flagged_numbers"]] == [
        "170****5678",
        "010*******78",
    ]

    client.force_login(principal)
    page = client.get(f"/filings/{filing.pk}/").content.decode()
    assert "虚拟运营商" in page and "北京市" in page
