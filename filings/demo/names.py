"""The words and people the demo invents its subjects, sites and principals from."""

import random
from datetime import timedelta

from django.utils import timezone

from filings.formats.identity import make_mobile, make_resident_id
from filings.models import Person

COMPANY_WORDS = [
    "星河",
    "云帆",
    "青禾",
    "远景",
    "恒信",
    "博雅",
    "锦程",
    "华宇",
    "明德",
    "海纳",
    "嘉禾",
    "凌云",
]
BUSINESS_WORDS = ["科技", "软件", "信息技术", "网络科技", "文化传媒", "电子商务", "教育咨询", "智能制造"]
SITE_WORDS = ["产品展示", "企业官网", "技术博客", "服务中心介绍", "品牌展示", "帮助文档", "招聘信息发布"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def invented_person_fields(rng: random.Random, province_code: str) -> dict:
    """Return the fields of an invented principal of the province."""
    return {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
        "id_number": make_resident_id(rng, province_code),
        "id_valid_until": timezone.localdate() + timedelta(days=rng.randint(400, 3650)),
        "mobile": make_mobile(rng),
        "emergency_phone": make_mobile(rng),
        "email": f"{rng.randrange(10**8)}@example.cn",
    }


def invented_person(rng: random.Random, province_code: str) -> Person:
    return Person(**invented_person_fields(rng, province_code))
