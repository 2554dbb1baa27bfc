"""`make bench`'s report: tables on stdout, the targets met or missed, the latency chart."""

CONNECTIONS = 16
THREADS = 2
ENDPOINTS = [
    "floor",
    "floor_staff",
    "index",
    "index_304",
    "symptom",
    "symptom_304",
    "search",
    "session",
    "tick",
    "case",
    "review_first",
    "review_last",
    "insights",
    "editor",
]
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


# -- Printing --------------------------------------------------------------------------------


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


# Each endpoint's share of the floor's requests per second it should reach (issue 17).
FLOOR_TARGETS = {
    "index": 0.8,
    "index_304": 0.8,
    "symptom": 0.8,
    "symptom_304": 0.8,
    "search": 0.8,
    "session": 0.5,
    "tick": 0.5,
    "case": 0.5,
    "review_first": 0.3,
    "review_last": 0.3,
    "insights": 0.3,
    "editor": 0.3,
}
FLAT = ("review_first", "review_last", "insights", "editor")  # as fast at 100,000 cases


def print_cluster(c):
    print(
        f"\nCluster, PostgreSQL, {c['size']:,} cases: nginx, two app servers (one gunicorn "
        f"worker each), one task worker; {c['seconds']} s at {c['connections']} connections"
    )
    print(
        f"  app server a killed (SIGKILL) at {c['killed_at_s']} s, answering again "
        f"{c['restarted_after_s']} s later"
    )
    t, p = c["ticks"], c["pages"]
    print(
        f"  ticks: {t['sent']:,} sent, {t['ok']:,} acknowledged, {c['ticked_rows']:,} stored "
        f"({t['rps']:.0f}/s, p99 {t['p99_ms']} ms); symptom page: {p['requests']:,} "
        f"({p['rps']:.0f}/s)"
    )
    print(
        f"  failed requests: {c['errors']} (at most one per connection may be in flight); "
        f"no lost tick: {c['no_lost_tick']}"
    )
    print(
        f"  a publish through app server a, read from app server b straight after: "
        f"{'served' if c['publish_served_by_other'] else 'NOT served'} "
        f"({c['publish_read_ms']} ms)"
    )


def targets(report, args):
    checks = []
    for run in report["runs"] + report.get("large_playbook", []):
        label = f"{DATABASES[run['database']]} {run['size']:,}"
        if run in report.get("large_playbook", []):
            label += f" at {run['symptoms']:,} symptoms"
        for name, r in run["endpoints"].items():
            if name in FLOOR_TARGETS:
                share = FLOOR_TARGETS[name]
                checks.append(
                    (
                        f"{label}: {name} at least {share} x floor",
                        r["floor_ratio"],
                        r["floor_ratio"] >= share,
                    )
                )
    for database in args.databases:
        runs = {r["size"]: r for r in report["runs"] if r["database"] == database}
        small, large = min(runs), max(runs)
        if small != large:
            for name in FLAT:
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
    if c := report.get("cluster"):
        checks.append(("cluster: no lost tick", c["no_lost_tick"], c["no_lost_tick"]))
        checks.append(
            (
                "cluster: failed requests within those in flight at the kill",
                c["errors"],
                c["errors_within_in_flight"],
            )
        )
        checks.append(
            (
                "cluster: a publish through one app server is served by the other at once",
                c["publish_served_by_other"],
                c["publish_served_by_other"] and not c["publish_seen_before"],
            )
        )
    return [{"target": t, "value": v, "met": bool(m)} for t, v, m in checks]


def print_profiles(run, profiles):
    floor = profiles["floor"]
    print(
        f"\nWhere the missed endpoints' time goes ({DATABASES[run['database']]}, "
        f"{run['size']:,} cases; Django's test client in one process, cProfile)"
    )
    print(
        f"  {'endpoint':14}{'ms':>7}{'x floor':>9}{'calls':>9}{'x floor':>9}  "
        f"{'database':>8}{'SQL':>6}{'models':>8}{'templates':>10}  most time of its own"
    )
    for name, p in profiles.items():
        shares = p["shares"]
        top = ", ".join(f"{t['function']} {t['share']:.0%}" for t in p["top"][:2])
        print(
            f"  {name:14}{p['ms']:>7.2f}{p['ms'] / floor['ms']:>9.1f}{p['calls']:>9,}"
            f"{p['calls'] / floor['calls']:>9.1f}  {shares['database']:>8.0%}"
            f"{shares['building SQL']:>6.0%}{shares['model objects']:>8.0%}"
            f"{shares['templates']:>10.0%}  {top}",
            flush=True,
        )


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
