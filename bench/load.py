"""A mixed load on gunicorn (2 workers): principals on their lists and filings, reviewers on queues
and pre-review pages, managers on the dashboard, its lists and an export; 8 concurrent clients for
30 s, each request a path its user has not just taken (another filing, another page, another
filter). Prints errors, p50/p95 and throughput beside a bare logged-in Django view's in the same run.

    python bench/run.py load -- --seconds 30 --clients 8

Against an earlier commit, on the same paths, database and machine, in turn (its sessions are made by
its own login code): `git worktree add --detach ../old <commit>`, link its .venv, then

    python bench/run.py load -- --against ../old --rounds 2
"""

import argparse
import http.client
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bench._common import ROOT, on_postgres, setup_django

# Issue #29: the mixed load serves at least this share of the bare logged-in view's rate in the same
# run, with p95 under P95_GOAL_MS.
P95_GOAL_MS = 150
RATIO_GOAL = 0.30


def _workers_cpu(server_pid: int) -> float:
    """Return the seconds of CPU gunicorn's workers have used (user and system), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _cookie(user) -> str:
    from django.conf import settings

    from bench._database import logged_in_client

    client = logged_in_client(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# Run in another checkout (--code): logs in the users whose ids it reads, printing one session cookie
# a line, made by that code's own authentication backends.
LOG_IN_THERE = """
import sys
from bench._common import setup_django
setup_django()
from django.conf import settings
from accounts.models import User
from bench._database import logged_in_client
for user_id in sys.stdin.read().split():
    client = logged_in_client(User.objects.get(pk=int(user_id)))
    print(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
"""


def _logged_in_by(code: Path, roles: dict[str, list[tuple[str, list[str]]]]) -> None:
    """Replace each session of `roles` (a placeholder "@<user id>") by one the code in `code` made."""
    user_ids = sorted({cookie[1:] for sessions in roles.values() for cookie, _paths in sessions})
    made = subprocess.run(
        [sys.executable, "-c", LOG_IN_THERE],
        input=" ".join(user_ids),
        capture_output=True,
        text=True,
        check=True,
        cwd=code,
        env={**os.environ, "PYTHONPATH": str(code)},
    ).stdout.split()
    cookies = dict(zip((f"@{user_id}" for user_id in user_ids), made, strict=True))
    for sessions in roles.values():
        sessions[:] = [(cookies[cookie], paths) for cookie, paths in sessions]


def paths_for_roles(rng: random.Random, *, cookie=None) -> dict[str, list[tuple[str, list[str]]]]:
    """Return, per role, (session cookie, the paths that user will take in turn); `cookie` makes a
    user's session cookie (default: logged in by this code)."""
    cookie = cookie or _cookie
    from django.db.models import Count

    from accounts.models import User
    from filings.kinds.states import State
    from filings.models import Deadline, Filing, Province
    from filings.reads import keyset
    from filings.reads.queues import QUEUES

    provinces = list(Province.objects.values_list("code", flat=True))
    # Principals of every size: the very large customer and others owning from one to hundreds.
    owners = list(
        Filing.objects.filter(state=State.BUREAU_REVIEW)
        .order_by("-id")
        .values_list("assignee_id", flat=True)
        .distinct()[:40]
    )
    largest_owner = (
        Filing.objects.values("assignee_id")
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")[0]["assignee_id"]
    )
    principals = []
    for owner_id in [largest_owner, *owners[:20]]:
        own = list(
            Filing.objects.filter(assignee_id=owner_id)
            .order_by("-updated_at", "-id")
            .values_list("id", flat=True)[:30]
        )
        paths = []
        for filing_id in own:
            paths += [f"/filings/{filing_id}/", "/filings/", f"/filings/?state={rng.choice(State.values)}"]
        principals.append((cookie(User.objects.get(pk=owner_id)), paths))

    reviewer = User.objects.get(username="reviewer")
    in_review = list(
        Filing.objects.filter(state=State.PROVIDER_REVIEW).order_by("-id").values_list("id", flat=True)[:200]
    )
    deep = Deadline.objects.filter(closed_at__isnull=True, kind=Deadline.Kind.BUREAU_REVIEW).order_by(
        "due_at", "id"
    )
    positions = [keyset.Position((row.due_at, row.pk)).token() for row in deep.only("due_at")[:2000:100]]
    reviewer_paths = []
    for index, filing_id in enumerate(in_review):
        queue = list(QUEUES)[index % len(QUEUES)]
        reviewer_paths += [
            f"/filings/review/{filing_id}/",
            f"/filings/review/queues/{queue}/?province={rng.choice(provinces)}",
            f"/filings/review/queues/bureau_review/?after={positions[index % len(positions)]}",
            f"/filings/?q={rng.choice(['星河', '云帆', '数据', '科技'])}",
        ]

    manager = User.objects.get(username="manager")
    manager_paths = []
    for code in itertools.islice(itertools.cycle(provinces), 200):
        manager_paths += [
            "/filings/dashboard/",
            f"/filings/dashboard/deadlines/overdue/?province={code}",
            f"/filings/dashboard/open/?province={code}&state=bureau_review",
            f"/filings/dashboard/deadlines/at-risk/?province={code}&format=csv",
        ]
    return {
        "principal": principals,
        "reviewer": [(cookie(reviewer), reviewer_paths)],
        "manager": [(cookie(manager), manager_paths)],
    }


# What each path of the mix is, in the order the breakdown prints them: (kind, test on the path).
KINDS = [
    ("at-risk CSV", lambda path: path.startswith("/filings/dashboard/deadlines/at-risk/")),
    ("overdue list", lambda path: path.startswith("/filings/dashboard/deadlines/overdue/")),
    ("open list", lambda path: path.startswith("/filings/dashboard/open/")),
    ("dashboard", lambda path: path == "/filings/dashboard/"),
    ("deep queue page", lambda path: path.startswith("/filings/review/queues/") and "after=" in path),
    ("queue", lambda path: path.startswith("/filings/review/queues/")),
    ("pre-review page", lambda path: path.startswith("/filings/review/")),
    ("search", lambda path: path.startswith("/filings/?q=")),
    ("filing list by state", lambda path: path.startswith("/filings/?state=")),
    ("filing list", lambda path: path == "/filings/"),
    ("filing page", lambda path: path.startswith("/filings/")),
]


def kind_of(path: str) -> str:
    """Return the kind of page a path of the mix asks for."""
    return next((kind for kind, matches in KINDS if matches(path)), "other")


def breakdown(timed: list[tuple[str, float]]) -> list[tuple[str, int, float, float]]:
    """Return, per kind of path, its count, p50 (ms) and share of the total request time, largest first."""
    by_kind: dict[str, list[float]] = {}
    for path, seconds in timed:
        by_kind.setdefault(kind_of(path), []).append(seconds)
    total = sum(seconds for _path, seconds in timed) or 1
    rows = [
        (kind, len(times), statistics.median(times) * 1000, sum(times) / total)
        for kind, times in by_kind.items()
    ]
    return sorted(rows, key=lambda row: -row[3])


def _drive(
    port: int,
    cookie: str,
    paths: list[str],
    stop: float,
    times: list[tuple[str, float]],
    errors: list[str],
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    # As a browser does, the client sends back the cookies the pages set (the CSRF cookie: without
    # it every page would make and sign a new secret).
    kept: dict[str, str] = {}
    for path in itertools.cycle(paths):
        if time.monotonic() >= stop:
            return
        started = time.perf_counter()
        cookies = "; ".join([cookie, *(f"{name}={value}" for name, value in kept.items())])
        # Search terms are Chinese: the request line carries them percent-encoded, as a browser does.
        connection.request("GET", quote(path, safe="/?&=%:+,-_.~"), headers={"Cookie": cookies})
        response = connection.getresponse()
        response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            if name.strip() != cookie.split("=", 1)[0]:
                kept[name.strip()] = value
        times.append((path, time.perf_counter() - started))
        if response.status != 200:
            errors.append(f"{path}: HTTP {response.status}")


def _run(
    port: int, clients: list[tuple[str, list[str]]], seconds: int
) -> tuple[list[tuple[str, float]], list[str]]:
    times: list[tuple[str, float]] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_drive, args=(port, cookie, paths, stop, times, errors))
        for cookie, paths in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors


@dataclass
class Measurement:
    """One run of the mixed load and then the bare view on one checkout's code."""

    seconds: int
    timed: list[tuple[str, float]]
    errors: list[str]
    bare_seconds: int
    bare_times: list[tuple[str, float]]
    bare_errors: list[str]
    cpu_mixed: float
    cpu_bare: float

    @property
    def rate(self) -> float:
        return len(self.timed) / self.seconds

    @property
    def bare_rate(self) -> float:
        return len(self.bare_times) / self.bare_seconds

    @property
    def cpu_per_request(self) -> float:
        return self.cpu_mixed / max(1, len(self.timed)) * 1000


def _clients(roles: dict[str, list[tuple[str, list[str]]]], count: int) -> list[tuple[str, list[str]]]:
    # 8 clients: 3 principals, 3 reviewers, 2 managers (each with its own sequence of paths).
    shares = {"principal": 3, "reviewer": 3, "manager": 2}
    clients = []
    for role, share in shares.items():
        sessions = roles[role]
        for index in range(max(1, round(share * count / 8))):
            cookie, paths = sessions[index % len(sessions)]
            offset = (index * 7) % max(1, len(paths))
            clients.append((cookie, paths[offset:] + paths[:offset]))
    return clients


def _measure(code: Path, roles: dict[str, list[tuple[str, list[str]]]], args) -> Measurement:
    """Serve `code` on gunicorn and run the mixed load, then the bare view, against it."""
    clients = _clients(roles, args.clients)
    bare = [(roles["principal"][0][0], ["/bench/bare-user/"])] * args.clients
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench._settings", "PYTHONPATH": str(code)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--log-level",
            "warning",
            "config.wsgi:application",
        ],
        cwd=code,
        env=env,
    )
    bare_seconds = min(10, args.seconds)
    try:
        _wait_for(port)
        _run(port, clients, 3)  # both workers import and connect before the timed run
        # The workers' CPU per request: what the other processes on a shared machine blur least.
        cpu_before = _workers_cpu(server.pid)
        timed, errors = _run(port, clients, args.seconds)
        cpu_mixed = _workers_cpu(server.pid) - cpu_before
        bare_times, bare_errors = _run(port, bare, bare_seconds)
        cpu_bare = _workers_cpu(server.pid) - cpu_before - cpu_mixed
    finally:
        server.terminate()
        server.wait(timeout=30)
    return Measurement(
        args.seconds, timed, errors, bare_seconds, bare_times, bare_errors, cpu_mixed, cpu_bare
    )


def _report(run: Measurement, code: Path, clients: int) -> None:
    times = [seconds for _path, seconds in run.timed]
    p50 = statistics.median(times) * 1000
    p95 = statistics.quantiles(times, n=20)[-1] * 1000
    print(f"gunicorn 2 workers, {clients} clients for {run.seconds}s (principals, reviewers, managers)")
    if code != ROOT.resolve():
        print(f"  serving the code in {code}")
    errors = run.errors
    print(f"  requests {len(times):,}, errors {len(errors)}{' e.g. ' + errors[0] if errors else ''}")
    verdict = "met" if not errors and p95 < P95_GOAL_MS else "MISSED"
    print(f"  p50 {p50:.0f} ms, p95 {p95:.0f} ms (goal: no error, p95 < {P95_GOAL_MS} ms)  {verdict}")
    print(
        f"  throughput {run.rate:.1f} req/s; bare logged-in view in the same run {run.bare_rate:.0f} req/s",
        end="",
    )
    print(f" ({len(run.bare_errors)} errors)")
    print(
        f"  gunicorn workers' CPU per request: mixed {run.cpu_per_request:.1f} ms, "
        f"bare {run.cpu_bare / max(1, len(run.bare_times)) * 1000:.1f} ms "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    print("  where the time goes (share of all request time; closed loop, so slow kinds weigh more):")
    for kind, count, kind_p50, share in breakdown(run.timed):
        print(f"    {kind:<21} {count:>6,}  p50 {kind_p50:>6.0f} ms  {share:>4.0%}")
    ratio = run.rate / run.bare_rate if run.bare_rate else 0
    verdict = "met" if ratio >= RATIO_GOAL and p95 < P95_GOAL_MS and not errors else "MISSED"
    print(
        f"  mixed / bare {ratio:.0%} (goal ≥ {RATIO_GOAL:.0%} with p95 < {P95_GOAL_MS} ms, issue #29)  {verdict}"
    )


def _roles_for(code: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """The paths of every role, with sessions made by `code`'s own login (the same paths for any code)."""
    rng = random.Random(7)
    if code == ROOT.resolve():
        return paths_for_roles(rng)
    roles = paths_for_roles(rng, cookie=lambda user: f"@{user.pk}")
    _logged_in_by(code, roles)
    return roles


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench load")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        help="the checkout whose code gunicorn serves (default this one): an earlier commit's worktree "
        "answers the same paths, sessions and database, so that both are measured alike",
    )
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        help="another checkout (e.g. a worktree of the commit an issue was filed at): the load runs on "
        "--code and on it in turn, --rounds times, and the rates are compared",
    )
    parser.add_argument("--rounds", type=int, default=1)
    args, _unknown = parser.parse_known_args(argv)
    setup_django()

    if not on_postgres():
        return 1
    from bench._database import ensure_realistic

    ensure_realistic()
    codes = [args.code.resolve(), *([args.against.resolve()] if args.against else [])]
    roles = {code: _roles_for(code) for code in codes}
    runs: dict[Path, list[Measurement]] = {code: [] for code in codes}
    for _round in range(args.rounds):
        for code in codes:
            run = _measure(code, roles[code], args)
            _report(run, code, args.clients)
            runs[code].append(run)
    if args.against:
        _compare(runs[codes[0]], runs[codes[1]], codes[1])
    return 0


def _compare(these: list[Measurement], those: list[Measurement], other: Path) -> None:
    """Print how many times the other code's rates and CPU this code's runs reached (median of rounds)."""

    def median(runs: list[Measurement], value) -> float:
        return statistics.median(value(run) for run in runs)

    print(f"this code against {other} ({len(these)} round(s) each, medians):")
    for label, value in [
        ("mixed req/s", lambda run: run.rate),
        ("bare req/s", lambda run: run.bare_rate),
        ("workers' CPU ms per mixed request", lambda run: run.cpu_per_request),
    ]:
        mine, theirs = median(these, value), median(those, value)
        print(f"  {label:<34} {theirs:>7.1f} -> {mine:>7.1f}  ({mine / theirs:.2f}x)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
