"""What every page benchmark does first: point Django at the benchmark database, and refuse any but PostgreSQL."""

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Set Django up with the benchmark settings on DATABASE_URL (default postgres://…/beian_bench)."""
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/beian_bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench._settings"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def on_postgres() -> bool:
    """Return whether the database is PostgreSQL, saying what to do when it is not."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version'), current_setting('shared_buffers')")
            version, shared_buffers = cursor.fetchone()
        # The figures depend on how much of the indexes the server keeps in memory (docs/performance.md).
        print(f"PostgreSQL {version}, shared_buffers {shared_buffers}")
        return True
    print("This benchmark needs PostgreSQL: set DATABASE_URL.")
    return False


def touching(filing_ids: Iterator[int]) -> Callable[[], None]:
    """A write that changes the next filing of the cycle (its time and version), as users do between
    two requests."""

    def write() -> None:
        from django.db.models import F
        from django.utils import timezone

        from filings.models import Filing

        Filing.objects.filter(pk=next(filing_ids)).update(updated_at=timezone.now(), version=F("version") + 1)

    return write


def time_path(
    client, urls: Iterator[str], write: Callable[[], None], runs: int
) -> tuple[float, float, int, float]:
    """Return the median and worst server time (ms) of `runs` requests, each of the next URL after a
    write, the queries of the last one and the median time (ms) its queries took in all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples, in_database, queries = [], [], 0
    for _ in range(runs):
        url = next(urls)
        write()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            _ = response.content
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        queries = len(captured.captured_queries)
        in_database.append(sum(float(query["time"]) for query in captured.captured_queries))
    return (
        statistics.median(samples) * 1000,
        max(samples) * 1000,
        queries,
        statistics.median(in_database) * 1000,
    )
