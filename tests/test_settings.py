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
