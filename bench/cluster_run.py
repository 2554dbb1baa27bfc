"""`make bench`'s cluster run: nginx in front of two gunicorn app servers and a task worker on
PostgreSQL (deploy/cluster.py), driven through nginx while one app server is killed and
restarted. It counts every tick sent, acknowledged and stored, and checks that a publish made
through one app server is served by the other at once."""

import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from report import CONNECTIONS
from server import OUT, ROOT, ensure_database, free_port

sys.path.insert(0, str(ROOT / "deploy"))
from cluster import Cluster

SYMPTOM = "webhooks-not-firing"


def cluster_run(size, seconds, *, prepare, wrk, parse_wrk, count_ticked):
    env = ensure_database("postgres", size)
    fixture = prepare(env, soak_sessions=max(600, seconds * 150))
    cluster = Cluster(
        env,
        port=free_port(),
        app_ports=(free_port(), free_port()),
        workers=1,  # two app servers of one worker: the two processes the other runs use
        run=OUT / "cluster",
    )
    cluster.start()
    try:
        published = publish_through(cluster, fixture)
        tick_args = {
            "method": "POST",
            "cookie": f"csrftoken={fixture['csrf']}",
            "csrf": fixture["csrf"],
            "htmx": True,
            "wrap": False,
        }
        ticking = wrk(
            cluster.url, fixture["files"]["soak_ticks"], seconds, background=True, **tick_args
        )
        reading = wrk(cluster.url, fixture["files"]["symptom"], seconds, background=True)
        killed_at = seconds / 3
        time.sleep(killed_at)
        cluster.kill_app(0)
        down = time.monotonic()
        time.sleep(2)
        cluster.start_app(0)  # returns once it answers again
        restarted_after = time.monotonic() - down
        ticks, pages = (parse_wrk(p.communicate()[0]) for p in (ticking, reading))
        time.sleep(1)
    finally:
        cluster.stop()
    stored = count_ticked(env, fixture["soak_sessions"])
    errors = ticks["errors"] + pages["errors"]
    return {
        "database": "postgres",
        "size": size,
        "seconds": seconds,
        "connections": 2 * CONNECTIONS,
        "ticks": ticks,
        "pages": pages,
        "ticked_rows": stored,
        "killed_at_s": round(killed_at, 1),
        "restarted_after_s": round(restarted_after, 1),
        "errors": errors,
        # Every acknowledged tick is stored; nothing was stored that was not sent; nothing
        # was left unsent.
        "no_lost_tick": ticks["ok"] <= stored <= ticks["sent"] and ticks["exhausted"] == 0,
        # Only requests in flight when the server died can fail: one per connection at most.
        "errors_within_in_flight": errors <= 2 * CONNECTIONS,
        **published,
    }


def publish_through(cluster, fixture):
    """Publish a change through app server a (upload, then publish, as an editor does), and
    read the symptom page from app server b straight after: it must show the change."""
    a, b = cluster.app_url(0), cluster.app_url(1)
    path = f"/symptoms/{SYMPTOM}/"
    before = get(b + path)  # b has the page cached now
    marker = f"checked {uuid.uuid4().hex[:8]}"
    editor = Browser(a, fixture["cookie_editor"], fixture["csrf"])
    yaml = editor.get("/playbook/export/")
    changed, count = re.subn(
        r"(- key: webhook-url\n\s+title: )[^\n]*", rf"\g<1>Verify webhook URL ({marker})", yaml
    )
    if count != 1:
        raise SystemExit("The cluster run could not find the check to change in the playbook.")
    editor.post_file("/playbook/upload/", "playbook.yaml", changed)
    form = editor.get("/playbook/publish/")
    fields = dict(re.findall(r'name="(version|revision)" value="(\d*)"', form))
    editor.post("/playbook/publish/", {"message": f"Cluster run: {marker}", **fields})
    started = time.monotonic()
    after = get(b + path)
    return {
        "publish_seen_before": marker in before,
        "publish_served_by_other": marker in after,
        "publish_read_ms": round((time.monotonic() - started) * 1000, 1),
    }


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


class Browser:
    """Just enough of a signed-in browser: the session and CSRF cookies, form posts."""

    def __init__(self, base, cookie, csrf):
        self.base, self.csrf = base, csrf
        self.headers = {"Cookie": f"{cookie}; csrftoken={csrf}", "X-CSRFToken": csrf}

    def get(self, path):
        return get(self.base + path, self.headers)

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        return self.send(path, body, "application/x-www-form-urlencoded")

    def post_file(self, path, name, text):
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: application/x-yaml\r\n\r\n{text}\r\n'
            f"--{boundary}--\r\n"
        ).encode()
        return self.send(path, body, f"multipart/form-data; boundary={boundary}")

    def send(self, path, body, content_type):
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={**self.headers, "Content-Type": content_type},
            method="POST",
        )
        try:
            with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 302:  # each step succeeds with a redirect to the next page
            raise SystemExit(f"The cluster run's POST {path} answered {status}, not a redirect.")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer checked
