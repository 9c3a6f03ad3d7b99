"""Validators for the numbers and names a filing carries, usable as Django field validators."""

import re

import idna
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landlines with area code (010-12345678, 0755-1234567), optionally an extension, or a mobile.
PHONE_RE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
# Serials issued since about 2020 have 10 digits starting with the year; older ones 6 to 8 digits.
ICP_SERIAL = r"(?P<serial>20\d{8}|\d{6,8})"
ICP_SUBJECT_RE = re.compile(r"^(?P<abbr>[\u4e00-\u9fff])ICP备" + ICP_SERIAL + r"号$")
ICP_WEBSITE_RE = re.compile(r"^(?P<abbr>[\u4e00-\u9fff])ICP备" + ICP_SERIAL + r"号-(?P<site>[1-9]\d{0,2})$")
# Apps, mini-programs and quick apps take the subject's number with a sequence and a letter: -2A.
ICP_APP_RE = re.compile(
    r"^(?P<abbr>[\u4e00-\u9fff])ICP备" + ICP_SERIAL + r"号-(?P<seq>[1-9]\d{0,2})(?P<suffix>[AXK])$"
)
APP_SUFFIXES = {"app": "A", "mini_program": "X", "quick_app": "K"}
HEX_RE = re.compile(r"^[0-9a-f]*$")
FINGERPRINT_LENGTHS = {32: "MD5", 40: "SHA-1"}
# Android and HarmonyOS: Java-style package names (com.example.app); iOS: bundle IDs may hold hyphens.
JAVA_PACKAGE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
BUNDLE_ID_RE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# Mini-program AppIDs and other platforms' identifiers.
OTHER_PACKAGE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$")
PSB_RE = re.compile(r"^(?P<abbr>[\u4e00-\u9fff])公网安备\s?(?P<serial>\d{14})号$")


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
    if ICP_APP_RE.match(value or ""):
        raise ValidationError(
            _("网站备案号不能带应用后缀(A、X、K只用于APP、小程序和快应用),例如“%(example)s-1”。"),
            code="icp_website_app_suffix",
            params={"example": subject_number},
        )
    match = ICP_WEBSITE_RE.match(value or "")
    if not match or not value.startswith(subject_number + "-"):
        raise ValidationError(
            _("网站备案号应为主体备案号加“-序号”,例如“%(example)s-1”。"),
            code="icp_website_format",
            params={"example": subject_number},
        )


def validate_icp_app_number(value: str, *, subject_number: str, kind: str) -> None:
    """Validate an app's number: the subject's number, "-", its sequence and A, X or K by kind."""
    match = ICP_APP_RE.match(value or "")
    suffix = APP_SUFFIXES.get(kind, "A")
    if not match or not value.startswith(subject_number + "-"):
        raise ValidationError(
            _("应用备案号应为主体备案号加“-序号%(suffix)s”,例如“%(example)s-2%(suffix)s”。"),
            code="icp_app_format",
            params={"example": subject_number, "suffix": suffix},
        )
    if match["suffix"] != suffix:
        raise ValidationError(
            _("该类应用的备案号后缀应为“%(suffix)s”(APP为A、小程序为X、快应用为K)。"),
            code="icp_app_suffix",
            params={"suffix": suffix},
        )


def icp_sequence(value: str) -> int | None:
    """Return the sequence number of a website or app number (…号-3 or …号-3A), or None."""
    match = ICP_WEBSITE_RE.match(value or "")
    if match:
        return int(match["site"])
    match = ICP_APP_RE.match(value or "")
    return int(match["seq"]) if match else None


def normalise_fingerprint(value: str) -> str:
    """Return a certificate fingerprint as lower-case hex without colons or spaces."""
    return re.sub(r"[\s:]", "", value or "").lower()


def validate_fingerprint(value: str) -> None:
    """Validate a signing certificate's fingerprint: MD5 (32 hex digits) or SHA-1 (40 hex digits)."""
    normalised = normalise_fingerprint(value)
    if not HEX_RE.match(normalised):
        raise ValidationError(
            _("证书指纹只能包含十六进制字符(0-9、a-f),可用冒号分隔。"), code="fingerprint_chars"
        )
    if len(normalised) not in FINGERPRINT_LENGTHS:
        raise ValidationError(
            _("证书指纹应为32位(MD5)或40位(SHA-1)十六进制字符,当前为%(n)s位。"),
            code="fingerprint_length",
            params={"n": len(normalised)},
        )


def validate_package_name(value: str, *, platform: str) -> None:
    """Validate a package name (Android, HarmonyOS), bundle ID (iOS) or other identifier."""
    pattern = {"android": JAVA_PACKAGE_RE, "harmony": JAVA_PACKAGE_RE, "ios": BUNDLE_ID_RE}.get(
        platform, OTHER_PACKAGE_RE
    )
    if len(value or "") > 255 or not pattern.match(value or ""):
        example = {"ios": "com.example.app", "other": "wx1234567890abcdef"}.get(platform, "com.example.app")
        raise ValidationError(
            _("包名“%(value)s”格式不正确,例如 %(example)s。"),
            code="package_name",
            params={"value": value, "example": example},
        )


def is_ip_address(value: str) -> bool:
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return False
    return True


def validate_backend_address(value: str) -> None:
    """Validate one back-end address of an app: a domain name or an IP address."""
    try:
        validate_ipv46_address(value)
    except ValidationError:
        validate_domain_name(value)
