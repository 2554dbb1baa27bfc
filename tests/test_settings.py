"""Settings read from the environment, as production sets them."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from tests.factories import ROOT


def run_python(code, **env):
    """Run `code` in a fresh interpreter with these environment variables; its stdout."""
    environ = {**os.environ, "DEBUG": "false", "SECRET_KEY": "k" * 50, **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return result.stdout


@pytest.mark.parametrize(
    ("url", "given", "ours"),
    [
        ("postgres://u:p@db.example.com/portal?sslmode=require", {"sslmode": "require"},
         {"server_side_binding": True}),
        ("sqlite:////tmp/portal.sqlite3?timeout=5", {"timeout": 5},
         {"transaction_mode": "IMMEDIATE"}),
    ],
)  # fmt: skip
def test_database_url_options_are_kept_beside_our_tuning(url, given, ours):
    code = "import json, portal.settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    options = json.loads(run_python(code, DATABASE_URL=url))
    assert options.items() >= {**given, **ours}.items()


# -- Production settings ----------------------------------------------------------------------


def test_the_production_settings_pass_djangos_deploy_check():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example.com",
        "EMAIL_HOST": "smtp.example.com",  # production sends password resets for real
    }
    for name in (
        "SECURE_SSL_REDIRECT",
        "SECURE_COOKIES",
        "SECURE_HSTS_SECONDS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by our browser tests, never in production
    ):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_manage_py_works_without_typing_settings_after_make_writes_local_env(tmp_path):
    local_env = tmp_path / "local.env"
    subprocess.run(
        ["make", "--no-print-directory", f"LOCAL_ENV={local_env}", str(local_env)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    settings = dict(
        line.split("=", 1) for line in local_env.read_text().splitlines() if "=" in line
    )
    assert len(settings["SECRET_KEY"]) >= 50
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    command = [sys.executable, "manage.py", "check"]
    without = subprocess.run(command, cwd=ROOT, env={**env, "LOCAL_ENV": ""}, capture_output=True)
    assert b"Set SECRET_KEY" in without.stderr
    result = subprocess.run(
        command, cwd=ROOT, env={**env, "LOCAL_ENV": str(local_env)}, capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_make_run_serves_with_debug_off_through_gunicorn():
    recipe = subprocess.run(
        ["make", "--dry-run", "--always-make", "run"], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    assert "gunicorn portal.wsgi:application --bind 127.0.0.1:8000" in recipe
    assert "DEBUG=" not in recipe
    assert "runserver" not in recipe
