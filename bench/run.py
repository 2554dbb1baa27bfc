"""`make bench`: the portal under gunicorn, driven by wrk, on SQLite and PostgreSQL.

For each database and size N (saved cases, next to the shipped playbook and 200 generated
symptoms) it builds (or reuses) a database, serves it with gunicorn (2 workers, DEBUG off,
static files hashed and compressed by whitenoise) on 127.0.0.1, and measures every endpoint
with wrk in the same run as the floor: a minimal view reading one row by primary key through
the same middleware. Then the same at the smallest size with 2,008 symptoms (search and the
staff menus at that size), the page weight of what a customer downloads, a soak of mixed
traffic, and the cluster run: nginx in front of two app servers on PostgreSQL, one of them
killed and restarted mid-run (bench/cluster_run.py). Results: a table per run on stdout,
bench-results/results.json and bench-results/latency.svg. Targets are reported, never
enforced: no number fails the run.

    python bench/run.py                       # 1,000, 10,000 and 100,000 cases; about 25 minutes
    python bench/run.py --smoke               # 1,000 cases, a second per endpoint (CI)
    python bench/run.py --sizes 1000 --databases sqlite --seconds 3 --soak 0 --cluster 0
"""

import argparse
import gzip
import json
import os
import platform
import re
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from cluster_run import cluster_run
from report import (
    CONNECTIONS,
    ENDPOINTS,
    FLOOR_TARGETS,
    THREADS,
    plot,
    print_cluster,
    print_page_weight,
    print_profiles,
    print_soak,
    print_table,
    print_targets,
    targets,
)
from server import (
    LARGE_PLAYBOOK,
    OUT,
    PY,
    ROOT,
    SYMPTOMS,
    Server,
    bench_env,
    collectstatic,
    ensure_database,
)

LUA = ROOT / "bench" / "wrk.lua"


def main():
    args = parse_args()
    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": {
            "connections": CONNECTIONS,
            "threads": THREADS,
            "seconds": args.seconds,
            "workers": 2,
        },
        "runs": [],
    }
    collectstatic()
    for database in args.databases:
        for size in args.sizes:
            report["runs"].append(measure(database, size, args))
            print_table(report["runs"][-1])
    if args.large_playbook:  # search, the index and the staff menus at 2,008 symptoms
        report["large_playbook"] = []
        for database in args.databases:
            run = measure(database, min(args.sizes), args, symptoms=LARGE_PLAYBOOK)
            report["large_playbook"].append(run)
            print_table(run)
    first = (args.databases[0], args.sizes[0])
    report["page_weight"] = page_weight(*first)
    print_page_weight(report["page_weight"])
    if args.soak:
        report["soak"] = [
            soak(db, min(args.sizes, key=lambda n: abs(n - 10_000)), args.soak)
            for db in args.databases
        ]
        for result in report["soak"]:
            print_soak(result)
    if args.cluster:
        report["cluster"] = cluster_run(
            min(args.sizes, key=lambda n: abs(n - 10_000)),
            args.cluster,
            prepare=prepare,
            wrk=wrk,
            parse_wrk=parse_wrk,
            count_ticked=count_ticked,
        )
        print_cluster(report["cluster"])
    report["targets"] = targets(report, args)
    print_targets(report["targets"])
    first = report["runs"][0]
    missed = [
        name
        for name, share in FLOOR_TARGETS.items()
        if first["endpoints"][name]["floor_ratio"] < share
    ]
    if missed:
        report["profiles"] = profile(first["database"], first["size"], missed)
        print_profiles(first, report["profiles"])
    (OUT / "results.json").write_text(json.dumps(report, indent=2))
    plot(report, OUT / "latency.svg")
    print(
        f"\nWrote {OUT / 'results.json'} and {OUT / 'latency.svg'} "
        f"in {time.monotonic() - started:.0f} s."
    )


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=5, help="per endpoint")
    parser.add_argument("--soak", type=int, default=60, help="seconds; 0 to skip")
    parser.add_argument(
        "--cluster",
        type=int,
        default=30,
        help="seconds of the run through nginx and two app servers (PostgreSQL); 0 to skip",
    )
    parser.add_argument(
        "--no-large-playbook",
        dest="large_playbook",
        action="store_false",
        help=f"skip the run at {LARGE_PLAYBOOK + 8:,} symptoms (the smallest size)",
    )
    parser.add_argument("--smoke", action="store_true", help="a quick run that keeps CI honest")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.seconds, args.soak, args.cluster = "1000", 1, 5, 9
    args.sizes = [int(n) for n in str(args.sizes).split(",")]
    args.databases = args.databases.split(",")
    return args


def script(env, *args):
    """A bench script run with the benchmark's environment: the last line it printed."""
    output = subprocess.run(
        [PY, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return output.stdout.strip().splitlines()[-1]


def prepare(env, live_sessions=50, soak_sessions=0):
    paths = str(OUT / "paths")
    return json.loads(
        script(env, "bench/prepare.py", paths, str(live_sessions), str(soak_sessions))
    )


# -- Measuring --------------------------------------------------------------------------------


def wrk(
    url,
    paths,
    seconds,
    *,
    connections=CONNECTIONS,
    method="GET",
    cookie=None,
    csrf=None,
    htmx=False,
    wrap=True,
    background=False,
    if_none_match=None,
):
    env = {
        **os.environ,
        "BENCH_PATHS": paths,
        "BENCH_METHOD": method,
        "BENCH_THREADS": str(THREADS),
        "BENCH_HTMX": "1" if htmx else "0",
        "BENCH_WRAP": "1" if wrap else "0",
    }
    if cookie:
        env["BENCH_COOKIE"] = cookie
    if csrf:
        env["BENCH_CSRF"] = csrf
    if if_none_match:
        env["BENCH_IF_NONE_MATCH"] = if_none_match
    if method == "POST":
        env["BENCH_BODY"] = "status=ok"
    command = [
        "wrk",
        "-t",
        str(THREADS),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
    ]
    if background:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    return parse_wrk(
        subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    )


def parse_wrk(output):
    result = json.loads(output.strip().splitlines()[-1])
    seconds = result["duration_us"] / 1e6
    return {
        "rps": round(result["requests"] / seconds, 1),
        "p50_ms": round(result["p50_us"] / 1000, 2),
        "p90_ms": round(result["p90_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2),
        "requests": result["requests"],
        "sent": result["sent"],
        "ok": result["ok"],
        "errors": result["bad_status"] + result["socket_errors"] + result["timeouts"],
        "exhausted": result["exhausted"],
    }


def endpoint_args(name, fixture):
    endpoint = fixture["endpoints"][name]
    if endpoint["method"] == "POST":
        return {
            "method": "POST",
            "cookie": f"csrftoken={fixture['csrf']}",
            "csrf": fixture["csrf"],
            "htmx": True,
        }
    who = endpoint["signed_in"]
    return {
        "cookie": fixture[f"cookie_{who}"] if who else None,
        "if_none_match": endpoint["if_none_match"],
    }


def measure(database, size, args, symptoms=SYMPTOMS):
    env = ensure_database(database, size, symptoms)
    fixture = prepare(env)
    server = Server(env)
    results = {}
    try:
        for name in ENDPOINTS:  # the floor first: every ratio is against this run's floor
            paths = fixture["files"][name]
            extra = endpoint_args(name, fixture)
            wrk(server.url, paths, 1, **extra)  # warm up
            results[name] = wrk(server.url, paths, args.seconds, **extra)
            results[name]["queries"] = fixture["queries"][name]
    finally:
        server.stop()
    floor = results["floor"]["rps"]
    for result in results.values():
        result["floor_ratio"] = round(result["rps"] / floor, 2) if floor else None
    return {
        "database": database,
        "size": size,
        "cases": fixture["cases"],
        "symptoms": fixture["symptoms"],
        "endpoints": results,
    }


def page_weight(database, size):
    """Bytes on the wire (compressed) of each page a customer opens, with everything it loads;
    and whether anything comes from another origin or lacks a long cache lifetime."""
    env = bench_env(database, size)
    fixture = prepare(env)
    server = Server(env)
    try:
        return {
            "symptom": weigh(server.url, fixture["symptom_path"]),
            "session": weigh(server.url, fixture["session_path"]),
        }
    finally:
        server.stop()


def fetch(url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read(), response.headers


def weigh(base, path):
    body, headers = fetch(base + path)
    html = decompress(body, headers).decode()
    assets = re.findall(r'<(?:link|script)\b[^>]*?(?:href|src)="([^"]+)"', html)
    files = [{"url": path, "bytes": len(body), "encoding": headers.get("Content-Encoding", "")}]
    foreign = [a for a in assets if re.match(r"^(https?:)?//", a)]
    for asset in assets:
        if asset in foreign:
            continue
        data, asset_headers = fetch(base + asset)
        files.append(
            {
                "url": asset,
                "bytes": len(data),
                "encoding": asset_headers.get("Content-Encoding", ""),
                "cache_control": asset_headers.get("Cache-Control", ""),
            }
        )
    return {
        "total_bytes": sum(f["bytes"] for f in files),
        "files": files,
        "other_origins": foreign,
        "long_cache": all(
            "max-age=315360000" in f.get("cache_control", "max-age=315360000") for f in files[1:]
        ),
    }


def decompress(body, headers):
    encoding = headers.get("Content-Encoding", "")
    return gzip.decompress(body) if encoding == "gzip" else body


def soak(database, size, seconds):
    """Customers ticking and leads paging at once, 32 connections in all, for `seconds`."""
    env = bench_env(database, size)
    fixture = prepare(env, soak_sessions=max(600, seconds * 150))
    server = Server(env)
    try:
        wrk(server.url, fixture["files"]["soak_paging"], 2, cookie=fixture["cookie_lead"])
        memory_start = server.worker_memory_kb()
        ticking = wrk(
            server.url,
            fixture["files"]["soak_ticks"],
            seconds,
            method="POST",
            cookie=f"csrftoken={fixture['csrf']}",
            csrf=fixture["csrf"],
            htmx=True,
            wrap=False,
            background=True,
        )
        paging = wrk(
            server.url,
            fixture["files"]["soak_paging"],
            seconds,
            cookie=fixture["cookie_lead"],
            background=True,
        )
        with ThreadPoolExecutor(2) as pool:
            ticks, pages = pool.map(lambda p: parse_wrk(p.communicate()[0]), [ticking, paging])
        time.sleep(1)  # let the last requests finish
        memory_end = server.worker_memory_kb()
    finally:
        server.stop()
    ticked = count_ticked(env, fixture["soak_sessions"])
    return {
        "database": database,
        "size": size,
        "seconds": seconds,
        "connections": 2 * CONNECTIONS,
        "ticks": ticks,
        "paging": pages,
        "ticked_rows": ticked,
        "memory_start_kb": memory_start,
        "memory_end_kb": memory_end,
        "all_2xx_3xx": ticks["errors"] == 0 and pages["errors"] == 0,
        # Every acknowledged tick is stored, and nothing was stored that was not sent.
        "no_lost_tick": ticks["ok"] <= ticked <= ticks["sent"] and ticks["exhausted"] == 0,
        "memory_growth": round(memory_end / memory_start - 1, 3),
    }


def profile(database, size, names):
    """Where the missed endpoints' time goes (bench/breakdown.py), with the floor's beside it."""
    env = bench_env(database, size)
    fixture = prepare(env)
    path = OUT / "paths" / "fixture.json"
    path.write_text(json.dumps(fixture))
    return json.loads(script(env, "bench/breakdown.py", str(path), *names))


def count_ticked(env, session_ids):
    """How many checks of these sessions the database holds as answered."""
    ids = OUT / "paths" / "soak-sessions.json"
    ids.write_text(json.dumps(session_ids))
    return int(script(env, "bench/prepare.py", "count-soak", str(ids)).split()[-1])


if __name__ == "__main__":
    main()
