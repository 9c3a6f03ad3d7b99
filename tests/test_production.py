"""The production shape: deploy checks pass, docker-compose.yml is valid, secrets are required."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "beian.example.cn",
    "DATABASE_URL": "postgres://beian:secret@db.example.cn:5432/beian",
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


def test_docker_compose_file_is_valid():
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose (Debian package) is installed by .ci/run"
    env = {**os.environ, "POSTGRES_PASSWORD": "x", "SECRET_KEY": "y"}
    result = subprocess.run(
        [compose, "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for service in ("db:", "redis:", "web:", "worker:", "beat:"):
        assert service in result.stdout
    assert "healthcheck" in result.stdout


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
