"""Several app servers in tests (issue #24): each a gunicorn process on its own port with its own
BEIAN_VAR_DIR and temporary directory (TMPDIR, where Django spools large uploads), all on the test
database and the test's Redis db (and cache key prefix), as web nodes behind a load balancer are.
Extra environment (a bucket's `ObjectStore.environment()`, a lower rate) goes to every node.

    def test_something(start_nodes):
        first, second = start_nodes(2, AXES_FAILURE_LIMIT="3")
        browser = first.browser()            # a requests.Session, cookies shared across the nodes
        first.login(browser, "principal-a")  # through the login page
        second.get(browser, "/filings/")
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pass-1234"  # tests/factories.py's


def database_url() -> str:
    """Return a URL for the test database this process uses."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One web node: `gunicorn config.wsgi` with threads (requests in flight side by side)."""

    def __init__(self, name: str, tmp_path: Path, env: dict[str, str]):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.var_dir = tmp_path / f"{name}-var"
        self.tmp_dir = tmp_path / f"{name}-tmp"
        self.tmp_dir.mkdir()
        self.log = tmp_path / f"{name}.log"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL or "",
            "BEIAN_VAR_DIR": str(self.var_dir),
            "TMPDIR": str(self.tmp_dir),
            # The same cache key prefix as this test process: the nodes share what it cleans up.
            "BEIAN_TEST_CACHE_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
            **env,
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "1",
                    "--threads",
                    "4",
                    "--graceful-timeout",
                    "3",
                    "--access-logfile",
                    "-",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail(f"{self.name} did not start:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    # What a browser does against this node.

    @staticmethod
    def browser() -> requests.Session:
        """A browser: its cookies (session, CSRF) go to every node, as behind one load balancer."""
        return requests.Session()

    def get(self, browser: requests.Session, path: str, **kwargs) -> requests.Response:
        return browser.get(self.url + path, allow_redirects=False, timeout=30, **kwargs)

    def post_form(self, browser: requests.Session, path: str, data: dict, **kwargs) -> requests.Response:
        """POST a form as the page would, with the CSRF token of the browser's cookie."""
        if "csrftoken" not in browser.cookies:
            self.get(browser, path)
        token = browser.cookies.get("csrftoken", "")
        return browser.post(
            self.url + path,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Referer": self.url + path},
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )

    def login(self, browser: requests.Session, username: str, password: str = PASSWORD) -> requests.Response:
        return self.post_form(browser, "/accounts/login/", {"username": username, "password": password})


def page_text(response: requests.Response) -> str:
    """The visible text of a page, tags dropped, for assertions on what it says."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


@pytest.fixture
def start_nodes(tmp_path):
    """Return start(count, **env) -> list of running Nodes; they are stopped after the test."""
    nodes: list[Node] = []

    def start(count: int = 2, **env: str) -> list[Node]:
        started = [Node(f"node{len(nodes) + i + 1}", tmp_path, env) for i in range(count)]
        nodes.extend(started)
        for node in started:
            node.wait_ready()
        return started

    yield start
    for node in nodes:
        node.stop()
