"""A real Celery worker process for tests of background work.

The worker runs the project's own code against the test database (committed data only, so the
tests that use it are transactional) and the test process's own queues on the local Redis: the
default one and the heavy one beside it (reports and other file-building tasks), unless a test
names the queues a worker takes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def heavy_queue(queue: str) -> str:
    """The heavy queue beside `queue`, named as lifecycle/settings/test.py names it."""
    return f"{queue}-heavy"


def worker_env(**overrides: str) -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lifecycle.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "TEST_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "TEST_CACHE_URL": settings.CACHES["default"]["LOCATION"],
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


class WorkerProcess:
    def __init__(
        self,
        *,
        name: str = "w1",
        concurrency: int = 1,
        env: dict[str, str] | None = None,
        log: Path | None = None,
        queue: str | None = None,
        include: str = "",
        queues: Sequence[str] | None = None,
    ):
        """`queue` is the worker's default queue (the test process's when None); it consumes that
        queue and its heavy queue, or only `queues` when given."""
        self.name = name
        queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
        self.queues = list(queues) if queues else [queue, heavy_queue(queue)]
        self.log_path = log or ROOT / "test-artifacts" / f"worker-{queue}-{name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lifecycle",
            "worker",
            "--loglevel",
            "info",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"{name}-{queue}@%h",
            "--queues",
            ",".join(self.queues),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *(["--include", include] if include else []),
        ]
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env or worker_env(), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log()}")
            if " ready." in self.log():
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the whole process group (main process and pool children)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def purge_queue() -> None:
    """Drop what waits in the test process's queues, the default one and the heavy one."""
    from lifecycle.celery import app

    with app.connection_for_write() as conn:
        for queue in (settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_HEAVY_QUEUE):
            conn.default_channel.queue_purge(queue)


def wait_for(predicate, timeout: float = 30, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
