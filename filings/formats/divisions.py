"""Administrative division codes (GB/T 2260) as python-stdnum ships them, past and present."""

import re
from functools import cache

from stdnum import numdb

# The 31 mainland provinces (the bureaus' provinces); 71 Taiwan is listed in GB/T 2260 but no
# resident ID or licence is issued under it, and 81/82/83 appear only on residence permits.
MAINLAND_PROVINCE_CODES = frozenset([
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
])  # fmt: skip
# A code that a division held at any time counts: a number keeps the code it was issued under.
YEARS_RE = re.compile(r"\[[0-9-]*\]")
CODE_RE = re.compile(r"^\d{6}$")


@cache
def division_name(code: str) -> str | None:
    """Return the name of a six-digit division code (its latest name), or None when no division ever
    had it."""
    if not CODE_RE.match(code or ""):
        return None
    parts = numdb.get("cn/loc").info(code)
    if len(parts) != 2 or "county" not in parts[1][1]:
        return None
    return YEARS_RE.sub("", parts[1][1]["county"].split(",")[-1])


def is_mainland_division(code: str) -> bool:
    """Return whether a six-digit code is (or was) a division of one of the 31 mainland provinces."""
    return (code or "")[:2] in MAINLAND_PROVINCE_CODES and division_name(code) is not None


def is_division_of(code: str, province_code: str) -> bool:
    """Return whether a six-digit code is (or was) a division inside the given province."""
    return (code or "").startswith(province_code) and is_mainland_division(code)


@cache
def example_division(province_code: str) -> str:
    """Return a county-level code of the province to show in examples (its first district)."""
    for number in range(101, 10000):
        code = f"{province_code}{number:04d}"
        if not code.endswith("00") and division_name(code):
            return code
    return f"{province_code}0000"


@cache
def province_names() -> dict[str, str]:
    """Return the full names of the 31 mainland provinces by code (北京市, 广西壮族自治区…)."""
    db = numdb.get("cn/loc")
    return {code: db.info(f"{code}0000")[0][1]["province"] for code in sorted(MAINLAND_PROVINCE_CODES)}


def province_named_in(address: str) -> str | None:
    """Return the code of the province an address starts with (湖南省长沙市… → 43), or None when it
    does not name one (addresses often start with the city)."""
    address = (address or "").strip()
    for code, name in province_names().items():
        if address.startswith(name):
            return code
    return None
