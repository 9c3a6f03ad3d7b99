"""Demo data: the demo users, a handful of realistic filings in every stage made through the real
services, and a bulk mode that writes many filings with their history directly.

Bulk filings are shaped so that the rejection-risk estimate has something true to find: individual
subjects, sites that need prior approval without one, domains real-name verified days before
submission, principals who are not the legal representative and scans with warnings are returned
or rejected more often, each with its catalogue reason (filings/demo/risk_shape.py says by how
much); each submission's features are recorded as the submit service records them."""

import io
import random
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from filings.demo import risk_shape as demo_risk
from filings.formats.divisions import example_division
from filings.formats.identity import make_mobile, make_resident_id, make_uscc
from filings.kinds.states import State
from filings.models import (
    Deadline,
    Domain,
    Filing,
    FilingEvent,
    Person,
    Province,
    SmsVerifier,
    Subject,
    SubmittedFeatures,
    Transition,
    Website,
)
from filings.rules import deadlines, workdays
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


@dataclass
class SeedReport:
    users: dict[str, str]
    filings: int
    seconds: float


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


def _person(rng: random.Random, province_code: str) -> Person:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    return Person(
        name=name,
        id_number=make_resident_id(rng, province_code),
        id_valid_until=timezone.localdate() + timedelta(days=rng.randint(400, 3650)),
        mobile=make_mobile(rng),
        emergency_phone=make_mobile(rng),
        email=f"{rng.randrange(10**8)}@example.cn",
    )


def _pdf_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 140), "white").save(buffer, "PDF", resolution=300)
    return buffer.getvalue()


def _filing_data(rng: random.Random, province: Province, index: int) -> dict:
    company = f"{province.short_name}{rng.choice(COMPANY_WORDS)}{rng.choice(BUSINESS_WORDS)}有限公司"
    if index:
        company = company.replace("有限公司", f"第{index}分公司")
    person = _person(rng, province.code)
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


def seed_demo(*, password: str | None = None, seed: int = 2026, history: bool = True) -> SeedReport:
    started = time.monotonic()
    passwords = ensure_demo_users(password)
    users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    # The showcase's notifications would only flood the console on every `make run`.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        created = seed_showcase(users=users, rng=random.Random(seed))
    age_showcase_for_alerts(now=timezone.now())
    if history and Filing.objects.count() < DEMO_HISTORY_FILINGS:
        # Finished filings of the past year, so that the dashboard's durations, shares and trends
        # have something to show; finished ones raise no alerts.
        seed_bulk(count=DEMO_HISTORY_FILINGS, seed=seed, states=DEMO_HISTORY_STATES, log=lambda *args: None)
        created += DEMO_HISTORY_FILINGS
    return SeedReport(users=passwords, filings=created, seconds=time.monotonic() - started)


# Enough for the rejection-risk estimate of the busiest provinces' first filings (BEIAN_RISK_MIN_CASES).
DEMO_HISTORY_FILINGS = 600


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


# Bulk mode: many filings with consistent history, written with bulk inserts.

DEMO_HISTORY_STATES = [(State.PUBLISHED, 9), (State.WITHDRAWN, 1)]
STATE_WEIGHTS = [
    (State.ENTRY, 8),
    (State.PROVIDER_REVIEW, 4),
    (State.SMS_VERIFICATION, 2),
    (State.BUREAU_REVIEW, 10),
    (State.PUBLISHED, 72),
    (State.WITHDRAWN, 4),
]
PATHS = {
    State.ENTRY: [("create", "", State.ENTRY)],
    State.PROVIDER_REVIEW: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
    ],
    State.SMS_VERIFICATION: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
        (Transition.PASS_REVIEW, State.PROVIDER_REVIEW, State.SMS_VERIFICATION),
    ],
    State.BUREAU_REVIEW: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
        (Transition.PASS_REVIEW, State.PROVIDER_REVIEW, State.SMS_VERIFICATION),
        (Transition.COMPLETE_SMS, State.SMS_VERIFICATION, State.BUREAU_REVIEW),
    ],
    State.PUBLISHED: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
        (Transition.PASS_REVIEW, State.PROVIDER_REVIEW, State.SMS_VERIFICATION),
        (Transition.COMPLETE_SMS, State.SMS_VERIFICATION, State.BUREAU_REVIEW),
        (Transition.APPROVE, State.BUREAU_REVIEW, State.PUBLISHED),
    ],
    State.WITHDRAWN: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
        (Transition.WITHDRAW, State.PROVIDER_REVIEW, State.WITHDRAWN),
    ],
}
FINISHED_STATES = (State.PUBLISHED, State.WITHDRAWN)
RETURN = [
    *PATHS[State.PROVIDER_REVIEW][1:],
    (Transition.RETURN_TO_ENTRY, State.PROVIDER_REVIEW, State.ENTRY),
]
REJECTION = [
    (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
    (Transition.PASS_REVIEW, State.PROVIDER_REVIEW, State.SMS_VERIFICATION),
    (Transition.COMPLETE_SMS, State.SMS_VERIFICATION, State.BUREAU_REVIEW),
    (Transition.REJECT, State.BUREAU_REVIEW, State.ENTRY),
]


class _Clock:
    """Working-day arithmetic with a per-day cache (bulk mode asks the same days many times)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[date, int], date] = {}

    def add(self, day: date, n: int) -> date:
        key = (day, n)
        if key not in self.cache:
            self.cache[key] = workdays.add_workdays(day, n)
        return self.cache[key]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=workdays.SHANGHAI
    )


def seed_bulk(
    *, count: int, seed: int = 7, batch: int = 5000, log=print, states: list[tuple[str, int]] | None = None
) -> float:
    """Write `count` filings with subjects, people, websites, domains, history and deadlines."""
    rng = random.Random(seed)
    started = time.monotonic()
    provinces = list(Province.objects.all())
    weights = [5 if p.code in ("44", "11", "31", "33", "32") else 1 for p in provinces]
    reviewer = User.objects.filter(groups__name=Role.REVIEWER).first()
    if reviewer is None:
        raise ValueError("run seed_demo first: bulk filings need the demo reviewer")
    run_id = rng.randrange(10**6)
    owners = _bulk_principals(count=count, run_id=run_id, rng=rng)
    clock = _Clock()
    reason_rows = demo_risk.ReasonRows()
    now = timezone.now()
    today = timezone.localdate()
    states, state_weights = zip(*(states or STATE_WEIGHTS), strict=True)
    done = analyzed_at = 0
    while done < count:
        size = min(batch, count - done)
        with transaction.atomic(), _search_documents_written_once() as new_filing_ids:
            new_filing_ids.extend(
                _bulk_batch(
                    size=size,
                    offset=done,
                    run_id=run_id,
                    rng=rng,
                    provinces=provinces,
                    weights=weights,
                    owners=owners,
                    reviewer=reviewer,
                    clock=clock,
                    reason_rows=reason_rows,
                    now=now,
                    today=today,
                    states=states,
                    state_weights=state_weights,
                )
            )
        done += size
        log(f"  {done}/{count} filings ({time.monotonic() - started:.1f}s)")
        if connection.vendor == "postgresql" and done >= 2 * analyzed_at:
            _analyze_growing_tables()
            analyzed_at = done
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.monotonic() - started


def _analyze_growing_tables() -> None:
    # Turning the triggers off takes a lock that cancels autovacuum, so its ANALYZE never runs while
    # seeding: without statistics the document's function reads every website per filing.
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE filings_filing, filings_subject, filings_website, filings_domain, filings_app"
        )


@contextmanager
def _search_documents_written_once():
    """Let a bulk batch skip the search-document triggers (migration 0020) and write each new
    filing's document once at the end, instead of once per website and domain inserted. Yields the
    list the batch puts its new filings' ids in."""
    new_filing_ids: list[int] = []
    if connection.vendor != "postgresql":
        yield new_filing_ids
        return
    tables = ("filings_filing", "filings_website", "filings_domain")
    with connection.cursor() as cursor:
        # A table with foreign-key checks pending (they run at commit) cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield new_filing_ids
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "UPDATE filings_filing SET search_document = beian_filing_document(id, subject_id, icp_number)"
            " WHERE id = ANY(%s)",
            [new_filing_ids],
        )
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# Bulk filings belong to principals of every size: most own one to a few, some a few hundred, and
# one very large customer owns this share of them all.
LARGE_CUSTOMER_SHARE = 0.05
LARGEST_ORDINARY_CUSTOMER = 300


def _bulk_principals(*, count: int, run_id: int, rng: random.Random) -> list[int]:
    """Create the principals who own `count` bulk filings; return each filing's owner id in order."""
    sizes = [max(1, int(count * LARGE_CUSTOMER_SHARE))]
    owned = sizes[0]
    while owned < count:
        sizes.append(min(LARGEST_ORDINARY_CUSTOMER, int(rng.paretovariate(1.1))))
        owned += sizes[-1]
    sizes[-1] -= owned - count
    group = Group.objects.get(name=Role.PRINCIPAL)
    users = User.objects.bulk_create(
        (
            User(
                username=f"bulk{run_id}-{n}",
                display_name="大客户" if n == 0 else f"客户{n}",
                password="!",  # no usable password: benchmarks log in without one
            )
            for n in range(len(sizes))
        ),
        batch_size=5000,
    )
    User.groups.through.objects.bulk_create(
        (User.groups.through(user_id=user.pk, group_id=group.pk) for user in users), batch_size=5000
    )
    owners = [user.pk for user, size in zip(users, sizes, strict=True) for _ in range(size)]
    rng.shuffle(owners)
    return owners


def reshape_bulk_owners(*, seed: int = 7) -> int:
    """Give the bulk filings of a database seeded before owners had sizes (all owned by the demo
    principals) to principals of every size, as seed_bulk() does now; return how many moved."""
    rng = random.Random(seed)
    demo_owners = User.objects.filter(username__in=["principal", "principal2"])
    bulk = Filing.objects.filter(assignee__in=demo_owners).exclude(subject__name__startswith="[演示")
    ids = list(bulk.order_by("id").values_list("id", flat=True))
    if not ids:
        return 0
    owners = _bulk_principals(count=len(ids), run_id=rng.randrange(10**6), rng=rng)
    if connection.vendor != "postgresql":
        moves: dict[int, list[int]] = {}
        for filing_id, owner_id in zip(ids, owners, strict=True):
            moves.setdefault(owner_id, []).append(filing_id)
        for owner_id, filing_ids in moves.items():
            Filing.objects.filter(pk__in=filing_ids).update(assignee_id=owner_id)
        return len(ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 100_000):
            cursor.execute(
                f"UPDATE {Filing._meta.db_table} AS f SET assignee_id = m.owner"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS m(id, owner) WHERE f.id = m.id",
                [ids[start : start + 100_000], owners[start : start + 100_000]],
            )
    return len(ids)


def _bulk_batch(
    *,
    size,
    offset,
    run_id,
    rng,
    provinces,
    weights,
    owners,
    reviewer,
    clock,
    reason_rows,
    now,
    today,
    states,
    state_weights,
) -> list[int]:
    chosen_provinces = rng.choices(provinces, weights=weights, k=size)
    subjects, people = [], []
    profiles = [demo_risk.draw_profile(rng, province.code) for province in chosen_provinces]
    for i, (province, profile) in enumerate(zip(chosen_provinces, profiles, strict=True)):
        number = offset + i
        person = _person(rng, province.code)
        people.append(person)
        if profile.subject_kind == Subject.Kind.INDIVIDUAL:
            subjects.append(
                Subject(
                    kind=Subject.Kind.INDIVIDUAL,
                    name=person.name,
                    certificate_kind=Subject.CertificateKind.RESIDENT_ID,
                    certificate_number=person.id_number,
                    province=province,
                    city="示例市",
                    registered_address="示例市示范路1号",
                    postal_address="示例市示范路1号",
                )
            )
            continue
        subjects.append(
            Subject(
                kind=Subject.Kind.ENTERPRISE,
                name=f"{province.short_name}{rng.choice(COMPANY_WORDS)}{rng.choice(BUSINESS_WORDS)}有限公司{run_id}-{number}",
                certificate_kind=Subject.CertificateKind.USCC,
                certificate_number=make_uscc(rng, province.code),
                licence_long_term=True,
                province=province,
                city="示例市",
                registered_address="示例市示范路1号",
                postal_address="示例市示范路1号",
                legal_representative=person.name if profile.features["legal_rep"] == "yes" else "张法人",
            )
        )
    Subject.objects.bulk_create(subjects)
    Person.objects.bulk_create(people)
    filings, plans = [], []
    for i, (province, subject, person, profile) in enumerate(
        zip(chosen_provinces, subjects, people, profiles, strict=True)
    ):
        state = rng.choices(states, weights=state_weights)[0]
        start_day = today - timedelta(days=rng.randint(1, 400))
        # Only finished filings have a first submission sent back: an open filing's history is moved
        # to the last weeks, which would crowd the recent decisions with returns.
        sent_back = profile.outcome if state in FINISHED_STATES else None
        steps = _recent(
            _plan_steps(state, sent_back, province, start_day, rng, clock, today), state, rng, now
        )
        plans.append(steps)
        last_at, last_state, visit = steps[-1][3], steps[-1][2], len(steps)
        # Most sites published a while ago have registered with public security by now.
        registered = last_state == State.PUBLISHED and now - last_at > timedelta(days=40)
        filings.append(
            Filing(
                filing_type=Filing.Type.FIRST if rng.random() < 0.8 else Filing.Type.NEW_WEBSITE,
                subject=subject,
                province=province,
                subject_principal=person,
                assignee_id=owners[offset + i],
                reviewer=reviewer if last_state != State.ENTRY else None,
                state=last_state,
                stage_visit=visit,
                stage_entered_at=last_at,
                round=sum(1 for s in steps if s[0] == Transition.SUBMIT),
                icp_number=(
                    f"{province.icp_abbreviation}ICP备{start_day.year}{rng.randrange(10**6):06d}号"
                    if last_state == State.PUBLISHED
                    else ""
                ),
                psb_number=(
                    f"{province.psb_abbreviation}公网安备{example_division(province.code)}{rng.randrange(10**8):08d}号"
                    if registered
                    else ""
                ),
                psb_registered_at=last_at + timedelta(days=rng.randint(3, 30)) if registered else None,
                submitted_at=next((s[3] for s in reversed(steps) if s[0] == Transition.SUBMIT), None),
                published_at=last_at if last_state == State.PUBLISHED else None,
                went_live_on=timezone.localdate(last_at) if last_state == State.PUBLISHED else None,
                created_at=steps[0][3],
                updated_at=last_at,
            )
        )
    Filing.objects.bulk_create(filings)
    websites, events, deadline_rows, submitted = [], [], [], []
    for filing, steps, profile in zip(filings, plans, profiles, strict=True):
        websites.append(
            Website(
                filing=filing,
                position=1,
                name=f"{rng.choice(COMPANY_WORDS)}{rng.choice(SITE_WORDS)}",
                homepage=f"https://www.site{filing.subject_id}.cn/",
                principal=filing.subject_principal,
                service_content=profile.features["service_content"],
                server_provider="示例云计算有限公司",
                server_valid_until=today + timedelta(days=365),
                icp_number=f"{filing.icp_number}-1" if filing.icp_number else "",
            )
        )
        submissions = 0
        for visit, (name, from_state, to_state, at) in enumerate(steps, start=1):
            reasons = []
            if name in (Transition.REJECT, Transition.RETURN_TO_ENTRY):
                reasons = [reason_rows(code) for code in profile.codes]
            if (from_state, to_state) == (State.ENTRY, State.PROVIDER_REVIEW):
                # A submission, judged on its features: the first one's, then the fixed ones.
                submissions += 1
                features = profile.features if submissions == 1 else profile.fixed_features()
                submitted.append(
                    SubmittedFeatures(filing=filing, round=submissions, submitted_at=at, features=features)
                )
            events.append(
                FilingEvent(
                    filing=filing,
                    actor_id=reviewer.pk
                    if name in (Transition.PASS_REVIEW, Transition.APPROVE, Transition.REJECT)
                    else filing.assignee_id,
                    at=at,
                    transition=name,
                    from_state=from_state,
                    to_state=to_state,
                    reasons=reasons,
                    stage_visit=visit,
                )
            )
        if filing.psb_registered_at:
            events.append(
                FilingEvent(
                    filing=filing,
                    actor_id=filing.assignee_id,
                    at=filing.psb_registered_at,
                    transition=Transition.REGISTER_PUBLIC_SECURITY,
                    from_state=State.PUBLISHED,
                    to_state=State.PUBLISHED,
                    stage_visit=filing.stage_visit,
                )
            )
        deadline_rows.extend(deadlines.new_stage_deadlines(filing))
    Website.objects.bulk_create(websites)
    Domain.objects.bulk_create(
        Domain(
            website=w,
            name=f"site{w.filing.subject_id}.cn",
            registrant_name=w.filing.subject.name,
            real_name_verified_at=today - timedelta(days=60),
            expires_on=today + timedelta(days=500),
        )
        for w in websites
    )
    FilingEvent.objects.bulk_create(events)
    SubmittedFeatures.objects.bulk_create(submitted)
    Deadline.objects.bulk_create(deadline_rows)
    SmsVerifier.objects.bulk_create(
        SmsVerifier(
            filing=f,
            stage_visit=f.stage_visit,
            person=f.subject_principal,
            mobile=f.subject_principal.mobile,
            sent_at=f.stage_entered_at,
        )
        for f in filings
        if f.state == State.SMS_VERIFICATION
    )
    return [f.pk for f in filings]


def _plan_steps(state, sent_back, province, start_day, rng, clock, today):
    """Return [(transition, from, to, at)] ending in `state`, with plausible working-day durations;
    a first submission `sent_back` ("returned" or "rejected") comes back to entry first."""
    steps = [("create", "", State.ENTRY, _at(start_day, rng))]
    day = start_day
    path = PATHS[state][1:]
    if sent_back == "returned":
        path = RETURN + path
    elif sent_back == "rejected":
        path = REJECTION + path
    for name, from_state, to_state in path:
        if name == Transition.SUBMIT:
            day = day + timedelta(days=rng.randint(0, 6))
        elif name in (Transition.PASS_REVIEW, Transition.RETURN_TO_ENTRY):
            day = clock.add(day, rng.choice([0, 1, 1, 1, 2, 3]))
        elif name == Transition.COMPLETE_SMS:
            day = day + timedelta(days=rng.choice([0, 0, 1]))
        elif name in (Transition.APPROVE, Transition.REJECT):
            typical = province.typical_bureau_workdays
            day = clock.add(day, max(1, min(22, int(rng.gauss(typical, 3)))))
        elif name == Transition.WITHDRAW:
            day = day + timedelta(days=rng.randint(0, 3))
        day = min(day, today)
        # History reads in order: a step never precedes the one before it.
        at = max(_at(day, rng), steps[-1][3] + timedelta(minutes=rng.randint(5, 90)))
        steps.append((name, from_state, to_state, at))
    return steps


# How long ago an open filing may have entered its current stage.
RECENT_STAGE_ENTRY = {
    State.ENTRY: timedelta(days=40),
    State.PROVIDER_REVIEW: timedelta(days=4),
    State.SMS_VERIFICATION: timedelta(hours=30),
    State.BUREAU_REVIEW: timedelta(days=32),
}


def _recent(steps, state, rng, now):
    """Shift an open filing's history so that its current stage began recently."""
    window = RECENT_STAGE_ENTRY.get(state)
    if window is None:
        # Closed filings keep their dates, except that none of them may lie in the future.
        if steps[-1][3] <= now:
            return steps
        target = now - timedelta(seconds=rng.randint(60, 3600))
    else:
        target = now - timedelta(seconds=rng.randint(60, int(window.total_seconds())))
    shift = target - steps[-1][3]
    return [(name, from_state, to_state, at + shift) for name, from_state, to_state, at in steps]
