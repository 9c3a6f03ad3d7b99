"""The filing's province: the bureau of the subject's own province, derived from its certificate,
with a mismatch refused (and the reason) unless a province rule allows it."""

import json

import pytest
from django.urls import reverse

from filings.checks import (
    FAIL,
    PASS,
    certificate_province_code,
    load_filing_for_checks,
    run_submission_checks,
)
from filings.identity import make_resident_id, make_uscc
from filings.models import Domain, Filing, Subject
from filings.states import State
from tests import factories
from tests.test_api import LIST, payload, post_json
from tests.test_principal_views import entry_data
from tests.test_transitions import bring_to

pytestmark = pytest.mark.django_db
rng = factories.rng


def results(filing) -> dict[str, list]:
    found: dict[str, list] = {}
    for r in run_submission_checks(load_filing_for_checks(filing.pk)).results:
        found.setdefault(r.code, []).append(r)
    return found


def _set_certificate(filing, *, kind=None, certificate_kind=None, number):
    values = {"certificate_number": number}
    if kind:
        values["kind"] = kind
    if certificate_kind:
        values["certificate_kind"] = certificate_kind
    if kind == Subject.Kind.INDIVIDUAL:
        values.update(name=filing.subject_principal.name, licence_long_term=False)
        Domain.objects.filter(website__filing=filing).update(registrant_name=filing.subject_principal.name)
    Subject.objects.filter(pk=filing.subject_id).update(**values)
    Domain.objects.filter(website__filing=filing).update(registrant_certificate_number=number)


@pytest.mark.parametrize(
    ("kind", "number", "code"),
    [
        ("uscc", "91440300708461136T", "44"),
        ("uscc", "91330100716105852F", "33"),
        ("uscc", "91-330100 716105852f", "33"),
        ("resident_id", "11010519491231002X", "11"),
        ("resident_id", "81000019900101001X", None),  # Hong Kong residence permit numbers: no bureau
        ("passport", "E12345678", None),
        ("uscc", "not a number", None),
    ],
)
def test_certificate_province(kind, number, code):
    assert certificate_province_code(kind, number) == code


def test_company_registered_elsewhere_is_refused_with_the_right_bureau():
    filing = factories.ready_filing(province_code="44")
    _set_certificate(filing, number=make_uscc(rng, "33"))
    found = results(filing)
    [result] = found["subject_province"]
    assert result.status == FAIL
    assert "浙江省" in result.message and "广东省" in result.message
    assert "服务器" in result.fix


def test_company_in_its_own_province_passes():
    filing = factories.ready_filing(province_code="33")
    [result] = results(filing)["subject_province"]
    assert result.status == PASS


def test_person_with_an_id_from_another_province_is_refused():
    filing = factories.ready_filing(province_code="44")
    _set_certificate(
        filing,
        kind=Subject.Kind.INDIVIDUAL,
        certificate_kind=Subject.CertificateKind.RESIDENT_ID,
        number=make_resident_id(rng, "33"),
    )
    [result] = results(filing)["subject_province"]
    assert result.status == FAIL
    assert "身份证签发地为浙江省" in result.message


def test_zhejiang_allows_a_residence_permit_for_a_person_from_elsewhere():
    filing = factories.ready_filing(province_code="33")
    number = make_resident_id(rng, "44")
    _set_certificate(
        filing,
        kind=Subject.Kind.INDIVIDUAL,
        certificate_kind=Subject.CertificateKind.RESIDENT_ID,
        number=number,
    )
    [refused] = results(filing)["subject_province"]
    assert refused.status == FAIL and "居住证" in refused.fix
    Subject.objects.filter(pk=filing.subject_id).update(
        certificate_kind=Subject.CertificateKind.RESIDENCE_PERMIT
    )
    found = results(filing)
    assert "subject_province" not in found
    assert [r.status for r in found["residence_permit"]] == [PASS]


def test_entry_page_refuses_a_licence_from_another_province(client, principal):
    client.force_login(principal)
    page = client.get(reverse("filings:create")).content.decode()
    assert "与服务器所在地无关" in page
    assert "服务器接入地所在省份" not in page
    number = make_uscc(rng, "33")
    data = entry_data(
        **{"subject-certificate_number": number, "websites-0-domains-0-registrant_certificate_number": number}
    )
    response = client.post(reverse("filings:create") + "?filing_type=first&province=44", data)
    assert response.status_code == 400
    assert "浙江省通信管理局" in response.content.decode()
    assert not Filing.objects.filter(assignee=principal).exists()


def test_api_refuses_a_licence_from_another_province(api, principal):
    response = post_json(api(principal), LIST, payload(certificate_number=make_uscc(rng, "33")))
    assert response.status_code == 400
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "certificate_number" in body and "浙江省" in body
    assert Filing.objects.count() == 0


def test_new_website_files_with_the_subjects_own_province(client, principal, reviewer):
    published = bring_to(State.PUBLISHED, principal=principal, reviewer=reviewer)
    client.force_login(principal)
    url = reverse("filings:create") + f"?filing_type=new_website&province=33&subject={published.subject_id}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["entry"].province.code == "44"
