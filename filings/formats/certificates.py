"""Identity document numbers: unified social credit codes (GB 32100), resident IDs (GB 11643),
residence permits of Hong Kong, Macao and Taiwan residents and foreigners' permanent residence ID cards."""

import functools
import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_2

from filings.formats.divisions import MAINLAND_PROVINCE_CODES, is_mainland_division

# GB 32100-2015 Table 1 with its amendments: registration authority (position 1) → the category
# codes (position 2) it issues. A: the Central Military Commission's organisation office, N:
# agriculture (rural collective economic organisations), Y: other.
USCC_AUTHORITIES: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 中央编办管理的群众团体, 其他
    "2": frozenset("19"),  # 外交: 外国常驻新闻机构, 其他
    "3": frozenset("123459"),  # 司法行政: 律所, 公证处, 基层法律服务所, 司法鉴定, 仲裁委员会, 其他
    "4": frozenset("19"),  # 文化: 外国在华文化中心, 其他
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": frozenset("129"),  # 旅游: 外国及港澳台旅游部门常驻代表机构, 其他
    "7": frozenset("129"),  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": frozenset("19"),  # 工会: 基层工会, 其他
    "9": frozenset("123"),  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": frozenset("19"),  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": frozenset("1239"),  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": frozenset("1"),  # 其他
}
# Codes registered by a national authority carry 100000 instead of a division.
NATIONAL_AREA_CODE = "100000"
USCC_RE = re.compile(r"^[0-9A-Z]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")
# 港澳台居民居住证: the structure of a resident ID under the region's code.
HMT_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})  # Hong Kong, Macao, Taiwan
# 外国人永久居留身份证 (2023): 9, the issuing province, a 3-digit nationality code, the birth date,
# a sequence and a GB 11643 check character.
FOREIGN_PR_RE = re.compile(r"^9\d{16}[\dX]$")
# Spaces (including the ideographic one) and dashes people type inside certificate numbers.
CERTIFICATE_NOISE = re.compile(r"[\s\-\u2010-\u2015\u2212]")


# Bounded: the characters typed are few, but anyone may send any of a million code points.
@functools.lru_cache(maxsize=4096)
def _folded(character: str) -> str:
    folded = unicodedata.normalize("NFKC", character).upper()
    # A character that folds to several ("ß" → "SS", "㎏" → "KG") is kept as typed: no certificate
    # holds one, and folding it would make the number longer than the length it was checked at.
    return folded if len(folded) == 1 else character


def normalise_certificate_number(value: str | None) -> str:
    """Return a certificate number as stored: full-width characters folded, no spaces or hyphens,
    upper case; never longer than typed."""
    if not value:
        return value or ""
    return CERTIFICATE_NOISE.sub("", "".join(map(_folded, value)))


def validate_uscc(value: str) -> None:
    """Validate a unified social credit code (统一社会信用代码, GB 32100-2015): the registration
    authority and category of its table, an existing division code and the check character."""
    number = normalise_certificate_number(value)
    if not USCC_RE.match(number):
        raise ValidationError(
            _(
                "统一社会信用代码应为18位数字或大写字母(不含I、O、S、V、Z),第3至8位为行政区划代码,请核对证件。"
            ),
            code="uscc_format",
        )
    if number[1] not in USCC_AUTHORITIES.get(number[0], ()):
        raise ValidationError(
            _("统一社会信用代码前两位“%(code)s”不是国家标准规定的登记管理部门和机构类别代码,请核对证件。"),
            code="uscc_authority",
            params={"code": number[:2]},
        )
    area = number[2:8]
    if area != NATIONAL_AREA_CODE and not is_mainland_division(area):
        raise ValidationError(
            _("统一社会信用代码第3至8位“%(code)s”不是行政区划代码,请核对证件。"),
            code="uscc_area",
            params={"code": area},
        )
    if uscc.calc_check_digit(number[:17]) != number[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确,请核对证件。"), code="uscc_checksum")


def resident_id_birth_date(value: str) -> date | None:
    """Return the birth date an 18-character ID number carries, or None when it is not a real date."""
    number = normalise_certificate_number(value)
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (ValueError, IndexError):
        return None


def _check_birth_and_check_character(number: str, *, document: str) -> None:
    birth = resident_id_birth_date(number)
    if birth is None or birth.year < 1880 or birth > timezone.localdate():
        raise ValidationError(
            _("%(document)s号码中的出生日期无效。"), code="ric_birth_date", params={"document": document}
        )
    if mod_11_2.calc_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("%(document)s号码校验位不正确,请核对证件。"), code="ric_checksum", params={"document": document}
        )


def validate_resident_id(value: str) -> None:
    """Validate a mainland resident ID number (居民身份证, GB 11643).

    What the standard defines is checked: 18 characters, one of the 31 province codes, a real birth
    date not in the future and the ISO 7064 MOD 11-2 check character. The county code is not
    compared with the birth year: it records where the number was issued, so a person born before
    their county existed can hold its code."""
    number = normalise_certificate_number(value)
    if not RESIDENT_ID_RE.match(number):
        raise ValidationError(_("身份证号码应为18位,最后一位可以是数字或X。"), code="ric_format")
    if number[:6] in HMT_PERMIT_REGIONS:
        raise ValidationError(
            _("以%(code)s开头的是港澳台居民居住证号码,请把证件类型选为“港澳台居民居住证”。"),
            code="ric_hmt_permit",
            params={"code": number[:6]},
        )
    if number[:2] not in MAINLAND_PROVINCE_CODES:
        raise ValidationError(
            _("身份证号码前两位“%(prefix)s”不是省级行政区划代码。"),
            code="ric_region",
            params={"prefix": number[:2]},
        )
    _check_birth_and_check_character(number, document=_("身份证"))


def validate_hmt_residence_permit(value: str) -> None:
    """Validate a residence permit number of a Hong Kong, Macao or Taiwan resident (港澳台居民居住证):
    a resident ID's structure under 810000, 820000 or 830000."""
    number = normalise_certificate_number(value)
    if not RESIDENT_ID_RE.match(number) or number[:6] not in HMT_PERMIT_REGIONS:
        raise ValidationError(
            _("港澳台居民居住证号码应为18位,以810000(香港)、820000(澳门)或830000(台湾)开头。"),
            code="hmt_permit_format",
        )
    _check_birth_and_check_character(number, document=_("港澳台居民居住证"))


def validate_foreign_permanent_residence(value: str) -> None:
    """Validate a foreigner's permanent residence ID card number (外国人永久居留身份证, 2023 format)."""
    number = normalise_certificate_number(value)
    if not FOREIGN_PR_RE.match(number) or number[1:3] not in MAINLAND_PROVINCE_CODES:
        raise ValidationError(
            _("外国人永久居留身份证号码应为18位,以9开头,第2、3位为受理地省份代码。"),
            code="foreign_pr_format",
        )
    _check_birth_and_check_character(number, document=_("外国人永久居留身份证"))


def certificate_province_code(certificate_kind: str, number: str) -> str | None:
    """Return the code of the province a USCC (its division, positions 3–4) or a resident ID (its
    first two digits) was issued in, or None."""
    number = normalise_certificate_number(number)
    if certificate_kind == "uscc" and USCC_RE.match(number):
        code = number[2:4]
    elif certificate_kind == "resident_id" and RESIDENT_ID_RE.match(number):
        code = number[:2]
    else:
        return None
    return code if code in MAINLAND_PROVINCE_CODES else None


# The validator of each certificate kind whose number has a standard structure (the values of
# Subject.CertificateKind and Person.IdKind); other kinds (passports, travel permits) are free text.
VALIDATORS = {
    "uscc": validate_uscc,
    "resident_id": validate_resident_id,
    "hmt_residence_permit": validate_hmt_residence_permit,
    "foreign_permanent_residence": validate_foreign_permanent_residence,
}


def certificate_problem(kind: str, value: str) -> str | None:
    """Return why a certificate number of this kind is wrong, or None (also for free-text kinds)."""
    validator = VALIDATORS.get(kind)
    if validator is None or not value:
        return None
    try:
        validator(value)
    except ValidationError as error:
        return " ".join(str(m) for m in error.messages)
    return None
