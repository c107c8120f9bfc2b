"""Uploads: hostile file names are reduced to safe ones that keep a matching extension, the
content type is what the bytes show, and a file whose bytes contradict its claimed type is
refused. Logs: signing in, making a token, calling the API with it and delivering a webhook
leave no password, token or secret in any log line."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance import services as governance_services
from governance.models import WebhookDelivery
from lifecycle import services as lifecycle_services
from lifecycle.infrastructure.logging import JsonFormatter, RequestIdFilter
from phases import services as phases_services
from phases.models import Attachment
from tests.conftest import PASSWORD
from tests.receiver import Receiver

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content_type", "content", "stored_name", "stored_type"),
    [
        ("../../etc/passwd", "text/plain", b"root:x:0:0\n", "passwd.txt", "text/plain"),
        ("..\\..\\windows\\win.ini", "text/plain", b"[fonts]\n", "win.ini.txt", "text/plain"),
        ("a<b>.pdf", "application/pdf", PDF, "a_b_.pdf", "application/pdf"),
        ("evil\x00.pdf", "application/pdf", PDF, "evil_.pdf", "application/pdf"),
        ("x" * 300 + ".pdf", "application/pdf", PDF, "x" * 146 + ".pdf", "application/pdf"),
        ('q"uote\r\nX-Injected: 1.txt', "text/plain", b"hello\n", "q_uote_X-Injected_ 1.txt", "text/plain"),
        ("page.html", "text/plain", HTML, "page.html.txt", "text/plain"),
        ("notes.md", "application/octet-stream", b"# Notes\n", "notes.md", "text/markdown"),
    ],
)
def test_names_are_made_safe_and_types_come_from_the_bytes(objects, bob, name, content_type, content, stored_name, stored_type):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    attachment = phases_services.attachment_add(artifact=objects["artifact"], actor=bob, upload=upload)
    assert (attachment.name, attachment.content_type) == (stored_name, stored_type)
    # The stored path is random, never the name.
    assert attachment.file.name.startswith(f"attachments/{objects['project'].pk}/")
    assert stored_name not in attachment.file.name


@pytest.mark.parametrize(
    ("name", "content_type", "content"),
    [
        ("report.pdf", "application/pdf", HTML),  # HTML claiming to be a PDF
        ("report.pdf", "application/pdf", EXE),  # a program claiming to be a PDF
        ("setup.exe", "application/pdf", EXE),
        ("page.html", "text/html", HTML),  # a type we do not accept
        ("image.png", "image/png", HTML),
        ("sheet.xlsx", "application/octet-stream", HTML),
    ],
)
def test_a_file_whose_bytes_contradict_its_type_is_refused(objects, bob, client_for, name, content_type, content):
    url = reverse("phases:attachment-upload", args=[objects["artifact"].pk])
    before = Attachment.objects.count()
    response = client_for(bob).post(url, {"file": SimpleUploadedFile(name, content, content_type=content_type)}, follow=True)
    assert response.status_code == 200
    assert Attachment.objects.count() == before
    assert "not an accepted file type" in response.content.decode() or "does not contain what its type says" in response.content.decode()


def test_a_download_is_an_attachment_that_browsers_do_not_sniff(objects, bob, client_for):
    upload = SimpleUploadedFile('a"b\r\n.txt', HTML, content_type="text/plain")
    attachment = phases_services.attachment_add(artifact=objects["artifact"], actor=bob, upload=upload)
    response = client_for(bob).get(reverse("phases:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2


@pytest.fixture
def log_lines():
    """Every log line of the run, formatted as production formats them (JSON) and as text."""
    stream = io.StringIO()
    json_handler = logging.StreamHandler(stream)
    json_handler.setFormatter(JsonFormatter())
    json_handler.addFilter(RequestIdFilter())
    text_handler = logging.StreamHandler(stream)
    text_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s %(args)s"))
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(json_handler)
    root.addHandler(text_handler)
    yield stream
    root.removeHandler(json_handler)
    root.removeHandler(text_handler)
    root.setLevel(level)


def test_no_secret_reaches_the_logs(objects, alice, settings, client, log_lines, caplog):
    caplog.set_level(logging.DEBUG)
    receiver = Receiver(answers=[500]).start()
    settings.WEBHOOK_ALLOWED_TARGETS = [receiver.address]
    try:
        # Signing in (a wrong password first, then the right one).
        assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD + "x"}).status_code == 200
        assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302
        session = client.cookies["sessionid"].value
        # A token over the API, then calls with it (one of them refused), and a bad token.
        made = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, content_type="application/json")
        token = made.json()["token"]
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
        assert client.get(f"/api/v1/projects/{objects['project'].pk}/", **headers).status_code == 200
        assert client.post("/api/v1/webhooks/", {"url": "x"}, content_type="application/json", **headers).status_code == 403
        assert client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}x").status_code == 401
        # A webhook delivery that fails (so its error is logged) and its secret.
        endpoint = governance_services.webhook_create(actor=alice, project=objects["project"], url=receiver.url, events=["project.updated"])
        lifecycle_services.project_update(project=objects["project"], actor=alice, description="Changed")
        delivery = WebhookDelivery.objects.filter(endpoint=endpoint).get()
        assert governance_services.webhook_deliver(delivery_id=delivery.pk) != "delivered"
        signature = receiver.received[0].headers["X-Lifecycle-Signature"]
    finally:
        receiver.stop()
    logged = log_lines.getvalue() + "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert logged.strip(), "nothing was logged: the test would prove nothing"
    for line in log_lines.getvalue().splitlines():
        if line.startswith("{"):
            json.loads(line)
    for secret in (PASSWORD, token, token[8:], session, endpoint.secret, signature.removeprefix("sha256=")):
        assert secret not in logged, secret[:6]
