"""The production layout on one machine: nginx in front of two gunicorn app servers, one task
worker, all on one PostgreSQL database. `make cluster` serves it until Ctrl+C; `make bench`
drives it, and kills and restarts an app server in the middle of a run.

    python deploy/cluster.py                 # http://127.0.0.1:8080/, database portal_cluster
    python deploy/cluster.py --port 8090 --workers 1

Each process's output goes to .cluster/ (app-a.log, app-b.log, worker.log, nginx's logs).
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RUN = ROOT / ".cluster"
TEMPLATE = ROOT / "deploy" / "nginx.conf"
DATABASE = "postgres://portal:portal@127.0.0.1:5432/portal_cluster"
NAMES = "abcdefgh"


class Cluster:
    """nginx on `port`, app servers on `app_ports`, one task worker. `env` is the portal's
    environment (DATABASE_URL, SECRET_KEY, ...); NUM_PROXIES=1 is added, since nginx is the
    one proxy in front of the app servers."""

    def __init__(self, env, *, port=8080, app_ports=(8101, 8102), workers=2, run=RUN, log=True):
        self.env = {**env, "NUM_PROXIES": "1"}
        self.port, self.app_ports, self.workers, self.run = port, list(app_ports), workers, run
        self.log = log
        self.url = f"http://127.0.0.1:{port}"
        self.apps = [None] * len(app_ports)
        self.worker = self.nginx = None

    def app_url(self, i):
        return f"http://127.0.0.1:{self.app_ports[i]}"

    def start(self):
        self.run.mkdir(exist_ok=True)
        for i in range(len(self.apps)):
            self.start_app(i)
        self.worker = self.spawn(
            "worker", [PY, "manage.py", "db_worker", "--no-reload", "--queue-name", "*"]
        )
        conf = self.write_nginx_conf()
        # -e: nginx opens its error log before reading the configuration; keep it here too.
        command = ["nginx", "-p", str(self.run), "-e", str(self.run / "error.log"), "-c", conf]
        self.nginx = self.spawn("nginx", [*command, "-g", "daemon off;"])
        wait_for(self.url + "/", "nginx")
        return self

    def start_app(self, i):
        """(Re)start app server `i` and wait until it answers."""
        command = [
            PY,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.app_ports[i]}",
            "--workers",
            str(self.workers),
            "--limit-request-line",
            "8190",
        ]
        self.apps[i] = self.spawn(f"app-{NAMES[i]}", command)
        wait_for(self.app_url(i) + "/", f"app server {NAMES[i]}")

    def kill_app(self, i):
        """Kill app server `i` at once, its workers too, as a crashed machine would stop:
        no graceful shutdown, requests in flight are cut off."""
        os.killpg(self.apps[i].pid, signal.SIGKILL)
        self.apps[i].wait()

    def stop(self):
        processes = [p for p in [self.nginx, self.worker, *self.apps] if p and p.poll() is None]
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def spawn(self, name, command):
        # Each in its own process group, so a kill reaches gunicorn's workers too.
        output = open(self.run / f"{name}.log", "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def write_nginx_conf(self):
        tmp = self.run / "tmp"
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / name).mkdir(parents=True, exist_ok=True)
            # nginx started as root runs its workers as nobody: they buffer bodies here.
            (tmp / name).chmod(0o1777)
        tmp.chmod(0o755)
        upstreams = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;"
            for port in self.app_ports
        )
        text = (
            TEMPLATE.read_text()
            .replace("@RUN@", str(self.run))
            .replace("@LISTEN@", f"127.0.0.1:{self.port}")
            .replace("@UPSTREAMS@", upstreams)
            .replace("@ACCESS_LOG@", f"{self.run}/access.log portal" if self.log else "off")
        )
        conf = self.run / "nginx.conf"
        conf.write_text(text)
        return str(conf)


def wait_for(url, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{what} did not start: see {RUN}/")


def prepare(env):
    """The cluster's database, made and filled once: migrated, the shipped playbook loaded
    into an empty database, the demo accounts, the static files."""
    import psycopg

    name = DATABASE.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE.rsplit("/", 1)[0] + "/portal", autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f"CREATE DATABASE {name}")
    for args in (
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput", "--verbosity", "0"],
        ["import_playbook", "--if-empty", "fixtures/playbook.yaml"],
        ["create_demo_accounts"],
        ["schedule_jobs"],
    ):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    args = parser.parse_args()
    if not shutil.which("nginx"):
        raise SystemExit("nginx is needed: `make cluster` installs it (Debian's nginx package).")
    env = {"DATABASE_URL": DATABASE, **os.environ}
    prepare(env)
    cluster = Cluster(env, port=args.port, workers=args.workers).start()
    print(
        "\nDemo passwords are printed once, when the accounts are made. To set one in this "
        f"database: DATABASE_URL={DATABASE} .venv/bin/python manage.py changepassword editor"
    )
    print(
        f"\nServing {cluster.url}/ through nginx: app servers on "
        f"{', '.join(cluster.app_url(i) for i in range(len(cluster.apps)))}, one task worker, "
        f"database {DATABASE.rsplit('/', 1)[1]}. Logs in {RUN}/. Ctrl+C stops everything.",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(p.poll() is None for p in [cluster.nginx, cluster.worker, *cluster.apps]):
            time.sleep(1)
        print("A process of the cluster stopped: stopping the rest. See its log.", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
