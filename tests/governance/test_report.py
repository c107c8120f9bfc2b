"""The governance report: its JSON sections with the project's real data, the PDF, hostile input,
the job that produces both, the page that follows it and the API."""

from __future__ import annotations

import copy
import json
import re
import zlib
from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from governance import report_pdf
from governance import selectors as governance_selectors
from governance import services as governance_services
from governance.models import Gate, RiskCategory, Signoff
from governance.services import readiness
from lifecycle.models import Job
from phases import services as phases_services
from sample_data.artifacts import SAMPLES
from tests.api.schema import assert_matches_schema
from tests.helpers import ROLES, assert_partial, count_queries, statuses_by_role

SECTION_KEYS = {key for key, _ in governance_selectors.REPORT_SECTIONS} | {"generated_at", "project"}
HOSTILE_NAME = '<script>alert("x")</script> “Quoted” ‘name’ — 🚀👩‍👩‍👧 支持 e\u0301 Zoë'
LONG_WORD = "Supercalifragilistic" * 60


def _category(key: str = "data-privacy") -> RiskCategory:
    return RiskCategory.objects.get(project=None, key=key)


@pytest.fixture
def rich(project, alice, bob, ava):
    """alice's project with some of everything: a ticked item, an approved and a draft artifact,
    an open and a closed risk, an approved sign-off, a classification, an incident, and a scope
    gate decided Go by ava (so its decision keeps a snapshot)."""
    title, data = SAMPLES["scope_document"]
    approved = phases_services.artifact_create(project=project, actor=bob, type="scope_document", title=title, data=copy.deepcopy(data))
    phases_services.artifact_submit(artifact=approved, actor=bob)
    phases_services.artifact_approve(artifact=approved, actor=ava, comment="Clear enough")
    title, data = SAMPLES["model_card"]
    draft = phases_services.artifact_create(project=project, actor=bob, type="model_card", title="Draft card", data=copy.deepcopy(data))
    item = project.checklist_items.filter(phase__key="scope").order_by("order").first()
    phases_services.checklist_item_set_done(item=item, actor=bob, done=True, note="Workshop held")
    leak = governance_services.risk_create(project=project, actor=bob, title="Leaks", category=_category(), likelihood=4, impact=4)
    closed = governance_services.risk_create(
        project=project, actor=bob, title="Old worry", category=_category(), likelihood=1, impact=1, status="closed"
    )
    signoff = Signoff.objects.get(project=project, kind="data_privacy")
    governance_services.signoff_decide(
        signoff=signoff, actor=ava, decision="approved", comment="DPIA done", evidence=[{"type": "artifact", "id": str(approved.pk)}]
    )
    governance_services.classification_set(project=project, actor=alice, answers={"annex_iii_areas": [4]})
    incident = governance_services.incident_create(
        project=project, actor=bob, title="Outage", occurred_on=date(2026, 1, 2), severity="high", description="Down", serious=True
    )
    gate = Gate.objects.get(project=project, phase__key="scope")
    readiness.gate_assess(gate.pk)
    review = governance_services.review_request(gate=gate, actor=alice, justification="Early look")
    governance_services.vote_cast(review=review, actor=ava, decision="go", comment="Go ahead")
    return {"approved": approved, "draft": draft, "item": item, "leak": leak, "closed": closed, "incident": incident, "review": review}


def _pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF: fpdf2 compresses each page's content stream with zlib and writes
    core-font text as (literal) strings."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            content = stream
        for literal in re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", content, re.S):
            text.append(re.sub(rb"\\([()\\])", rb"\1", literal).decode("latin-1"))
    return "\n".join(text)


# --- The JSON -----------------------------------------------------------------------------------


def test_it_has_every_section_with_the_projects_data(rich, project):
    report = governance_selectors.report_build(project=project)

    assert set(report) == SECTION_KEYS
    # Stored on the job and served as is: it must survive JSON unchanged.
    assert json.loads(json.dumps(report)) == report
    assert report["project"]["name"] == "Support assistant"
    assert report["project"]["classification"]["tier"] == "high"
    assert {m["user"]["username"]: m["role"] for m in report["project"]["members"]} == {
        "alice": "owner",
        "bob": "contributor",
        "ava": "approver",
        "vic": "viewer",
    }
    scope = report["phases"][0]
    assert [p["key"] for p in report["phases"]] == ["scope", "select", "adapt_align", "evaluate", "integrate"]
    assert scope["status"] == "passed" and scope["gate"]["score"] is not None
    ticked = [i for i in scope["checklist"]["items"] if i["done"]]
    assert [(i["title"], i["done_by"]["username"], i["note"]) for i in ticked] == [(rich["item"].title, "bob", "Workshop held")]
    assert scope["checklist"]["done"] == 1
    assert {(a["title"], a["status"], a["approved_version"]) for a in report["artifacts"]} == {
        (rich["approved"].title, "approved", 1),
        ("Draft card", "draft", None),
    }


def test_it_has_risks_with_the_heat_map(rich, project):
    risks = governance_selectors.report_build(project=project)["risks"]

    assert {r["title"]: (r["level"], r["counts_as_open"]) for r in risks["items"]} == {
        "Leaks": ("high", True),
        "Old worry": ("low", False),
    }
    cells = {(c["likelihood"], c["impact"]): c for row in risks["heat_map"] for c in row}
    assert len(cells) == risks["matrix"]["size"] ** 2
    assert cells[(4, 4)]["count"] == 1
    # A closed risk is not on the heat map.
    assert cells[(1, 1)]["count"] == 0
    assert sum(c["count"] for c in cells.values()) == 1


def test_it_has_signoffs_decisions_with_snapshots_coverage_incidents_and_audit(rich, project):
    report = governance_selectors.report_build(project=project)

    privacy = next(s for s in report["signoffs"] if s["kind"] == "data_privacy")
    assert (privacy["status"], privacy["decided_by"]["username"], privacy["comment"]) == ("approved", "ava", "DPIA done")
    [decision] = report["gate_decisions"]
    assert (decision["phase"], decision["status"], decision["outcome"]) == ("scope", "resolved", "go")
    assert [(v["voter"]["username"], v["decision"]) for v in decision["votes"]] == [("ava", "go")]
    # The snapshot is the one the decision kept, with the versions it saw.
    assert decision["snapshot"] == json.loads(json.dumps(rich["review"].__class__.objects.get(pk=rich["review"].pk).snapshot))
    assert [(a["title"], a["version"]) for a in decision["snapshot"]["artifacts"]] == [(rich["approved"].title, 1)]
    assert {"eu-ai-act", "nist-ai-rmf"} <= {fw["key"] for fw in report["framework_coverage"]}
    assert all(0 <= fw["coverage"] <= 100 for fw in report["framework_coverage"])
    assert [(i["title"], i["serious"]) for i in report["post_launch"]["incidents"]] == [("Outage", True)]
    events = report["audit_excerpt"]["events"]
    assert events[0]["seq"] > events[-1]["seq"]
    assert {"review.resolved", "incident.created", "risk.created"} <= {e["action"] for e in events}
    summary = report["summary"]
    assert summary["risks"]["open"] == 1 and summary["risks"]["open_by_level"]["high"] == 1
    assert summary["gate_decisions"]["outcomes"] == {"go": 1}
    assert summary["incidents"] == {"total": 1, "serious": 1, "reports_due": 1, "reports_overdue": 0}


def test_the_audit_excerpt_is_the_latest_fifty_events(project, bob):
    item = project.checklist_items.order_by("order").first()
    for n in range(30):
        phases_services.checklist_item_set_done(item=item, actor=bob, done=n % 2 == 0)
    excerpt = governance_selectors.report_build(project=project)["audit_excerpt"]

    assert len(excerpt["events"]) == governance_selectors.REPORT_AUDIT_EXCERPT_SIZE == 50
    assert excerpt["total"] > 50
    seqs = [e["seq"] for e in excerpt["events"]]
    assert seqs == sorted(seqs, reverse=True)


def test_it_reads_a_bounded_number_of_queries(project, bob):
    small, _ = count_queries(lambda: governance_selectors.report_build(project=project))
    for n in range(5):
        governance_services.risk_create(project=project, actor=bob, title=f"Risk {n}", category=_category(), likelihood=2, impact=3)
        governance_services.incident_create(
            project=project, actor=bob, title=f"Incident {n}", occurred_on=date(2026, 1, 2), severity="low", description="x"
        )
    large, _ = count_queries(lambda: governance_selectors.report_build(project=project))
    assert small == large


# --- The PDF ------------------------------------------------------------------------------------


def test_it_renders_a_pdf_with_the_name_and_every_section(rich, project):
    pdf = report_pdf.report_pdf(governance_selectors.report_build(project=project))

    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "Support assistant" in text
    for _, title in governance_selectors.REPORT_SECTIONS:
        assert title in text, title
    # The heat map names each cell's level and has a legend: colour is not the only signal.
    assert "Legend:" in text and "high" in text
    assert "Leaks" in text and "Outage" in text


def test_it_renders_the_pdf_from_the_data_alone(rich, project, django_assert_num_queries):
    report = governance_selectors.report_build(project=project)

    # The renderer reads nothing from the database: everything it draws is in the data.
    with django_assert_num_queries(0):
        pdf = report_pdf.report_pdf(report)
    assert "Support assistant" in _pdf_text(pdf)


def test_hostile_input_does_not_crash_the_pdf(project, alice, bob):
    from lifecycle import services as lifecycle_services

    lifecycle_services.project_update(project=project, actor=alice, name=HOSTILE_NAME, description=f"{LONG_WORD}\n\u0007 \u200b🎉")
    project.refresh_from_db()
    governance_services.risk_create(
        project=project,
        actor=bob,
        title="🔥 “Hot” " + "R" * 150,
        category=_category(),
        likelihood=5,
        impact=5,
        mitigation_plan=LONG_WORD + " 日本語 עברית",
    )
    item = project.checklist_items.order_by("order").first()
    phases_services.checklist_item_set_done(item=item, actor=bob, done=True, note="👍🏽 " + LONG_WORD[:1900])
    governance_services.incident_create(
        project=project, actor=bob, title="𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ‘incident’", occurred_on=date(2026, 1, 2), severity="low", description=LONG_WORD
    )

    pdf = report_pdf.report_pdf(governance_selectors.report_build(project=project))

    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    # Typography gets its plain equivalent, latin-1 letters stay, the rest becomes "?".
    assert '<script>alert("x")</script> "Quoted" \'name\' - ???? ?? é Zoë' in text
    assert "Supercalifragilistic" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("“curly” ‘quotes’ – dash … end", "\"curly\" 'quotes' - dash ... end"),
        ("Zoë Ångström", "Zoë Ångström"),
        ("e\u0301", "é"),
        ("🚀 rocket", "? rocket"),
        ("👩‍👩‍👧", "???"),
        ("𝔘𝔫", "Un"),
        ("ﬁle", "file"),
        ("tab\there\x07bell\r", "tab here bell"),
        (None, ""),
        (42, "42"),
    ],
)
def test_pdf_text_keeps_what_core_fonts_draw(value, expected):
    assert report_pdf.pdf_text(value) == expected


def test_pdf_text_cuts_long_text():
    assert report_pdf.pdf_text("x" * 500, limit=10) == "xxxxxxx..."


# --- The job ------------------------------------------------------------------------------------


def test_requesting_a_report_enqueues_one_job(project, vic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = governance_services.report_request(project=project, actor=vic)
    assert len(callbacks) == 1
    assert (job.kind, job.status, job.project, job.created_by) == ("governance_report", "queued", project, vic)
    assert job.params["filename"] == f"governance-report-support-assistant-{timezone.localdate():%Y-%m-%d}.pdf"


def test_outsiders_cannot_request_a_report(project, charlie):
    # The page and the API answer 404 before they call the service (see below); the service
    # itself refuses whoever calls it.
    with pytest.raises(PermissionDenied):
        governance_services.report_request(project=project, actor=charlie)
    assert not Job.objects.exists()


def test_a_name_without_latin_letters_still_gives_a_filename(project, alice):
    from lifecycle import services as lifecycle_services

    lifecycle_services.project_update(project=project, actor=alice, name="支持 🚀")
    project.refresh_from_db()
    assert governance_services.report_filename(project).startswith(f"governance-report-{str(project.pk)[:8]}-")


def test_the_job_stores_the_json_and_the_pdf(rich, project, vic, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = governance_services.report_request(project=project, actor=vic)

    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("succeeded", 100, "")
    assert set(job.result) == SECTION_KEYS
    assert job.result["project"]["name"] == "Support assistant"
    assert job.result_url == reverse("lifecycle:job-download", args=[job.pk])
    assert re.search(r"jobs/\d{4}/\d{2}/governance-report-support-assistant-\d{4}-\d{2}-\d{2}", job.result_file.name)
    with job.result_file.open("rb") as f:
        assert f.read(4) == b"%PDF"


def test_the_task_runs_a_job_once(project, alice):
    from governance import tasks

    job = governance_services.report_request(project=project, actor=alice)
    tasks.report_job_task(str(job.pk))
    job.refresh_from_db()
    first = (job.result_file.name, job.finished_at)
    # A second delivery (acks_late) finds the job claimed and changes nothing.
    tasks.report_job_task(str(job.pk))
    job.refresh_from_db()
    assert (job.status, (job.result_file.name, job.finished_at)) == ("succeeded", first)


def test_a_failing_report_fails_its_job(project, alice):
    job = governance_services.report_request(project=project, actor=alice)
    with mock.patch("governance.report_pdf.report_pdf", side_effect=RuntimeError("renderer broke")), pytest.raises(RuntimeError):
        governance_services.report_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error, job.result) == ("failed", "RuntimeError: renderer broke", None)


# --- The page -----------------------------------------------------------------------------------


def _page(project) -> str:
    return reverse("governance:report", args=[project.pk])


def test_anonymous_visitors_are_sent_to_log_in(client, project):
    response = client.get(_page(project))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_everyone_who_sees_the_project_sees_the_page(client_for, personas, project):
    assert statuses_by_role(personas, client_for, "get", _page(project)) == {role: 404 if role == "outsider" else 200 for role in ROLES}


def test_everyone_who_sees_the_project_may_generate(client_for, personas, project):
    statuses = statuses_by_role(personas, client_for, "post", _page(project))
    assert statuses == {role: 404 if role == "outsider" else 302 for role in ROLES}
    # The first request starts the report; everyone after it follows that job while it is queued.
    assert Job.objects.filter(kind="governance_report").count() == 1


def test_a_wrong_method_is_refused(client_for, alice, project):
    assert client_for(alice).put(_page(project)).status_code == 405


def test_generating_without_htmx_redirects_to_the_page_following_the_job(client_for, vic, project):
    response = client_for(vic).post(_page(project))
    job = Job.objects.get()
    assert response["Location"] == f"{_page(project)}?job={job.pk}"
    page = client_for(vic).get(response["Location"])
    # The page loads the job's progress fragment, which polls until the job is done.
    assert reverse("lifecycle:job-status", args=[job.pk]) in page.content.decode()


def test_generating_with_htmx_shows_progress_then_the_download(rich, client_for, vic, project):
    response = client_for(vic).post(_page(project), HTTP_HX_REQUEST="true")
    job = Job.objects.get()
    assert_partial(response, f"job-{job.pk}")
    assert "Waiting for a worker" in response.content.decode()

    # A worker runs the job (here, in this process).
    governance_services.report_run(job_id=job.pk)
    status = client_for(vic).get(reverse("lifecycle:job-status", args=[job.pk]), HTTP_HX_REQUEST="true")
    # 286: htmx stops polling; the fragment now offers the PDF.
    assert status.status_code == 286
    assert reverse("lifecycle:job-download", args=[job.pk]) in status.content.decode()

    page = client_for(vic).get(f"{_page(project)}?job={job.pk}").content.decode()
    assert reverse("lifecycle:job-download", args=[job.pk]) in page
    assert reverse("governance:report-json", args=[job.pk]) in page

    download = client_for(vic).get(reverse("lifecycle:job-download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert f'filename="governance-report-support-assistant-{timezone.localdate():%Y-%m-%d}.pdf"' in download["Content-Disposition"]


def test_the_json_download(client_for, vic, charlie, project):
    job = governance_services.report_request(project=project, actor=vic)
    url = reverse("governance:report-json", args=[job.pk])
    # Not done yet: nothing to download.
    assert client_for(vic).get(url).status_code == 404
    governance_services.report_run(job_id=job.pk)

    response = client_for(vic).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="governance-report-support-assistant-{timezone.localdate():%Y-%m-%d}.json"'
    )
    assert set(response.json()) == SECTION_KEYS
    assert client_for(charlie).get(url).status_code == 404


def test_unknown_jobs_are_404(client_for, alice, project):
    unknown = "00000000-0000-0000-0000-000000000000"
    for name in ("lifecycle:job-status", "lifecycle:job-download", "governance:report-json"):
        assert client_for(alice).get(reverse(name, args=[unknown])).status_code == 404, name
    # A malformed job in the page's query is ignored.
    assert client_for(alice).get(f"{_page(project)}?job=not-a-uuid").status_code == 200


def test_hostile_names_are_escaped_on_the_page(client_for, alice, project):
    from lifecycle import services as lifecycle_services

    lifecycle_services.project_update(project=project, actor=alice, name=HOSTILE_NAME)
    content = client_for(alice).get(_page(project)).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert" in content


def test_the_project_page_links_to_the_report(client_for, vic, project):
    content = client_for(vic).get(project.get_absolute_url()).content.decode()
    assert f'href="{_page(project)}"' in content and "Governance report" in content


def test_the_page_makes_a_fixed_number_of_queries(client_for, alice, project):
    client = client_for(alice)
    governance_services.report_request(project=project, actor=alice)
    one, response = count_queries(lambda: client.get(_page(project)))
    assert response.status_code == 200
    for _ in range(4):
        # One report per project runs at a time: finish the last before asking for the next.
        Job.objects.filter(kind="governance_report").update(status=Job.Status.SUCCEEDED)
        governance_services.report_request(project=project, actor=alice)
    five, response = count_queries(lambda: client.get(_page(project)))
    assert response.content.decode().count('id="report-') == 5
    # Session, user, project, access and the reports (one query), plus what the layout reads.
    assert one == five == 10


# --- The API ------------------------------------------------------------------------------------


def _api(project) -> str:
    return f"/api/v1/projects/{project.pk}/report/"


def test_the_api_needs_credentials(api_for, project):
    response = api_for(None).get(_api(project))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_the_api_hides_the_project_from_outsiders(api_for, charlie, project):
    response = api_for(charlie).get(_api(project))
    assert response.status_code == 404 and response.json() == {"message": "No such project.", "code": "not_found"}
    assert not Job.objects.exists()


def test_the_api_starts_a_job_for_every_role_that_sees_the_project(api_for, personas, project):
    for role in ROLES:
        response = api_for(personas[role]).get(_api(project))
        assert response.status_code == (404 if role == "outsider" else 202), role
        assert_matches_schema(response)


def test_the_api_returns_202_then_the_job_has_the_report(rich, api_for, vic, project, eager_tasks, django_capture_on_commit_callbacks):
    client = api_for(vic)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(_api(project))

    assert response.status_code == 202
    job = Job.objects.get(kind="governance_report")
    assert response.json() == {"job": {"id": str(job.pk), "status": "queued", "url": f"/api/v1/jobs/{job.pk}/"}}
    assert response["Cache-Control"] == "no-store"
    detail = client.get(response.json()["job"]["url"])
    assert_matches_schema(detail)
    body = detail.json()
    assert (body["status"], body["progress"], body["result_url"]) == ("succeeded", 100, f"/jobs/{job.pk}/download/")
    assert set(body["result"]) == SECTION_KEYS
    assert body["result"]["gate_decisions"][0]["snapshot"]["artifacts"][0]["title"] == rich["approved"].title


def test_a_job_in_progress_has_no_result_yet(api_for, vic, project):
    response = api_for(vic).get(_api(project))
    detail = api_for(vic).get(response.json()["job"]["url"])
    assert_matches_schema(detail)
    assert (detail.json()["status"], detail.json()["result"]) == ("queued", None)


def test_an_unknown_job_is_404_in_the_api(api_for, alice, project):
    response = api_for(alice).get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_api_throttles_report_requests(api_for, vic, project, settings):
    settings.API_WRITE_RATE = "2/minute"
    client = api_for(vic)
    assert [client.get(_api(project)).status_code for _ in range(2)] == [202, 202]
    response = client.get(_api(project))
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert_matches_schema(response)
    # The second request followed the first one's job; the throttle counts requests all the same.
    assert Job.objects.count() == 1
