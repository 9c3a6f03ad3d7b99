"""Bulk mode: many filings with consistent history (benchmarks, and the demo's year of finished
filings), generated as rows (filings/demo/rows.py) and written with COPY on PostgreSQL."""

import random
import time

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from filings.demo.loading import BackgroundWriter, indexes_set_aside, new_ids, triggers_off
from filings.demo.rows import STATE_WEIGHTS, BulkRows
from filings.models import (
    Alert,
    Deadline,
    Domain,
    Filing,
    FilingEvent,
    Notification,
    Person,
    SmsVerifier,
    Subject,
    SubmittedFeatures,
    Website,
)
from filings.services.bulk_rows import Table

__all__ = ["STATE_WEIGHTS", "reshape_bulk_owners", "seed_bulk", "settle_after_bulk"]

# The tables a bulk load writes into; their indexes are set aside for a large load.
LOADED = [
    User,
    User.groups.through,
    Person,
    Subject,
    Filing,
    Website,
    Domain,
    FilingEvent,
    SubmittedFeatures,
    Deadline,
    SmsVerifier,
]
# The tables whose triggers keep the search documents, which the bulk rows bring themselves.
SEARCHED = [Filing, Website, Domain]
# Progress is printed at every multiple of this many filings.
PROGRESS_EVERY = 50_000


def seed_bulk(
    *, count: int, seed: int = 7, batch: int = 10_000, log=print, states: list[tuple[str, int]] | None = None
) -> float:
    """Write `count` filings with subjects, people, websites, domains, history and deadlines, and
    their owners; return the seconds it took.

    All in one transaction. When the load is at least as large as what the tables hold, their
    indexes and keys are dropped first and built once at the end (on PostgreSQL). Batches are
    written from a thread of their own while the next one is made."""
    if count <= 0:
        return 0.0
    started = time.monotonic()
    rng = random.Random(seed)
    reviewer = User.objects.filter(groups__name=Role.REVIEWER).order_by("pk").first()
    if reviewer is None:
        raise ValueError("run seed_demo first: bulk filings need the demo reviewer")
    rebuild = count >= Filing.objects.order_by().count()
    with transaction.atomic():
        with (
            indexes_set_aside(LOADED if rebuild else [], log=log),
            triggers_off(SEARCHED),
        ):
            run_id = rng.randrange(10**6)
            owners = _bulk_principals(count=count, run_id=run_id, rng=rng)
            maker = BulkRows(
                rng=rng,
                run_id=run_id,
                owners=owners,
                reviewer_id=reviewer.pk,
                now=timezone.now(),
                today=timezone.localdate(),
                states=states or STATE_WEIGHTS,
            )
            maker.reserve(count)
            progress = Progress(count=count, log=log)
            done = 0
            with BackgroundWriter() as writer:
                while done < count:
                    size = min(batch, count - done)
                    writer.put(maker.make_batch(size=size, offset=done))
                    done += size
                    if done < count:
                        progress.update(done)
            progress.update(done)
        if connection.vendor == "postgresql":
            analyzed = time.monotonic()
            with connection.cursor() as cursor:
                for model in LOADED:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            log(f"  statistics analysed ({time.monotonic() - analyzed:.1f}s)")
    return time.monotonic() - started


class Progress:
    """Prints how many filings are written, at what rate, and the time left."""

    def __init__(self, *, count: int, log, every: int = PROGRESS_EVERY) -> None:
        self.count, self.log, self.every = count, log, every
        self.started = time.monotonic()
        self.printed = 0

    def update(self, done: int) -> None:
        if done // self.every == self.printed // self.every and done < self.count:
            return
        self.printed = done
        seconds = max(time.monotonic() - self.started, 1e-6)
        rate = done / seconds
        self.log(
            f"  {done:,}/{self.count:,} filings · {rate:,.0f}/s · {duration((self.count - done) / rate)} left"
        )


def settle_after_bulk(*, log) -> None:
    """Leave a bulk-loaded database as autovacuum would soon have it: the catch-up's alerts and inbox
    rows analysed (it wrote them after the load's statistics), and every written table vacuumed so
    that index-only scans need not visit the heap. Autovacuum may be off (it is on the CI machine)
    or not yet round: with the inbox analysed as empty, one page's unread counts read a manager's
    whole inbox, 120 ms at a million filings."""
    if connection.vendor != "postgresql":
        return
    started = time.monotonic()
    quote = connection.ops.quote_name
    # VACUUM cannot run in a transaction (a test's seed runs in one): then the statistics alone.
    vacuum = not connection.in_atomic_block
    with connection.cursor() as cursor:
        for model in (Alert, Notification):
            cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} {quote(model._meta.db_table)}")
        for model in LOADED if vacuum else ():
            cursor.execute(f"VACUUM {quote(model._meta.db_table)}")
    log(f"  vacuumed, the alerts and inbox analysed ({time.monotonic() - started:.1f}s)")


def duration(seconds: float) -> str:
    """Return a duration as people read it: "2 min 50 s", "45 s"."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


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
    user_ids = new_ids(User, len(sizes))
    # No usable password: benchmarks log in without one.
    Table(
        User, ("id", "username", "display_name"), fixed={"password": "!", "date_joined": timezone.now()}
    ).write([(pk, f"bulk{run_id}-{n}", "大客户" if n == 0 else f"客户{n}") for n, pk in enumerate(user_ids)])
    Table(User.groups.through, ("user_id", "group_id")).write([(pk, group.pk) for pk in user_ids])
    owners = [pk for pk, size in zip(user_ids, sizes, strict=True) for _ in range(size)]
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
