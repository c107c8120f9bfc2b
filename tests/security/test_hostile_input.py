"""Hostile input: markup and spreadsheet formulas typed into projects, comments, artifacts, risks
and names come back as text everywhere: every HTML page escapes them, exports neutralise the
formulas, the report's JSON is data and its PDF carries no active content, e-mails are plain
text with clean headers, and webhook bodies are JSON, not HTML."""

from __future__ import annotations

import json
import re
import zlib
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from governance import services as governance_services
from governance.models import RiskCategory, WebhookDelivery
from governance.report_pdf import report_pdf
from governance.selectors import report_build
from lifecycle import services as lifecycle_services
from phases import services as phases_services
from tests.export_readers import csv_rows, xlsx_rows
from tests.security.test_authz_matrix import ADMIN, PROJECT_ADMIN, ROUTES

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/x","open")'
# What must never reach an HTML page unescaped.
RAW = ("<script>alert(1)", "<img src=x onerror")


@pytest.fixture
def hostile(objects, alice, bob, ava):
    """alice's world, with markup and formulas in every field people type into."""
    project = objects["project"]
    bob.first_name = f"Bob{SCRIPT}"
    bob.save(update_fields=["first_name"])
    lifecycle_services.project_update(project=project, actor=alice, name=f"{FORMULA}{SCRIPT}", description=IMG)
    project.refresh_from_db()
    artifact = objects["artifact"]
    phases_services.artifact_update(artifact=artifact, actor=bob, title=f"{IMG} plan")
    phases_services.artifact_comment_add(artifact=artifact, actor=ava, body=f"{SCRIPT} {IMG}")
    risk = governance_services.risk_create(
        project=project,
        actor=bob,
        title=f"{FORMULA}{IMG}",
        description=SCRIPT,
        category=RiskCategory.objects.get(project=None, key="confabulation"),
        likelihood=2,
        impact=2,
        mitigation_plan=f"+{SCRIPT}",
    )
    governance_services.incident_create(
        project=project, actor=bob, title=SCRIPT, occurred_on=date(2026, 1, 5), severity="low", description=IMG
    )
    phases_services.checklist_item_set_done(item=objects["item"], actor=bob, done=True, note=f"{FORMULA} {SCRIPT}")
    return {**objects, "project": project, "risk": risk}


def _pages(objects: dict) -> list[tuple[str, str]]:
    """Every HTML page of the matrix that a GET shows: (persona, url)."""
    pages = []
    for name, route in ROUTES.items():
        if "-api:" in name or name in ("schema", "api-docs", "healthz", "readyz", "metrics", "login"):
            continue
        for call in route.calls:
            if call.method != "get" or "format=" in call.query or name.endswith(("download", "report-json")):
                continue
            kwargs = dict(route.kwargs)
            if route.target:
                kwargs["id"] = objects[route.target].pk
            url = reverse(name, kwargs=kwargs or None) + (f"?{call.query}" if call.query else "")
            persona = "admin" if call.cap in (ADMIN, PROJECT_ADMIN) else "owner"
            pages.append((persona, url))
    return pages


def test_every_page_escapes_what_people_typed(hostile, client_for, alice, adam):
    clients = {"owner": client_for(alice), "admin": client_for(adam)}
    shown = 0
    problems = []
    for persona, url in _pages(hostile):
        response = clients[persona].get(url)
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        content = response.content.decode()
        problems += [f"{url} shows {raw!r} unescaped" for raw in RAW if raw in content]
        shown += "&lt;script&gt;alert(1)" in content
    assert problems == [], "\n".join(problems)
    # The markup is there, as text, on the pages that show projects, risks and artifacts.
    assert shown >= 20


def test_a_stored_link_is_never_a_script_link(hostile, client_for, bob):
    with pytest.raises(Exception, match=r"link|URL|http"):
        phases_services.checklist_item_set_done(item=hostile["item"], actor=bob, done=True, evidence_links=["javascript:alert(1)"])


@pytest.mark.parametrize(
    "url",
    [
        "lifecycle:project-list",
        "governance:portfolio-risks",
        ("governance:risk-list", "project"),
        ("phases:checklist-export", "project"),
    ],
)
def test_exports_neutralise_formulas(hostile, client_for, alice, url):
    name, target = (url, None) if isinstance(url, str) else url
    path = reverse(name, args=[hostile[target].pk] if target else None)
    client = client_for(alice)
    text_cells = [cell for row in csv_rows(client.get(f"{path}?format=csv")) for cell in row]
    risky = [cell for cell in text_cells if cell[:1] in ("=", "+", "-", "@")]
    assert risky == []
    assert any(cell.startswith("'=HYPERLINK") or cell.startswith("'+") for cell in text_cells)
    # XLSX: no formula cell at all (checked by the reader), the text kept as it was typed.
    cells = [cell for row in xlsx_rows(client.get(f"{path}?format=xlsx")) for cell in row]
    assert any(isinstance(c, str) and c.startswith("=HYPERLINK") for c in cells)


def test_the_report_is_data_in_json_and_inert_in_pdf(hostile):
    report = report_build(project=hostile["project"])
    dumped = json.dumps(report, default=str)
    assert json.loads(dumped)["project"]["name"] == f"{FORMULA}{SCRIPT}"
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF-")
    for active in (b"/JavaScript", b"/JS ", b"/Launch", b"/URI", b"/EmbeddedFile", b"/AA "):
        assert active not in pdf, active
    # The only opening action is the page view fpdf sets (first page, fit width).
    assert re.findall(rb"/OpenAction ([^\n]*)", pdf) == [b"[3 0 R /FitH null]"]
    # The text is drawn as text: find it in the (compressed) content streams.
    streams = b"".join(
        zlib.decompress(m.group(1)) for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S) if m.group(1)[:1] == b"x"
    )
    assert b"alert" in streams


def test_the_report_json_download_is_json_and_not_sniffed(hostile, client_for, alice):
    from django.core.files.base import ContentFile

    job = hostile["job"]
    job.result = report_build(project=hostile["project"])
    job.result_file.save("r.pdf", ContentFile(b"%PDF-1.4"), save=False)
    job.save()
    response = client_for(alice).get(reverse("governance:report-json", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content)["project"]["name"] == f"{FORMULA}{SCRIPT}"


def test_emails_are_plain_text_with_clean_headers(hostile, alice, bob, ava, eager_tasks, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    # A title with a line break, which must not become a second header line.
    phases_services.artifact_update(artifact=hostile["artifact"], actor=bob, title="Plan\r\nBcc: x@evil.example")
    with django_capture_on_commit_callbacks(execute=True):
        phases_services.feedback_request(
            artifact=hostile["artifact"], actor=bob, reviewers=[ava], message=f"{SCRIPT}\r\nBcc: x@evil.example"
        )
    assert any("Plan" in m.subject for m in mail.outbox), [m.subject for m in mail.outbox]
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", [])
        assert "\n" not in message.subject and "\r" not in message.subject
        assert set(message.recipients()) <= {u.email for u in (alice, bob, ava)}
        headers = message.message().as_string().split("\n\n", 1)[0]
        assert message.bcc == []
        assert not [line for line in headers.splitlines() if line.lower().startswith("bcc")]


def test_webhook_bodies_are_json_data(hostile, alice):
    lifecycle_services.project_update(project=hostile["project"], actor=alice, description=f"{IMG}{SCRIPT}")
    delivery = WebhookDelivery.objects.filter(endpoint=hostile["webhook"]).order_by("-created_at").first()
    body = json.loads(delivery.body)
    assert body["data"]["description"] == f"{IMG}{SCRIPT}"
    assert body["data"]["name"] == f"{FORMULA}{SCRIPT}"
    assert "&lt;" not in delivery.body  # data, not HTML


def test_api_responses_are_json_and_never_html(hostile, api_for, alice):
    response = api_for(alice).get(f"/api/v1/projects/{hostile['project'].pk}/")
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["name"] == f"{FORMULA}{SCRIPT}"
