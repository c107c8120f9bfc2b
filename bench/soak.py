"""The soak for longer: the load of tests/soak (nine clients through the API and the HTML forms,
gunicorn with two workers, two Celery workers, beat) on a database of its own, for --seconds
(default 600). Prints requests, answers by status, p50/p95 latency by kind of request, retries
taken after transient conflicts, and the deadlocks PostgreSQL detected (log_lock_waits is turned on
for the run and the server log is searched for "deadlock detected"). Then it checks what the soak
test checks: no write lost, the feed exact, the audit chain intact, workers caught up.

    ../.venv/bin/python soak.py                 # 10 minutes
    ../.venv/bin/python soak.py --seconds 120   # a quick run
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import ROOT, create_database, psql

DATABASE = "bench_soak"


def server_log() -> Path | None:
    candidates = sorted(glob.glob("/var/log/postgresql/postgresql-*-main.log"), key=os.path.getmtime)
    return Path(candidates[-1]) if candidates else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--database", default=DATABASE)
    args = parser.parse_args()

    url = create_database(args.database)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "lifecycle.settings.test", "DATABASE_URL": url, "SECRET_KEY": "bench-only"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from lifecycle import services as lifecycle_services
    from tests.receiver import Receiver
    from tests.soak import harness

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    lock_waits_before = psql(admin_url, "SHOW log_lock_waits")
    psql(admin_url, "ALTER SYSTEM SET log_lock_waits = on")
    psql(admin_url, "SELECT pg_reload_conf()")
    log = server_log()
    log_offset = log.stat().st_size if log else 0

    receiver = Receiver().start()
    settings.WEBHOOK_ALLOWED_TARGETS = [receiver.address]
    stack = harness.Stack(receiver, Path(tempfile.mkdtemp()))
    try:
        world = harness.World.create(receiver)
        deadlocks_before = harness.deadlocks()
        print(f"load: {len(harness.CLIENTS)} clients on {harness.PROJECTS} projects for {args.seconds} s", flush=True)
        with harness.Load(world, stack.base) as load:
            time.sleep(args.seconds)
        settle = harness.wait_settled(world, timeout=120)
        answers = load.answers
        lost = harness.lost_writes(answers)
        feed = harness.feed_problems(harness.Client("feed-reader", load, world.admin))
        chain = lifecycle_services.audit_chain_verify()
        retries = harness.retries_logged(stack)
        deadlocks_stat = harness.deadlocks() - deadlocks_before
    finally:
        stack.stop()
        receiver.stop()
        psql(admin_url, f"ALTER SYSTEM SET log_lock_waits = {lock_waits_before or 'off'}")
        psql(admin_url, "SELECT pg_reload_conf()")

    # Only this run's database: the server is shared with other runs.
    logged = "\n".join(
        line for line in (log.read_text(errors="replace")[log_offset:] if log else "").splitlines() if f"@{args.database} " in line
    )
    elapsed = load.stopped - load.started
    latencies = defaultdict(list)
    for a in answers:
        latencies[a.kind].append(a.seconds)
    every = [a.seconds for a in answers]
    print(f"\nrequests: {len(answers)} in {elapsed:.0f} s ({len(answers) / elapsed:.1f}/s)")
    print("answers by status:", dict(sorted(Counter(a.status for a in answers).items())))
    print(f"latency, all requests: p50 {harness.percentile(every, 50) * 1000:.0f} ms, p95 {harness.percentile(every, 95) * 1000:.0f} ms")
    print(f"{'kind':<18} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, values in sorted(latencies.items()):
        print(f"{kind:<18} {len(values):>6} {harness.percentile(values, 50) * 1000:>8.0f} {harness.percentile(values, 95) * 1000:>8.0f}")
    print(f"retries after transient conflicts: {retries}")
    print(f"deadlocks: {deadlocks_stat} (pg_stat_database), {logged.count('deadlock detected')} 'deadlock detected' in the server log")
    print(f"lock waits logged (over deadlock_timeout): {logged.count('still waiting for')}")
    print(f"5xx answers: {sum(1 for a in answers if a.status >= 500)}; lost or phantom writes: {len(lost)}")
    print(f"feed: {feed or 'exact'}; audit chain: {'intact' if chain.ok else chain.problem}; settled {settle:.0f} s after the load")
    for problem in lost[:10]:
        print("  ", problem)


if __name__ == "__main__":
    main()
