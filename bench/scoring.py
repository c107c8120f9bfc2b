"""Scoring benchmark: gates per second through the batch task path on one worker, against no-op
Celery tasks per second on the same worker and broker.

    python bench/scoring.py [--projects 2000] [--noop 3000] [--reuse]

Prints the batch-path rate, the no-op task rate and their ratio (target: at least 1.0, i.e.
scoring a gate in a batch costs less than dispatching an empty task), the pure scoring
function's rate for reference, the input-loading rate, and the worker's peak memory.
"""

from __future__ import annotations

import argparse
import time
import uuid
from pathlib import Path

from common import ROOT, database_name, peak_memory_mb, prepare_database, setup_django, start_worker, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--noop", type=int, default=3000, help="no-op tasks to time")
    parser.add_argument("--database", help="database name (default bench_<projects>)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database when it already has the projects")
    args = parser.parse_args()

    url = prepare_database(args.database or database_name(args.projects), args.projects, reuse=args.reuse)
    queue = f"bench-scoring-{uuid.uuid4().hex[:6]}"
    import os

    os.environ["CELERY_QUEUE"] = queue
    setup_django(url)

    from django.core.cache import cache

    from governance import scoring, tasks
    from governance.models import Assessment, Gate
    from governance.services import readiness
    from lifecycle.tasks import echo_task

    log = ROOT / "bench" / "results" / "scoring-worker.log"
    log.parent.mkdir(exist_ok=True)
    worker = start_worker(url, queue, log)
    try:
        noop_rate = _noop_rate(args.noop, tasks.noop_task, echo_task, cache)
        gate_ids = [str(g) for g in Gate.objects.values_list("pk", flat=True)]
        batch_rate, new = _batch_rate(gate_ids, tasks.gates_rescore_batch_task, Gate, Assessment)
        memory = peak_memory_mb(worker.pid)
    finally:
        stop(worker)
    load_rate, pure_rate = _pure_rate(gate_ids, readiness, scoring, Gate)

    print()
    print(f"gates                          {len(gate_ids):>10,}   ({args.projects:,} projects; {new:,} assessments written)")
    print(f"batch task path                {batch_rate:>10,.0f} gates/s   (batches of {readiness.BATCH_SIZE}, one worker)")
    print(f"no-op tasks                    {noop_rate:>10,.0f} tasks/s")
    print(f"ratio (batch ÷ no-op)          {batch_rate / noop_rate:>10.2f}        target ≥ 1.0")
    print(f"input loading (in process)     {load_rate:>10,.0f} gates/s")
    print(f"pure scoring function          {pure_rate:>10,.0f} gates/s")
    print(f"worker peak memory             {memory:>10,.0f} MB   (main process and pool)")


def _noop_rate(count: int, noop, echo, cache) -> float:
    """Send `count` no-op tasks, then a marker; the single worker runs them in order."""
    from lifecycle.services.housekeeping import HEARTBEAT_KEY

    cache.delete(HEARTBEAT_KEY)
    started = time.perf_counter()
    for _ in range(count):
        noop.delay()
    echo.delay("marker")
    while cache.get(HEARTBEAT_KEY) is None:
        time.sleep(0.02)
    return count / (time.perf_counter() - started)


def _batch_rate(gate_ids: list[str], batch_task, Gate, Assessment) -> tuple[float, int]:  # noqa: N803
    from governance.services.readiness import BATCH_SIZE

    before = Assessment.objects.count()
    Gate.objects.update(stale=True, rescore_queued_at=None)
    started = time.perf_counter()
    for start in range(0, len(gate_ids), BATCH_SIZE):
        batch_task.delay(gate_ids[start : start + BATCH_SIZE])
    while Gate.objects.filter(stale=True).exists():
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    return len(gate_ids) / elapsed, Assessment.objects.count() - before


def _pure_rate(gate_ids: list[str], readiness, scoring, Gate) -> tuple[float, float]:  # noqa: N803
    gates = list(Gate.objects.filter(pk__in=gate_ids).select_related("phase", "template"))
    started = time.perf_counter()
    loaded = {}
    for start in range(0, len(gates), readiness.BATCH_SIZE):
        loaded.update(readiness.gate_inputs_load(gates[start : start + readiness.BATCH_SIZE]))
    load_rate = len(gates) / (time.perf_counter() - started)
    started = time.perf_counter()
    for inputs, criteria, threshold in loaded.values():
        scoring.score_gate(inputs, criteria, threshold)
        scoring.fingerprint(inputs, criteria, threshold)
    return load_rate, len(gates) / (time.perf_counter() - started)


if __name__ == "__main__":
    Path(ROOT / "bench" / "results").mkdir(exist_ok=True)
    main()
