"""`make run` (issue #24): Ctrl-C stops the web server, the worker and the beat scheduler within five
seconds, with no traceback, no crash and nothing left running; the first run says what it installs."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.multinode import free_port

ROOT = Path(__file__).resolve().parent.parent
STOP_BOUND_S = 5


def _running_with(var_dir: Path) -> list[int]:
    """Return the processes (not zombies) whose environment names this BEIAN_VAR_DIR."""
    marker = f"BEIAN_VAR_DIR={var_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found.append(int(entry.name))
    return found


def _wait_until(condition, *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout}s; output:\n{log.read_text(errors='replace')[-3000:]}")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_ctrl_c_stops_web_worker_and_beat_within_five_seconds_and_leaves_nothing(tmp_path):
    var_dir = tmp_path / "var"
    # make run's own setting: SQLite and the embedded broker under BEIAN_VAR_DIR, no services.
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "BEIAN_VAR_DIR": str(var_dir),
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert migrate.returncode == 0, migrate.stderr
    port = free_port()
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        # Its own process group, as a terminal's foreground job is: Ctrl-C goes to the group.
        run = subprocess.Popen(
            [sys.executable, "-m", "config.devserver", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), timeout=90, what="web", log=log)
        _wait_until(lambda: "ready." in log.read_text(errors="replace"), timeout=90, what="worker", log=log)
        _wait_until(
            lambda: "beat: Starting" in log.read_text(errors="replace"), timeout=90, what="beat", log=log
        )
        # The supervisor, runserver (and its reloading child), the worker and beat.
        assert len(_running_with(var_dir)) >= 4, _running_with(var_dir)

        pressed = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=30)
        took = time.monotonic() - pressed
        left = _running_with(var_dir)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        for pid in _running_with(var_dir):
            os.kill(pid, signal.SIGKILL)

    output = log.read_text(errors="replace")
    print(f"stopped in {took:.2f}s")
    assert took < STOP_BOUND_S, (took, output[-2000:])
    assert left == [], left
    assert run.returncode == 0
    assert "Traceback" not in output, output[-3000:]
    assert "Segmentation fault" not in output and "core dumped" not in output
    assert output.count("Warm shutdown") <= 1
    assert output.rstrip().endswith("Stopped.")


def test_the_first_make_run_says_what_it_installs_before_installing(tmp_path):
    dry = subprocess.run(
        ["make", "-n", "-B", "install", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    installing = next(i for i, line in enumerate(lines) if "pip install -q -e" in line)
    said = [line for line in lines[:installing] if line.lstrip().startswith("echo")]
    assert any("Installing Beian" in line for line in said), lines
