#!/usr/bin/env python
"""Django's command-line utility.

Commands run on a developer's machine (check, makemigrations, shell, tests of one file) need a
secret too: when neither SECRET_KEY nor SECRET_KEY_FILE is set, they use the local development
secret (.dev-secret, created on first use, kept out of git; `make run` uses the same file). The
web server (lifecycle.wsgi, lifecycle.asgi) does not do this: in production it refuses to start
without a secret.
"""

import contextlib
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def dev_secret() -> Path:
    """The local development secret's file, created with a random value on first use."""
    path = ROOT / ".dev-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecycle.settings.base")
    if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
        with contextlib.suppress(OSError):  # a read-only install: the settings say what is missing
            os.environ["SECRET_KEY_FILE"] = str(dev_secret())
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
