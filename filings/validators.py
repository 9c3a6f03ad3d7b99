"""Validators for the numbers and names a filing carries, usable as Django field validators."""

import re

import idna
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from filings.exceptions import InvalidInput

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landlines with area code (010-12345678, 0755-1234567), optionally an extension, or a mobile.
PHONE_RE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
# Serials issued since about 2020 have 10 digits starting with the year; older ones 6 to 8 digits.
ICP_SERIAL = r"(?P<serial>20\d{8}|\d{6,8})"
ICP_SUBJECT_RE = re.compile(r"^(?P<abbr>[\u4e00-\u9fff])ICP备" + ICP_SERIAL + r"号$")
ICP_WEBSITE_RE = re.compile(r"^(?P<abbr>[\u4e00-\u9fff])ICP备" + ICP_SERIAL + r"号-(?P<site>[1-9]\d{0,2})$")
PSB_RE = re.compile(r"^(?P<abbr>[\u4e00-\u9fff])公网安备\s?(?P<serial>\d{14})号$")
# A return or rejection names at most this many reasons (the catalogue holds 27), each this long.
MAX_REASONS = 30
MAX_REASON_LENGTH = 500


def validate_uscc(value: str) -> None:
    """Validate a unified social credit code (统一社会信用代码, GB 32100-2015)."""
    try:
        uscc.validate(value)
    except InvalidChecksum as error:
        raise ValidationError(_("统一社会信用代码校验位不正确,请核对证件。"), code="uscc_checksum") from error
    except (InvalidLength, InvalidFormat, InvalidComponent, StdnumError) as error:
        raise ValidationError(
            _("统一社会信用代码应为18位数字或大写字母,请核对证件。"), code="uscc_format"
        ) from error


def validate_resident_id(value: str) -> None:
    """Validate a mainland resident ID number (居民身份证, GB 11643) with its birth date and check digit."""
    try:
        ric.validate(value)
    except InvalidChecksum as error:
        raise ValidationError(_("身份证号码校验位不正确,请核对证件。"), code="ric_checksum") from error
    except (InvalidComponent, KeyError) as error:
        # python-stdnum's division table raises KeyError for some historical codes.
        raise ValidationError(_("身份证号码中的出生日期或地区码无效。"), code="ric_component") from error
    except (InvalidLength, InvalidFormat, StdnumError) as error:
        raise ValidationError(_("身份证号码应为18位,最后一位可以是数字或X。"), code="ric_format") from error
    if ric.get_birth_date(value) > timezone.localdate():
        raise ValidationError(_("身份证号码中的出生日期或地区码无效。"), code="ric_component")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(_("请输入11位中国大陆手机号码,例如 13800138000。"), code="mobile")


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value):
        raise ValidationError(_("请输入手机号或带区号的固定电话,例如 010-12345678。"), code="phone")


def normalise_domain(value: str) -> str:
    """Return the IDNA-normalised Unicode form of a domain name (lower case, no trailing dot)."""
    value = (value or "").strip().lower()
    if value.startswith(("http://", "https://")):
        value = re.split(r"[/?#]", value.split("://", 1)[1], maxsplit=1)[0].rsplit(":", 1)[0]
    value = value.rstrip(".")
    if value.startswith("www."):
        value = value[4:]
    try:
        return idna.decode(idna.encode(value, uts46=True))
    except idna.IDNAError as error:
        raise ValidationError(
            _("域名“%(value)s”格式不正确。"), code="domain", params={"value": value}
        ) from error


def validate_domain_name(value: str) -> None:
    normalised = normalise_domain(value)
    if "." not in normalised:
        raise ValidationError(_("请填写完整的域名,例如 example.cn。"), code="domain")


def validate_icp_subject_number(value: str, *, abbreviation: str) -> None:
    match = ICP_SUBJECT_RE.match(value or "")
    if not match:
        raise ValidationError(_("主体备案号格式应为“粤ICP备2023012345号”。"), code="icp_format")
    if match["abbr"] != abbreviation:
        raise ValidationError(
            _("备案号简称应为“%(abbr)s”,与备案省份一致。"), code="icp_province", params={"abbr": abbreviation}
        )


def validate_icp_website_number(value: str, *, subject_number: str) -> None:
    match = ICP_WEBSITE_RE.match(value or "")
    if not match or not value.startswith(subject_number + "-"):
        raise ValidationError(
            _("网站备案号应为主体备案号加“-序号”,例如“%(example)s-1”。"),
            code="icp_website_format",
            params={"example": subject_number},
        )


# Control characters (Unicode category Cc) and the Unicode line and paragraph separators. A
# multi-line field keeps tab and line breaks; a one-line field refuses them too.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MULTILINE_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def validate_single_line(value: str) -> None:
    """Refuse control characters and line breaks in a one-line text field."""
    if value and _CONTROL_RE.search(value):
        raise ValidationError(_("不能包含换行或控制字符,请删除后重新填写。"), code="control_characters")


def validate_multiline(value: str) -> None:
    """Refuse control characters other than tab and line breaks in a multi-line text field."""
    if value and _MULTILINE_CONTROL_RE.search(value):
        raise ValidationError(_("不能包含控制字符,请删除后重新填写。"), code="control_characters")


def refuse_unbounded_reasons(reasons) -> list:
    """Return the reasons of a return or rejection as a list, refusing too many or too long ones."""
    reasons = list(reasons or [])
    if len(reasons) > MAX_REASONS:
        message = _("一次最多填写 %(n)s 条原因。") % {"n": MAX_REASONS}
        raise InvalidInput(message, code="too_many_reasons", details={"reasons": [message]})
    for item in reasons:
        if isinstance(item, dict) and any(
            len(str(item.get(key) or "")) > MAX_REASON_LENGTH for key in ("reason", "suggested_fix")
        ):
            message = _("每条原因和修改建议最多 %(n)s 个字。") % {"n": MAX_REASON_LENGTH}
            raise InvalidInput(message, code="reason_too_long", details={"reasons": [message]})
    return reasons
