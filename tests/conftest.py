"""Personas and shared fixtures.

alice owns `project`; in it bob is a contributor, ava an approver (sponsor and compliance
officer), vic a viewer. paula is a portfolio viewer (no membership), adam an administrator,
and charlie an outsider. Data is created through services, as the product creates it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from lifecycle import services
from lifecycle.models import Project, User
from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP

PASSWORD = "correct-horse-battery"


def make_user(username: str, **extra: object) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, first_name=username.title(), **extra
    )
    return user


@pytest.fixture
def alice(db: None) -> User:
    return make_user("alice")


@pytest.fixture
def bob(db: None) -> User:
    return make_user("bob")


@pytest.fixture
def ava(db: None) -> User:
    return make_user("ava")


@pytest.fixture
def vic(db: None) -> User:
    return make_user("vic")


@pytest.fixture
def charlie(db: None) -> User:
    return make_user("charlie")


@pytest.fixture
def paula(db: None) -> User:
    user = make_user("paula")
    user.groups.add(Group.objects.get(name=PORTFOLIO_VIEWERS_GROUP))
    return user


@pytest.fixture
def adam(db: None) -> User:
    return make_user("adam", is_staff=True, is_superuser=True)


@pytest.fixture
def project(alice: User, bob: User, ava: User, vic: User) -> Project:
    project = services.project_create(
        actor=alice,
        name="Support assistant",
        description="Answers customer questions.",
        use_case_problem="Slow answers",
        tags=["support", "pilot"],
    )
    services.membership_add(project=project, actor=alice, user=bob, role="contributor")
    services.membership_add(project=project, actor=alice, user=ava, role="approver", functions=["sponsor", "compliance_officer"])
    services.membership_add(project=project, actor=alice, user=vic, role="viewer")
    return project


@pytest.fixture
def personas(alice: User, bob: User, ava: User, vic: User, paula: User, adam: User, charlie: User) -> dict[str, User]:
    """Everyone by their standing in `project`."""
    return {
        "owner": alice,
        "contributor": bob,
        "approver": ava,
        "viewer": vic,
        "portfolio_viewer": paula,
        "admin": adam,
        "outsider": charlie,
    }


@pytest.fixture
def client_for(db: None) -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for(db: None) -> Callable[[User | None], APIClient]:
    """An API client authenticated with a real token of `user` (or anonymous)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            _, raw = services.token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return make


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    """Throttle counters and idempotency caches never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """One real Celery worker process for the session (per xdist worker)."""
    from tests.workers import WorkerProcess, purge_queue

    with django_db_blocker.unblock():
        purge_queue()
        worker = WorkerProcess()
    yield worker
    worker.stop()


def _real_send_now(task, args, kwargs, countdown=None):
    task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    return True


@pytest.fixture
def eager_tasks():
    """Tasks enqueued after commit run right away in this process (for tests of what a task
    does, not of how it travels; the worker tests cover that)."""
    from unittest import mock

    from lifecycle.celery import app

    app.conf.task_always_eager = True
    # The autouse fixture below keeps tasks at home; here they run, in this process.
    with mock.patch("lifecycle.services.tasks.send_now", _real_send_now):
        yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _tasks_stay_home(request):
    """Only tests that run real workers send tasks to the broker. The others would leave tasks
    behind for a worker of a later test to run against a database being flushed."""
    if request.node.get_closest_marker("worker"):
        yield
        _settle_worker(request)
        return
    from unittest import mock

    with mock.patch("lifecycle.services.tasks.send_now", return_value=True):
        yield


def _settle_worker(request) -> None:
    """After a worker test: drop queued tasks and give running ones a moment to finish, before
    the database is flushed under them."""
    import time

    from tests.workers import purge_queue

    if "celery_worker" in request.fixturenames:
        purge_queue()
        time.sleep(0.5)


@pytest.fixture
def receiver(settings):
    """A local webhook receiver that webhooks are allowed to reach."""
    from tests.receiver import Receiver

    receiver = Receiver().start()
    settings.WEBHOOK_ALLOWED_TARGETS = [receiver.address]
    yield receiver
    receiver.stop()
