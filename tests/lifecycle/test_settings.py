"""Settings come from the environment with safe production defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "DATABASE_URL")}
    clean.update(env)
    code = "import lifecycle.settings.base as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.DATABASES['default']['ENGINE'])"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_it_refuses_to_start_without_a_secret_key():
    result = _load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_defaults_to_production_safety_when_a_secret_is_given():
    result = _load_settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    # DEBUG off and secure cookies unless told otherwise; SQLite when no DATABASE_URL.
    assert result.stdout.split() == ["False", "True", "django.db.backends.sqlite3"]


def test_it_reads_the_secret_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("y" * 50)
    result = _load_settings(SECRET_KEY_FILE=str(secret), DEBUG="1", DATABASE_URL="postgres://u@127.0.0.1:5432/db")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "django.db.backends.postgresql"]


def test_it_refuses_a_malformed_boolean():
    result = _load_settings(SECRET_KEY="x" * 50, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_it_configures_sqlite_for_sharing_between_processes(settings):
    from lifecycle.settings import base as module

    os.environ.pop("DATABASE_URL_UNUSED", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import lifecycle.settings.base as s; o=s.DATABASES['default']['OPTIONS'];"
            "print(o['transaction_mode'], o['timeout'], 'WAL' in o['init_command'])",
        ],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, "SECRET_KEY": "z" * 50},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["IMMEDIATE", "20", "True"]
    assert module.BASE_DIR == ROOT


def test_management_commands_use_the_local_development_secret_but_the_web_server_refuses():
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_SETTINGS_MODULE")}
    check = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    assert (ROOT / ".dev-secret").stat().st_mode & 0o077 == 0  # readable by its owner only
    server = subprocess.run(
        [sys.executable, "-c", "import lifecycle.wsgi"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
    assert server.returncode != 0
    assert "SECRET_KEY is not set" in server.stderr
