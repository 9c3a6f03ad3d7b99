"""Validators for the numbers and names a filing carries, usable as Django field validators."""

import ipaddress
import re
import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, validate_ipv46_address
from django.utils.translation import gettext_lazy as _

from filings.exceptions import InvalidInput
from filings.formats.divisions import example_division, is_division_of
from filings.formats.domains import is_public_suffix, registrable_domain

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
# A return or rejection names at most this many reasons (the catalogue holds 27), each this long.
MAX_REASONS = 30
MAX_REASON_LENGTH = 500


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


def is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address((value or "").strip().strip("[]"))
    except ValueError:
        return False
    return True


def validate_domain_name(value: str) -> None:
    if is_ip_address(value):
        raise ValidationError(_("IP地址不能作为域名备案,请填写域名,例如 example.cn。"), code="domain_ip")
    normalised = normalise_domain(value)
    if "." not in normalised:
        raise ValidationError(_("请填写完整的域名,例如 example.cn。"), code="domain")
    if is_ip_address(normalised) or normalised.rsplit(".", 1)[-1].isdigit():
        raise ValidationError(_("IP地址不能作为域名备案,请填写域名,例如 example.cn。"), code="domain_ip")
    if is_public_suffix(normalised):
        raise ValidationError(
            _("“%(value)s”是公共域名后缀,不能单独备案,请填写在其下注册的域名,例如 example.%(value)s。"),
            code="domain_public_suffix",
            params={"value": normalised},
        )


def filed_domain(value: str) -> str:
    """Return the domain a filing names for a host typed in: its registrable domain, IDNA-normalised
    (https://blog.example.com.cn/ → example.com.cn); a bare public suffix is returned as it is, for
    validate_domain_name to refuse."""
    normalised = normalise_domain(value)
    if is_ip_address(normalised):
        return normalised
    return registrable_domain(normalised) or normalised


def validate_icp_subject_number(value: str, *, abbreviation: str) -> None:
    match = ICP_SUBJECT_RE.match(value or "")
    if not match:
        raise ValidationError(
            _("主体备案号格式应为“%(example)s”。"),
            code="icp_format",
            params={"example": f"{abbreviation}ICP备2026012345号"},
        )
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


def normalise_psb_number(value: str | None) -> str:
    """Return a public-security number without spaces and with half-width digits."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value or ""))


def psb_example(abbreviation: str, province_code: str) -> str:
    """Return a public-security number shaped as the province's are, for examples and placeholders."""
    return f"{abbreviation}公网安备{example_division(province_code)}02012345号"


def validate_psb_number(value: str, *, abbreviation: str, province_code: str) -> None:
    """Validate a public-security registration number (公安联网备案号) for a filing's province: the
    province's public-security abbreviation, 公网安备, 14 digits starting with a division code of the
    province (GB/T 2260), and 号."""
    example = psb_example(abbreviation, province_code)
    match = PSB_RE.match(normalise_psb_number(value))
    if not match:
        raise ValidationError(
            _("公安联网备案号格式应为“省份简称+公网安备+14位数字+号”,例如“%(example)s”。"),
            code="psb_format",
            params={"example": example},
        )
    if match["abbr"] != abbreviation or not match["serial"].startswith(province_code):
        raise ValidationError(
            _(
                "公安联网备案号应以“%(abbr)s公网安备%(code)s”开头(本省公安机关使用的简称和本省的行政区划代码),例如“%(example)s”。"
            ),
            code="psb_province",
            params={"abbr": abbreviation, "code": province_code, "example": example},
        )
    if not is_division_of(match["serial"][:6], province_code):
        raise ValidationError(
            _("公安联网备案号的前6位“%(code)s”不是本省的行政区划代码,例如“%(example)s”。"),
            code="psb_division",
            params={"code": match["serial"][:6], "example": example},
        )


# Control characters (Unicode category Cc) and the Unicode line and paragraph separators. A
# multi-line field keeps tab and line breaks; a one-line field refuses them too.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MULTILINE_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Direction overrides and isolates reorder what a reviewer reads (a name shown reversed); zero-width
# characters make two names that look the same differ. Neither belongs in a name or an address.
_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def validate_single_line(value: str) -> None:
    """Refuse control characters, line breaks and invisible formatting in a one-line text field."""
    if not value:
        return
    if _CONTROL_RE.search(value):
        raise ValidationError(_("不能包含换行或控制字符,请删除后重新填写。"), code="control_characters")
    if _INVISIBLE_RE.search(value):
        raise ValidationError(
            _("不能包含零宽字符或文字方向控制符等不可见字符,请删除后重新填写。"),
            code="invisible_characters",
        )


def validate_multiline(value: str) -> None:
    """Refuse control characters other than tab and line breaks in a multi-line text field."""
    if value and _MULTILINE_CONTROL_RE.search(value):
        raise ValidationError(_("不能包含控制字符,请删除后重新填写。"), code="control_characters")


def control_character_checks(validators: list, *, multiline: bool) -> list:
    """Return a text field's validators with ours refusing control characters in place of Django's
    own refusal of a NUL byte, which would say the same a second time beside ours."""
    kept = [v for v in validators if not isinstance(v, ProhibitNullCharactersValidator)]
    return [*kept, validate_multiline if multiline else validate_single_line]


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


def validate_backend_address(value: str) -> None:
    """Validate one back-end address of an app: a domain name or an IP address."""
    try:
        validate_ipv46_address(value)
    except ValidationError:
        validate_domain_name(value)


def format_pattern(validator) -> str | None:
    """Return the regular expression that a non-blank value the validator accepts matches, for the
    API's OpenAPI schema (None for a validator whose rule is not a format)."""
    patterns = [(validate_mobile, MOBILE_RE.pattern), (validate_phone, PHONE_RE.pattern)]
    return next((pattern for known, pattern in patterns if known is validator), None)


def refused_characters(validator) -> str | None:
    """Return the characters the validator refuses in a text, as the inside of a regular expression's
    character class (None for a validator that refuses no characters)."""
    classes = [
        (validate_single_line, (_CONTROL_RE, _INVISIBLE_RE)),
        (validate_multiline, (_MULTILINE_CONTROL_RE,)),
    ]
    return next(
        (
            "".join(regex.pattern[1:-1] for regex in regexes)
            for known, regexes in classes
            if known is validator
        ),
        None,
    )
