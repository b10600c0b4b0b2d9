"""The deployment files and production settings, checked without a Docker engine."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import NoReverseMatch, reverse

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_five_services(compose):
    assert set(compose["services"]) == {"web", "worker", "beat", "postgres", "redis"}


def test_every_service_has_a_health_check(compose):
    for name, service in compose["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("web", "gunicorn constellation.wsgi"),
        ("worker", "celery -A constellation worker"),
        ("beat", "celery -A constellation beat"),
    ],
)
def test_app_services_migrate_then_run(compose, service, expected):
    command = compose["services"][service]["command"]
    assert "manage.py migrate_locked" in command
    assert command.index("migrate_locked") < command.index(expected)


def test_app_services_share_one_environment(compose):
    environments = [compose["services"][name]["environment"] for name in ("web", "worker", "beat")]
    assert environments[0] == environments[1] == environments[2]
    env = environments[0]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["DEBUG"] == "false"
    assert "SECRET_KEY" in env


def test_app_services_wait_for_healthy_database_and_broker(compose):
    for name in ("web", "worker", "beat"):
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def _manage(*args, **env):
    environment = {**os.environ, **env}
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "constellation.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://constellation.example.org",
    "CASE_KEYS": "xvJ0fK0h1VJ5xN1Qq1B1f9r0Wq9b1JtB8X1n4k5mQ2U=",
}


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_an_unreadable_boolean_is_an_error_not_false():
    result = _manage("check", **{**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_web_health_check_asks_as_an_allowed_host(compose):
    # Django answers 400 to a Host outside ALLOWED_HOSTS, which would mark web unhealthy.
    test = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "ALLOWED_HOSTS" in test
    assert "'Host'" in test


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_the_benchmark_floors_are_not_mounted_by_default():
    for name in ("bench_floor_anonymous", "bench_floor_logged_in"):
        with pytest.raises(NoReverseMatch):
            reverse(name)


def test_links_in_mail_and_feeds_follow_the_port_make_run_serves_on():
    show = [
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
    ]
    environment = {"SITE_URL": "", "PORT": "8123"}

    assert _manage(*show, **environment).stdout.strip() == "http://localhost:8123"
    assert (
        _manage(*show, **{**environment, "SITE_URL": "https://org.example/"}).stdout.strip()
        == "https://org.example"
    )


def test_make_run_gives_the_worker_the_web_port_for_links():
    # honcho gives the worker PORT+100: the links it mails must still name the web's port.
    result = subprocess.run(
        ["make", "-n", "run"],
        cwd=ROOT,
        env={**os.environ, "PORT": "8123", "SITE_URL": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    honcho = next(line for line in result.stdout.splitlines() if "honcho start" in line)
    assert "SITE_URL=${SITE_URL:-http://localhost:8123}" in honcho


def test_production_refuses_to_start_without_the_case_keys():
    result = _manage("check", **{**PRODUCTION, "CASE_KEYS": ""})
    assert result.returncode != 0
    assert "Set CASE_KEYS" in result.stderr


def test_compose_passes_the_case_keys_to_every_container(compose):
    assert "CASE_KEYS" in compose["x-app"]["environment"]


def test_a_damaged_case_key_is_refused_at_start():
    result = _manage("check", **{**PRODUCTION, "CASE_KEYS": "not-a-fernet-key"})
    assert result.returncode != 0
    assert "CASE_KEYS: key 1 is not a Fernet key" in result.stderr
