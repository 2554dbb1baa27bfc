"""The benchmark's databases (built once per size, then reused) and its gunicorn server."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from report import DATABASES

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results"
PY = sys.executable
SYMPTOMS = 200  # generated, with the shipped 8: the playbook the targets are set for
LARGE_PLAYBOOK = 2_000  # and a run at 2,008 symptoms: search and menus at that size


# -- Databases and servers --------------------------------------------------------------------


def database_url(database, size, symptoms=SYMPTOMS):
    if database == "sqlite":
        return f"sqlite:///{OUT / f'sqlite-{size}-{symptoms}.sqlite3'}"
    return f"postgres://portal:portal@127.0.0.1:5432/portal_bench_{size}_{symptoms}"


def bench_env(database, size, symptoms=SYMPTOMS):
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "SECURE_COOKIES": "false",
        "DJANGO_SETTINGS_MODULE": "bench.settings",  # adds the floor view
        "STATIC_FILES_HASHED": "true",
        "DATABASE_URL": database_url(database, size, symptoms),
        "LOG_LEVEL": "WARNING",
    }


def manage(env, *args):
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def collectstatic():
    manage(bench_env("sqlite", 0), "collectstatic", "--noinput", "--verbosity", "0")


def ensure_database(database, size, symptoms=SYMPTOMS):
    """Build the database for this size once; later runs reuse it, migrated to today's schema."""
    env = bench_env(database, size, symptoms)
    ready = OUT / f"{database}-{size}-{symptoms}.ready"
    if ready.exists():
        try:
            count = manage(
                env,
                "shell",
                "-c",
                "from diagnostics.diagnosis.models import Case; print(Case.objects.count())",
            )
            if int(count.split()[-1]) == size:
                manage(env, "migrate", "--noinput")
                return env
        except subprocess.CalledProcessError:
            pass
    print(
        f"Building the {DATABASES[database]} database with {size:,} cases and "
        f"{symptoms + 8:,} symptoms...",
        flush=True,
    )
    reset_database(database, size, symptoms)
    manage(env, "migrate", "--noinput")
    manage(env, "import_playbook", "fixtures/playbook.yaml")
    manage(env, "create_demo_accounts")
    manage(env, "seed_demo_cases", "--count", str(size), "--symptoms", str(symptoms))
    ready.write_text(str(size))
    return env


def reset_database(database, size, symptoms):
    if database == "sqlite":
        for path in OUT.glob(f"sqlite-{size}-{symptoms}.sqlite3*"):
            path.unlink()
        return
    import psycopg

    with psycopg.connect("postgresql://portal:portal@127.0.0.1:5432/portal", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS portal_bench_{size}_{symptoms}")
        db.execute(f"CREATE DATABASE portal_bench_{size}_{symptoms}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with 2 sync workers on a free loopback port."""

    def __init__(self, env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/bench/floor/", timeout=5).read()
                return
            except OSError:  # refused while it boots, or a first answer slower than 5 s
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def worker_memory_kb(self):
        total = 0
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        return total

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
