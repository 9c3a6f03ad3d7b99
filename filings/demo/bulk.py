"""Bulk mode: many filings with consistent history, written with bulk inserts (benchmarks, and the
demo's year of finished filings)."""

import random
import time
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

import filings.demo.risk_shape as demo_risk
from accounts.models import User
from accounts.roles import Role
from filings.demo.history import FINISHED_STATES, WorkdayClock, plan_steps, shift_to_recent
from filings.demo.names import BUSINESS_WORDS, COMPANY_WORDS, SITE_WORDS, invented_person
from filings.formats.divisions import example_division
from filings.formats.identity import make_uscc
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
from filings.rules import deadlines

STATE_WEIGHTS = [
    (State.ENTRY, 8),
    (State.PROVIDER_REVIEW, 4),
    (State.SMS_VERIFICATION, 2),
    (State.BUREAU_REVIEW, 10),
    (State.PUBLISHED, 72),
    (State.WITHDRAWN, 4),
]


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
    clock = WorkdayClock()
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
        person = invented_person(rng, province.code)
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
        steps = shift_to_recent(
            plan_steps(state, sent_back, province, start_day, rng, clock, today), state, rng, now
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
