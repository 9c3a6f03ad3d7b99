"""`make run`'s supervisor: the web server, one Celery worker on every queue and the beat scheduler,
started together and stopped together.

Each child runs in a session of its own, so Ctrl-C reaches this process alone (not three programs
each handling it their own way), which then stops each child's whole process group: TERM first
(runserver and beat exit, the worker finishes its task), KILL for anything left after
KILL_AFTER_SECONDS. A worker on the embedded broker notices TERM only between its two-second polls
and then takes a second or two more to exit, so a busy one is the usual thing left. Nothing is left
running, and each child says goodbye once.

    python -m config.devserver [--host 127.0.0.1] [--port 8000]
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time

KILL_AFTER_SECONDS = 3.5


def commands(host: str, port: int) -> dict[str, list[str]]:
    """Return the command of each child: web, worker (every queue, threads) and beat."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.conf import settings

    python = sys.executable
    return {
        "web": [python, "manage.py", "runserver", f"{host}:{port}"],
        # Threads, not forked processes: the embedded broker and SQLite are shared safely, and a
        # stop does not leave forked pool processes behind.
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "-Q",
            ",".join(settings.BEIAN_CELERY_QUEUES),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=info",
        ],
        "beat": [python, "-m", "celery", "-A", "config", "beat", "--loglevel=info"],
    }


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _group_alive(child: subprocess.Popen) -> bool:
    try:
        os.killpg(child.pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(children: dict[str, subprocess.Popen]) -> None:
    """Stop every child's process group within KILL_AFTER_SECONDS."""
    started = time.monotonic()
    for child in children.values():
        _signal_group(child, signal.SIGTERM)
    killed = False
    while True:
        for child in children.values():
            child.poll()
        alive = [child for child in children.values() if _group_alive(child)]
        # After KILL, what still answers is at most a process init has not reaped yet: it runs nothing.
        if not alive or (killed and all(child.returncode is not None for child in children.values())):
            return
        if not killed and time.monotonic() - started >= KILL_AFTER_SECONDS:
            for child in alive:
                _signal_group(child, signal.SIGKILL)
            killed = True
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    stopping: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: stopping.append(signum))
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    children = {
        name: subprocess.Popen(command, start_new_session=True)
        for name, command in commands(args.host, args.port).items()
    }
    print(
        "Started "
        + ", ".join(f"{name} (pid {child.pid})" for name, child in children.items())
        + ". Ctrl-C stops them all.",
        flush=True,
    )
    exited = None
    while not stopping and exited is None:
        exited = next((name for name, child in children.items() if child.poll() is not None), None)
        time.sleep(0.1)
    if exited:
        print(f"{exited} exited ({children[exited].returncode}); stopping the others.", flush=True)
    else:
        print("\nStopping web, worker and beat…", flush=True)
    stop(children)
    print("Stopped.", flush=True)
    return 0 if not exited else 1


if __name__ == "__main__":
    sys.exit(main())
