"""Settings, read from the environment.

Every value has a safe production default (DEBUG off, secure cookies when DEBUG is off) and the
helpers below refuse malformed values loudly at start-up instead of guessing. `make run` turns
on development mode (DEBUG, a local secret, SQLite when no DATABASE_URL is given).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def envsecret(name: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {e}") from None
    return os.environ.get(name, "")


DEBUG = envbool("DEBUG", False)

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value; "
        "`make run` creates a local development secret for you."
    )

ALLOWED_HOSTS = [h.strip() for h in envstr("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in envstr("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = envstr("SITE_NAME", "GenAI Lifecycle")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "lifecycle",
    "phases",
    "governance",
]

MIDDLEWARE = [
    "lifecycle.infrastructure.metrics.MetricsMiddleware",
    "lifecycle.infrastructure.middleware.RequestIdMiddleware",
    # Sessions, tokens and caches: `Cache-Control: private, no-store` on every response to a
    # signed-in user; outside the middleware below, so that it also marks the error bodies that
    # ApiErrorMiddleware substitutes.
    "lifecycle.infrastructure.middleware.PrivateCacheControlMiddleware",
    # Near the outside: it turns every error response under /api/ into the JSON error body,
    # also those of the middleware below it (a bad Host header, a request too large).
    "lifecycle.infrastructure.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lifecycle.infrastructure.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads the request: a request line or a body over the limit is refused.
    "lifecycle.infrastructure.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lifecycle.infrastructure.middleware.StrongETagGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lifecycle.infrastructure.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lifecycle.infrastructure.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "lifecycle.urls"
WSGI_APPLICATION = "lifecycle.wsgi.application"
ASGI_APPLICATION = "lifecycle.asgi.application"
AUTH_USER_MODEL = "lifecycle.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = None  # show registration/logged_out.html

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lifecycle.views.navigation.site",
            ],
            "builtins": ["lifecycle.templatetags.lifecycle_tags", "template_partials.templatetags.partials"],
        },
    },
]

# Database: PostgreSQL in production and tests; SQLite in the project folder as the embedded
# default. SQLite runs in WAL mode with immediate transactions and a busy timeout so that the web
# server, a worker and beat can share the file without "database is locked" errors.
DATABASE_URL = envstr("DATABASE_URL")
DATABASES: dict[str, Any]
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No statement waits longer than this for a row lock: past it PostgreSQL aborts with
    # lock_not_available, the service call is retried (lifecycle.locks) and, when every attempt
    # times out, the request answers 503. 0 turns it off. Behind PgBouncer in transaction mode,
    # set it on the database role instead (ALTER ROLE ... SET lock_timeout) and put 0 here.
    DB_LOCK_TIMEOUT_MS = envint("DB_LOCK_TIMEOUT_MS", 3000)
    if DB_LOCK_TIMEOUT_MS and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c lock_timeout={DB_LOCK_TIMEOUT_MS}"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / envstr("SQLITE_NAME", "db.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the Celery broker and the cache. With TASKS_IN_PROCESS (what `make run` sets when no
# Redis answers), tasks run in the web process right after commit and the cache is local memory.
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
TASKS_IN_PROCESS = envbool("TASKS_IN_PROCESS", False)

CACHES: dict[str, dict[str, Any]]
if TASKS_IN_PROCESS:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "lifecycle.infrastructure.cache.ResilientRedisCache",
            "LOCATION": envstr("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "lc"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = TASKS_IN_PROCESS
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_QUEUE", "default")
# Enqueueing must never hang a request when the broker is down: fail fast, keep the change saved,
# and let the beat sweep catch up when the broker returns.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker dies before acknowledging it goes back to the queue after the visibility
# timeout. Only idempotent tasks acknowledge late (acks_late and reject_on_worker_lost are set per
# task, not here): a redelivered reminder or e-mail would be sent twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
    # How often unacknowledged messages of lost workers are looked for (seconds × calls).
    "unacked_restore_interval": envint("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": envint("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "max_retries": 0,
}
# Periodic work: each entry names a thin *_task that calls one service (task names are strings, so
# the settings import no app code).
CELERY_BEAT_SCHEDULE: dict = {
    "housekeeping": {"task": "lifecycle.tasks.housekeeping_task", "schedule": 3600.0},
    "risk-acceptances-expire": {"task": "governance.tasks.risk_acceptances_expire_task", "schedule": 3600.0},
    "post-launch-schedule": {"task": "governance.tasks.post_launch_schedule_task", "schedule": 3600.0},
    "gates-sweep": {"task": "governance.tasks.gates_sweep_task", "schedule": float(envint("GATE_SWEEP_SECONDS", 60))},
    "review-reminders": {"task": "governance.tasks.reviews_remind_task", "schedule": 3600.0},
    "gates-nightly": {"task": "governance.tasks.gates_rescore_all_task", "schedule": crontab(hour=3, minute=0)},
    "webhooks-sweep": {"task": "governance.tasks.webhooks_sweep_task", "schedule": float(envint("WEBHOOK_SWEEP_SECONDS", 60))},
    "job-files-expire": {"task": "lifecycle.tasks.job_files_expire_task", "schedule": 3600.0},
}

# --- Heavy work: its own queue and its own worker -------------------------------------------------
# Tasks that build (or remove) files take seconds to minutes each. On the default queue a flood of
# report requests would sit in front of readiness scoring, e-mails and webhook deliveries, so they
# go to CELERY_HEAVY_QUEUE, consumed by a worker of its own (`-Q heavy` in the Procfile and
# docker-compose.yml); the default worker takes `-Q default` (CELERY_QUEUE). Whoever changes either
# queue name changes the workers' -Q to match. The test settings derive both per test process.
CELERY_HEAVY_QUEUE = envstr("CELERY_HEAVY_QUEUE", "heavy")
HEAVY_TASKS = (
    "governance.tasks.report_job_task",
    "lifecycle.tasks.audit_verify_job_task",
    "lifecycle.tasks.job_files_expire_task",
)
CELERY_TASK_ROUTES = {name: {"queue": CELERY_HEAVY_QUEUE} for name in HEAVY_TASKS}
# How long the file a job produced (a governance report's PDF) is kept after the job finished; an
# hourly beat task removes older ones and marks their jobs expired (lifecycle.services.jobs).
REPORT_FILE_RETENTION_DAYS = envint("REPORT_FILE_RETENTION_DAYS", 7)
# The project page and the project list API are cached per user until any change (or this many
# seconds, for text that depends on the clock): lifecycle.infrastructure.page_cache. 0 turns the cache off.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 60)
# A rescore waits this long before running, so a burst of changes is scored once.
GATE_RESCORE_DELAY_SECONDS = float(envstr("GATE_RESCORE_DELAY_SECONDS", "1"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions, tokens and caches: a new password revokes the user's API tokens, whichever way it was
# set (lifecycle.infrastructure.passwords says why this hook); password-reset e-mails are limited per address and
# per client address within PASSWORD_RESET_WINDOW seconds (lifecycle.services.password_reset).
AUTH_PASSWORD_VALIDATORS.append({"NAME": "lifecycle.infrastructure.passwords.PasswordChangeRevokesTokens"})
PASSWORD_RESET_PER_ADDRESS = envint("PASSWORD_RESET_PER_ADDRESS", 3)
PASSWORD_RESET_PER_CLIENT = envint("PASSWORD_RESET_PER_CLIENT", 10)
PASSWORD_RESET_WINDOW = envint("PASSWORD_RESET_WINDOW", 3600)

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / envstr("STATIC_ROOT", "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": envstr("FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
# The longest request line (method, path and query string) answered; a longer one gets 414
# `too_large` (lifecycle.infrastructure.middleware.RequestLimitsMiddleware; gunicorn.conf.py lifts the server's own).
REQUEST_LINE_MAX_BYTES = envint("REQUEST_LINE_MAX_BYTES", 8190)

# E-mail: console in development; SMTP settings from the environment in production.
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "lifecycle@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: safe defaults whenever DEBUG is off (`manage.py check --deploy` is clean with them);
# docs/security.md describes each protection.
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A session ends after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_ABSOLUTE_TIMEOUT
# seconds after sign-in whatever the activity (lifecycle.infrastructure.middleware.SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 3600)
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", 2 * 3600)
SESSION_ABSOLUTE_TIMEOUT = envint("SESSION_ABSOLUTE_TIMEOUT", SESSION_COOKIE_AGE)
# A site whose cookies are secure is served over HTTPS, so plain HTTP is redirected there too
# (except the health, readiness and metrics endpoints, which probes and scrapers inside the
# network call over plain HTTP).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The `preload` directive asks browsers to hard-code HTTPS for the whole domain: that is the domain
# owner's decision (SECURE_HSTS_PRELOAD=true), so its deploy check reminder is silenced.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every response (lifecycle.infrastructure.middleware.ContentSecurityPolicyMiddleware):
# scripts, styles, images and fonts only from this site, no inline code or style attributes, no
# framing. Templates keep every script and style in static/; SVG charts use presentation attributes.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
CSP_REPORT_URI = envstr("CSP_REPORT_URI")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Brute-force protection of the sign-in form and the token endpoint (lifecycle.services.login_guard):
# LOGIN_GUARD_FREE_ATTEMPTS failures per username and address, then a lock of
# LOGIN_GUARD_BASE_LOCK seconds that doubles with each further failure up to LOGIN_GUARD_MAX_LOCK.
# Failures are forgotten LOGIN_GUARD_WINDOW seconds after the last one.
LOGIN_GUARD_FREE_ATTEMPTS = envint("LOGIN_GUARD_FREE_ATTEMPTS", 5)
LOGIN_GUARD_ADDRESS_ATTEMPTS = envint("LOGIN_GUARD_ADDRESS_ATTEMPTS", 20)
LOGIN_GUARD_USERNAME_ATTEMPTS = envint("LOGIN_GUARD_USERNAME_ATTEMPTS", 20)
LOGIN_GUARD_BASE_LOCK = envint("LOGIN_GUARD_BASE_LOCK", 60)
LOGIN_GUARD_MAX_LOCK = envint("LOGIN_GUARD_MAX_LOCK", 15 * 60)
LOGIN_GUARD_WINDOW = envint("LOGIN_GUARD_WINDOW", 3600)
LOGIN_GUARD_KNOWN_DAYS = envint("LOGIN_GUARD_KNOWN_DAYS", 30)
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use the peer address).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lifecycle.api.authentication.TokenAuthentication",
        "lifecycle.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["lifecycle.api.parsers.SafeJSONParser"],
    # ASCII-escaped JSON: valid whatever text an error message has to repeat back.
    "UNICODE_JSON": False,
    "EXCEPTION_HANDLER": "lifecycle.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "lifecycle.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Writes per user, and token requests per address and username ("N/second|minute|hour|day").
API_WRITE_RATE = envstr("API_WRITE_RATE", "300/minute")
API_TOKEN_RATE = envstr("API_TOKEN_RATE", "10/minute")

SPECTACULAR_SETTINGS = {
    "TITLE": "GenAI Lifecycle API",
    "DESCRIPTION": "Projects, phases, gates, reviews and governance records of generative-AI projects.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "OAS_VERSION": "3.1.0",
    "ENUM_NAME_OVERRIDES": {
        "PhaseKeyEnum": "lifecycle.models.projects.PhaseKey",
        "ProjectStatusEnum": "lifecycle.models.projects.Project.Status",
        "RoleEnum": "lifecycle.models.projects.Role",
        "PhaseStatusEnum": "lifecycle.models.projects.Phase.Status",
        "ArtifactStatusEnum": "phases.models.artifacts.ArtifactStatus",
        "RiskStatusEnum": "governance.models.register.Risk.Status",
        "SignoffStatusEnum": "governance.models.register.Signoff.Status",
        "ReviewStatusEnum": "governance.models.reviews.Review.Status",
        "DecisionEnum": "governance.models.reviews.Decision",
        "JobStatusEnum": "lifecycle.models.records.Job.Status",
        "RiskLevelEnum": "governance.models.templates.RiskLevel",
        "TreatmentEnum": "governance.models.register.Risk.Treatment",
        "CoverageStatusEnum": "governance.selectors.compliance.COVERAGE_STATUSES",
        "RiskInputStatusEnum": "governance.api.risks.RISK_INPUT_STATUSES",
        "WebhookEventEnum": "governance.models.webhooks.WebhookEvent",
        "ValueChainRoleEnum": "governance.models.register.Classification.Role",
        "WebhookStatusEnum": "governance.models.webhooks.WebhookEndpoint.Status",
        "DeliveryStatusEnum": "governance.models.webhooks.WebhookDelivery.Status",
        "ChangeOpEnum": "lifecycle.models.records.ChangeRecord.Op",
    },
}

# Webhooks. Targets on loopback, private or link-local addresses are refused unless listed in
# WEBHOOK_ALLOWED_TARGETS (comma-separated "host", "host:port", "10.0.0.0/8" or "10.0.0.0/8:8443");
# listed targets may also use plain http. WEBHOOK_ALLOW_PUBLIC_TARGETS=false allows only the list.
WEBHOOK_ALLOWED_TARGETS = [t.strip() for t in envstr("WEBHOOK_ALLOWED_TARGETS").split(",") if t.strip()]
WEBHOOK_ALLOW_PUBLIC_TARGETS = envbool("WEBHOOK_ALLOW_PUBLIC_TARGETS", True)
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = 5
WEBHOOK_RETRY_BASE_SECONDS = float(envstr("WEBHOOK_RETRY_BASE_SECONDS", "30"))  # then 2x, 4x, 8x
WEBHOOK_DISABLE_AFTER = envint("WEBHOOK_DISABLE_AFTER", 3)  # failed deliveries in a row
WEBHOOK_MAX_PER_PROJECT = 20

# Change feed and audit.
CHANGE_RETENTION_DAYS = envint("CHANGE_RETENTION_DAYS", 30)

LOG_LEVEL = envstr("LOG_LEVEL", "INFO")
LOG_FORMAT = envstr("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lifecycle.infrastructure.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "lifecycle.infrastructure.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": LOG_LEVEL},
    },
}

# Operations: readiness, metrics, backups
# Workers record a heartbeat this often; /readyz fails when the last one is older than the max age.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 15)
WORKER_HEARTBEAT_MAX_AGE = envint("WORKER_HEARTBEAT_MAX_AGE", 60)
if not 0 < WORKER_HEARTBEAT_SECONDS < WORKER_HEARTBEAT_MAX_AGE:
    raise ImproperlyConfigured("WORKER_HEARTBEAT_SECONDS must be positive and below WORKER_HEARTBEAT_MAX_AGE")
# /metrics answers only these client addresses or networks (REMOTE_ADDR, never X-Forwarded-For),
# or any client that sends `Authorization: Bearer <METRICS_TOKEN>` when a token is set.
METRICS_ALLOWED_IPS = [n.strip() for n in envstr("METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",") if n.strip()]
try:
    import ipaddress as _ipaddress

    for _network in METRICS_ALLOWED_IPS:
        _ipaddress.ip_network(_network, strict=False)
except ValueError as _e:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {_e}") from None
METRICS_TOKEN = envsecret("METRICS_TOKEN")
# Where web and worker processes add up their metrics; empty means the cache's Redis. Without
# Redis (TASKS_IN_PROCESS) each process counts in memory.
METRICS_REDIS_URL = envstr("METRICS_REDIS_URL")
# Backups: the PostgreSQL client programs (their major version must be at least the server's).
BACKUP_PG_DUMP = envstr("BACKUP_PG_DUMP", "pg_dump")
BACKUP_PG_RESTORE = envstr("BACKUP_PG_RESTORE", "pg_restore")
