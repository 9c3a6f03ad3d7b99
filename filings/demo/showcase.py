"""The demo users and the showcase: a handful of realistic filings in every stage, made through the
real services, some aged so that the first alert scans have something to raise."""

import io
import random
import secrets
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from filings.demo.names import BUSINESS_WORDS, COMPANY_WORDS, SITE_WORDS, invented_person
from filings.formats.divisions import example_division
from filings.formats.identity import make_uscc
from filings.models import (
    Deadline,
    Filing,
    Province,
    SmsVerifier,
    Subject,
)
from filings.rules import deadlines
from filings.rules import fields as entry_fields
from filings.rules.authenticity import principals_to_check
from filings.rules.checks import load_filing_for_checks, required_materials
from filings.services import authenticity, drafts, materials, transitions

DEMO_USERS = [
    ("principal", Role.PRINCIPAL, "王小明"),
    ("principal2", Role.PRINCIPAL, "李晓红"),
    ("reviewer", Role.REVIEWER, "赵审核"),
    ("manager", Role.MANAGER, "钱经理"),
    ("admin", Role.ADMIN, "系统管理员"),
]


def ensure_demo_users(password: str | None) -> dict[str, str]:
    """Create or update the demo users; return username → password (only for those whose password was set)."""
    chosen = password or secrets.token_urlsafe(9)
    passwords = {}
    for username, role, display in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": display, "email": f"{username}@example.cn"}
        )
        user.groups.add(Group.objects.get(name=role))
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
        if created or password:
            user.set_password(chosen)
            passwords[username] = chosen
        user.save()
    return passwords


def _pdf_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 140), "white").save(buffer, "PDF", resolution=300)
    return buffer.getvalue()


def _filing_data(rng: random.Random, province: Province, index: int) -> dict:
    company = f"{province.short_name}{rng.choice(COMPANY_WORDS)}{rng.choice(BUSINESS_WORDS)}有限公司"
    if index:
        company = company.replace("有限公司", f"第{index}分公司")
    person = invented_person(rng, province.code)
    domain = f"demo{province.code}{index}{rng.randrange(10**5)}.cn"
    today = timezone.localdate()
    return {
        "province_id": province.pk,
        "filing_type": Filing.Type.FIRST,
        "subject": {
            "kind": Subject.Kind.ENTERPRISE,
            "name": company,
            "certificate_kind": Subject.CertificateKind.USCC,
            "certificate_number": make_uscc(rng, province.code),
            "licence_valid_from": date(2019, 3, 1),
            "licence_long_term": True,
            "business_scope": "软件开发;信息技术咨询服务",
            "city": f"{province.short_name}市" if province.code in ("11", "12", "31", "50") else "省会城市",
            "registered_address": f"{province.name}示范路{rng.randint(1, 300)}号",
            "postal_address": f"{province.name}示范路{rng.randint(1, 300)}号",
            "legal_representative": person.name,
        },
        "subject_principal": {f: getattr(person, f) for f in entry_fields.PERSON_FIELDS},
        "websites": [
            {
                "name": f"{rng.choice(COMPANY_WORDS)}{rng.choice(SITE_WORDS)}",
                "homepage": f"https://www.{domain}/",
                "service_content": "corporate",
                "description": "介绍公司产品与联系方式",
                "languages": ["zh-hans"],
                "principal": {"same_as_subject_principal": True},
                "server_provider": "示例云计算有限公司",
                "server_ip": "203.0.113.20",
                "server_valid_until": today + timedelta(days=365),
                "domains": [
                    {
                        "name": domain,
                        "registrar": "示例域名注册服务有限公司",
                        "registrant_name": company,
                        "real_name_verified_at": today - timedelta(days=20),
                        "expires_on": today + timedelta(days=700),
                    }
                ],
            }
        ],
    }


def _fix_city(data: dict) -> None:
    # Provinces that require one city in both addresses get addresses that name the city.
    city = data["subject"]["city"]
    for key in ("registered_address", "postal_address"):
        data["subject"][key] = f"{city}{data['subject'][key]}"


def _upload_required(filing: Filing, by: User) -> None:
    pdf = _pdf_bytes()
    for kind, slot, _label in required_materials(load_filing_for_checks(filing.pk)):
        person_id = int(slot.split(":")[1]) if slot.startswith("person:") else None
        website_id = int(slot.split(":")[1]) if slot.startswith("website:") else None
        materials.upload_material(
            filing,
            by=by,
            kind=kind,
            upload=SimpleUploadedFile("scan.pdf", pdf),
            person_id=person_id,
            website_id=website_id,
        )
        filing.refresh_from_db()


# The stage each showcase filing is carried to, with the steps on the way.
SHOWCASE = [
    ("44", "entry"),
    ("11", "entry_returned"),
    ("31", "provider_review"),
    ("33", "provider_review"),
    ("32", "sms_verification"),
    ("51", "bureau_review"),
    ("42", "bureau_review"),
    ("37", "published"),
    ("52", "published_psb"),
    ("53", "bureau_rejected"),
    ("21", "withdrawn"),
]


def seed_showcase(*, users: dict[str, User], rng: random.Random) -> int:
    """Create the showcase filings (once): one or more per stage, across provinces."""
    created = 0
    reviewer = users["reviewer"]
    for index, (code, target) in enumerate(SHOWCASE):
        owner = users["principal"] if index % 3 != 2 else users["principal2"]
        if Filing.objects.filter(assignee=owner, subject__name__startswith=f"[演示{index:02d}]").exists():
            continue
        province = Province.objects.get(code=code)
        data = _filing_data(rng, province, 0)
        data["subject"]["name"] = f"[演示{index:02d}]" + data["subject"]["name"]
        data["websites"][0]["domains"][0]["registrant_name"] = data["subject"]["name"]
        if province.same_city_addresses:
            _fix_city(data)
        filing = drafts.create_filing(by=owner, **data)
        created += 1
        if target == "entry":
            continue
        _upload_required(filing, owner)
        for person in principals_to_check(filing):
            filing = authenticity.record_entry_face_check(filing, by=owner, person_id=person.pk, passed=True)
        filing = transitions.submit_filing(filing, by=owner, comment="请审核")
        if target == "entry_returned":
            transitions.return_filing(
                filing,
                by=reviewer,
                comment="请补充材料",
                reasons=[
                    {
                        "field": "materials.business_licence",
                        "reason": "营业执照扫描件四角不完整",
                        "suggested_fix": "请将证件完整放在扫描区域内,四角留出空白后重新扫描上传",
                    }
                ],
            )
            continue
        if target == "withdrawn":
            transitions.withdraw_filing(filing, by=owner, comment="暂不备案")
            continue
        if target == "provider_review":
            continue
        filing = transitions.pass_review(filing, by=reviewer)
        if target == "sms_verification":
            continue
        for verifier in filing.sms_verifiers.filter(stage_visit=filing.stage_visit):
            filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=owner)
        if target == "bureau_review":
            continue
        if target == "bureau_rejected":
            transitions.reject_filing(
                filing,
                by=reviewer,
                comment="管局退回",
                reasons=[
                    {
                        "field": "website.name",
                        "reason": "网站名称与内容不符",
                        "suggested_fix": "修改网站名称,使其反映网站实际内容",
                    }
                ],
            )
            continue
        serial = f"{timezone.localdate().year}{rng.randrange(10**6):06d}"
        filing = transitions.approve_filing(
            filing, by=reviewer, icp_number=f"{province.icp_abbreviation}ICP备{serial}号"
        )
        if target == "published_psb":
            transitions.register_public_security(
                filing,
                by=owner,
                psb_number=(
                    f"{province.psb_abbreviation}公网安备{example_division(province.code)}"
                    f"{rng.randrange(10**8):08d}号"
                ),
            )
    return created


# Showcase filings whose stage is moved into the past so that the worker's first scans raise alerts
# in the demo principal's inbox: a draft idle for 16 days (7- and 15-day reminders), an SMS window
# 21 hours old (the 4-hour warning now, the 1-hour warning and the expiry within 3 hours) and a
# bureau review past its limit (a breach escalated to the manager).
SHOWCASE_AGES = {0: timedelta(days=16), 4: timedelta(hours=21), 6: timedelta(days=40)}


def age_showcase_for_alerts(*, now: datetime) -> int:
    aged = 0
    for index, age in SHOWCASE_AGES.items():
        target = SHOWCASE[index][1]
        filing = (
            Filing.objects.select_related("province")
            .filter(subject__name__startswith=f"[演示{index:02d}]", state=target)
            .first()
        )
        # Once only: an aged filing entered its stage before it was created.
        if filing is None or filing.stage_entered_at < filing.created_at - timedelta(minutes=1):
            continue
        with transaction.atomic():
            filing.stage_entered_at = now - age
            filing.save(update_fields=["stage_entered_at"])
            Deadline.objects.filter(filing=filing, stage_visit=filing.stage_visit).delete()
            deadlines.open_stage_deadlines(filing, now=filing.stage_entered_at)
            SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit).update(
                sent_at=filing.stage_entered_at
            )
        aged += 1
    return aged
