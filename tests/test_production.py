"""The production shape: deploy checks pass, docker-compose.yml is valid, secrets are required."""

import json
import os
import re
import subprocess
import sys
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
