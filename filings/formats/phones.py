"""Where a mainland phone number belongs: virtual operators' mobile ranges, and the province a number
was issued in (libphonenumber's geocoding data, shipped in the phonenumbers package)."""

import re

import phonenumbers
from phonenumbers import geocoder

# Mobile virtual network operators' ranges (虚拟运营商, 工信部 allocations 170/171 and 162/165/167):
# the ministry's verification SMS often fails to reach them and bureaus ask for a real operator's.
VIRTUAL_OPERATOR_PREFIXES = frozenset({"170", "171", "162", "165", "167"})
# A landline as the forms take it (010-12345678, 0755-1234567-801): the extension says nothing of where.
LANDLINE_RE = re.compile(r"^(?P<area>0\d{2,3})-?(?P<local>\d{7,8})(?:-\d{1,6})?$")


def is_virtual_operator(mobile: str) -> bool:
    """Return whether a mainland mobile number is in a virtual operator's range."""
    digits = re.sub(r"\D", "", mobile)
    return len(digits) == 11 and digits[:3] in VIRTUAL_OPERATOR_PREFIXES


def home_region(number: str) -> str:
    """Return where a mobile or landline number was issued ("广东省深圳市", "广西南宁市"), or "" when the
    data knows only the country (virtual operators, new ranges) or the number is not a valid one."""
    landline = LANDLINE_RE.match(number.strip())
    digits = landline["area"] + landline["local"] if landline else re.sub(r"\D", "", number)
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    region = geocoder.description_for_number(parsed, "zh")
    return "" if region in ("", "中国") else region


def issued_in(number: str, province_short_name: str) -> bool | None:
    """Return whether the number was issued in the province (by its short name, 广东, 内蒙古), or None
    when where it was issued is not known."""
    region = home_region(number)
    if not region:
        return None
    return region.startswith(province_short_name)
