"""Query budgets: every page and endpoint listed here makes exactly this many SQL queries, at two
data sizes (so an N+1 fails the test). One place to read and to change them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from lifecycle import services as lifecycle_services
from lifecycle.models import Project, User
from phases import services as phases_services
from tests.conftest import make_user
from tests.helpers import QueryCount, count_queries

# name: exact number of queries for one request, whatever the data size.
BUDGETS = {
    "page:project-list": 12,
    "page:project-detail": 20,
    "page:phase-detail": 15,
    "page:member-list": 12,
    "page:home": 27,
    "page:home-filtered": 27,
    "page:artifact-list": 11,
    "page:artifact-detail": 14,
    "page:risk-list": 14,
    "page:portfolio-risks": 13,
    "page:signoff-list": 10,
    "page:compliance": 18,
    "page:post-launch": 12,
    "page:inbox": 11,
    "page:notifications": 9,
    "page:gate-detail": 13,
    "page:review-detail": 11,
    "page:audit-log": 9,
    "page:project-activity": 11,
    "page:webhook-list": 10,
    "page:webhook-detail": 12,
    "api:changes": 5,
    "api:projects": 5,
    "api:project-detail": 6,
    "api:phases": 5,
    "api:checklist-items": 4,
    "api:members": 5,
    "api:artifacts": 4,
    "api:artifact-detail": 3,
    "api:risks": 4,
    "api:signoffs": 4,
    "api:incidents": 4,
    "api:gates": 5,
    "api:gate-readiness": 3,
    "api:review-detail": 5,
    "api:inbox": 5,
    "api:webhooks": 4,
    "api:deliveries": 5,
    "api:compliance": 11,
}


def _grow_projects(owner: User, n: int) -> None:
    for i in range(n):
        project = lifecycle_services.project_create(actor=owner, name=f"Grown {i}", tags=[f"t{i}", "shared"])
        lifecycle_services.membership_add(project=project, actor=owner, user=make_user(f"extra{i}-{owner.username}"), role="owner")


def _grow_members(project: Project, n: int) -> None:
    owner = project.memberships.filter(role="owner").first().user
    for i in range(n):
        lifecycle_services.membership_add(
            project=project, actor=owner, user=make_user(f"member{i}"), role="approver", functions=["legal", "security"]
        )


def _grow_items(project: Project, n: int) -> None:
    phases_services.checklist_items_add(
        project=project,
        actor=None,
        entries=[{"phase": "scope", "key": f"grown-{i}", "title": f"Grown {i}", "required": i % 2 == 0} for i in range(n)],
        source="obligation",
        tier="high",
    )
    for item in project.checklist_items.filter(key__startswith="grown-")[: n // 2]:
        phases_services.checklist_item_set_done(item=item, actor=None, done=True, note="Evidence on file.")


def _measure(client, url: str) -> int:
    n, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200, response.status_code
    return n


def _both_sizes(name: str, request: Callable[[], int], grow: Callable[[], None]) -> None:
    small = request()
    grow()
    large = request()
    if (small, large) != (BUDGETS[name], BUDGETS[name]):
        listings = "".join(
            f"\n{label} ({n}):\n{n.listing()}" for label, n in (("small", small), ("after growing", large)) if isinstance(n, QueryCount)
        )
        raise AssertionError(f"{name}: {small} queries, then {large} after growing (budget {BUDGETS[name]}){listings}")


def test_project_list(client_for, alice, project):
    client = client_for(alice)
    _both_sizes("page:project-list", lambda: _measure(client, reverse("lifecycle:project-list")), lambda: _grow_projects(alice, 4))


def _grow_portfolio(owner: User, n: int) -> None:
    """Projects with what every dashboard panel lists: risks, open and decided reviews, overdue
    phases."""
    from datetime import timedelta

    from django.utils import timezone

    from governance import services as governance_services
    from governance.models import Gate, RiskCategory

    category = RiskCategory.objects.filter(project=None).first()
    for i in range(n):
        project = lifecycle_services.project_create(actor=owner, name=f"Portfolio {i}", tags=["shared"])
        approver = make_user(f"approver{i}-{owner.username}")
        lifecycle_services.membership_add(project=project, actor=owner, user=approver, role="approver")
        governance_services.risk_create(project=project, actor=owner, title=f"Risk {i}", category=category, likelihood=4, impact=5)
        scope = Gate.objects.get(project=project, phase__key="scope")
        review = governance_services.review_request(gate=scope, actor=owner, justification="Early")
        if i % 2:
            governance_services.vote_cast(review=review, actor=approver, decision="go", comment="Fine")
        today = timezone.localdate()
        project.phases.filter(key="scope").update(planned_start=today - timedelta(days=30), planned_end=today - timedelta(days=3))


def test_home(client_for, alice, project):
    client = client_for(alice)
    _both_sizes("page:home", lambda: _measure(client, reverse("home")), lambda: _grow_portfolio(alice, 4))


def test_home_filtered(client_for, alice, project):
    client = client_for(alice)
    url = reverse("home") + "?tier=high&owner=alice&phase=scope&status=active&tag=shared"
    _both_sizes("page:home-filtered", lambda: _measure(client, url), lambda: _grow_portfolio(alice, 3))


def test_project_detail(client_for, alice, project):
    client = client_for(alice)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    _both_sizes("page:project-detail", lambda: _measure(client, url), lambda: _grow_members(project, 4))


def test_member_list(client_for, alice, project):
    client = client_for(alice)
    url = reverse("lifecycle:member-list", args=[project.pk])
    _both_sizes("page:member-list", lambda: _measure(client, url), lambda: _grow_members(project, 4))


def test_phase_detail(client_for, alice, project):
    client = client_for(alice)
    url = reverse("phases:phase-detail", args=[project.phases.get(key="scope").pk])
    _both_sizes("page:phase-detail", lambda: _measure(client, url), lambda: _grow_items(project, 6))


def _grow_artifacts(project: Project, n: int) -> None:
    from sample_data.artifacts import SAMPLES

    owner = project.memberships.filter(role="owner").first().user
    for i in range(n):
        key = ["scope_document", "model_card", "evaluation_report"][i % 3]
        title, data = SAMPLES[key]
        artifact = phases_services.artifact_create(project=project, actor=owner, type=key, title=f"{title} {i}", data=data)
        phases_services.artifact_comment_add(artifact=artifact, actor=owner, body=f"Comment {i}")


def _grow_risks(project: Project, n: int) -> None:
    from governance import services as governance_services
    from governance.models import RiskCategory

    owner = project.memberships.filter(role="owner").first().user
    categories = list(RiskCategory.objects.filter(project=None))
    for i in range(n):
        governance_services.risk_create(
            project=project,
            actor=owner,
            title=f"Risk {i}",
            category=categories[i % 12],
            likelihood=1 + i % 5,
            impact=1 + (i * 2) % 5,
            owner=owner,
        )


def test_artifact_list(client_for, alice, project):
    _grow_artifacts(project, 1)
    client = client_for(alice)
    url = reverse("phases:artifact-list", args=[project.pk])
    _both_sizes("page:artifact-list", lambda: _measure(client, url), lambda: _grow_artifacts(project, 4))


def test_artifact_detail(client_for, alice, project):
    _grow_artifacts(project, 1)
    artifact = project.artifacts.first()
    client = client_for(alice)

    def grow() -> None:
        for i in range(4):
            phases_services.artifact_comment_add(artifact=artifact, actor=alice, body=f"More {i}")
            phases_services.artifact_update(artifact=artifact, actor=alice, title=f"Retitled {i}")

    _both_sizes("page:artifact-detail", lambda: _measure(client, artifact.get_absolute_url()), grow)


def test_risk_list(client_for, alice, project):
    _grow_risks(project, 1)
    client = client_for(alice)
    _both_sizes(
        "page:risk-list",
        lambda: _measure(client, reverse("governance:risk-list", args=[project.pk])),
        lambda: _grow_risks(project, 4),
    )


def test_portfolio_risks(client_for, alice, project):
    _grow_risks(project, 1)
    client = client_for(alice)
    _both_sizes("page:portfolio-risks", lambda: _measure(client, reverse("governance:portfolio-risks")), lambda: _grow_risks(project, 4))


def test_signoff_list(client_for, alice, project):
    client = client_for(alice)
    url = reverse("governance:signoff-list", args=[project.pk])
    _both_sizes("page:signoff-list", lambda: _measure(client, url), lambda: _grow_members(project, 4))


def test_compliance(client_for, alice, project):
    client = client_for(alice)
    url = reverse("governance:compliance", args=[project.pk])
    _both_sizes("page:compliance", lambda: _measure(client, url), lambda: _grow_items(project, 6))


def test_post_launch(client_for, alice, project):
    from datetime import date

    from governance import services as governance_services

    client = client_for(alice)
    url = reverse("governance:post-launch", args=[project.pk])

    def grow() -> None:
        for i in range(4):
            governance_services.incident_create(
                project=project, actor=alice, title=f"Incident {i}", occurred_on=date(2026, 1, 1), severity="low", description="x"
            )

    _both_sizes("page:post-launch", lambda: _measure(client, url), grow)


def test_inbox(client_for, ava, project):
    from sample_data.artifacts import SAMPLES

    bob = project.memberships.get(role="contributor").user
    client = client_for(ava)

    def submit(n: int) -> None:
        for i in range(n):
            title, data = SAMPLES["model_card"]
            artifact = phases_services.artifact_create(project=project, actor=bob, type="model_card", title=f"{title} {i}", data=data)
            phases_services.artifact_submit(artifact=artifact, actor=bob)
            phases_services.feedback_request(artifact=artifact, actor=bob, reviewers=[ava])

    submit(1)
    _both_sizes("page:inbox", lambda: _measure(client, reverse("lifecycle:inbox")), lambda: submit(4))


def test_notifications(client_for, alice, project):
    from lifecycle.services import notify

    client = client_for(alice)
    notify(users=[alice], kind="general", title="Hello")
    _both_sizes(
        "page:notifications",
        lambda: _measure(client, reverse("lifecycle:notification-list")),
        lambda: [notify(users=[alice], kind="general", title=f"Hello {i}", project=project) for i in range(4)],
    )


def test_gate_detail(client_for, alice, project):
    from governance.models import Gate
    from governance.services import readiness

    gate = Gate.objects.get(project=project, phase__key="scope")
    readiness.gate_assess(gate.pk)
    client = client_for(alice)
    bob = project.memberships.get(role="contributor").user
    items = list(project.checklist_items.filter(phase=gate.phase)[:4])

    def grow() -> None:
        for item in items:
            phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
            readiness.gate_assess(gate.pk)

    _both_sizes("page:gate-detail", lambda: _measure(client, gate.get_absolute_url()), grow)


def test_review_detail(client_for, alice, project):
    from governance import services as governance_services
    from governance.models import Gate

    gate = Gate.objects.get(project=project, phase__key="scope")
    review = governance_services.review_request(gate=gate, actor=alice, justification="x")
    client = client_for(alice)

    def grow() -> None:
        for i in range(4):
            person = make_user(f"voter{i}")
            lifecycle_services.membership_add(project=project, actor=alice, user=person, role="approver")
            review.approvers.add(person)

    _both_sizes("page:review-detail", lambda: _measure(client, review.get_absolute_url()), grow)


def test_audit_log(client_for, adam, alice, project):
    client = client_for(adam)
    _both_sizes("page:audit-log", lambda: _measure(client, reverse("lifecycle:audit-log")), lambda: _grow_projects(alice, 4))


def test_project_activity(client_for, alice, project):
    client = client_for(alice)
    url = reverse("lifecycle:project-activity", args=[project.pk])
    _both_sizes("page:project-activity", lambda: _measure(client, url), lambda: _grow_members(project, 4))


def _grow_deliveries(project: Project, n: int) -> None:
    from governance.models import WebhookDelivery

    owner = project.memberships.filter(role="owner").first().user
    for i in range(n):
        lifecycle_services.project_update(project=project, actor=owner, name=f"Renamed {i}")
    for delivery in WebhookDelivery.objects.filter(attempts=0):
        delivery.attempt_log.create(number=1, status_code=500)
        delivery.attempt_log.create(number=2, status_code=200)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=2, status="succeeded")


def _webhook(project: Project, settings):
    from governance import services as governance_services

    settings.WEBHOOK_ALLOW_PUBLIC_TARGETS = True
    owner = project.memberships.filter(role="owner").first().user
    return governance_services.webhook_create(actor=owner, project=project, url="https://hooks.example.com/x", events=["project.updated"])


def test_webhook_list(client_for, alice, project, settings):
    endpoint = _webhook(project, settings)
    client = client_for(alice)
    url = reverse("governance:webhook-list", args=[project.pk])
    _both_sizes("page:webhook-list", lambda: _measure(client, url), lambda: [_webhook(project, settings) for _ in range(3)])
    assert endpoint


def test_webhook_detail(client_for, alice, project, settings):
    endpoint = _webhook(project, settings)
    _grow_deliveries(project, 1)
    client = client_for(alice)
    _both_sizes("page:webhook-detail", lambda: _measure(client, endpoint.get_absolute_url()), lambda: _grow_deliveries(project, 4))


def test_change_feed(api_for, alice, project):
    client = api_for(alice)
    client.get("/api/v1/changes/?since=0")  # the token's first use of the minute records its last use
    _both_sizes("api:changes", lambda: _measure(client, "/api/v1/changes/?since=0"), lambda: _grow_projects(alice, 3))


def _api_cases(project: Project, alice: User, settings) -> dict[str, tuple[str, Callable[[], object]]]:
    """The API's reads: each URL and what grows under it (the growth adds rows the response lists)."""
    from datetime import date

    from governance import services as governance_services
    from governance.models import Gate

    gate = Gate.objects.get(project=project, phase__key="scope")
    _grow_artifacts(project, 1)
    _grow_risks(project, 1)
    artifact = project.artifacts.first()
    endpoint = _webhook(project, settings)
    _grow_deliveries(project, 1)
    review = governance_services.review_request(gate=gate, actor=alice, justification="x")

    def grow_voters() -> None:
        for i in range(3):
            person = make_user(f"api-voter{i}")
            lifecycle_services.membership_add(project=project, actor=alice, user=person, role="approver")
            review.approvers.add(person)

    def grow_incidents() -> None:
        for i in range(3):
            governance_services.incident_create(
                project=project, actor=alice, title=f"Incident {i}", occurred_on=date(2026, 1, 1), severity="low", description="x"
            )

    p = project.pk
    return {
        "api:projects": ("/api/v1/projects/", lambda: _grow_projects(alice, 3)),
        "api:project-detail": (f"/api/v1/projects/{p}/", lambda: _grow_members(project, 3)),
        "api:phases": (f"/api/v1/projects/{p}/phases/", lambda: _grow_items(project, 6)),
        "api:checklist-items": (f"/api/v1/projects/{p}/checklist-items/?phase=scope", lambda: _grow_items(project, 6)),
        "api:members": (f"/api/v1/projects/{p}/members/", lambda: _grow_members(project, 3)),
        "api:artifacts": (f"/api/v1/projects/{p}/artifacts/", lambda: _grow_artifacts(project, 3)),
        "api:artifact-detail": (f"/api/v1/artifacts/{artifact.pk}/", lambda: _grow_artifacts(project, 2)),
        "api:risks": (f"/api/v1/projects/{p}/risks/", lambda: _grow_risks(project, 3)),
        "api:signoffs": (f"/api/v1/projects/{p}/signoffs/", lambda: _grow_members(project, 3)),
        "api:incidents": (f"/api/v1/projects/{p}/incidents/", grow_incidents),
        "api:gates": (f"/api/v1/projects/{p}/gates/", lambda: _grow_items(project, 6)),
        "api:gate-readiness": (f"/api/v1/gates/{gate.pk}/readiness/", lambda: _grow_items(project, 6)),
        "api:review-detail": (f"/api/v1/reviews/{review.pk}/", grow_voters),
        "api:inbox": ("/api/v1/inbox/", lambda: _grow_artifacts(project, 2)),
        "api:webhooks": (f"/api/v1/projects/{p}/webhooks/", lambda: [_webhook(project, settings) for _ in range(2)]),
        "api:deliveries": (f"/api/v1/webhooks/{endpoint.pk}/deliveries/", lambda: _grow_deliveries(project, 3)),
        "api:compliance": (f"/api/v1/projects/{p}/compliance/", lambda: _grow_items(project, 6)),
    }


API_CASES = [
    "api:projects",
    "api:project-detail",
    "api:phases",
    "api:checklist-items",
    "api:members",
    "api:artifacts",
    "api:artifact-detail",
    "api:risks",
    "api:signoffs",
    "api:incidents",
    "api:gates",
    "api:gate-readiness",
    "api:review-detail",
    "api:inbox",
    "api:webhooks",
    "api:deliveries",
    "api:compliance",
]


@pytest.mark.parametrize("name", API_CASES)
def test_api_reads(api_for, alice, project, settings, name):
    url, grow = _api_cases(project, alice, settings)[name]
    client = api_for(alice)
    client.get(url)  # the token's first use of the minute records its last use
    _both_sizes(name, lambda: _measure(client, url), grow)


def test_every_budget_is_measured():
    measured = {name for name in BUDGETS if not name.startswith("api:")} | set(API_CASES) | {"api:changes"}
    assert set(BUDGETS) == measured
