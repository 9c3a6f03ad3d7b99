"""Identity documents as the standards define them, with numbers built here from GB 11643 and
GB 32100 (not from the library the validators use) and held-out near-misses."""

import pytest
from django.core.exceptions import ValidationError

from filings.formats.certificates import (
    validate_foreign_permanent_residence,
    validate_hmt_residence_permit,
    validate_resident_id,
    validate_uscc,
)

# GB 11643-1999 §7: weights 2^(17-i) mod 11, check = (12 - Σ mod 11) mod 11, 10 written X.
RIC_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
# GB 32100-2015 §5: 31 characters, weights 3^(i-1) mod 31, check = 31 - Σ mod 31 (31 → 0).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def ric(body: str) -> str:
    total = sum(int(c) * w for c, w in zip(body, RIC_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def uscc(body: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def wrong_check(number: str) -> str:
    """Return the number with another check character."""
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def code_of(validator, value) -> str | None:
    try:
        validator(value)
    except ValidationError as error:
        return error.code
    return None


def test_the_helpers_reproduce_the_standards_printed_examples():
    assert ric("11010519491231002") == "11010519491231002X"  # GB 11643's example
    assert uscc("91440300708461136") == "91440300708461136T"  # printed on a real licence


@pytest.mark.parametrize(
    "number",
    [
        ric("11010519491231002"),  # Beijing Chaoyang, 1949
        ric("43010419850101123"),  # Changsha, 1985
        ric("51010420010315456"),  # Chengdu Jinjiang, 2001
        ric("62010219780630001"),  # Lanzhou, 1978
        ric("52010319950101876"),  # Guiyang, 1995
        ric("65010219600229002"),  # Urumqi, born on 29 February 1960
        ric("31011519850612003"),  # Pudong (created 1992), born 1985
    ],
)
def test_resident_ids_of_several_provinces_and_years(number):
    assert code_of(validate_resident_id, number) is None


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (ric("71010019850101001"), "ric_region"),  # Taiwan's code: no resident ID is issued under it
        (ric("99010519850101001"), "ric_region"),
        (ric("10010519850101001"), "ric_region"),
        (ric("81000019850101001"), "ric_hmt_permit"),  # a Hong Kong resident's residence permit
        (ric("83000019900101002"), "ric_hmt_permit"),
        (ric("65010219610229002"), "ric_birth_date"),  # 1961 has no 29 February
        ("43010419850101123X", "ric_checksum"),  # as the issue wrote it: the check character is 2
    ],
)
def test_resident_id_near_misses(number, code):
    assert code_of(validate_resident_id, number) == code


@pytest.mark.parametrize(
    "number", [ric("81000019850101001"), ric("82000019921231003"), ric("83000020000229004")]
)
def test_residence_permits_of_hong_kong_macao_and_taiwan_residents(number):
    assert code_of(validate_hmt_residence_permit, number) is None


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (ric("84000019850101001"), "hmt_permit_format"),
        (ric("81010119850101001"), "hmt_permit_format"),  # the region code is 810000 exactly
        (ric("11010519850101001"), "hmt_permit_format"),  # a mainland resident ID
        (ric("81000019851301001"), "ric_birth_date"),
        (wrong_check(ric("82000019921231003")), "ric_checksum"),
    ],
)
def test_residence_permit_near_misses(number, code):
    assert code_of(validate_hmt_residence_permit, number) == code


# 2023 format: 9, the accepting province, the nationality (ISO 3166 numeric), birth date, sequence.
@pytest.mark.parametrize(
    "body",
    [
        "93184019800101001",  # Shanghai (31), United States (840), 1980
        "91139219751224002",  # Beijing (11), Japan (392), 1975
        "94425020010704003",  # Guangdong (44), France (250), 2001
    ],
)
def test_foreigners_permanent_residence_id_cards_of_2023(body):
    assert code_of(validate_foreign_permanent_residence, ric(body)) is None


@pytest.mark.parametrize(
    "body",
    [
        "89184019800101001",  # does not start with 9
        "99984019800101001",  # no province 99
        "93184019801301001",  # month 13
    ],
)
def test_foreign_permanent_residence_near_misses(body):
    assert code_of(validate_foreign_permanent_residence, ric(body)) is not None
    wrong = wrong_check(ric("93184019800101001"))
    assert code_of(validate_foreign_permanent_residence, wrong) == "ric_checksum"


# GB 32100 Table 1 (with its amendments): registration authority and category.
@pytest.mark.parametrize(
    "body",
    [
        "11100000000013127",  # 机构编制 · 机关, registered nationally (100000)
        "12440000455858035",  # 机构编制 · 事业单位, Guangdong
        "13100000500000123",  # 机构编制 · 群众团体
        "31310000425012345",  # 司法行政 · 律师事务所, Shanghai
        "51110000500012345",  # 民政 · 社会团体, Beijing
        "52510104MJ0012345",  # 民政 · 民办非企业单位, Chengdu Jinjiang
        "53100000500019876",  # 民政 · 基金会
        "71620102MC1234567",  # 宗教 · 宗教活动场所, Lanzhou
        "81330106MC0012345",  # 工会 · 基层工会
        "91440300708461136",  # 工商 · 企业 (Tencent)
        "92430104MA4L12345",  # 工商 · 个体工商户, Changsha
        "93520103MA6H12345",  # 工商 · 农民专业合作社, Guiyang
        "A1110000MA0000001",  # 中央军委改革和编制办公室 · 军队事业单位
        "N2330106MA2AB3CD4",  # 农业 · 村级集体经济组织
        "Y1440300MA5G8XH5Q",  # 其他
    ],
)
def test_uscc_of_every_registration_authority(body):
    assert code_of(validate_uscc, uscc(body)) is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("B1440300MA5G8XH5Q", "uscc_authority"),  # no authority B
        ("X1440300MA5G8XH5Q", "uscc_authority"),
        ("90440300MA5G8XH5Q", "uscc_authority"),  # 工商 has no category 0
        ("99440300MA5G8XH5Q", "uscc_authority"),  # nor 9
        ("94440300MA5G8XH5Q", "uscc_authority"),
        ("Y2440300MA5G8XH5Q", "uscc_authority"),
        ("54110000500012345", "uscc_authority"),  # 民政 has no category 4
        ("91990000MA5G8XH5Q", "uscc_area"),  # no division 990000
        ("91119900MA5G8XH5Q", "uscc_area"),  # no division 119900
        ("91710000MA5G8XH5Q", "uscc_area"),  # Taiwan: not a mainland registration
        ("91440399MA5G8XH5Q", "uscc_area"),
    ],
)
def test_uscc_near_misses(body, code):
    assert code_of(validate_uscc, uscc(body)) == code


def test_uscc_with_a_wrong_check_character():
    assert code_of(validate_uscc, wrong_check(uscc("91440300MA5G8XH5Q"))) == "uscc_checksum"


@pytest.mark.django_db
def test_an_individual_with_a_foreigners_permanent_residence_card_passes_the_identity_checks():
    from filings.models import Domain, Person, Subject
    from filings.rules.checks import load_filing_for_checks, run_submission_checks
    from tests import factories

    filing = factories.ready_filing(province_code="31")
    number = ric("93184019800101001")
    Subject.objects.filter(pk=filing.subject_id).update(
        kind=Subject.Kind.INDIVIDUAL,
        certificate_kind=Subject.CertificateKind.FOREIGN_PERMANENT_RESIDENCE,
        certificate_number=number,
        name=filing.subject_principal.name,
        licence_long_term=False,
    )
    Person.objects.filter(pk=filing.subject_principal_id).update(
        id_kind=Person.IdKind.FOREIGN_PERMANENT_RESIDENCE, id_number=number
    )
    Domain.objects.filter(website__filing=filing).update(
        registrant_name=filing.subject_principal.name, registrant_certificate_number=number
    )
    results = run_submission_checks(load_filing_for_checks(filing.pk)).results
    codes = {r.code: r.status for r in results if r.code in ("subject_certificate", "person_id")}
    assert codes == {"subject_certificate": "pass", "person_id": "pass"}
    Person.objects.filter(pk=filing.subject_principal_id).update(id_number=wrong_check(number))
    results = run_submission_checks(load_filing_for_checks(filing.pk)).results
    assert [r.status for r in results if r.code == "person_id"] == ["fail"]


@pytest.mark.django_db
def test_api_takes_a_residence_permit_of_a_hong_kong_resident_as_its_own_kind(api, principal):
    from filings.models import Filing
    from tests.test_api import LIST, payload, post_json

    number = ric("81000019850101001")
    individual = {"kind": "individual", "name": "陈云帆", "licence_long_term": False}
    as_resident_id = payload(**individual, certificate_kind="resident_id", certificate_number=number)
    response = post_json(api(principal), LIST, as_resident_id)
    assert response.status_code == 400
    assert "港澳台居民居住证" in response.content.decode()
    assert not Filing.objects.exists()
    as_permit = payload(**individual, certificate_kind="hmt_residence_permit", certificate_number=number)
    response = post_json(api(principal), LIST, as_permit)
    assert response.status_code == 201, response.content
    assert Filing.objects.get().subject.certificate_kind == "hmt_residence_permit"
