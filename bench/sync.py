"""Sync benchmark: a REST client's full sync, then incremental syncs of 100 changes, at two sizes.

    python bench/sync.py [--projects 1000 10000] [--reuse] [--rounds 5]

For each size (database `bench_<projects>`), starts gunicorn on loopback and, as a portfolio
viewer (sees every project) with a token from the token endpoint, times:

- full sync, project list: every page of `/api/v1/projects/?page_size=200`, following `next`;
- full sync, change feed: `/api/v1/changes/?since=0&page_size=200` until `next` is null, the way
  README's "Keeping a copy in sync" does it, keeping `last_seq`;
- incremental sync: 100 projects edited through `lifecycle.services.project_update` in this
  process, then the feed read from the kept position plus one GET of each changed resource.
  Repeated `--rounds` times; the median round is printed.

Each figure is wall time, requests, and bytes on the wire (gzip, as a client asks for it). The
target: the incremental sync costs the same at both sizes (ratio near 1.0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from common import (
    PROXY_HEADERS,
    ROOT,
    api_token,
    bench_user,
    database_name,
    isolate_queue,
    prepare_database,
    purge_queue,
    setup_django,
    start_server,
    stop,
)

if TYPE_CHECKING:
    from lifecycle.models import User

RESULTS = ROOT / "bench" / "results"
PAGE = 200


@dataclass
class Cost:
    seconds: float = 0.0
    requests: int = 0
    wire_bytes: int = 0
    items: int = 0


class Client:
    """GETs with the token, counting requests and body bytes as they arrive (compressed)."""

    def __init__(self, base: str, token: str):
        import requests

        self.base = base
        self.session = requests.Session()
        self.session.headers.update({**PROXY_HEADERS, "Authorization": f"Token {token}", "Accept-Encoding": "gzip"})

    def get(self, url: str, cost: Cost) -> dict:
        # `next` links are absolute https:// URLs (the proxy's scheme): keep the path and query.
        url = self.base + url[url.index("/", 8) :] if url.startswith("http") else self.base + url
        response = self.session.get(url, allow_redirects=False, timeout=120)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: {response.status_code} {response.text[:300]}")
        cost.requests += 1
        cost.wire_bytes += response.raw.tell()
        return response.json()

    def pages(self, url: str, cost: Cost) -> dict:
        """Follow `next` from `url`; returns the last page."""
        started = time.perf_counter()
        while url:
            page = self.get(url, cost)
            cost.items += len(page["results"])
            url = page["next"]
        cost.seconds += time.perf_counter() - started
        return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--reuse", action="store_true", help="reuse each database when it already has the projects")
    parser.add_argument("--changes", type=int, default=100, help="changes per incremental sync")
    parser.add_argument("--rounds", type=int, default=5, help="incremental syncs per size (the median is printed)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size, print JSON
    args = parser.parse_args()

    if args.one:
        print("RESULT " + json.dumps(_measure(args.one, args)))
        return
    figures = {}
    for projects in args.projects:
        command = [sys.executable, __file__, "--one", str(projects), "--changes", str(args.changes), "--rounds", str(args.rounds)]
        run = subprocess.run([*command, *(["--reuse"] if args.reuse else [])], capture_output=True, text=True, cwd=ROOT / "bench")
        line = next((x for x in run.stdout.splitlines() if x.startswith("RESULT ")), None)
        if run.returncode or line is None:
            raise SystemExit(f"{projects} projects failed:\n{run.stdout}\n{run.stderr}")
        figures[projects] = json.loads(line[len("RESULT ") :])
        print(f"  {projects:,} projects measured", flush=True)
    _report(figures, args)


def _measure(projects: int, args: argparse.Namespace) -> dict:
    url = prepare_database(database_name(projects), projects, reuse=args.reuse)
    queue = isolate_queue("bench-sync")
    setup_django(url)
    user = bench_user()
    server, base = start_server(url, RESULTS / "sync-gunicorn.log")
    try:
        client = Client(base, api_token(base))
        project_list = Cost()
        client.pages(f"/api/v1/projects/?page_size={PAGE}", project_list)
        feed = Cost()
        position = client.pages(f"/api/v1/changes/?since=0&page_size={PAGE}", feed)["last_seq"]
        rounds = []
        for number in range(args.rounds):
            _change(args.changes, user, number)
            cost = Cost()
            position = _incremental(client, position, cost)
            rounds.append(cost)
    finally:
        stop(server)
        purge_queue(queue)
    median = sorted(rounds, key=lambda c: c.seconds)[len(rounds) // 2]
    return {
        "project_list": asdict(project_list),
        "feed": asdict(feed),
        "incremental": asdict(median),
        "incremental_seconds": [c.seconds for c in rounds],
    }


def _change(count: int, user: User, number: int) -> None:
    """`count` projects edited through the service, each in its own transaction, as users would."""
    from lifecycle import services
    from lifecycle.models import Project

    ids = list(Project.objects.filter(deleted_at=None).exclude(status=Project.Status.KILLED).order_by("pk").values_list("pk", flat=True))
    # The text names the run too: an edit that repeats an earlier run's text changes nothing, and
    # the feed (rightly) has nothing to say about it.
    run = time.strftime("%Y-%m-%d %H:%M:%S")
    for pk in random.Random(number).sample(ids, count):
        project = Project.objects.get(pk=pk)
        services.project_update(project=project, actor=user, description=f"Edited by the sync benchmark, run {run}, round {number}.")


def _incremental(client: Client, since: int, cost: Cost) -> int:
    """The feed from `since`, then each changed resource fetched once; returns the new position."""
    started = time.perf_counter()
    url, changed = f"/api/v1/changes/?since={since}&page_size={PAGE}", {}
    while url:
        page = client.get(url, cost)
        for change in page["results"]:
            changed[(change["type"], change["id"])] = change
        since, url = page["last_seq"], page["next"]
    cost.items = len(changed)
    for (kind, pk), change in changed.items():
        if change["op"] == "upsert" and kind == "project":
            client.get(f"/api/v1/projects/{pk}/", cost)
    cost.seconds = time.perf_counter() - started
    return since


def _report(figures: dict[int, dict], args: argparse.Namespace) -> None:
    sizes = sorted(figures)
    print()
    print(f"{'':<34}" + "".join(f"{n:>14,} projects" for n in sizes))
    rows = [
        ("full sync, project list", "project_list", "projects"),
        ("full sync, change feed from 0", "feed", "changes"),
        (f"incremental sync, {args.changes} changes", "incremental", "resources"),
    ]
    for label, key, unit in rows:
        print(label)
        print("  time" + " " * 30 + "".join(f"{figures[n][key]['seconds']:>21.2f} s" for n in sizes))
        print("  requests" + " " * 26 + "".join(f"{figures[n][key]['requests']:>23,}" for n in sizes))
        print("  bytes on the wire" + " " * 17 + "".join(f"{figures[n][key]['wire_bytes'] / 1024:>20,.0f} KB" for n in sizes))
        print(f"  {unit:<32}" + "".join(f"{figures[n][key]['items']:>23,}" for n in sizes))
    if len(sizes) >= 2:
        small, large = figures[sizes[0]]["incremental"], figures[sizes[-1]]["incremental"]
        ratio = large["seconds"] / small["seconds"]
        same = large["requests"] == small["requests"] and abs(large["wire_bytes"] - small["wire_bytes"]) < 0.1 * small["wire_bytes"]
        verdict = "met" if ratio <= 1.5 and same else "MISSED"
        print()
        print(
            f"incremental cost at {sizes[-1]:,} ÷ at {sizes[0]:,}: time {ratio:.2f}x, requests "
            f"{large['requests']} vs {small['requests']}, bytes {large['wire_bytes'] / small['wire_bytes']:.2f}x "
            f"(target: does not grow with the projects): {verdict}"
        )
    for n in sizes:
        rounds = ", ".join(f"{s * 1000:.0f}" for s in figures[n]["incremental_seconds"])
        print(f"incremental rounds at {n:,} projects: {rounds} ms")


if __name__ == "__main__":
    RESULTS.mkdir(exist_ok=True)
    os.chdir(ROOT / "bench")
    main()
