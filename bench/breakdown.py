"""Where an endpoint's time goes, for `make bench` to print beside each missed target.

Run with the benchmark's environment and a fixture from prepare.py (JSON, as a file):

    python bench/breakdown.py FIXTURE.json tick session review_first

Each endpoint is requested in this process through Django's test client, first unprofiled
(milliseconds per request, the least of three rounds), then under cProfile: Python function
calls per request, the share of time in the database driver, in building SQL, in making
model objects, in rendering templates, and the functions with the most time of their own.
The floor is profiled too (anonymous and signed in), so every figure can be read against
it. Prints one JSON line.
"""

import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.test import Client  # noqa: E402

ROUNDS, PER_ROUND, PROFILED = 3, 20, 20
# (label, file fragment, function) whose cumulative time makes each share.
PARTS = [
    ("database", "django/db/backends/utils.py", "_execute"),
    ("building SQL", "django/db/models/sql/compiler.py", "as_sql"),
    ("model objects", "django/db/models/base.py", "from_db"),
    ("templates", "django/template/base.py", "render"),
]


def main(fixture_file, names):
    fixture = json.loads(Path(fixture_file).read_text())
    report = {}
    # The floor, and signed in: what every staff page pays before its own work.
    for name in ["floor", "floor_staff", *[n for n in names if n not in ("floor", "floor_staff")]]:
        endpoint = fixture["endpoints"][name]
        paths = Path(fixture["files"][name]).read_text().split()
        hit = requester(fixture, endpoint, paths)
        for i in range(5):
            hit(i)  # warm: caches, connections, compiled templates
        rounds = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            for i in range(PER_ROUND):
                hit(i)
            rounds.append((time.perf_counter() - started) / PER_ROUND * 1000)
        profile = cProfile.Profile()
        profile.enable()
        for i in range(PROFILED):
            hit(i)
        profile.disable()
        report[name] = summary(pstats.Stats(profile), min(rounds))
    print(json.dumps(report))


def requester(fixture, endpoint, paths):
    client = Client(HTTP_HOST="127.0.0.1")
    if endpoint["signed_in"]:
        client.cookies["sessionid"] = fixture[f"cookie_{endpoint['signed_in']}"].split("=", 1)[1]
    headers = {}
    if endpoint.get("if_none_match"):
        headers["If-None-Match"] = endpoint["if_none_match"]
    if endpoint["method"] == "POST":
        client.cookies["csrftoken"] = fixture["csrf"]
        headers = {"X-CSRFToken": fixture["csrf"], "HX-Request": "true"}

        def hit(i):
            return client.post(paths[i % len(paths)], {"status": "ok"}, headers=headers)

        return hit
    return lambda i: client.get(paths[i % len(paths)], headers=headers)


def summary(stats, ms):
    total = stats.total_tt or 1e-9
    cumulative = {}
    for (filename, _, function), (_, _, _, ct, _) in stats.stats.items():
        for label, fragment, wanted in PARTS:
            if function == wanted and filename.endswith(fragment):
                # Nested calls (a template including one) are counted once: the outermost
                # has the most time, and the others are inside it.
                cumulative[label] = max(cumulative.get(label, 0), ct)
    own = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:6]
    return {
        "ms": round(ms, 2),
        "calls": round(stats.total_calls / PROFILED),
        "shares": {label: round(cumulative.get(label, 0) / total, 2) for label, _, _ in PARTS},
        "top": [
            {
                "function": f"{short(filename)}:{line}({function})",
                "share": round(tt / total, 3),
            }
            for (filename, line, function), (_, _, tt, _, _) in own
        ],
    }


def short(filename):
    for marker in ("site-packages/", "/work/", str(Path(__file__).resolve().parent.parent) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename.rsplit("/", 2)[-1] if "/" in filename else filename


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
