"""Schemathesis over the whole API with two identities: alice (A) owns a project with one of
everything in it, charlie (B) owns another. Every operation of the published schema is generated
(valid and invalid input) and sent with charlie's token, its `id` path parameter (and any
`project` filter) pointing at alice's objects. Nothing may come back but a refusal (401, 403,
404, 405) or an input error (400): never a 2xx, never a 5xx, never a body that names any of
alice's objects; and alice's project is left exactly as it was.

Webhook deliveries made during the run reach only the local test receiver: every address the
outbound client connects to is recorded and checked.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode

from governance import outbound
from governance import services as governance_services
from governance.models import WebhookDelivery
from lifecycle import services
from lifecycle.models import AuditEvent, ChangeRecord
from tests.api.test_schemathesis import OPERATIONS, SCHEMA, _has_input, in_process_requests  # noqa: F401
from tests.receiver import Receiver

EXAMPLES = 4
REFUSED = {400, 401, 403, 404, 405}

# Which of alice's objects an `{id}` stands for, by the path's first segment.
TARGETS = {
    "projects": "project",
    "members": "member",
    "jobs": "job",
    "checklist-items": "item",
    "artifacts": "in_review",
    "risks": "risk",
    "signoffs": "signoff",
    "incidents": "incident",
    "gates": "gate",
    "reviews": "review",
    "webhooks": "webhook",
    "deliveries": "delivery",
    "tokens": "token",
}

CASES = [(operation.label, GenerationMode.POSITIVE) for operation in OPERATIONS] + [
    (operation.label, GenerationMode.NEGATIVE) for operation in OPERATIONS if _has_input(operation)
]


def _target(path: str) -> str | None:
    match = re.match(r"^/api/v1/([a-z-]+)/\{id\}", path)
    return TARGETS[match.group(1)] if match else None


@pytest.fixture
def receiver(settings):
    receiver = Receiver().start()
    settings.WEBHOOK_ALLOWED_TARGETS = [receiver.address]
    settings.WEBHOOK_ALLOW_PUBLIC_TARGETS = False
    yield receiver
    receiver.stop()


@pytest.fixture
def connections(monkeypatch) -> list[tuple[str, int]]:
    """Every (address, port) the outbound client was about to connect to."""
    seen: list[tuple[str, int]] = []
    real = outbound.resolve

    def recording(target: outbound.Target) -> str:
        address = real(target)
        seen.append((address, target.port))
        return address

    monkeypatch.setattr(outbound, "resolve", recording)
    return seen


@pytest.fixture
def two_worlds(objects, alice, charlie, receiver):
    """alice's world (with a webhook to the local receiver) and charlie's own project."""
    governance_services.webhook_create(
        actor=alice, project=objects["project"], url=receiver.url, events=["project.updated", "incident.created"]
    )
    own = services.project_create(actor=charlie, name="Charlie's bot")
    _, raw = services.token_create(user=charlie, name="fuzz")
    return objects, own, raw


def _fingerprint(project) -> tuple:
    return (
        AuditEvent.objects.filter(project_id=project.pk).count(),
        ChangeRecord.objects.filter(project_id=project.pk).count(),
        WebhookDelivery.objects.filter(endpoint__project=project).count(),
    )


# Two groups, so that the suite's two workers can share them; each sets its world up once.
GROUPS = {"projects": [c for c in CASES if "/projects/" in c[0]], "others": [c for c in CASES if "/projects/" not in c[0]]}


@pytest.mark.parametrize("group", list(GROUPS))
def test_another_user_never_reaches_alices_data(group, two_worlds, connections, receiver, in_process_requests):  # noqa: F811
    objects, _own, token = two_worlds
    alice_ids = {str(obj.pk) for obj in objects.values() if hasattr(obj, "pk")}
    before = _fingerprint(objects["project"])
    queued_before = set(WebhookDelivery.objects.values_list("pk", flat=True))
    problems: list[str] = []
    for label, mode in GROUPS[group]:
        try:
            _exercise(SCHEMA.find_operation_by_label(label), mode, objects, token, alice_ids)
        except AssertionError as e:
            problems.append(f"{label} ({mode.value}): {e}")
    assert problems == [], "\n".join(problems)
    assert _fingerprint(objects["project"]) == before, "charlie's requests changed alice's project"
    # Whatever was queued in the meantime goes out now: only the local receiver may ever be
    # contacted.
    for delivery in WebhookDelivery.objects.filter(status="pending").exclude(pk__in=queued_before):
        governance_services.webhook_deliver(delivery_id=delivery.pk)
    assert set(connections) <= {("127.0.0.1", receiver.server.server_address[1])}, connections


def _exercise(operation, mode, objects: dict, token: str, alice_ids: set[str]) -> None:
    """Up to EXAMPLES generated requests to one operation, as charlie, at alice's objects."""
    key = _target(operation.path)

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def exercise(case):
        if key is not None:
            case.path_parameters = {**(case.path_parameters or {}), "id": str(objects[key].pk)}
        if isinstance(case.query, dict) and "project" in case.query:
            case.query["project"] = str(objects["project"].pk)
        response = case.call(headers={"Authorization": f"Token {token}", "Accept-Encoding": "identity"})
        status = response.status_code
        where = f"{case.method} {case.formatted_path} ({case.query}) -> {status}: {response.text[:300]}"
        assert status < 500, where
        if key is not None:
            assert status in REFUSED, where
        leaked = [i for i in alice_ids if i in response.text]
        assert not leaked, f"{where} names alice's objects {leaked}"

    exercise()


def test_every_operation_is_in_a_group():
    assert sum(len(cases) for cases in GROUPS.values()) == len(CASES) >= 90
    assert all(_target(op.path) is not None for op in OPERATIONS if "{id}" in op.path)


def test_charlie_reaches_his_own_project_with_the_same_token(two_worlds, in_process_requests):  # noqa: F811
    """The control: the refusals above come from ownership, not from a broken token."""
    from rest_framework.test import APIClient

    objects, own, token = two_worlds
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"/api/v1/projects/{own.pk}/").status_code == 200
    assert client.get(f"/api/v1/projects/{objects['project'].pk}/").status_code == 404
    listed = json.dumps(client.get("/api/v1/projects/").json())
    assert str(own.pk) in listed and str(objects["project"].pk) not in listed
