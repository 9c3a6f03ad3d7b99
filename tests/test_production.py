"""The production shape: deploy checks pass, docker-compose.yml is valid, secrets are required."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "beian.example.cn",
    "DATABASE_URL": "postgres://beian:secret@db.example.cn:5432/beian",
}

COMPOSE_SECRETS = {
    "POSTGRES_PASSWORD": "x",
    "SECRET_KEY": "y",
    "MINIO_ROOT_PASSWORD": "minio-secret",
    "AWS_SECRET_ACCESS_KEY": "s3-secret",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_secret_setting(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_on_object_storage_needs_its_bucket():
    s3 = {**PRODUCTION_ENV, "FILE_STORAGE_BACKEND": "storages.backends.s3.S3Storage"}
    result = run_manage("check", env=s3)
    assert result.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in result.stderr
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**s3, "AWS_STORAGE_BUCKET_NAME": "beian"}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _interpolate(value, env: dict[str, str]):
    """Substitute ${NAME}, ${NAME:-default} and ${NAME:?error} as Compose does; a missing required one fails."""
    if isinstance(value, dict):
        return {k: _interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match):
        name, operator, word = match["name"], match["op"], match["word"] or ""
        if operator == ":?" and not env.get(name):
            raise AssertionError(f"{name} is required: {word}")
        return env.get(name) or (word if operator == ":-" else "")

    pattern = r"\$\{(?P<name>\w+)(?:(?P<op>:[-?])(?P<word>[^}]*))?\}"
    return re.sub(pattern, substitute, value.replace("$$", "\0")).replace("\0", "$")


def test_docker_compose_file_is_valid():
    """Check docker-compose.yml against the Compose specification's JSON schema (tests/data, from
    Docker Compose 1.29, Apache-2.0), so no docker-compose binary is needed."""
    schema = json.loads((ROOT / "tests" / "data" / "compose_spec.json").read_text())
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    compose = _interpolate(raw, COMPOSE_SECRETS)
    errors = sorted(jsonschema.Draft201909Validator(schema).iter_errors(compose), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    services = compose["services"]
    assert {"db", "redis", "web1", "web2", "proxy", "beat"} <= set(services)
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
    for name in ("db", "redis", "web1", "web2", *WORKERS):
        assert "healthcheck" in services[name], name
    assert set(compose["volumes"]) >= {
        v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if not v.startswith(".")
    }
    with pytest.raises(AssertionError, match="SECRET_KEY"):
        _interpolate(raw, {k: v for k, v in COMPOSE_SECRETS.items() if k != "SECRET_KEY"})


def test_docker_compose_keeps_files_in_a_private_minio_bucket():
    compose = _interpolate(yaml.safe_load((ROOT / "docker-compose.yml").read_text()), COMPOSE_SECRETS)
    services = compose["services"]
    minio, buckets = services["minio"], services["createbuckets"]
    assert "healthcheck" in minio and "ports" not in minio
    assert buckets["depends_on"]["minio"]["condition"] == "service_healthy"
    script = buckets["command"][0]
    assert (
        'mc mb --ignore-existing "store/$BUCKET"' in script and 'anonymous set none "store/$BUCKET"' in script
    )
    for name in ("web1", "web2", *WORKERS, "beat"):
        env = services[name]["environment"]
        assert env["FILE_STORAGE_BACKEND"] == "storages.backends.s3.S3Storage", name
        assert (env["AWS_S3_ENDPOINT_URL"], env["AWS_STORAGE_BUCKET_NAME"]) == ("http://minio:9000", "beian")
        assert env["AWS_ACCESS_KEY_ID"] == buckets["environment"]["APP_KEY"]
        assert env["AWS_SECRET_ACCESS_KEY"] == buckets["environment"]["APP_SECRET"] == "s3-secret"
        assert services[name]["depends_on"]["createbuckets"]["condition"] == "service_completed_successfully"
    for missing in ("MINIO_ROOT_PASSWORD", "AWS_SECRET_ACCESS_KEY"):
        with pytest.raises(AssertionError, match=missing):
            _interpolate(
                yaml.safe_load((ROOT / "docker-compose.yml").read_text()),
                {k: v for k, v in COMPOSE_SECRETS.items() if k != missing},
            )


WORKERS = ("worker-scan", "worker-notify", "worker-stats", "worker-exports")


def _compose_services() -> dict:
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return _interpolate(raw, COMPOSE_SECRETS)["services"]


def test_compose_runs_a_worker_per_queue_group_and_exactly_one_beat():
    from django.conf import settings

    services = _compose_services()
    consumed = {}
    for name in WORKERS:
        command = services[name]["command"]
        assert command[:4] == ["celery", "-A", "config", "worker"], name
        consumed[name] = set(command[command.index("-Q") + 1].split(","))
    # Every queue the app routes to has exactly one worker group, and the long exports have theirs.
    every = [queue for queues in consumed.values() for queue in queues]
    assert sorted(every) == sorted(settings.BEIAN_CELERY_QUEUES)
    assert consumed["worker-scan"] == {"scan"} and consumed["worker-exports"] == {"exports"}
    beats = [n for n, s in services.items() if "beat" in " ".join(map(str, s.get("command") or []))]
    assert beats == ["beat"] and services["beat"]["deploy"]["replicas"] == 1
    for name in WORKERS:
        assert "--beat" not in services[name]["command"] and "-B" not in services[name]["command"]


def test_nginx_balances_both_web_nodes():
    services = _compose_services()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = re.search(r"upstream (\w+) \{(.*?)\}", conf, re.S)
    assert upstream, conf
    servers = re.findall(r"server (\S+):8000", upstream[2])
    assert servers == ["web1", "web2"]
    assert all(server in services for server in servers)
    assert f"proxy_pass http://{upstream[1]};" in conf
    assert set(services["proxy"]["depends_on"]) == {"web1", "web2"}
    # Only the first node migrates, and the second starts after it.
    assert "migrate" in services["web1"]["command"] and "migrate" not in services["web2"]["command"]
    assert services["web2"]["depends_on"]["web1"]["condition"] == "service_healthy"


def test_the_compose_check_catches_a_broken_file():
    schema = json.loads((ROOT / "tests" / "data" / "compose_spec.json").read_text())
    broken = {"services": {"web": {"image": "beian", "ports": "8000", "restart": ["no"], "bogus": 1}}}
    assert len(list(jsonschema.Draft201909Validator(schema).iter_errors(broken))) >= 2


def test_health_endpoint_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_api_docs_load_swagger_ui_from_our_own_static_files(client):
    from tests import factories

    client.force_login(factories.principal_user())
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn." not in html and "jsdelivr" not in html and "unpkg" not in html


NGINX = "/usr/sbin/nginx"  # installed by .ci/run
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answers on port {port}")


@pytest.fixture
def production_proxy(tmp_path):
    """Run deploy/nginx.conf (its upstream and port pointed here) in front of the app under gunicorn,
    as the production stack does; yield the proxy's base URL."""
    assert Path(NGINX).exists(), "nginx is needed: apt-get install nginx-light (.ci/run installs it)"
    app_port, port = _free_port(), _free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(r"server web\d:8000", f"server 127.0.0.1:{app_port}", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    assert f"listen 127.0.0.1:{port};" in site and f"server 127.0.0.1:{app_port} " in site
    (tmp_path / "site.conf").write_text(site)
    temp_paths = "".join(f"{kind}_temp_path {tmp_path / kind};\n" for kind in TEMP_PATHS)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\naccess_log off;\n{temp_paths}include {tmp_path / 'site.conf'};\n}}\n"
    )
    nginx = [
        NGINX,
        "-p",
        str(tmp_path),
        "-e",
        str(tmp_path / "error.log"),
        "-c",
        str(tmp_path / "nginx.conf"),
    ]
    checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    # The requests it serves here read no database.
    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "1"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    started = [
        subprocess.Popen([*gunicorn, "--bind", f"127.0.0.1:{app_port}"], cwd=ROOT, env=env),
        subprocess.Popen([*nginx, "-g", "daemon off; master_process off;"]),
    ]
    try:
        _wait_for(app_port)
        _wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=10)


def _post(url: str, body: bytes, **headers: str) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_production_proxy_lets_the_app_say_an_upload_is_too_large(production_proxy):
    from django.conf import settings

    too_large = b"x" * (settings.BEIAN_MAX_REQUEST_BYTES + 1)
    status, headers, page = _post(
        f"{production_proxy}/filings/1/materials/",
        too_large,
        **{"Content-Type": "multipart/form-data; boundary=x", "Accept-Language": "en"},
    )
    # The app's page in the reader's language with a way back, not nginx's "413 Request Entity Too Large".
    assert status == 413, page
    assert headers["Content-Type"].startswith("text/html")
    assert "File too large" in page and 'href="/filings/1/materials/"' in page
    assert "Request Entity Too Large" not in page
    status, headers, body = _post(
        f"{production_proxy}/api/v1/filings/", too_large, **{"Content-Type": "application/json"}
    )
    assert status == 413 and json.loads(body)["code"] == "too_large"
    # A client cannot say the proxy refused its body: the app reads it as usual.
    status, _, body = _post(
        f"{production_proxy}/api/v1/no-such-thing/", b"{}", **{"X-Beian-Body-Refused": "1"}
    )
    assert status == 404, body
