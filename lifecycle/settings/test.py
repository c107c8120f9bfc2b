"""Settings for the test suite: the real settings, with test defaults in the environment.

Each pytest-xdist worker gets its own Celery queue and its own Redis database for the cache, so
parallel workers never consume each other's tasks or see each other's cached counters.
"""

import os

_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_index = int(_worker.removeprefix("gw") or 0) if _worker.removeprefix("gw").isdigit() else 0

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lifecycle")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_FORMAT", "text")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")

from lifecycle.settings.base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False  # the test client and the live server speak plain HTTP
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = BASE_DIR / "test-artifacts" / f"media-{_worker}"  # noqa: F405
# Not through os.environ: pytest's controller process imports these settings before it starts
# the xdist workers, which would inherit its values. Worker processes started by tests pass
# TEST_QUEUE and TEST_CACHE_URL explicitly.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_QUEUE") or f"tests-{_worker}"
# The heavy queue follows the default one (tests/workers.py derives it the same way), so a worker
# started for a test's own queue also has its own heavy queue.
CELERY_HEAVY_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-heavy"
CELERY_TASK_ROUTES = {name: {"queue": CELERY_HEAVY_QUEUE} for name in HEAVY_TASKS}  # noqa: F405
CACHES["default"]["LOCATION"] = os.environ.get("TEST_CACHE_URL") or f"redis://127.0.0.1:6379/{10 + _index}"  # noqa: F405
# Deliveries reach only a test's own receiver, whatever a test (or a fuzzer) registers: tests
# add their receiver's address to WEBHOOK_ALLOWED_TARGETS; worker processes get it from the
# environment.
WEBHOOK_ALLOW_PUBLIC_TARGETS = False
# Many tests change rows directly, outside the services; the page cache's own tests turn it on.
PAGE_CACHE_SECONDS = 0
WEBHOOK_ALLOWED_TARGETS = [t for t in os.environ.get("TEST_WEBHOOK_TARGETS", "").split(",") if t]
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("TEST_WEBHOOK_RETRY_BASE", "0.2"))
