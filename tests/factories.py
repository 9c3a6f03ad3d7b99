"""factory_boy factories for Beian's models, producing filings that pass every pre-check by default."""

import io
import random
from datetime import date, datetime, timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from filings.formats.identity import make_mobile, make_resident_id, make_uscc
from filings.kinds.states import State
from filings.models import Deadline, Domain, Filing, Material, Person, Province, Subject, Website

rng = random.Random(20261128)


def province(code: str = "44") -> Province:
    return Province.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    display_name = factory.LazyAttribute(lambda u: u.username)
    password = factory.django.Password("pass-1234")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        if extracted:
            user.groups.add(Group.objects.get(name=extracted))
            if extracted == Role.ADMIN:
                user.is_staff = True
                user.save(update_fields=["is_staff"])


def principal_user(**kwargs) -> User:
    return UserFactory(role=Role.PRINCIPAL, **kwargs)


def reviewer_user(**kwargs) -> User:
    return UserFactory(role=Role.REVIEWER, **kwargs)


def manager_user(**kwargs) -> User:
    return UserFactory(role=Role.MANAGER, **kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{'伟芳娜敏静丽强磊军洋'[n % 10]}{n}")
    id_number = factory.LazyFunction(lambda: make_resident_id(rng, "44"))
    id_valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3650))
    mobile = factory.LazyFunction(lambda: make_mobile(rng))
    emergency_phone = factory.LazyFunction(lambda: make_mobile(rng))
    email = factory.Sequence(lambda n: f"person{n}@example.cn")


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    kind = Subject.Kind.ENTERPRISE
    name = factory.Sequence(lambda n: f"深圳市星河科技有限公司{n}")
    certificate_kind = Subject.CertificateKind.USCC
    certificate_number = factory.LazyFunction(lambda: make_uscc(rng, "44"))
    licence_valid_from = date(2018, 1, 1)
    licence_long_term = True
    business_scope = "计算机软件开发;信息技术咨询服务"
    province = factory.LazyFunction(province)
    city = "深圳市"
    # The certificate's address decides the bureau: the subject's own province.
    registered_address = factory.LazyAttribute(lambda s: f"{s.province.name}深圳市南山区科技园科苑路1号")
    postal_address = factory.LazyAttribute(lambda s: f"{s.province.name}深圳市南山区科技园科苑路1号")
    legal_representative = ""


class FilingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Filing
        skip_postgeneration_save = True

    subject = factory.SubFactory(SubjectFactory)
    province = factory.LazyAttribute(lambda f: f.subject.province)
    subject_principal = factory.SubFactory(PersonFactory)
    assignee = factory.SubFactory(UserFactory, role=Role.PRINCIPAL)
    filing_type = Filing.Type.FIRST

    @factory.post_generation
    def sync_legal_rep(filing, create, extracted, **kwargs):
        if not filing.subject.legal_representative:
            filing.subject.legal_representative = filing.subject_principal.name
            filing.subject.save(update_fields=["legal_representative"])


class WebsiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Website

    filing = factory.SubFactory(FilingFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = "星河科技产品展示"
    homepage = factory.LazyAttribute(lambda w: f"https://www.xinghe{w.position}.cn/")
    principal = factory.LazyAttribute(lambda w: w.filing.subject_principal)
    server_provider = "深圳云计算有限公司"
    server_ip = "203.0.113.10"
    server_valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    website = factory.SubFactory(WebsiteFactory)
    name = factory.Sequence(lambda n: f"xinghe{n}.cn")
    registrar = "阿里云计算有限公司"
    registrant_name = factory.LazyAttribute(lambda d: d.website.filing.subject.name)
    registrant_certificate_number = factory.LazyAttribute(
        lambda d: d.website.filing.subject.certificate_number
    )
    real_name_verified_at = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=700))


def passing_material(filing: Filing, kind: str, *, slot: str = "", person=None, by=None) -> Material:
    """Store a material version whose checks passed (tests of the scan checks use real images)."""
    from django.db.models import Max

    version = (
        Material.objects.filter(filing=filing, kind=kind, slot=slot).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    material = Material(
        filing=filing,
        kind=kind,
        slot=slot,
        person=person,
        version=version,
        original_name="scan.jpg",
        content_type="image/jpeg",
        size=4,
        sha256="0" * 64,
        dpi=300,
        check_status=Material.CheckStatus.PASS,
        check_results=[],
        uploaded_by=by or filing.assignee,
    )
    material.file.save("upload", ContentFile(io.BytesIO(b"\xff\xd8\xff\xd9").getvalue()), save=False)
    material.save()
    return material


def ready_filing(*, assignee=None, province_code: str = "44", **kwargs) -> Filing:
    """Return a draft filing in entry that passes every pre-submission check."""
    subject = SubjectFactory(
        province=province(province_code), certificate_number=make_uscc(rng, province_code)
    )
    extra = {"assignee": assignee} if assignee else {}
    filing = FilingFactory(subject=subject, province=subject.province, **extra, **kwargs)
    website = WebsiteFactory(filing=filing, position=1)
    DomainFactory(website=website)
    add_required_materials(filing)
    from filings.rules import deadlines

    deadlines.open_stage_deadlines(filing, now=filing.stage_entered_at)
    return filing


def stale_deadlines(
    visits: range, *, starts_at: datetime, filing: Filing | None = None, spread: bool = False
) -> list[Deadline]:
    """Open stale-entry deadlines of one filing, one per stage visit, due 30 days after starts_at.

    Without a filing, a new one without deadlines of its own. Without `spread` they share one due
    time, as thousands of real deadlines share 23:59:59 of a working day."""
    if filing is None:
        filing = ready_filing()
        Deadline.objects.filter(filing=filing).delete()
    else:
        Deadline.objects.filter(filing=filing, stage_visit__in=visits).delete()
    return Deadline.objects.bulk_create(
        Deadline(
            filing=filing,
            province_id=filing.province_id,
            stage=State.ENTRY,
            stage_visit=visit,
            kind=Deadline.Kind.STALE_ENTRY,
            starts_at=starts_at,
            due_at=starts_at + timedelta(days=30, minutes=visit % 7 if spread else 0),
        )
        for visit in visits
    )


def add_required_materials(filing: Filing) -> None:
    """Upload every material the filing needs and record every principal's passed face check, as
    a filing ready for submission has them."""
    from filings.rules.checks import load_filing_for_checks, required_materials

    loaded = load_filing_for_checks(filing.pk)
    for kind, slot, _label in required_materials(loaded):
        passing_material(filing, kind, slot=slot)
    pass_face_checks(filing)


def pass_face_checks(filing: Filing) -> None:
    """Record a passed entry face check for every principal the filing names (the provider's result)."""
    from django.utils import timezone

    from filings.models import AuthenticityCheck
    from filings.rules.authenticity import principals_to_check

    now = timezone.now()
    for person in principals_to_check(Filing.objects.get(pk=filing.pk)):
        AuthenticityCheck.objects.create(
            filing=filing,
            step=AuthenticityCheck.Step.ENTRY,
            stage_visit=filing.stage_visit,
            person=person,
            started_at=now,
            outcome=AuthenticityCheck.Outcome.PASSED,
            recorded_at=now,
        )


# Apps (APP备案).

MD5 = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
SHA1 = "0123456789abcdef0123456789abcdef01234567"
IOS_MD5 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def carry_to_bureau(filing: Filing, *, reviewer) -> Filing:
    """Submit a ready draft (as its principal), pass its review and confirm every SMS verifier, as
    the services do: the filing ends in bureau review."""
    from filings.models import SmsVerifier
    from filings.services import transitions

    pass_face_checks(filing)
    filing = transitions.submit_filing(filing, by=filing.assignee)
    filing = transitions.pass_review(filing, by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    return filing


def publish(filing: Filing, *, reviewer, icp_number: str = "", **numbers) -> Filing:
    """Carry a ready draft through every stage to publication, as the services do."""
    from filings.services import transitions

    filing = carry_to_bureau(filing, reviewer=reviewer)
    number = icp_number or f"{filing.province.icp_abbreviation}ICP备{2026000000 + filing.subject_id}号"
    return transitions.approve_filing(filing, by=reviewer, icp_number=number, **numbers)


def published_filing(*, assignee, reviewer, province_code: str = "44") -> Filing:
    return publish(ready_filing(assignee=assignee, province_code=province_code), reviewer=reviewer)


def cancel_website(filing: Filing, by, *, scope: str = "website", **fields) -> Filing:
    """Open a confirmed cancellation of the filing's only website (scope "access": cancel its
    access, the site moving to another provider); fields override these defaults. The only
    website being the subject's last, the principal's choice is to keep the subject."""
    from filings.services import cancellations

    values = {
        "scope": scope,
        "reason": "moved" if scope == "access" else "closed",
        "confirm": True,
        "website_id": filing.websites.get().pk,
        "last_item": "keep_subject",
    }
    return cancellations.open_cancellation(filing, by=by, **{**values, **fields})


def app_payload(
    *, name: str = "星河智能记账助手", package: str = "com.xinghe.ledger", kind: str = "app"
) -> dict:
    platforms = [
        {
            "platform": "android",
            "package_name": package,
            "public_key": "MIIBIjANBgkqhkiG9w0B",
            "fingerprint": MD5,
        },
        {
            "platform": "ios",
            "package_name": package,
            "public_key": "MIIBIjANBgkqhkiG9w0C",
            "fingerprint": IOS_MD5,
        },
    ]
    identity: dict = {}
    if kind in ("mini_program", "quick_app"):
        # A mini-program or quick app names its platform and the id it gave; no certificate.
        platforms = []
        identity = (
            {"mini_platform": "wechat", "appid": "wx1234567890abcdef"}
            if kind == "mini_program"
            else {"mini_platform": "quick_app", "appid": package}
        )
    return {
        "kind": kind,
        "name": name,
        "service_content": "other",
        "description": "个人记账与账单提醒工具",
        "access_provider": "深圳云计算有限公司",
        "backend_addresses": ["api.xinghe-ledger.cn", "203.0.113.20"],
        "principal": {"same_as_subject_principal": True},
        "platforms": platforms,
        **identity,
        "prior_approvals": [],
    }


def person_payload(person) -> dict:
    return {
        name: getattr(person, name)
        for name in ["name", "id_kind", "id_number", "id_valid_until", "mobile", "emergency_phone", "email"]
    }


def ready_app_filing(published: Filing, **app) -> Filing:
    """Return an APP filing draft for a published filing's subject that passes every check."""
    from filings.services import apps

    filing = apps.create_app_filing(
        by=published.assignee,
        subject_id=published.subject_id,
        subject_principal=person_payload(published.subject_principal),
        apps=[app_payload(**app)],
    )
    add_required_materials(filing)
    return filing
