"""`make bench`: the portal under gunicorn, driven by wrk, on SQLite and PostgreSQL.

For each database and size N (saved cases, next to the shipped playbook and 200 generated
symptoms) it builds (or reuses) a database, serves it with gunicorn (2 workers, DEBUG off,
static files hashed and compressed by whitenoise) on 127.0.0.1, and measures every endpoint
with wrk in the same run as the floor: a minimal view reading one row by primary key through
the same middleware. Then the page weight of what a customer downloads, and a soak of mixed
traffic. Results: a table per database and size on stdout, bench-results/results.json, and
bench-results/latency.svg. Targets are reported, never enforced: no number fails the run.

    python bench/run.py                       # 1,000, 10,000 and 100,000 cases; about 15 minutes
    python bench/run.py --smoke               # 1,000 cases, a second per endpoint (CI)
    python bench/run.py --sizes 1000 --databases sqlite --seconds 3 --soak 0
"""

import argparse
import gzip
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results"
PY = sys.executable
LUA = ROOT / "bench" / "wrk.lua"
CONNECTIONS = 16
THREADS = 2
GENERATED_SYMPTOMS = 200
ENDPOINTS = [
    "floor",
    "index",
    "symptom",
    "session",
    "tick",
    "case",
    "review_first",
    "review_last",
    "insights",
]
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


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
    report["targets"] = targets(report, args)
    print_targets(report["targets"])
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
    parser.add_argument("--smoke", action="store_true", help="a quick run that keeps CI honest")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.seconds, args.soak = "1000", 1, 5
    args.sizes = [int(n) for n in str(args.sizes).split(",")]
    args.databases = args.databases.split(",")
    return args


# -- Databases and servers --------------------------------------------------------------------


def database_url(database, size):
    if database == "sqlite":
        return f"sqlite:///{OUT / f'sqlite-{size}.sqlite3'}"
    return f"postgres://portal:portal@127.0.0.1:5432/portal_bench_{size}"


def bench_env(database, size):
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "SECURE_COOKIES": "false",
        "BENCH_FLOOR": "true",
        "STATIC_FILES_HASHED": "true",
        "DATABASE_URL": database_url(database, size),
        "LOG_LEVEL": "WARNING",
    }


def manage(env, *args):
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def collectstatic():
    manage(bench_env("sqlite", 0), "collectstatic", "--noinput", "--verbosity", "0")


def ensure_database(database, size):
    """Build the database for this size once; later runs reuse it."""
    env = bench_env(database, size)
    ready = OUT / f"{database}-{size}.ready"
    if ready.exists():
        try:
            count = manage(
                env,
                "shell",
                "-c",
                "from diagnostics.models import Case; print(Case.objects.count())",
            )
            if int(count.split()[-1]) == size:
                return env
        except subprocess.CalledProcessError:
            pass
    print(f"Building the {DATABASES[database]} database with {size:,} cases...", flush=True)
    reset_database(database, size)
    manage(env, "migrate", "--noinput")
    manage(env, "import_playbook", "fixtures/playbook.yaml")
    manage(env, "create_demo_accounts")
    manage(env, "seed_demo_cases", "--count", str(size), "--symptoms", str(GENERATED_SYMPTOMS))
    ready.write_text(str(size))
    return env


def reset_database(database, size):
    if database == "sqlite":
        for path in OUT.glob(f"sqlite-{size}.sqlite3*"):
            path.unlink()
        return
    import psycopg

    with psycopg.connect("postgresql://portal:portal@127.0.0.1:5432/portal", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS portal_bench_{size}")
        db.execute(f"CREATE DATABASE portal_bench_{size}")


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
                urllib.request.urlopen(self.url + "/bench/floor/", timeout=1).read()
                return
            except (urllib.error.URLError, ConnectionError):
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


def prepare(env, live_sessions=50, soak_sessions=0):
    output = subprocess.run(
        [PY, "bench/prepare.py", str(OUT / "paths"), str(live_sessions), str(soak_sessions)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


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
    method = fixture["endpoints"][name]["method"]
    cookie = fixture["cookie_lead"] if fixture["endpoints"][name]["signed_in"] else None
    if method == "POST":
        return {
            "method": "POST",
            "cookie": f"csrftoken={fixture['csrf']}",
            "csrf": fixture["csrf"],
            "htmx": True,
        }
    return {"cookie": cookie}


def measure(database, size, args):
    env = ensure_database(database, size)
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
    ids = OUT / "paths" / "soak-sessions.json"
    ids.write_text(json.dumps(fixture["soak_sessions"]))
    ticked = int(
        subprocess.run(
            [PY, "bench/prepare.py", "count-soak", str(ids)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
    )
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


# -- Reporting --------------------------------------------------------------------------------


def print_table(run):
    print(
        f"\n{DATABASES[run['database']]}, {run['cases']:,} cases, {run['symptoms']} symptoms "
        f"({CONNECTIONS} connections)"
    )
    print(
        f"  {'endpoint':14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'x floor':>9}"
        f"{'queries':>9}{'errors':>8}"
    )
    for name, r in run["endpoints"].items():
        print(
            f"  {name:14}{r['rps']:>9.1f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
            f"{r['floor_ratio']:>9.2f}{r['queries']:>9}{r['errors']:>8}",
            flush=True,
        )


def print_page_weight(weights):
    print("\nPage weight on the wire (compressed, everything the page loads)")
    for name, w in weights.items():
        parts = ", ".join(
            f"{f['url'].rsplit('/', 1)[-1] or f['url']} {f['bytes']:,} B" for f in w["files"]
        )
        print(
            f"  {name:8} {w['total_bytes']:>7,} B  ({parts}); other origins: "
            f"{len(w['other_origins'])}; static cached a year: {w['long_cache']}"
        )


def print_soak(s):
    print(
        f"\nSoak, {DATABASES[s['database']]}, {s['size']:,} cases: {s['seconds']} s at "
        f"{s['connections']} connections"
    )
    print(
        f"  ticks: {s['ticks']['requests']:,} answered ({s['ticks']['rps']:.0f}/s, p99 "
        f"{s['ticks']['p99_ms']} ms), {s['ticks']['ok']:,} 2xx, {s['ticked_rows']:,} rows "
        f"ticked, {s['ticks']['sent']:,} sent"
    )
    print(
        f"  paging: {s['paging']['requests']:,} answered ({s['paging']['rps']:.0f}/s, p99 "
        f"{s['paging']['p99_ms']} ms)"
    )
    print(
        f"  every response 2xx/3xx: {s['all_2xx_3xx']}; no lost tick: {s['no_lost_tick']}; "
        f"worker memory {s['memory_start_kb'] / 1024:.0f} -> {s['memory_end_kb'] / 1024:.0f}"
        f" MiB ({s['memory_growth']:+.1%})"
    )


def targets(report, args):
    checks = []
    for run in report["runs"]:
        for name, r in run["endpoints"].items():
            if name != "floor":
                checks.append(
                    (
                        f"{DATABASES[run['database']]} {run['size']:,}: {name} at least "
                        f"0.5 x floor",
                        r["floor_ratio"],
                        r["floor_ratio"] >= 0.5,
                    )
                )
    for database in args.databases:
        runs = {r["size"]: r for r in report["runs"] if r["database"] == database}
        small, large = min(runs), max(runs)
        if small != large:
            for name in ("review_last", "insights"):
                ratio = (
                    runs[large]["endpoints"][name]["p50_ms"]
                    / runs[small]["endpoints"][name]["p50_ms"]
                )
                checks.append(
                    (
                        f"{DATABASES[database]}: {name} at {large:,} within 1.3 x its "
                        f"latency at {small:,}",
                        round(ratio, 2),
                        ratio <= 1.3,
                    )
                )
    for run in report["runs"]:
        if run["database"] == "sqlite":
            p99 = run["endpoints"]["tick"]["p99_ms"]
            checks.append(
                (
                    f"SQLite {run['size']:,}: tick p99 under 50 ms at {CONNECTIONS} connections",
                    p99,
                    p99 < 50,
                )
            )
    weights = report["page_weight"]
    checks.append(
        (
            "symptom page under 8 KB",
            weights["symptom"]["total_bytes"],
            weights["symptom"]["total_bytes"] < 8 * 1024,
        )
    )
    checks.append(
        (
            "session page under 30 KB",
            weights["session"]["total_bytes"],
            weights["session"]["total_bytes"] < 30 * 1024,
        )
    )
    for name, w in weights.items():
        checks.append(
            (
                f"{name} page: nothing from another origin",
                len(w["other_origins"]),
                not w["other_origins"],
            )
        )
        checks.append(
            (f"{name} page: static files cached for a year", w["long_cache"], w["long_cache"])
        )
    for s in report.get("soak", []):
        label = f"soak {DATABASES[s['database']]}"
        checks.append((f"{label}: every response 2xx/3xx", s["all_2xx_3xx"], s["all_2xx_3xx"]))
        checks.append((f"{label}: no lost tick", s["no_lost_tick"], s["no_lost_tick"]))
        checks.append(
            (
                f"{label}: worker memory within 20%",
                s["memory_growth"],
                abs(s["memory_growth"]) <= 0.2,
            )
        )
    return [{"target": t, "value": v, "met": bool(m)} for t, v, m in checks]


def print_targets(checks):
    met = sum(c["met"] for c in checks)
    print(f"\nTargets: {met} of {len(checks)} met (reported, never enforced)")
    for c in checks:
        print(f"  {'met ' if c['met'] else 'MISS'}  {c['target']}: {c['value']}")


def plot(report, path):
    """p50 latency against N per endpoint, one panel per database: a small hand-made SVG."""
    width, height, pad = 520, 300, 48
    colours = [
        "#1f5fbf",
        "#1d7a46",
        "#b3261e",
        "#8a5a00",
        "#6a3fb5",
        "#00707a",
        "#596273",
        "#c2185b",
        "#333333",
    ]
    panels = []
    for i, database in enumerate(dict.fromkeys(r["database"] for r in report["runs"])):
        runs = sorted(
            (r for r in report["runs"] if r["database"] == database), key=lambda r: r["size"]
        )
        sizes = [r["size"] for r in runs]
        top = max(r["endpoints"][e]["p50_ms"] for r in runs for e in ENDPOINTS) * 1.1 or 1
        x0 = i * (width + 20)
        span = width - 2 * pad
        xs = [
            x0 + pad + (j * span / (len(sizes) - 1) if len(sizes) > 1 else span / 2)
            for j in range(len(sizes))
        ]

        parts = [
            f'<text x="{x0 + pad}" y="20" font-weight="bold">{DATABASES[database]}: '
            f"p50 latency (ms) by saved cases</text>",
            f'<line x1="{x0 + pad}" y1="{height - pad}" x2="{x0 + width - pad}" '
            f'y2="{height - pad}" stroke="#999"/>',
            f'<line x1="{x0 + pad}" y1="{pad}" x2="{x0 + pad}" y2="{height - pad}" stroke="#999"/>',
            f'<text x="{x0 + 4}" y="{pad + 4}" font-size="11">{top:.0f}</text>',
        ]
        for j, n in enumerate(sizes):
            parts.append(
                f'<text x="{xs[j] - 14}" y="{height - pad + 16}" font-size="11">{n:,}</text>'
            )
        for k, endpoint in enumerate(ENDPOINTS):
            points = " ".join(
                f"{xs[j]:.1f},{scale_y(r['endpoints'][endpoint]['p50_ms'], top, height, pad):.1f}"
                for j, r in enumerate(runs)
            )
            colour = colours[k % len(colours)]
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="2"><title>{endpoint}</title></polyline>'
            )
            last = scale_y(runs[-1]["endpoints"][endpoint]["p50_ms"], top, height, pad)
            parts.append(
                f'<text x="{x0 + width - pad + 4}" y="{last:.1f}" '
                f'font-size="10" fill="{colour}">{endpoint}</text>'
            )
        panels.append("\n".join(parts))
    total_width = len(panels) * (width + 20) + 60
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width}" height="{height}" '
        f'font-family="sans-serif" font-size="12"><rect width="100%" height="100%" '
        f'fill="white"/>\n' + "\n".join(panels) + "\n</svg>\n"
    )


def scale_y(ms, top, height, pad):
    return height - pad - ms / top * (height - 2 * pad)


if __name__ == "__main__":
    main()
