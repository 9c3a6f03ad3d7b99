"""The CPU of each kind of page in the mixed load (bench/load.py), through the whole stack in one
process: for every kind, the Python CPU of the request (median `time.process_time()`), the
PostgreSQL backend's CPU (from /proc, mean), the queries and the Python function calls (cProfile),
per request, over the paths the load takes. CPU moves less with the machine's load than wall time
does (run the code before and after in turn); the calls do not move at all.

    python bench/run.py mix_cpu -- --runs 30 [--kinds dashboard "filing page"]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from bench._common import on_postgres, setup_django

TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu(pid: int) -> float:
    """Return the seconds of CPU the backend process has used (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench mix_cpu")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--kinds", nargs="*", default=None)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions of each kind")
    args, _unknown = parser.parse_known_args(argv)
    setup_django()
    if not on_postgres():
        return 1
    import random

    from bench._database import scan_as_the_scheduler_does

    scan_as_the_scheduler_does()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.load import KINDS, kind_of, paths_for_roles

    roles = paths_for_roles(random.Random(7))
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for sessions in roles.values():
        for cookie, paths in sessions:
            for path in paths:
                by_kind.setdefault(kind_of(path), []).append((cookie, path))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    # The backend's CPU is local only when the server runs on this machine.
    local = Path(f"/proc/{backend}/stat").exists()
    clients: dict[str, Client] = {}

    def get(cookie: str, path: str) -> None:
        if cookie not in clients:
            clients[cookie] = Client()
            name, value = cookie.split("=", 1)
            clients[cookie].cookies[name] = value
        response = clients[cookie].get(path)
        _ = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (path, response.status_code)

    kinds = args.kinds or [kind for kind, _test in KINDS]
    print(f"{'kind':<21} {'python ms':>10} {'sql ms':>7} {'queries':>7} {'calls':>9}")
    for kind in kinds:
        requests = by_kind.get(kind, [])[: args.runs]
        if not requests:
            continue
        get(*requests[-1])  # warm this kind's code paths
        with CaptureQueriesContext(connection) as captured:
            get(*requests[0])
        # Read now: every request empties the connection's query log.
        queries = len(captured.captured_queries)
        python, backend_before = [], _backend_cpu(backend) if local else 0.0
        for cookie, path in requests:
            started = time.process_time()
            get(cookie, path)
            python.append(time.process_time() - started)
        sql = ((_backend_cpu(backend) - backend_before) / len(requests) * 1000) if local else float("nan")
        calls = _profile(get, requests, args.profile)
        print(f"{kind:<21} {statistics.median(python) * 1000:>10.1f} {sql:>7.1f} {queries:>7} {calls:>9,.0f}")
    return 0


def _profile(get, requests, top: int) -> float:
    """Return the Python function calls a request makes (cProfile: the same every run), printing
    the `top` costliest functions."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for cookie, path in requests:
        get(cookie, path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if top:
        stats.sort_stats("cumulative").print_stats(top)
    return stats.total_calls / len(requests)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
