"""Validators with real numbers: USCC and resident ID check characters, mobiles, domain normalisation."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_11_2

from filings.formats.certificates import normalise_certificate_number, validate_resident_id, validate_uscc
from filings.formats.validators import (
    normalise_domain,
    validate_domain_name,
    validate_icp_subject_number,
    validate_icp_website_number,
    validate_mobile,
    validate_phone,
)


def _code(validator, value) -> str | None:
    try:
        validator(value)
    except ValidationError as error:
        return error.code
    return None


# Published codes of well-known companies (each checked with python-stdnum before use).
VALID_USCC = [
    "91110108551385082Q",  # 小米科技有限责任公司
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",
    "91110000802100433B",
]


@pytest.mark.parametrize("value", VALID_USCC)
def test_valid_uscc(value):
    assert _code(validate_uscc, value) is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91110108551385082A", "uscc_checksum"),  # last character changed
        ("91110108551385083Q", "uscc_checksum"),  # one digit changed
        ("91110000600037479C", "uscc_checksum"),
        ("9111010855138508Q", "uscc_format"),  # 17 characters
        ("91110108551385082QQ", "uscc_format"),  # 19 characters
        ("9111010855138508IQ", "uscc_format"),  # I is not in the alphabet
        ("911A0108551385082Q", "uscc_format"),  # a letter inside the division code (positions 3-8)
        ("01110108551385082Q", "uscc_authority"),  # 0 is no registration authority
        ("9111010855138508ZQ", "uscc_format"),  # Z is not in the alphabet
        ("", "uscc_format"),
        ("统一社会信用代码", "uscc_format"),
    ],
)
def test_invalid_uscc(value, code):
    assert _code(validate_uscc, value) == code


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",  # the example printed in GB 11643
        "11010119900307002X",
        "360426199101010071",
        "110105199001010010",
        "11010519491231002x",  # a lower-case x is the same number
    ],
)
def test_valid_resident_id(value):
    assert _code(validate_resident_id, value) is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "ric_checksum"),  # check character should be X
        ("11010519491231002Y", "ric_format"),  # Y is never a check character
        ("110101199003070001", "ric_checksum"),
        ("110105199002300028", "ric_birth_date"),  # 30 February, with a correct check digit
        ("110105202613010016", "ric_birth_date"),  # month 13, with a correct check digit
        ("990105199001010014", "ric_region"),  # no such province, with a correct check digit
        ("000105199001010019", "ric_region"),
        ("11010519491231002", "ric_format"),  # 17 characters
        ("11010519491231002XX", "ric_format"),
        ("110105491231002", "ric_format"),  # the old 15-digit form is no longer issued
        ("", "ric_format"),
    ],
)
def test_invalid_resident_id(value, code):
    assert _code(validate_resident_id, value) == code


def test_resident_id_born_in_the_future_is_invalid():
    tomorrow = timezone.localdate() + timedelta(days=1)
    body = f"110105{tomorrow:%Y%m%d}001"
    value = body + ric.calc_check_digit(body + "0")
    assert ric.is_valid(value)  # python-stdnum alone accepts it
    assert _code(validate_resident_id, value) == "ric_birth_date"


def _with_check(body: str) -> str:
    return body + mod_11_2.calc_check_digit(body)


# Real-shaped numbers issued by counties created after the holder was born: the county code says
# where the number was issued, not where the person was born (python-stdnum refuses them all).
@pytest.mark.parametrize(
    "body",
    [
        "31011519850612003",  # Shanghai Pudong (310115, 1993), born 1985
        "50010119800101004",  # Chongqing Wanzhou (500101, 1997), born 1980
        "46010019750301005",  # Hainan Haikou (460100, province since 1988), born 1975
        "11011219900101006",  # Beijing Tongzhou district (110112, 1997), born 1990
        "44030719860101007",  # Shenzhen Longgang (440307, 1993), born 1986
        "44030719860101999",  # a county code python-stdnum does not know at all raises KeyError there
    ],
)
def test_resident_id_from_a_county_newer_than_the_birth_date_is_valid(body):
    value = _with_check(body)
    assert not ric.is_valid(value)
    assert _code(validate_resident_id, value) is None


def test_resident_id_with_unknown_county_code_is_judged_by_the_standard():
    value = _with_check("44999919860101001")
    assert _code(validate_resident_id, value) is None
    assert _code(validate_resident_id, value[:-1] + ("0" if value[-1] != "0" else "1")) == "ric_checksum"


def test_resident_id_lower_case_x_is_stored_as_upper_case():
    assert normalise_certificate_number("11010519491231002x") == "11010519491231002X"


def _with_uscc_check(body: str) -> str:
    return body + stdnum_uscc.calc_check_digit(body)


@pytest.mark.parametrize(
    "body",
    [
        "A1110000MA0000001",  # 中央军委改革和编制办公室: 国防机构
        "N2330106MA2AB3CD4",  # 农业: a rural collective economic organisation
        "Y1440300MA5G8XH5Q",  # other registration authorities
    ],
)
def test_uscc_with_letters_the_standard_allows_is_valid(body):
    value = _with_uscc_check(body)
    assert not stdnum_uscc.is_valid(value)  # python-stdnum alone refuses the letter
    assert _code(validate_uscc, value) is None
    wrong = value[:-1] + ("0" if value[-1] != "0" else "1")
    assert _code(validate_uscc, wrong) == "uscc_checksum"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("91-440300708461136T", "91440300708461136T"),
        ("914403 00708461136t", "91440300708461136T"),
        ("９１４４０３００７０８４６１１３６Ｔ", "91440300708461136T"),  # full-width input method
        (" 9144 0300 7084 6113 6T ", "91440300708461136T"),
        ("11010519491231002x", "11010519491231002X"),
        ("", ""),
    ],
)
def test_normalise_certificate_number(typed, stored):
    assert normalise_certificate_number(typed) == stored
    if stored:
        assert _code(validate_uscc if stored.startswith("9") else validate_resident_id, typed) is None


@pytest.mark.parametrize("typed", ["ß" * 32, "㎏" * 20 + "1" * 12, "ﬀ" * 32, "ŉ" * 32])
def test_a_certificate_number_is_never_longer_than_typed(typed):
    """A number the API checked at 32 characters fits the 32 its column holds after folding (the
    schema fuzzing found "ß" upper-cased to "SS" refused as too long)."""
    assert len(normalise_certificate_number(typed)) == len(typed)


def test_validator_messages_are_chinese():
    with pytest.raises(ValidationError) as error:
        validate_uscc("91110108551385082A")
    assert "校验位" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        validate_resident_id("110105194912310021")
    assert "身份证" in error.value.messages[0]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("13800138000", True),
        ("19912345678", True),
        ("16612345678", True),
        ("12800138000", False),  # no 12x mobile numbers
        ("1380013800", False),  # 10 digits
        ("138001380001", False),  # 12 digits
        ("+8613800138000", False),
        ("138-0013-8000", False),
        ("010-12345678", False),  # a landline is not a mobile
        ("", False),
        ("1380013800a", False),
    ],
)
def test_validate_mobile(value, ok):
    assert (_code(validate_mobile, value) is None) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("", True),
        ("13800138000", True),
        ("010-12345678", True),
        ("0755-1234567", True),
        ("075512345678", True),
        ("010-12345678-8001", True),
        ("12345", False),
        ("110", False),
        ("电话", False),
    ],
)
def test_validate_phone(value, ok):
    assert (_code(validate_phone, value) is None) is ok


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.cn", "example.cn"),
        ("EXAMPLE.CN", "example.cn"),
        ("example.cn.", "example.cn"),
        ("www.example.cn", "example.cn"),
        ("WWW.Example.COM.", "example.com"),
        ("  example.cn  ", "example.cn"),
        ("https://www.example.cn/about", "example.cn"),
        ("http://Example.cn:8080/?q=1", "example.cn"),
        ("https://example.cn./", "example.cn"),
        ("中文.中国", "中文.中国"),
        ("xn--fiq228c.xn--fiqs8s", "中文.中国"),
        ("XN--FIQ228C.XN--FIQS8S", "中文.中国"),
        ("中文。中国", "中文.中国"),  # the ideographic full stop
        ("www.中文.中国", "中文.中国"),
        ("MÜNCHEN.de", "münchen.de"),
        ("sub.example.com.cn", "sub.example.com.cn"),
    ],
)
def test_normalise_domain(value, expected):
    assert normalise_domain(value) == expected


def test_normalised_forms_of_one_name_are_equal():
    forms = {
        normalise_domain(v) for v in ["中文.中国", "xn--fiq228c.xn--fiqs8s", "WWW.中文.中国.", "中文。中国"]
    }
    assert forms == {"中文.中国"}


@pytest.mark.parametrize(
    "value",
    [
        "",
        "-bad-.cn",
        "exa mple.cn",
        "example..cn",
        "ex_ample.cn",
        "a" * 64 + ".cn",
        "xn--zz.cn",
        "localhost",
        "www.",
    ],
)
def test_invalid_domain_names(value):
    with pytest.raises(ValidationError):
        validate_domain_name(value)


def test_icp_numbers():
    validate_icp_subject_number("粤ICP备2023012345号", abbreviation="粤")
    validate_icp_subject_number("黔ICP备12345678号", abbreviation="黔")
    validate_icp_website_number("粤ICP备2023012345号-1", subject_number="粤ICP备2023012345号")
    for bad, abbr in [
        ("京ICP证030173号", "京"),  # the commercial licence, not a filing number
        ("粤ICP备2023012345号", "京"),  # another province
        ("粤ICP备12345号", "粤"),
        ("粤ICP备2023012345", "粤"),
    ]:
        with pytest.raises(ValidationError):
            validate_icp_subject_number(bad, abbreviation=abbr)
    for bad in ["粤ICP备2023012345号", "粤ICP备2023012345号-0", "粤ICP备2023099999号-1"]:
        with pytest.raises(ValidationError):
            validate_icp_website_number(bad, subject_number="粤ICP备2023012345号")


@pytest.mark.parametrize(
    "value",
    [
        "203.0.113.5",
        "https://203.0.113.5/",
        "http://203.0.113.5:8080/x",
        "2001:db8::1",
        "[2001:db8::1]",
        "10.0.0.1.",
    ],
)
def test_ip_addresses_are_not_domains(value):
    with pytest.raises(ValidationError) as error:
        validate_domain_name(value)
    assert error.value.code in {"domain_ip", "domain"}
    assert "IP" in error.value.messages[0] or "域名" in error.value.messages[0]


def test_ipv4_address_is_refused_with_its_own_message():
    with pytest.raises(ValidationError) as error:
        validate_domain_name("203.0.113.5")
    assert error.value.code == "domain_ip"
    assert "IP地址" in error.value.messages[0]
