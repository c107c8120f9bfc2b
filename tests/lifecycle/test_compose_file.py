"""docker-compose.yml runs the same processes as the Procfile (no Docker engine runs here, so the
file is checked by reading it)."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _procfile(name: str = "Procfile") -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_has_the_whole_stack_with_health_checks():
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "worker-heavy", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "worker-heavy", "beat"):
        assert "healthcheck" in services[name], name
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_it_runs_the_procfile_commands():
    services = _compose()["services"]
    for name, command in _procfile().items():
        compose_command = services[name]["command"]
        compose_command = compose_command if isinstance(compose_command, list) else shlex.split(compose_command)
        assert compose_command[:4] == command[:4], name
        # The same program and the same essential arguments; only bind/schedule paths may differ.
        assert set(command) - set(compose_command) <= {"/tmp/celerybeat-schedule"}, name


def test_it_points_the_app_at_postgres_and_redis():
    environment = _compose()["services"]["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert "SECRET_KEY" in environment


def test_the_image_leaves_out_local_state():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", "node_modules", ".dev-secret", "db.sqlite3*", "media", "test-artifacts"} <= ignored


def test_it_builds_from_the_dockerfile():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert _compose()["services"]["web"]["build"] == "."


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_heavy_queue_has_a_worker_of_its_own_everywhere():
    """Reports (CELERY_HEAVY_QUEUE, "heavy" by default) and the rest ("default") are consumed by
    separate workers, so a flood of reports never delays readiness scoring."""
    compose = _compose()["services"]
    commands = {
        "Procfile": _procfile(),
        "Procfile.dev": _procfile("Procfile.dev"),
        "docker-compose.yml": {name: compose[name]["command"] for name in ("worker", "worker-heavy")},
    }
    for source, entries in commands.items():
        worker, heavy = entries["worker"], entries["worker-heavy"]
        assert (_option(worker, "--queues"), _option(heavy, "--queues")) == ("default", "heavy"), source
        # Two workers on one machine (make run) need distinct node names.
        assert (_option(worker, "--hostname"), _option(heavy, "--hostname")) == ("default@%h", "heavy@%h"), source


def test_each_worker_health_check_asks_its_own_worker():
    services = _compose()["services"]
    assert "--destination default@$$HOSTNAME" in services["worker"]["healthcheck"]["test"][1]
    assert "--destination heavy@$$HOSTNAME" in services["worker-heavy"]["healthcheck"]["test"][1]
    assert services["worker-heavy"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
