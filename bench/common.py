"""Shared helpers of the benchmarks: a throwaway PostgreSQL database, Django set up against it,
the generator, and real worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from kombu.transport.virtual import Channel

    from lifecycle.models import User

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def database_url(name: str) -> str:
    return f"{PG}/{name}"


def database_name(projects: int) -> str:
    """The default database of a size: every script reuses the one built for that many projects."""
    return f"bench_{projects}"


def bench_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a subprocess (manage.py, gunicorn, a worker) against the database."""
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"), **extra}


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True).stdout.strip()


def project_count(name: str) -> int | None:
    """Projects in the database, or None when it does not exist or has no schema yet."""
    if not psql(PG + "/postgres", f"SELECT 1 FROM pg_database WHERE datname='{name}'"):
        return None
    count = psql(database_url(name), "SELECT count(*) FROM lifecycle_project")
    return int(count) if count.isdigit() else None


def create_database(name: str) -> str:
    """An empty, migrated database (dropped first when it exists)."""
    url = database_url(name)
    subprocess.run(["psql", PG + "/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", PG + "/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=bench_env(url), check=True)
    return url


def generate(url: str, projects: int, *, profile: Path | None = None) -> float:
    """Run `manage.py generate_demo_data` (under cProfile when `profile` names an output file);
    returns the wall time in seconds. The caller runs `analyze` next."""
    command = [sys.executable, "manage.py", "generate_demo_data", "--projects", str(projects)]
    if profile:
        command[1:1] = ["-m", "cProfile", "-o", str(profile)]
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=bench_env(url), check=True)
    return time.monotonic() - started


def analyze(url: str) -> float:
    """ANALYZE the database after a bulk load; returns the seconds it took. Without statistics the
    planner takes the freshly loaded tables for empty ones (this server runs without autovacuum)."""
    started = time.monotonic()
    subprocess.run(["psql", url, "-qc", "ANALYZE"], check=True)
    return time.monotonic() - started


def prepare_database(name: str, projects: int, *, reuse: bool) -> str:
    """A database with `projects` generated projects (reused when it already has them)."""
    count = project_count(name)
    if reuse and count is not None and count >= projects:
        print(f"Reusing {name}: {count} projects.")
        return database_url(name)
    url = create_database(name)
    elapsed = generate(url, projects)
    print(f"Generated {projects} projects in {elapsed:.0f}s (ANALYZE {analyze(url):.0f}s).")
    return url


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecycle.settings.base")
    os.environ.setdefault("LOG_FORMAT", "text")
    import django

    django.setup()


def start_worker(url: str, queue: str, log: Path, concurrency: int = 1) -> subprocess.Popen:
    env = bench_env(url, CELERY_QUEUE=queue)
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


def process_tree(pid: int) -> list[int]:
    """A process and its children (a worker's pool, gunicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid] + ([int(p) for p in children.read_text().split()] if children.exists() else [])


def process_peak_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of one process, in MB (0 when it is gone)."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_memory_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    return sum(process_peak_mb(p) for p in process_tree(pid))


# The HTTP benchmarks: gunicorn on loopback with the bench settings, and a user who sees every
# project (a portfolio viewer, as a PMO dashboard or a syncing REST client would be).

BENCH_SETTINGS = "lifecycle.settings.bench"
BENCH_USER = "bench-pmo"
BENCH_PASSWORD = "bench-password-not-secret"
STATIC_ROOT = ROOT / "bench" / "results" / "staticfiles"


# Production serves HTTPS through a TLS-terminating proxy; on loopback the clients send the
# proxy's header, so the server runs with its production security settings (HTTPS redirect on).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def server_env(url: str) -> dict[str, str]:
    return bench_env(url, DJANGO_SETTINGS_MODULE=BENCH_SETTINGS, STATIC_ROOT=str(STATIC_ROOT), BEHIND_TLS_PROXY="true")


def collect_static(url: str) -> None:
    """The hashed static files production serves (DEBUG is off), collected once."""
    if not (STATIC_ROOT / "staticfiles.json").exists():
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=server_env(url), check=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, log: Path, workers: int = 3) -> tuple[subprocess.Popen, str]:
    """gunicorn as the Procfile runs it (sync workers), on a free loopback port, once it answers."""
    import urllib.request

    collect_static(url)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lifecycle.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT,
        env=server_env(url),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return process, base
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {log}") from None
            time.sleep(0.1)
    stop(process)
    raise SystemExit(f"gunicorn did not answer on {base}; see {log}")


def bench_user() -> User:
    """The benchmark's user, a portfolio viewer (sees every project), with no live tokens left
    from earlier runs (a user may hold only a few)."""
    from django.contrib.auth.models import Group

    from lifecycle import services
    from lifecycle.models import ApiToken, User
    from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP

    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = User.objects.create_user(username=BENCH_USER, email="bench-pmo@bench.example", password=BENCH_PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=PORTFOLIO_VIEWERS_GROUP)[0])
    for token in ApiToken.objects.filter(user=user, revoked_at=None):
        services.token_revoke(token=token, actor=user)
    return user


def api_token(base: str) -> str:
    """A token from the product's token endpoint."""
    import requests

    response = requests.post(
        base + "/api/v1/auth/token/",
        json={"username": BENCH_USER, "password": BENCH_PASSWORD, "name": "bench"},
        headers=PROXY_HEADERS,
        allow_redirects=False,
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["token"]


def session_cookie(base: str) -> str:
    """The Cookie header of a session opened through the login form (the cookies are marked
    Secure, so they are carried by hand over the plain-HTTP loopback)."""
    import re

    import requests

    page = requests.get(base + "/accounts/login/", headers=PROXY_HEADERS, allow_redirects=False, timeout=30)
    page.raise_for_status()
    csrf = page.cookies["csrftoken"]
    field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if field is None:
        raise SystemExit("The login page has no CSRF field.")
    response = requests.post(
        base + "/accounts/login/",
        data={"username": BENCH_USER, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": field.group(1)},
        headers={**PROXY_HEADERS, "Cookie": f"csrftoken={csrf}", "Referer": base.replace("http:", "https:") + "/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302 or "sessionid" not in response.cookies:
        raise SystemExit(f"Login failed: {response.status_code}.")
    return f"sessionid={response.cookies['sessionid']}; csrftoken={response.cookies.get('csrftoken', csrf)}"


def isolate_queue(prefix: str) -> str:
    """A queue of this run only, for the tasks the processes started from here enqueue (set
    before Django is set up and before any server starts): they never reach other workers."""
    import uuid

    queue = f"{prefix}-{uuid.uuid4().hex[:6]}"
    os.environ["CELERY_QUEUE"] = queue
    return queue


def purge_queue(queue: str) -> None:
    """Drop what is left in the run's queue (nothing consumes it)."""
    from lifecycle.celery import app

    with app.connection_for_write() as connection:
        # The broker is Redis, whose channel is one of kombu's virtual channels.
        cast("Channel", connection.default_channel).queue_purge(queue)
