"""Prepare one benchmark database and describe it for bench/run.py (JSON on stdout).

Run with the benchmark's environment (DATABASE_URL and the production-like settings):
starts live sessions to tick, signs a lead in, writes the path files wrk cycles through, and
counts each endpoint's database queries with Django's test client.
"""

import json
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlencode

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from diagnostics.content.models import Symptom  # noqa: E402
from diagnostics.diagnosis.models import Case, CheckResult, DiagnosticSession  # noqa: E402

SYMPTOM = "webhooks-not-firing"
# What customers type: a title's words, a summary's, a check's, a prefix, a typo (PostgreSQL
# forgives it), websearch syntax, and words nothing matches.
SEARCHES = [
    "webhooks not firing",
    "calendar sync fails",
    "invoice export slow",
    "safari",
    "dashb",
    "calender sync",
    '"wrong time zone" -billing',
    "spaceship engine",
]


def main(out, live_sessions, soak_sessions):
    out.mkdir(parents=True, exist_ok=True)
    symptom = Symptom.objects.for_page().get(key=SYMPTOM)
    DiagnosticSession.objects.filter(case__isnull=True).delete()  # a fresh start every run
    live = [DiagnosticSession.start(symptom) for _ in range(live_sessions)]
    ticks = [
        f"/cases/{s.token}/checks/{p}/" for s in live for p in range(1, symptom.checks.count() + 1)
    ]
    soak = [DiagnosticSession.start(symptom) for _ in range(soak_sessions)]
    soak_ticks = [
        f"/cases/{s.token}/checks/{p}/" for p in range(1, 6) for s in soak
    ]  # a check of every session before the next check of any: spread the writes
    case = Case.objects.select_related("session").order_by("-saved_at").first()
    sessions = {"lead": signed_in("lead"), "editor": signed_in("editor")}
    csrf = secrets.token_hex(16)  # a 32-character secret: Django accepts it unmasked

    # name: (method, paths, who is signed in). Each "_304" endpoint revalidates a page the
    # visitor has: it sends the ETag the page was served with (If-None-Match).
    endpoints = {
        "floor": ("GET", ["/bench/floor/"], None),
        # The same, signed in as a lead: what a session, its user and the second factor's
        # checks cost every staff page before it does anything of its own.
        "floor_staff": ("GET", ["/bench/floor/"], "lead"),
        "index": ("GET", ["/"], None),
        "index_304": ("GET", ["/"], None),
        "symptom": ("GET", [f"/symptoms/{SYMPTOM}/"], None),
        "symptom_304": ("GET", [f"/symptoms/{SYMPTOM}/"], None),
        "search": ("GET", [f"/?{urlencode({'q': words})}" for words in SEARCHES], None),
        "session": ("GET", [f"/cases/{s.token}/" for s in live], None),
        "tick": ("POST", ticks, None),
        "case": ("GET", [f"/cases/{case.session.token}/"], None),
        "review_first": ("GET", ["/review/"], "lead"),
        "review_last": ("GET", ["/review/?last=1"], "lead"),
        "insights": ("GET", ["/review/insights/"], "lead"),
        "editor": ("GET", ["/playbook/"], "editor"),
    }
    paging = [
        "/review/",
        "/review/?last=1",
        "/review/?outcome=escalated",
        "/review/?status=new&last=1",
        f"/review/?symptom={symptom.pk}",
    ]
    files = {}
    for name, (_, paths, _) in endpoints.items():
        files[name] = write_paths(out / f"paths-{name}.txt", paths)
    files["soak_ticks"] = write_paths(out / "paths-soak-ticks.txt", soak_ticks)
    files["soak_paging"] = write_paths(out / "paths-soak-paging.txt", paging)

    queries, etags = {}, {}
    for name, (method, paths, who) in endpoints.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if who:
            client.cookies["sessionid"] = sessions[who].session_key
        headers = {}
        if name.endswith("_304"):
            etags[name] = headers["If-None-Match"] = client.get(paths[0])["ETag"]
        with CaptureQueriesContext(connection) as captured:
            if method == "POST":
                client.cookies["csrftoken"] = csrf
                response = client.post(
                    paths[0], {"status": "ok"}, headers={"X-CSRFToken": csrf, "HX-Request": "1"}
                )
            else:
                response = client.get(paths[0], headers=headers)
        if response.status_code >= 400 or (name.endswith("_304") and response.status_code != 304):
            raise SystemExit(f"{name}: {paths[0]} answered {response.status_code}")
        queries[name] = len(captured)
    return {
        "cases": Case.objects.count(),
        "symptoms": Symptom.objects.published().count(),
        "endpoints": {
            name: {"method": method, "signed_in": who, "if_none_match": etags.get(name)}
            for name, (method, _, who) in endpoints.items()
        },
        "files": files,
        "queries": queries,
        "cookie_lead": f"sessionid={sessions['lead'].session_key}",
        "cookie_editor": f"sessionid={sessions['editor'].session_key}",
        "csrf": csrf,
        "soak_sessions": [s.pk for s in soak],
        "symptom_path": f"/symptoms/{SYMPTOM}/",
        "session_path": f"/cases/{live[0].token}/",
    }


def signed_in(username):
    """A session signed in as the demo account `username`, as the sign-in page makes one."""
    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session


def write_paths(path, paths):
    path.write_text("\n".join(paths) + "\n")
    return str(path)


def soak_ticked(session_ids):
    """How many checks of the soak's sessions have been ticked."""
    return CheckResult.objects.filter(session_id__in=session_ids).exclude(status="pending").count()


if __name__ == "__main__":
    if sys.argv[1] == "count-soak":
        print(soak_ticked(json.loads(Path(sys.argv[2]).read_text())))
    else:
        folder, live_sessions, soak_sessions = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
        print(json.dumps(main(folder, live_sessions, soak_sessions)))
