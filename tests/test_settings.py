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
    assert "HOST=127.0.0.1:8000 bin/serve" in recipe
    serve = (ROOT / "bin" / "serve").read_text()
    assert '/bin/gunicorn" portal.wsgi:application' in serve
    assert "manage.py db_worker" in serve
    assert "DEBUG=" not in recipe + serve
    assert "runserver" not in recipe + serve


@pytest.mark.slow
def test_the_served_portal_and_its_worker_start_and_stop_together(tmp_path):
    """bin/serve (what `make run` ends with) runs gunicorn and the task worker; stopping it
    stops both, and so does either one stopping."""
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ, "DEBUG": "false", "SECRET_KEY": "k" * 50, "LOCAL_ENV": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "HOST": f"127.0.0.1:{port}",
        "VENV": str(ROOT / ".venv"), "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
        "STATIC_FILES_HASHED": "false",
    }  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    def children(pid):
        found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        return [int(p) for p in found.stdout.split()]

    def commands(pids):
        return [open(f"/proc/{pid}/cmdline").read().replace("\0", " ") for pid in pids]

    for stop in ("serve", "worker"):
        serve = subprocess.Popen(["bin/serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "the portal did not start"
                    time.sleep(0.3)
            running = commands(children(serve.pid))
            assert any("gunicorn" in c for c in running)
            worker = next(p for p in children(serve.pid) if "db_worker" in commands([p])[0])
            os.kill(serve.pid if stop == "serve" else worker, signal.SIGTERM)
            assert serve.wait(timeout=30) is not None
            assert children(serve.pid) == []
        finally:
            if serve.poll() is None:
                os.killpg(serve.pid, signal.SIGKILL)
