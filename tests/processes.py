"""Real processes for fault tests: a private Redis server, the web server (gunicorn), a Celery
worker and beat, all pointed at the test database."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.workers import ROOT, heavy_queue, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=15, message="the private Redis")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Service:
    """A long-running process of the app (web, worker or beat) with its own log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], ready: str = ""):
        self.log_path = ROOT / "test-artifacts" / f"{name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        if ready:
            wait_for(lambda: ready in self.log() or self._died(), timeout=60, message=f"{name} to start")
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.log()}")

    def _died(self) -> bool:
        return self.process.poll() is not None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        import os
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()


def web(env: dict[str, str], port: int, workers: int = 1) -> Service:
    return Service(
        f"web-{port}",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lifecycle.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--timeout",
            "60",
        ],
        env,
        ready="Booting worker",
    )


def worker(env: dict[str, str], name: str) -> Service:
    """A worker on the stack's queues: TEST_QUEUE and the heavy queue beside it."""
    return Service(
        name,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lifecycle",
            "worker",
            "--loglevel",
            "info",
            "--concurrency",
            "1",
            "--queues",
            f"{env['TEST_QUEUE']},{heavy_queue(env['TEST_QUEUE'])}",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        ready=" ready.",
    )


def beat(env: dict[str, str], name: str, schedule: Path) -> Service:
    return Service(
        name,
        [sys.executable, "-m", "celery", "-A", "lifecycle", "beat", "--loglevel", "info", "--schedule", str(schedule)],
        env,
        ready="beat: Starting",
    )


class Browser:
    """A cookie-keeping HTTP client that logs in through the real login form."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, data: dict | None = None, timeout: float = 30) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if method == "POST":
            req.add_header("X-CSRFToken", self.csrf())
            req.add_header("Referer", self.base + "/")
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def login(self, username: str, password: str) -> None:
        _, page = self.request("GET", "/accounts/login/")
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, "the login page has no CSRF token"
        token = found.group(1)
        status, _ = self.request("POST", "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token})
        assert status == 302, f"login failed: {status}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def elapsed(func):
    started = time.monotonic()
    result = func()
    return time.monotonic() - started, result
