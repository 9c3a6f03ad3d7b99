"""Well-formed identity numbers for demo data and tests (valid check characters, never real people)."""

import random
from datetime import date

from stdnum.cn import ric, uscc

from filings.formats.divisions import MAINLAND_PROVINCE_CODES

# "<province>0101" (市辖区) is a division code python-stdnum accepts for births in 1998–2004.
REGION_CODES = {code: f"{code}0101" for code in sorted(MAINLAND_PROVINCE_CODES)}
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(rng: random.Random, province_code: str = "44") -> str:
    body = (
        "91"
        + REGION_CODES.get(province_code, "440101")
        + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    )
    return body + uscc.calc_check_digit(body)


def make_resident_id(rng: random.Random, province_code: str = "44", birth: date | None = None) -> str:
    birth = birth or date(rng.randint(1998, 2004), rng.randint(1, 12), rng.randint(1, 28))
    body = REGION_CODES.get(province_code, "440101") + birth.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def make_mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "186", "177", "199"]) + f"{rng.randint(0, 99_999_999):08d}"
