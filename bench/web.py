"""HTTP benchmark: the main pages and API endpoints under load, against a baseline view served by
the same gunicorn, middleware and authentication in the same run.

    python bench/web.py [--projects 10000] [--reuse] [--duration 15] [--connections 16]

Starts gunicorn on loopback (sync workers, as the Procfile runs it) with lifecycle/settings/bench.py,
whose URLconf adds `bench/baseline/`: constant JSON from a view of the API's own class. Logs in a
portfolio viewer (sees every project) through the login form for the pages and gets a token from
the token endpoint for the API, then drives each endpoint with wrk (Debian package `wrk`) at the
given concurrency and prints requests per second, p50, p95, errors, the ratios to the baseline
of the same authentication, CPU per request, and the peak memory of gunicorn's master and
workers. Finally it profiles the slowest endpoint in this process (cProfile and its SQL).

Targets: the project list API and the project page reach at least 25% of the baseline's
requests per second with a p95 at most 10x the baseline's, and no endpoint has errors.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from common import (
    PROXY_HEADERS,
    ROOT,
    api_token,
    bench_user,
    database_name,
    isolate_queue,
    peak_memory_mb,
    prepare_database,
    process_peak_mb,
    process_tree,
    purge_queue,
    server_env,
    session_cookie,
    setup_django,
    start_server,
    stop,
)

if TYPE_CHECKING:
    from lifecycle.models import User

RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk_report.lua"
TARGETS = {"project list API": "baseline (token)", "project page": "baseline (session)"}


@dataclass
class Endpoint:
    label: str
    auth: str  # "token" or "session"
    paths: list[str]

    @property
    def baseline(self) -> str:
        return f"baseline ({self.auth})"


@dataclass
class Result:
    endpoint: Endpoint
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int
    bytes_per_request: float
    server_cpu_ms: float  # gunicorn CPU time per request
    load_cpu_share: float  # wrk's share of the CPU time spent on the machine during the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--database", help="database name (default bench_<projects>)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database when it already has the projects")
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per endpoint (after 3 s of warm-up)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (the Procfile runs 3)")
    parser.add_argument("--profile-requests", type=int, default=20, help="requests per endpoint in the in-process profile")
    args = parser.parse_args()

    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`, then run again.")

    url = prepare_database(args.database or database_name(args.projects), args.projects, reuse=args.reuse)
    queue = isolate_queue("bench-web")
    os.environ.update(server_env(url))  # the profile at the end runs the server's settings in this process
    setup_django(url)
    user = bench_user()
    endpoints = _endpoints()

    server, base = start_server(url, RESULTS / "web-gunicorn.log", workers=args.workers)
    print(f"gunicorn on {base}; load average {os.getloadavg()[0]:.1f} (other processes on this machine skew the figures)")
    try:
        headers = {"token": f"Authorization: Token {api_token(base)}", "session": f"Cookie: {session_cookie(base)}"}
        for endpoint in endpoints:
            _check(base, endpoint, headers[endpoint.auth])
        runs = []
        # The baselines run first and again last: the machine's load may drift during the run.
        for endpoint in [*endpoints, *endpoints[:2]]:
            runs.append(_load(wrk, base, endpoint, headers[endpoint.auth], server.pid, args))
            print(f"  {endpoint.label:<22} {runs[-1].rps:>8,.0f} req/s  p95 {runs[-1].p95_ms:,.1f} ms", flush=True)
        memory = _memory(server.pid)
    finally:
        stop(server)
        purge_queue(queue)

    results = _merge_baselines(runs)
    _report(results, memory, args)
    print(f"baseline drift: {', '.join(f'{r.endpoint.label} {r.rps:,.0f}' for r in runs[:2])} req/s first; ", end="")
    print(f"{', '.join(f'{r.rps:,.0f}' for r in runs[-2:])} last; load average now {os.getloadavg()[0]:.1f}")
    slowest = min((r for r in results if not r.endpoint.label.startswith("baseline")), key=lambda r: r.rps)
    _profile(endpoints, slowest.endpoint, user, args.profile_requests)


def _endpoints() -> list[Endpoint]:
    from lifecycle.models import ChangeRecord, Project

    ids = list(Project.objects.filter(deleted_at=None).values_list("pk", flat=True))
    sample = random.Random(1).sample(ids, min(200, len(ids)))
    last_seq = ChangeRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    return [
        Endpoint("baseline (token)", "token", ["/bench/baseline/"]),
        Endpoint("baseline (session)", "session", ["/bench/baseline/"]),
        Endpoint("dashboard", "session", ["/"]),
        Endpoint("project list page", "session", ["/projects/"]),
        Endpoint("project page", "session", [f"/projects/{pk}/" for pk in sample]),
        Endpoint("project list API", "token", ["/api/v1/projects/"]),
        Endpoint("project detail API", "token", [f"/api/v1/projects/{pk}/" for pk in sample]),
        Endpoint("change feed (poll)", "token", [f"/api/v1/changes/?since={max(0, last_seq - 100)}"]),
    ]


def _merge_baselines(runs: list[Result]) -> list[Result]:
    """One row per endpoint: the two runs of each baseline averaged."""
    merged: dict[str, Result] = {}
    for r in runs:
        first = merged.get(r.endpoint.label)
        if first is None:
            merged[r.endpoint.label] = r
            continue
        merged[r.endpoint.label] = Result(
            endpoint=r.endpoint,
            requests=first.requests + r.requests,
            rps=(first.rps + r.rps) / 2,
            p50_ms=(first.p50_ms + r.p50_ms) / 2,
            p95_ms=(first.p95_ms + r.p95_ms) / 2,
            errors=first.errors + r.errors,
            bytes_per_request=r.bytes_per_request,
            server_cpu_ms=(first.server_cpu_ms + r.server_cpu_ms) / 2,
            load_cpu_share=(first.load_cpu_share + r.load_cpu_share) / 2,
        )
    return list(merged.values())


def _check(base: str, endpoint: Endpoint, header: str) -> None:
    """Every endpoint answers 200 to this user before it is timed (a redirect to the login page
    would otherwise pass for a fast page)."""
    import requests

    name, value = header.split(": ", 1)
    response = requests.get(base + endpoint.paths[0], headers={**PROXY_HEADERS, name: value}, allow_redirects=False, timeout=120)
    if response.status_code != 200:
        raise SystemExit(f"{endpoint.label}: {endpoint.paths[0]} answered {response.status_code}, not 200.")


def _load(wrk: str, base: str, endpoint: Endpoint, header: str, server_pid: int, args: argparse.Namespace) -> Result:
    paths = RESULTS / "wrk-paths.txt"
    paths.write_text("\n".join(endpoint.paths) + "\n")
    command = [wrk, "-t1", f"-c{args.connections}", "--timeout", "60s", "-H", header, "-H", "Accept-Encoding: gzip"]
    command += [arg for name, value in PROXY_HEADERS.items() for arg in ("-H", f"{name}: {value}")]
    command += ["-s", str(LUA), base]
    _warm_up(base, endpoint, header, args.workers)

    server_before, machine_before = _server_cpu(server_pid), _machine_cpu()
    load_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([*command[:1], f"-d{args.duration}s", *command[1:], "--", str(paths)], capture_output=True, text=True, check=True)
    load_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu, machine_cpu = _server_cpu(server_pid) - server_before, _machine_cpu() - machine_before
    load_cpu = (load_after.ru_utime + load_after.ru_stime) - (load_before.ru_utime + load_before.ru_stime)

    figures = _figures(run.stdout)
    _drain(base)
    count = max(figures["requests"], 1)
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Result(
        endpoint=endpoint,
        requests=figures["requests"],
        rps=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        errors=errors,
        bytes_per_request=figures["bytes"] / count,
        server_cpu_ms=server_cpu * 1000 / count,
        load_cpu_share=load_cpu / machine_cpu if machine_cpu else 0.0,
    )


def _figures(output: str) -> dict[str, int]:
    line = next((x for x in output.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}


def _warm_up(base: str, endpoint: Endpoint, header: str, workers: int) -> None:
    """Every path of the run once, and at least two requests per worker, all answered before the
    run starts (a wrk warm-up would leave queued requests behind). The runs measure the steady
    state: the pages the product caches (lifecycle.infrastructure.page_cache) are in the cache, as they are
    after one view while nothing changes. What a first view costs is the in-process table."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    name, value = header.split(": ", 1)

    def get(path: str) -> None:
        requests.get(base + path, headers={**PROXY_HEADERS, name: value}, allow_redirects=False, timeout=600)

    with ThreadPoolExecutor(workers) as pool:
        count = max(2 * workers, len(endpoint.paths))
        list(pool.map(get, [endpoint.paths[i % len(endpoint.paths)] for i in range(count)]))


def _drain(base: str) -> None:
    """Wait until the requests wrk left queued are served: sync workers still answer the
    connections wrk closed when it stopped, and they must not slow the next run. The server is
    idle again when /healthz (no database) answers at once three times in a row."""
    import requests

    quick, deadline = 0, time.monotonic() + 900
    while quick < 3 and time.monotonic() < deadline:
        started = time.perf_counter()
        requests.get(base + "/healthz", headers=PROXY_HEADERS, timeout=900)
        quick = quick + 1 if time.perf_counter() - started < 0.1 else 0


def _server_cpu(pid: int) -> float:
    """CPU seconds of gunicorn's master and workers so far."""
    ticks = 0
    for p in process_tree(pid):
        stat = Path(f"/proc/{p}/stat")
        if stat.exists():
            fields = stat.read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far (every core; idle and iowait left out)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _memory(pid: int) -> dict[str, float]:
    workers = [process_peak_mb(p) for p in process_tree(pid)[1:]]
    return {"total": peak_memory_mb(pid), "master": process_peak_mb(pid), "worker": max(workers, default=0.0)}


def _report(results: list[Result], memory: dict[str, float], args: argparse.Namespace) -> None:
    by_label = {r.endpoint.label: r for r in results}
    print()
    print(f"{args.projects:,} projects, {args.connections} connections, {args.workers} sync workers, {args.duration} s per endpoint")
    print(
        f"{'endpoint':<22} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} {'KB/req':>7} "
        f"{'cpu ms':>7} {'wrk cpu':>7} {'rps/base':>8} {'p95/base':>8}"
    )
    for r in results:
        base = by_label[r.endpoint.baseline]
        if not r.requests:
            print(f"{r.endpoint.label:<22} {0:>8} no request answered within the run ({r.errors} errors)")
            continue
        print(
            f"{r.endpoint.label:<22} {r.requests:>8,} {r.rps:>7,.1f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.errors:>6} "
            f"{r.bytes_per_request / 1024:>7.1f} {r.server_cpu_ms:>7.1f} {r.load_cpu_share:>7.0%} {r.rps / base.rps:>8.1%} "
            f"{r.p95_ms / base.p95_ms:>7.1f}x"
        )
    print()
    print(f"gunicorn peak memory   {memory['total']:,.0f} MB   (master {memory['master']:,.0f} MB, biggest worker {memory['worker']:,.0f})")
    print()
    for label, baseline in TARGETS.items():
        r, base = by_label[label], by_label[baseline]
        ratio, p95 = r.rps / base.rps, (r.p95_ms / base.p95_ms if r.requests else float("inf"))
        verdict = "met" if ratio >= 0.25 and p95 <= 10 and r.errors == 0 else "MISSED"
        print(f"target {label:<20} {ratio:>5.0%} of baseline req/s (≥ 25%), p95 {p95:.1f}x baseline (≤ 10x), {r.errors} errors: {verdict}")
    errors = sum(r.errors for r in results)
    print(f"target no errors            {errors} errors in all runs: {'met' if errors == 0 else 'MISSED'}")


def _profile(endpoints: list[Endpoint], slowest: Endpoint, user: User, count: int) -> None:
    """Every endpoint run `count` times in this process, one request at a time, through the same
    middleware: time per request and what it asks the database. Then where the slowest
    endpoint's time goes (cProfile) and its costliest queries."""
    from django.conf import settings

    from lifecycle import services

    # What a first view costs: the page cache would otherwise answer every request but the first.
    settings.PAGE_CACHE_SECONDS = 0
    client = _InProcess(user, services.token_create(user=user, name="bench-profile")[1])
    print()
    print(f"in this process, one request at a time, page cache off ({count} requests each):")
    print(f"{'endpoint':<22} {'ms/req':>8} {'SQL ms':>8} {'queries':>8}")
    for endpoint in endpoints:
        elapsed, queries = client.timed(endpoint, count)
        sql_ms = sum(sum(t) for t in queries.values()) * 1000 / count
        print(f"{endpoint.label:<22} {elapsed * 1000:>8.1f} {sql_ms:>8.1f} {sum(len(t) for t in queries.values()) / count:>8.1f}")

    elapsed, queries = client.timed(slowest, count)
    profiler = cProfile.Profile()
    profiler.enable()
    client.timed(slowest, count)
    profiler.disable()
    print()
    print(f"profile of the slowest endpoint under load, {slowest.label}:")
    print("  queries taking the most time, per request (ms, then mean ms × times per request):")
    ranked = sorted(queries.items(), key=lambda item: -sum(item[1]))
    for sql, times in ranked[:6]:
        print(f"    {sum(times) / count * 1000:7.1f} ms  {sum(times) / len(times) * 1000:6.1f} × {len(times) / count:.1f}  {sql[:300]}")
    if ranked:
        print(f"  the costliest query in full:\n    {ranked[0][0]}")
    for order, lines in (("cumulative", 35), ("tottime", 20)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(lines)
        print(out.getvalue())


class _InProcess:
    """Django's test client against the benchmark database, with the session or the token."""

    def __init__(self, user: User, token: str):
        from django.test import Client

        self.session = Client(SERVER_NAME="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        self.session.force_login(user)
        self.token = Client(SERVER_NAME="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Token {token}")

    def timed(self, endpoint: Endpoint, count: int) -> tuple[float, dict[str, list[float]]]:
        """Seconds per request (after one warm-up request) and each query's durations."""
        from django.db import connection

        client = self.session if endpoint.auth == "session" else self.token
        paths = [endpoint.paths[i % len(endpoint.paths)] for i in range(count)]
        client.get(paths[0])
        queries: dict[str, list[float]] = {}

        def record(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.setdefault(sql, []).append(time.perf_counter() - started)

        with connection.execute_wrapper(record):
            started = time.perf_counter()
            for path in paths:
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"{endpoint.label}: {path} answered {response.status_code} in this process.")
            elapsed = (time.perf_counter() - started) / count
        return elapsed, queries


if __name__ == "__main__":
    RESULTS.mkdir(exist_ok=True)
    main()
