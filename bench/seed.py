"""The benchmark database's seed: `manage.py seed_demo --filings N` into a fresh database, timed as
one runs it (the bulk load, the indexes built after it, the statistics, the alerts' catch-up and
the summaries), with the progress it prints, the Python process's CPU time and the load average.

Goal: a million filings in under 10 minutes on the 2-core machine; N filings in their share of it
(at least 30 s). The database is `beian_seed_bench` on the server of DATABASE_URL (made afresh,
dropped at the end unless --keep); DATABASE_URL's own database is never touched.

    python bench/run.py seed -- --filings 100000
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
NAME = "beian_seed_bench"
GOAL_PER_MILLION = 600.0


def goal_seconds(filings: int) -> float:
    """Return the goal for seeding `filings`: their share of 10 minutes a million, at least 30 s."""
    return max(30.0, GOAL_PER_MILLION * filings / 1_000_000)


def _database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_database_url(url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py seed --")
    parser.add_argument("--filings", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help=f"keep {NAME} afterwards")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/beian_bench")
    if not url.startswith(("postgres://", "postgresql://")):
        print("This benchmark needs PostgreSQL: set DATABASE_URL.")
        return 1
    env = {**os.environ, "DATABASE_URL": _database_url(url, NAME)}
    _admin(url, f"DROP DATABASE IF EXISTS {NAME}")
    _admin(url, f"CREATE DATABASE {NAME}")
    try:
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        load_before = os.getloadavg()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.run(
            [*manage, "seed_demo", "--filings", str(args.filings), "--password", "demo12345"],
            env=env,
            check=True,
        )
        seconds = time.monotonic() - started
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_after = os.getloadavg()
    finally:
        if not args.keep:
            _admin(url, f"DROP DATABASE IF EXISTS {NAME}")
    goal = goal_seconds(args.filings)
    python_cpu = cpu.ru_utime + cpu.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    print(
        f"seed_demo --filings {args.filings:,}: {seconds:.0f} s ({args.filings / seconds:,.0f} filings/s),"
        f" its Python {python_cpu:.0f} s of CPU; load average {load_before[0]:.1f} before,"
        f" {load_after[0]:.1f} after; goal {goal:.0f} s: {'met' if seconds < goal else 'missed'}"
    )
    return 0
