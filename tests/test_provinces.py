"""The filing's province: the bureau of the subject's own province, judged from the certificate's
address; a number whose area code names another province is a warning the reviewer sees."""

import pytest
from django.urls import reverse

from filings.formats.certificates import certificate_province_code
from filings.formats.identity import make_resident_id, make_uscc
from filings.kinds.states import State
from filings.models import Domain, Filing, Material, Subject
from filings.rules.checks import (
    FAIL,
    PASS,
    WARNING,
    load_filing_for_checks,
    required_materials,
    run_submission_checks,
)
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


def test_company_whose_code_names_another_province_is_a_warning_not_a_refusal():
    # A company keeps its USCC when it moves: 91440300… registered in Shenzhen, now in Shanghai.
    filing = factories.ready_filing(province_code="31")
    number = make_uscc(rng, "44")
    _set_certificate(filing, number=number)
    Subject.objects.filter(pk=filing.subject_id).update(
        registered_address="上海市浦东新区世纪大道100号", postal_address="上海市浦东新区世纪大道100号"
    )
    found = results(filing)
    [warning] = found["subject_province"]
    assert warning.status == WARNING
    assert "广东省" in warning.message and "上海市" in warning.message
    assert not [r for rs in found.values() for r in rs if r.status == FAIL]


def test_company_whose_licence_address_is_in_another_province_is_refused_with_the_right_bureau():
    filing = factories.ready_filing(province_code="44")
    Subject.objects.filter(pk=filing.subject_id).update(registered_address="浙江省杭州市西湖区文三路1号")
    [refused] = results(filing)["subject_address_province"]
    assert refused.status == FAIL
    assert "浙江省通信管理局" in refused.message and "服务器" in refused.fix


def test_company_in_its_own_province_passes():
    filing = factories.ready_filing(province_code="33")
    [result] = results(filing)["subject_province"]
    assert result.status == PASS


def test_person_whose_id_was_first_issued_elsewhere_is_a_warning():
    # Issued in Changsha (430104) in 1985; the person lives in Guangdong now. (The issue's
    # 43010419850101123X has a wrong check character: MOD 11-2 of the body gives 2.)
    filing = factories.ready_filing(province_code="44")
    _set_certificate(
        filing,
        kind=Subject.Kind.INDIVIDUAL,
        certificate_kind=Subject.CertificateKind.RESIDENT_ID,
        number="430104198501011232",
    )
    found = results(filing)
    assert [r.status for r in found["subject_certificate"]] == [PASS]
    [warning] = found["subject_province"]
    assert warning.status == WARNING and "湖南省" in warning.message
    assert "subject_address_province" not in found


def test_person_whose_id_address_is_elsewhere_is_refused_where_no_residence_permit_is_accepted():
    filing = factories.ready_filing(province_code="44")
    _set_certificate(
        filing,
        kind=Subject.Kind.INDIVIDUAL,
        certificate_kind=Subject.CertificateKind.RESIDENT_ID,
        number=make_resident_id(rng, "44"),
    )
    Subject.objects.filter(pk=filing.subject_id).update(registered_address="湖南省长沙市岳麓区麓山南路1号")
    [refused] = results(filing)["subject_address_province"]
    assert refused.status == FAIL and "湖南省通信管理局" in refused.message


def test_zhejiang_takes_a_residence_permit_as_a_material_for_a_person_from_elsewhere():
    filing = factories.ready_filing(province_code="33")
    _set_certificate(
        filing,
        kind=Subject.Kind.INDIVIDUAL,
        certificate_kind=Subject.CertificateKind.RESIDENT_ID,
        number=make_resident_id(rng, "44"),
    )
    Subject.objects.filter(pk=filing.subject_id).update(registered_address="广东省深圳市南山区科苑路1号")
    filing = load_filing_for_checks(filing.pk)
    assert (Material.Kind.RESIDENCE_PERMIT, "") in {(k, s) for k, s, _ in required_materials(filing)}
    found = results(filing)
    assert "subject_address_province" not in found
    assert any(r.status == FAIL and "居住证" in r.message for r in found["material_present"])
    factories.passing_material(filing, Material.Kind.RESIDENCE_PERMIT)
    after = results(filing)
    assert not [r for rs in after.values() for r in rs if r.status == FAIL and "居住证" in r.message]


def test_entry_page_accepts_a_licence_from_another_province(client, principal):
    client.force_login(principal)
    page = client.get(reverse("filings:create")).content.decode()
    assert "与服务器所在地无关" in page
    number = make_uscc(rng, "33")
    data = entry_data(
        **{"subject-certificate_number": number, "websites-0-domains-0-registrant_certificate_number": number}
    )
    response = client.post(reverse("filings:create") + "?filing_type=first&province=44", data)
    assert response.status_code == 302
    assert Filing.objects.filter(assignee=principal, subject__certificate_number=number).exists()


def test_api_accepts_a_licence_from_another_province(api, principal):
    number = make_uscc(rng, "33")
    response = post_json(api(principal), LIST, payload(certificate_number=number))
    assert response.status_code == 201
    assert Filing.objects.get().subject.certificate_number == number


def test_new_website_files_with_the_subjects_own_province(client, principal, reviewer):
    published = bring_to(State.PUBLISHED, principal=principal, reviewer=reviewer)
    client.force_login(principal)
    url = reverse("filings:create") + f"?filing_type=new_website&province=33&subject={published.subject_id}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["entry"].province.code == "44"
