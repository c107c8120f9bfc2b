"""`make run`: the product in development mode, with demo data.

1. Creates a local development secret on first run (.dev-secret, kept out of git) and turns
   DEBUG on.
2. Uses DATABASE_URL when set, else SQLite in the project folder.
3. Decides once, now, how background work runs: when Redis answers at REDIS_URL, real Celery
   workers (one on the default queue, one on the heavy queue of reports: Procfile.dev) and beat
   start beside the web server; otherwise tasks run in the web process right after commit, and it
   says so.
4. Migrates, loads the demo data (a second run changes nothing) and prints the demo logins.
5. Serves http://127.0.0.1:8000 until Ctrl-C, which stops everything it started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from manage import dev_secret  # noqa: E402 - the project folder is on the path only now


def redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1) as sock:
            if parsed.password:
                sock.sendall(f"AUTH {parsed.password}\r\n".encode())
                sock.recv(64)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def manage(*args: str, env: dict) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY_FILE"] = str(dev_secret())
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    redis_url = env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    use_worker = redis_answers(redis_url)
    if not use_worker:
        env["TASKS_IN_PROCESS"] = "1"

    database = env.get("DATABASE_URL") or f"SQLite ({ROOT / 'db.sqlite3'})"
    print(f"Database: {database}")
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("seed_demo", env=env)
    manage("collectstatic", "--no-input", "-v", "0", env=env)

    if use_worker:
        print(f"Background work: Celery workers (default and heavy queues) and beat on Redis at {redis_url}.")
        command = [str(BIN / "honcho"), "-f", "Procfile.dev", "start"]
    else:
        print(
            f"Background work: no Redis answers at {redis_url}, so tasks run in the web process right "
            "after each commit (no worker, no beat schedule). Start Redis and rerun for the full setup."
        )
        command = [str(BIN / "python"), "manage.py", "runserver", "127.0.0.1:8000"]
    print("Open http://127.0.0.1:8000 — Ctrl-C stops everything.\n", flush=True)
    try:
        return subprocess.call(command, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
