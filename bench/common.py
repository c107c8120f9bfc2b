"""Shared helpers of the benchmarks: a throwaway PostgreSQL database, Django set up against it,
the generator, and real worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def database_url(name: str) -> str:
    return f"{PG}/{name}"


def prepare_database(name: str, projects: int, *, reuse: bool) -> str:
    """A database with `projects` generated projects (reused when it already has them)."""
    url = database_url(name)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only")}
    exists = subprocess.run(
        ["psql", PG + "/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"], capture_output=True, text=True
    ).stdout.strip()
    if exists and reuse:
        count = subprocess.run(
            ["psql", url, "-tAc", "SELECT count(*) FROM lifecycle_project"], capture_output=True, text=True
        ).stdout.strip()
        if count.isdigit() and int(count) >= projects:
            print(f"Reusing {name}: {count} projects.")
            return url
    subprocess.run(["psql", PG + "/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", PG + "/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "generate_demo_data", "--projects", str(projects)], cwd=ROOT, env=env, check=True)
    print(f"Generated {projects} projects in {time.monotonic() - started:.0f}s.")
    return url


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecycle.settings")
    os.environ.setdefault("LOG_FORMAT", "text")
    import django

    django.setup()


def start_worker(url: str, queue: str, log: Path, concurrency: int = 1) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "CELERY_QUEUE": queue, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only")}
    handle = log.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lifecycle",
            "worker",
            "--loglevel",
            "warning",
            "--concurrency",
            str(concurrency),
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    time.sleep(4)
    return process


def stop(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def peak_memory_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        status = Path(f"/proc/{p}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total / 1024
