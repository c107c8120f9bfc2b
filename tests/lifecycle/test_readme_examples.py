"""The README's client code works: the sync loop against a running server, and the webhook
receiver against real deliveries."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from lifecycle import services

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def python_block(after_heading: str) -> str:
    section = README.split(after_heading, 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.django_db(transaction=True)
def test_the_sync_loop_keeps_a_copy(live_server, project, alice, bob):
    _, token = services.token_create(user=bob, name="sync")
    namespace = {"__name__": "readme"}
    exec(python_block("### Keeping a copy in sync"), namespace)  # noqa: S102 - our own README
    namespace["API"], namespace["TOKEN"] = f"{live_server.url}/api/v1", token

    position = namespace["sync"](0)
    copy = namespace["copy"]
    assert ("project", str(project.pk)) in copy
    assert ("checklist_item", str(project.checklist_items.first().pk)) in copy

    services.membership_remove(membership=project.memberships.get(user=bob), actor=alice)
    namespace["sync"](position)
    assert ("project", str(project.pk)) not in copy
    assert not [key for key in copy if key[0] == "checklist_item"]


def test_the_webhook_receiver_accepts_signed_deliveries_only(alice, project, settings):
    from http.server import HTTPServer

    from governance import services as governance_services
    from governance.models import WebhookDelivery

    namespace = {"__name__": "readme"}
    exec(python_block("### Webhooks"), namespace)  # noqa: S102 - our own README
    server = HTTPServer(("127.0.0.1", 0), namespace["Receiver"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"127.0.0.1:{server.server_address[1]}"
        settings.WEBHOOK_ALLOWED_TARGETS = [address]
        endpoint = governance_services.webhook_create(actor=alice, project=project, url=f"http://{address}/", events=["project.updated"])
        namespace["SECRET"] = endpoint.secret.encode()
        services.project_update(project=project, actor=alice, name="Signed")
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert governance_services.webhook_deliver(delivery_id=delivery.pk) == "delivered"
        assert delivery.attempt_log.get().status_code == 204

        namespace["SECRET"] = b"whsec_not-the-secret"
        services.project_update(project=project, actor=alice, name="Forged")
        forged = WebhookDelivery.objects.filter(endpoint=endpoint).exclude(pk=delivery.pk).get()
        governance_services.webhook_deliver(delivery_id=forged.pk)
        assert forged.attempt_log.get().status_code == 401
    finally:
        server.shutdown()
        server.server_close()
