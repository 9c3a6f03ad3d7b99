"""Dashboard, reviewer queues and filing pages on a large PostgreSQL database: median server time
against the bare SQL they run, and a gunicorn (2 workers) load test of the detail page vs a bare view.

Uses DATABASE_URL (default postgres://…/beian_bench), seeded by `manage.py seed_demo --filings N`."""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/beian_bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench._settings"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _time_page_and_sql(client, url: str, runs: int) -> tuple[float, float, list[str]]:
    """Return the median server time of the page, the median time of replaying the SQL it ran, and
    that SQL. Each run times the page and then its SQL, so both see the same machine: on a shared
    machine whose speed drifts, timing one series after the other skews their ratio either way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = [q["sql"] for q in captured.captured_queries]
    page_samples, sql_samples = [], []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        _ = response.content
        page_samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        _replay(queries)
        sql_samples.append(time.perf_counter() - started)
    return _median_ms(page_samples), _median_ms(sql_samples), queries


def _replay(queries: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()


class _Uncached:
    """A test client whose every request finds the cache empty (the first view of a page)."""

    def __init__(self, client) -> None:
        self.client = client

    def get(self, url: str):
        from django.core.cache import cache

        cache.clear()
        return self.client.get(url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _wrk(url: str, *, seconds: int, cookie: str | None) -> float:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _threaded_load(url: str, *, seconds: int, cookie: str | None, threads: int = 8) -> float:
    """A small load generator for machines without wrk: keep-alive connections, bounded in time."""
    import http.client
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    done = [0] * threads
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        headers = {"Cookie": cookie} if cookie else {}
        while time.monotonic() < stop:
            connection.request("GET", parts.path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: HTTP {response.status}")
            done[index] += 1

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return sum(done) / seconds


def load_test(*, detail_path: str, cookie: str, seconds: int) -> dict[str, float]:
    """Requests per second of the bare views and the detail page on one gunicorn (2 workers)."""
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench._settings", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    targets = {
        "bare view, anonymous": ("/bench/bare/", None),
        "bare view, logged in": ("/bench/bare-user/", cookie),
        "filing detail page": (detail_path, cookie),
    }
    try:
        _wait_for(port)
        generate = _wrk if shutil.which("wrk") else _threaded_load
        base = f"http://127.0.0.1:{port}"
        for path, with_cookie in targets.values():  # warm both workers (imports, caches)
            generate(f"{base}{path}", seconds=2, cookie=with_cookie)
        return {
            name: generate(f"{base}{path}", seconds=seconds, cookie=with_cookie)
            for name, (path, with_cookie) in targets.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=20)


def _verdict(goal: str, page_ms: float, ratio: float | None) -> str:
    if goal.startswith("< 30 ms"):
        return "  met" if page_ms < 30 else "  MISSED"
    if goal == "< 100 ms (API)":
        return "  met" if page_ms < 100 else "  MISSED"
    if goal.startswith("< 100 ms"):
        met = page_ms < 100 and ratio is not None and ratio <= 2
        return "  met" if met else "  MISSED"
    return ""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench review_dashboard")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--skip-load", action="store_true")
    args, _unknown = parser.parse_known_args(argv)
    _setup()

    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from filings import stats
    from filings.models import Filing, StatsRefresh
    from filings.states import State

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL.")
        return 1
    filings = Filing.objects.count()
    print(f"database {database['NAME']}: {filings:,} filings")
    if filings == 0:
        print(
            "Seed it first (12–30 min): DATABASE_URL=... .venv/bin/python manage.py seed_demo --filings 1000000"
        )
        return 2
    if not StatsRefresh.objects.exists():
        refresh = stats.refresh_summaries(full=True)
        print(f"full statistics rebuild: {refresh.events:,} history rows in {refresh.seconds:.1f}s")
    refresh = stats.refresh_summaries()
    print(
        f"incremental statistics refresh (the 5-minute task): {refresh.events:,} history rows in {refresh.seconds:.1f}s"
    )

    manager = User.objects.get(username="manager")
    reviewer = User.objects.get(username="reviewer")
    as_manager, as_reviewer = Client(), Client()
    as_manager.force_login(manager)
    as_reviewer.force_login(reviewer)
    in_bureau = Filing.objects.filter(state=State.BUREAU_REVIEW).order_by("-id").first()
    in_review = Filing.objects.filter(state=State.PROVIDER_REVIEW).order_by("-id").first()
    owner = in_bureau.assignee
    as_owner = Client()
    as_owner.force_login(owner)

    pages = [
        ("dashboard (manager)", as_manager, "/filings/dashboard/"),
        ("  same, cache emptied", _Uncached(as_manager), "/filings/dashboard/"),
        ("queue provider_review", as_reviewer, "/filings/review/queues/provider_review/"),
        ("queue sms_verification", as_reviewer, "/filings/review/queues/sms_verification/"),
        ("queue bureau_review", as_reviewer, "/filings/review/queues/bureau_review/"),
        ("queue public_security", as_reviewer, "/filings/review/queues/public_security/"),
        ("bare view, anonymous", Client(), "/bench/bare/"),
        ("bare view, logged in", as_owner, "/bench/bare-user/"),
        ("filing detail (principal)", as_owner, f"/filings/{in_bureau.pk}/"),
        ("  same, cache emptied", _Uncached(as_owner), f"/filings/{in_bureau.pk}/"),
        ("pre-review page (reviewer)", as_reviewer, f"/filings/review/{in_review.pk}/"),
        ("API stats/durations", as_manager, "/api/v1/stats/durations/?period=365"),
        ("API review queue", as_reviewer, "/api/v1/review/queues/bureau_review/"),
    ]
    print(f"\n{'page':<28} {'server ms':>10} {'bare SQL ms':>12} {'ratio':>6} {'queries':>8}   goal")
    previous = ""
    for name, client, url in pages:
        page_ms, sql_ms, queries = _time_page_and_sql(client, url, args.runs)
        goal = "< 30 ms" if "detail" in name or "pre-review" in name else "< 100 ms, ≤ 2×"
        goal = "(first view after a refresh)" if "same" in name and "dashboard" in previous else goal
        goal = "< 30 ms" if "same" in name and "detail" in previous else goal
        previous = name if not name.startswith(" ") else previous
        goal = "" if "bare" in name else goal
        # The issue sets the 2× ratio for the dashboard and queue pages; the API is shown against 100 ms.
        goal = "< 100 ms (API)" if name.startswith("API") else goal
        ratio = f"{page_ms / sql_ms:>6.2f}" if queries else f"{'—':>6}"
        verdict = _verdict(goal, page_ms, page_ms / sql_ms if queries else None)
        print(f"{name:<28} {page_ms:>10.1f} {sql_ms:>12.1f} {ratio} {len(queries):>8}   {goal}{verdict}")

    if not args.skip_load:
        cookie = f"{settings.SESSION_COOKIE_NAME}={as_owner.cookies[settings.SESSION_COOKIE_NAME].value}"
        generator = "wrk -t2 -c8" if shutil.which("wrk") else "8 Python threads"
        rates = load_test(detail_path=f"/filings/{in_bureau.pk}/", cookie=cookie, seconds=args.load_seconds)
        print(
            f"\ngunicorn 2 workers, {generator}, {args.load_seconds}s each on 127.0.0.1"
            f" (sessions: {settings.SESSION_ENGINE.rsplit('.', 1)[-1]},"
            f" cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}):"
        )
        detail = rates["filing detail page"]
        for name, rate in rates.items():
            print(f"  {name:<22} {rate:8.0f} req/s")
        print(
            f"  detail / bare anonymous {detail / rates['bare view, anonymous']:.0%},"
            f" detail / bare logged in {detail / rates['bare view, logged in']:.0%} (goal >= 50%)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
