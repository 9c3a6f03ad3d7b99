"""Bureau result import: time to read a result file of N rows into its preview, and to apply it (the
worker's job: each row through the transition services, mail rendered to memory). Goal: 10,000 rows
applied in under 2 minutes.

Adds N filings under bureau review (bulk-created, with their stage's deadlines) and applies a file
deciding them (4 approvals for each rejection); they stay, as the history is append-only, so run it
on a benchmark database. Uses DATABASE_URL (default postgres://…/beian_bench).

    python bench/run.py bureau_import -- [--rows 10000]
"""

import argparse
import os
import random
import tempfile
import time

from bench._common import on_postgres, setup_django

APPLY_GOAL_S_PER_10K = 120.0


def _filings_in_bureau_review(n: int, *, province_code: str) -> list:
    """Bulk-create n first filings under bureau review, each with a website, a domain and deadlines."""
    from django.utils import timezone

    from accounts.models import User
    from filings.formats.identity import make_mobile, make_resident_id, make_uscc
    from filings.kinds.states import State
    from filings.models import Deadline, Domain, Filing, Person, Province, Subject, Website
    from filings.rules import deadlines

    rng = random.Random(time.time_ns())
    province = Province.objects.get(code=province_code)
    owner, _ = User.objects.get_or_create(
        username="bench-bureau-owner", defaults={"email": "owner@example.cn"}
    )
    now, tag = timezone.now(), rng.randrange(10**6)
    subjects = Subject.objects.bulk_create(
        Subject(
            kind=Subject.Kind.ENTERPRISE,
            name=f"管局导入基准公司{tag}-{i}",
            certificate_kind=Subject.CertificateKind.USCC,
            certificate_number=make_uscc(rng, province_code),
            province=province,
            city="深圳市",
            registered_address="深圳市南山区科苑路1号",
            postal_address="深圳市南山区科苑路1号",
        )
        for i in range(n)
    )
    people = Person.objects.bulk_create(
        Person(name=f"张伟{i}", id_number=make_resident_id(rng, province_code), mobile=make_mobile(rng))
        for i in range(n)
    )
    filings = Filing.objects.bulk_create(
        Filing(
            subject=subject,
            province=province,
            subject_principal=person,
            assignee=owner,
            state=State.BUREAU_REVIEW,
            stage_visit=4,
            stage_entered_at=now,
            submitted_at=now,
            round=1,
        )
        for subject, person in zip(subjects, people, strict=True)
    )
    websites = Website.objects.bulk_create(
        Website(
            filing=filing,
            position=1,
            name="星河科技产品展示",
            homepage=f"https://www.bench{tag}-{i}.cn/",
            principal=filing.subject_principal,
            server_provider="深圳云计算有限公司",
            server_ip="203.0.113.10",
            server_valid_until=timezone.localdate(),
        )
        for i, filing in enumerate(filings)
    )
    Domain.objects.bulk_create(
        Domain(website=website, name=f"bench{tag}-{i}.cn", registrar="阿里云", registrant_name="x")
        for i, website in enumerate(websites)
    )
    Deadline.objects.bulk_create(d for filing in filings for d in deadlines.new_stage_deadlines(filing))
    return filings


def _result_file(filings: list, *, province) -> bytes:
    lines = ["备案编号,审核结果,备案号,原因,审核日期"]
    for i, filing in enumerate(filings):
        if i % 5 == 4:
            lines.append(f"{filing.reference},驳回,,网站名称与内容不符;负责人电话无法接通,2026-03-05")
        else:
            # A serial of 10 digits starting with 20, one per subject, at any size of database.
            serial = f"20{filing.subject_id % 10**8:08d}"
            lines.append(f"{filing.reference},通过,{province.icp_abbreviation}ICP备{serial}号,,2026-03-05")
    return "\n".join(lines).encode()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bureau_import")
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    setup_django()
    from django.core import mail

    mail.outbox = []
    if not on_postgres():
        return 1
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.db.models import Count

    from accounts.models import User
    from accounts.roles import Role
    from filings.kinds.states import State
    from filings.models import BureauImport, Filing
    from filings.services import bureau_apply, bureau_import

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-bureau-")
    reviewer, _ = User.objects.get_or_create(username="bench-bureau-reviewer")
    reviewer.groups.add(Group.objects.get(name=Role.REVIEWER))
    reviewer = User.objects.get(pk=reviewer.pk)  # permissions read afresh
    started = time.perf_counter()
    filings = _filings_in_bureau_review(args.rows, province_code="44")
    print(f"{args.rows:,} filings under bureau review made in {time.perf_counter() - started:.1f} s")
    print(
        f"database: {Filing.objects.count():,} filings; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    data = _result_file(filings, province=filings[0].province)

    started = time.perf_counter()
    upload = bureau_import.upload_results(by=reviewer, name="bench.csv", data=data)
    preview_s = time.perf_counter() - started
    counts = dict(upload.rows.values_list("status").annotate(n=Count("id")))
    print(f"preview of {args.rows:,} rows: {preview_s:.1f} s ({counts})")

    with transaction.atomic():
        bureau_import.request_apply(upload, by=reviewer)
    queries = [0, 0.0]

    def counted(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries[0] += 1
            queries[1] += time.perf_counter() - began

    started = time.perf_counter()
    with connection.execute_wrapper(counted):
        upload = bureau_apply.run_apply(upload.pk)
    apply_s = time.perf_counter() - started
    print(
        f"apply: {queries[0]:,} queries ({queries[0] / args.rows:.2f} a row), {queries[1]:.1f} s of them in "
        f"the database; {len(mail.outbox):,} mails"
    )
    goal = APPLY_GOAL_S_PER_10K * args.rows / 10_000
    published = Filing.objects.filter(pk__in=[f.pk for f in filings], state=State.PUBLISHED).count()
    rate = args.rows / apply_s if apply_s else 0
    print(
        f"applied {args.rows:,} rows in {apply_s:.1f} s ({rate:.0f} rows/s; {published:,} published): "
        f"goal {goal:.0f} s for this size — {'met' if apply_s <= goal else 'MISSED'}; "
        f"10,000 rows at this rate: {10_000 / rate if rate else float('inf'):.0f} s"
    )
    return 0 if upload.status == BureauImport.Status.APPLIED and apply_s <= goal else 1
