"""Every state-changing service of the governance app checks the acting user itself, whichever
door the call came through: called directly as a viewer (and as members whose role or function
does not allow it) each one refuses with PermissionDenied and writes nothing. The pages and the
API only decide who may see the project (404 for the others)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

import governance.services
from governance import services
from governance.models import (
    Classification,
    ControlDecision,
    Framework,
    Incident,
    PostLaunchSchedule,
    PostLaunchTask,
    Review,
    Risk,
    RiskCategory,
    Signoff,
    Vote,
    WebhookDelivery,
    WebhookEndpoint,
)
from governance.services import readiness
from lifecycle import services as lifecycle_services
from lifecycle.models import AuditEvent, ChangeRecord, Job

FRAMEWORK = """\
key: house-rules
name: House rules
source: https://example.org/rules
as_of: 2026-01-01
requirements:
  - code: R1
    title: Be kind
    level: rule
"""


@pytest.fixture
def world(project, alice, bob, ava, ben, gate, receiver):
    category = RiskCategory.objects.get(project=None, key="data-privacy")
    # 4 x 4 on the 5 x 5 matrix: high, which only approvers (and administrators) accept.
    high = services.risk_create(project=project, actor=bob, title="Leaks", category=category, likelihood=4, impact=4)
    low = services.risk_create(project=project, actor=bob, title="Typos", category=category, likelihood=1, impact=2)
    incident = services.incident_create(
        project=project, actor=bob, title="Outage", occurred_on=date(2026, 1, 2), severity="low", description="Down for an hour"
    )
    # An audit that fell due: the schedule makes them only for live projects, and no check here
    # depends on the project being live.
    task = PostLaunchTask.objects.create(project=project, kind=PostLaunchTask.Kind.BIAS_AUDIT, due_on=timezone.localdate())
    review = services.review_request(gate=gate, actor=alice, justification="Early, to hear the approvers")
    endpoint = services.webhook_create(actor=alice, project=project, url=receiver.url, events=["project.updated"])
    lifecycle_services.project_update(project=project, actor=alice, description="Now with a delivery to resend")
    # ben holds the ethics board function; ava (compliance officer) decides the data privacy one.
    decided = Signoff.objects.get(project=project, kind="bias_audit")
    services.signoff_decide(
        signoff=decided,
        actor=ben,
        decision="approved",
        comment="Audit read",
        evidence=[{"type": "link", "url": "https://wiki.example/audit"}],
    )
    return {
        "project": project,
        "gate": gate,
        "category": category,
        "high": high,
        "low": low,
        "incident": incident,
        "task": task,
        "review": review,
        "endpoint": endpoint,
        "delivery": WebhookDelivery.objects.get(endpoint=endpoint),
        "pending": Signoff.objects.select_related("project", "function").get(project=project, kind="data_privacy"),
        "decided": decided,
    }


def _incident_fields() -> dict:
    return {"title": "Slow", "occurred_on": date(2026, 1, 3), "severity": "low", "description": "Slow answers"}


CALLS = {
    "risk_create": lambda w, u: services.risk_create(
        project=w["project"], actor=u, title="New", category=w["category"], likelihood=2, impact=2
    ),
    "risk_update": lambda w, u: services.risk_update(risk=w["high"], actor=u, title="Renamed"),
    "risk_accept": lambda w, u: services.risk_accept(
        risk=w["high"], actor=u, expires_on=timezone.localdate() + timedelta(days=30), comment="Contained"
    ),
    "risk_category_create": lambda w, u: services.risk_category_create(project=w["project"], actor=u, name="Vendor lock-in"),
    "signoff_decide": lambda w, u: services.signoff_decide(
        signoff=w["pending"], actor=u, decision="approved", comment="Fine", evidence=[{"type": "link", "url": "https://wiki.example/x"}]
    ),
    "signoff_reopen": lambda w, u: services.signoff_reopen(signoff=w["decided"], actor=u),
    "incident_create": lambda w, u: services.incident_create(project=w["project"], actor=u, **_incident_fields()),
    "incident_update": lambda w, u: services.incident_update(incident=w["incident"], actor=u, title="Renamed"),
    "post_launch_schedule_set": lambda w, u: services.post_launch_schedule_set(
        project=w["project"], actor=u, bias_audit_every_days=30, monitoring_review_every_days=30
    ),
    "post_launch_task_complete": lambda w, u: services.post_launch_task_complete(task=w["task"], actor=u, notes="No drift"),
    "review_request": lambda w, u: services.review_request(gate=w["gate"], actor=u, justification="Again"),
    "review_withdraw": lambda w, u: services.review_withdraw(review=w["review"], actor=u),
    "vote_cast": lambda w, u: services.vote_cast(review=w["review"], actor=u, decision="go"),
    "gate_recompute_request": lambda w, u: readiness.gate_recompute_request(gate=w["gate"], actor=u),
    "classification_set": lambda w, u: services.classification_set(project=w["project"], actor=u, answers={"profiling": True}),
    "control_decision_set": lambda w, u: services.control_decision_set(project=w["project"], actor=u, code="A.2.2", applicable=True),
    "framework_import": lambda w, u: services.framework_import(text=FRAMEWORK, actor=u),
    "webhook_create": lambda w, u: services.webhook_create(
        actor=u, project=w["project"], url=w["endpoint"].url, events=["project.updated"]
    ),
    "webhook_update": lambda w, u: services.webhook_update(endpoint=w["endpoint"], actor=u, description="Mine now"),
    "webhook_delete": lambda w, u: services.webhook_delete(endpoint=w["endpoint"], actor=u),
    "webhook_rotate_secret": lambda w, u: services.webhook_rotate_secret(endpoint=w["endpoint"], actor=u),
    "webhook_resend": lambda w, u: services.webhook_resend(delivery=w["delivery"], actor=u),
}

# Who else is refused, besides viewers. Roles: writing the register is for owners and
# contributors, not approvers; reviews, recomputes, the schedule and reopening a sign-off for
# owners; a high risk's acceptance for approvers. Personal rules: a vote belongs to the approvers
# named on the review and a sign-off to the members holding its function, administrators
# included. Frameworks are for administrators; webhooks for owners.
ALSO_REFUSED = {
    "risk_create": ["ava"],
    "risk_update": ["ava"],
    "risk_accept": ["alice", "bob"],
    "risk_category_create": ["ava"],
    "signoff_decide": ["alice", "bob", "adam"],
    "signoff_reopen": ["bob", "ava"],
    "incident_create": ["ava"],
    "incident_update": ["ava"],
    "post_launch_schedule_set": ["bob", "ava"],
    "post_launch_task_complete": ["ava"],
    "control_decision_set": ["ava"],
    "review_request": ["bob", "ava"],
    "review_withdraw": ["bob", "ava"],
    "vote_cast": ["alice", "bob", "adam"],
    "gate_recompute_request": ["bob", "ava"],
    "classification_set": ["ava"],
    "framework_import": ["alice", "ava"],
    "webhook_create": ["bob", "ava"],
    "webhook_update": ["bob", "ava"],
    "webhook_delete": ["bob", "ava"],
    "webhook_rotate_secret": ["bob", "ava"],
    "webhook_resend": ["bob", "ava"],
}

# Called by the system only (beat tasks, workers, in-transaction listeners, the project's
# creation, reference data): no person acts, so there is no one to check.
SYSTEM = {
    "risk_acceptances_expire",
    "risk_categories_bootstrap",
    "signoffs_create_for_project",
    "signoffs_recheck_evidence",
    "signoffs_notify_due",
    "post_launch_tasks_create_due",
    "post_launch_overdue_notify",
    "incident_reports_notify",
    "classification_signoff_decided",  # from signoff_decide, which checked its actor
    "classification_apply",  # from classification_set and the sign-off, which checked their actor
    "reviews_remind",
    "review_approvers_recheck",  # from the membership services, which checked their actor
    "gates_create_for_project",
    "gates_assess",
    "gate_assess",
    "gates_mark_stale",
    "gates_enqueue_rescore",
    "gates_sweep",
    "gates_rescore_all",
    "gate_recompute_run",
    "report_run",
    "webhook_deliver",
    "webhooks_queue_for_changes",
    "webhooks_sweep",
    "governance_reference_data",
}
# Anyone who may see the project may do it, viewers included (test_the_report_is_for_whoever_sees_the_project).
FOR_READERS = {"report_request"}
READERS_AND_HELPERS = {
    "risk_matrix_for",
    "risk_snapshot",
    "risk_acceptance_allowed",
    "signoff_snapshot",
    "signoff_decide_allowed",
    "signoff_decider_check",
    "review_snapshot",
    "review_voter_check",
    "gate_approvers",
    "quorum_needed",
    "outcome_of",
    "counting_approvers",
    "decision_snapshot",
    "gate_inputs_load",
    "framework_validate",
    "report_filename",
    "signature",
    "change_needs_signoff",
    "shipped_update_due",
    "classification_requester",
}


def _public_services() -> set[str]:
    """Every public function defined in a module of governance.services, re-exported or not."""
    names = set()
    for info in pkgutil.iter_modules(governance.services.__path__):
        module = importlib.import_module(f"governance.services.{info.name}")
        names |= {n for n, f in vars(module).items() if not n.startswith("_") and inspect.isfunction(f) and f.__module__ == module.__name__}
    return names


def _state() -> tuple:
    return (
        AuditEvent.objects.count(),
        ChangeRecord.objects.count(),
        Job.objects.count(),
        sorted(Risk.objects.values_list("title", "status", "version")),
        RiskCategory.objects.filter(project__isnull=False).count(),
        sorted(Signoff.objects.values_list("kind", "status", "version")),
        sorted(Incident.objects.values_list("title", "version")),
        PostLaunchSchedule.objects.count(),
        sorted(PostLaunchTask.objects.values_list("status", "notes")),
        sorted(Review.objects.values_list("status", "version")),
        Vote.objects.count(),
        Classification.objects.count(),
        ControlDecision.objects.count(),
        sorted(Framework.objects.values_list("key", "updated_at")),
        sorted(WebhookEndpoint.objects.values_list("url", "description", "secret", "version")),
        WebhookDelivery.objects.count(),
    )


def test_every_state_changing_service_is_listed():
    """A new public function in governance.services must be added to CALLS (with the people it
    refuses), or to one of the other lists with the reason it checks nobody."""
    listed = set(CALLS) | SYSTEM | FOR_READERS | READERS_AND_HELPERS
    assert sorted(_public_services() - listed) == []
    # And nothing listed is gone.
    assert sorted(listed - _public_services()) == []
    assert set(ALSO_REFUSED) <= set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_viewer_is_refused_by_the_service_itself(world, vic, name):
    before = _state()
    with pytest.raises(PermissionDenied):
        CALLS[name](world, vic)
    assert _state() == before


@pytest.mark.parametrize(("name", "who"), [(n, who) for n, people in sorted(ALSO_REFUSED.items()) for who in people])
def test_members_whose_role_or_function_does_not_allow_it_are_refused(world, request, adam, name, who):
    user = request.getfixturevalue(who)
    before = _state()
    with pytest.raises(PermissionDenied):
        CALLS[name](world, user)
    assert _state() == before


@pytest.mark.parametrize(
    ("name", "who"),
    [
        # The one allowed beside the refused of ALSO_REFUSED: the boundaries are where the table says.
        ("risk_create", "bob"),
        ("risk_accept", "ava"),
        ("signoff_decide", "ava"),
        ("signoff_reopen", "alice"),
        ("post_launch_schedule_set", "alice"),
        ("post_launch_task_complete", "bob"),
        ("review_withdraw", "alice"),
        ("vote_cast", "ava"),
        ("gate_recompute_request", "alice"),
        ("classification_set", "bob"),
        ("framework_import", "adam"),
        ("webhook_rotate_secret", "adam"),
    ],
)
def test_the_people_the_rule_names_pass_it(world, request, adam, name, who):
    CALLS[name](world, request.getfixturevalue(who))


def test_a_low_risk_is_accepted_by_contributors_and_approvers_but_not_viewers(world, bob, ava, vic):
    later = timezone.localdate() + timedelta(days=30)
    with pytest.raises(PermissionDenied):
        services.risk_accept(risk=world["low"], actor=vic, expires_on=later)
    # Below high, a contributor's acceptance is enough.
    assert services.risk_accept(risk=world["low"], actor=bob, expires_on=later).status == "accepted"


def test_an_administrator_decides_a_signoff_only_holding_its_function(world, project, alice, adam):
    lifecycle_services.membership_add(project=project, actor=alice, user=adam, role="viewer", functions=["compliance_officer"])
    # A fresh copy: the access asked before the membership changed is memoised on the old one.
    pending = Signoff.objects.select_related("project", "function").get(pk=world["pending"].pk)
    decided = services.signoff_decide(signoff=pending, actor=adam, decision="rejected", comment="Not yet", evidence=[])
    assert (decided.status, decided.decided_by) == ("rejected", adam)


def test_an_approver_who_lost_the_role_is_refused(world, project, alice, ava):
    lifecycle_services.membership_update(membership=project.memberships.get(user=ava), actor=alice, role="contributor")
    with pytest.raises(PermissionDenied, match="no longer an approver"):
        services.vote_cast(review=world["review"], actor=ava, decision="go")
    assert not Vote.objects.exists()


def test_an_outsider_is_refused_too(world, charlie):
    for name in ("risk_create", "incident_create", "review_request", "classification_set"):
        with pytest.raises(PermissionDenied):
            CALLS[name](world, charlie)


def test_the_report_is_for_whoever_sees_the_project(project, vic, charlie):
    assert services.report_request(project=project, actor=vic).project_id == project.pk
    # Outsiders are refused: for them the project's pages and API answer 404 before the service.
    with pytest.raises((PermissionDenied, Http404)):
        services.report_request(project=project, actor=charlie)
    assert Job.objects.count() == 1
