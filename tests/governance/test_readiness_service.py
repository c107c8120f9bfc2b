"""Readiness in the database: gates per phase, inputs in a fixed number of queries, assessments
stored only when inputs change, stale marking in the writing transaction, coalesced rescoring."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import services as governance_services
from governance.models import Assessment, Gate, RiskCategory
from governance.services import readiness
from lifecycle import services as lifecycle_services
from phases import services as phases_services
from phases.models import ChecklistItem
from sample_data.artifacts import SAMPLES
from tests.conftest import make_user


@pytest.fixture
def scope_gate(project):
    return Gate.objects.get(project=project, phase__key="scope")


def test_a_project_gets_a_gate_per_phase_with_the_templates_criteria(project):
    gates = Gate.objects.filter(project=project).order_by("phase__order")
    assert [g.phase.key for g in gates] == ["scope", "select", "adapt_align", "evaluate", "integrate"]
    assert all(g.stale and g.last_assessment is None for g in gates)
    assert gates[0].template.criteria.count() >= 5


def test_assessing_stores_the_score_with_explanations(scope_gate):
    assessment = readiness.gate_assess(scope_gate.pk)
    scope_gate.refresh_from_db()
    assert scope_gate.last_assessment == assessment and not scope_gate.stale
    assert assessment.ready is False
    keys = {c["key"] for c in assessment.criteria}
    assert "eu-ai-act-not-prohibited" in keys
    assert all(c["explanation"] for c in assessment.criteria)
    assert assessment.blocking and len(assessment.fingerprint) == 64


def test_unchanged_inputs_add_no_row(scope_gate):
    readiness.gate_assess(scope_gate.pk)
    readiness.gate_assess(scope_gate.pk)
    assert Assessment.objects.filter(gate=scope_gate).count() == 1


def test_a_change_makes_the_gate_stale_in_the_same_transaction_and_a_new_row_follows(project, scope_gate, bob):
    readiness.gate_assess(scope_gate.pk)
    item = ChecklistItem.objects.filter(phase=scope_gate.phase, required=True).first()

    phases_services.checklist_item_set_done(item=item, actor=bob, done=True)

    scope_gate.refresh_from_db()
    assert scope_gate.stale
    readiness.gate_assess(scope_gate.pk)
    scope_gate.refresh_from_db()
    assert not scope_gate.stale
    assert Assessment.objects.filter(gate=scope_gate).count() == 2
    required = next(c for c in scope_gate.last_assessment.criteria if c["kind"] == "required_items")
    assert required["satisfaction"] > 0


def test_a_change_during_the_computation_keeps_the_gate_stale(project, scope_gate, bob):
    item = ChecklistItem.objects.filter(phase=scope_gate.phase).first()
    real_load = readiness.gate_inputs_load

    def load_then_change(gates):
        loaded = real_load(gates)
        phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
        return loaded

    with mock.patch.object(readiness, "gate_inputs_load", load_then_change):
        readiness.gate_assess(scope_gate.pk)
    scope_gate.refresh_from_db()
    # The stored score predates the change: it must not be shown as current.
    assert scope_gate.last_assessment is not None and scope_gate.stale


def test_passed_phases_keep_their_gate_as_it_was(project, bob):
    project = lifecycle_services.phase_advance(project=project, actor=None)
    scope = Gate.objects.get(project=project, phase__key="scope")
    Gate.objects.filter(pk=scope.pk).update(stale=False)
    item = ChecklistItem.objects.filter(phase__key="select", project=project).first()
    phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
    scope.refresh_from_db()
    assert not scope.stale
    assert Gate.objects.get(project=project, phase__key="select").stale


def test_inputs_load_in_a_fixed_number_of_queries(project, alice, bob):
    def queries_for(gates):
        with CaptureQueriesContext(connection) as ctx:
            readiness.gate_inputs_load(gates)
        return len(ctx.captured_queries)

    small = queries_for(list(Gate.objects.filter(project=project, phase__key="scope").select_related("phase", "template")))
    # Grow everything the inputs read: items, artifacts, risks, more projects.
    phases_services.checklist_items_add(
        project=project,
        actor=None,
        entries=[{"phase": "scope", "key": f"x{i}", "title": f"X {i}"} for i in range(30)],
        source="obligation",
        tier="high",
    )
    for key in ("scope_document", "evaluation_report", "model_card"):
        title, data = SAMPLES[key]
        phases_services.artifact_create(project=project, actor=bob, type=key, title=title, data=data)
    category = RiskCategory.objects.filter(project=None).first()
    for i in range(5):
        governance_services.risk_create(project=project, actor=bob, title=f"R{i}", category=category, likelihood=3, impact=3)
    for i in range(3):
        lifecycle_services.project_create(actor=make_user(f"o{i}"), name=f"P{i}")
    large = queries_for(list(Gate.objects.select_related("phase", "template")))
    assert small == large == 7


def test_the_enqueue_is_coalesced(project, scope_gate, bob, django_capture_on_commit_callbacks):
    items = list(ChecklistItem.objects.filter(phase=scope_gate.phase)[:3])
    with mock.patch("lifecycle.services.tasks.send_now", return_value=True) as send:
        with django_capture_on_commit_callbacks(execute=True):
            phases_services.checklist_item_set_done(item=items[0], actor=bob, done=True)
        with django_capture_on_commit_callbacks(execute=True):
            phases_services.checklist_item_set_done(item=items[1], actor=bob, done=True)
    scope_sends = [c for c in send.call_args_list if c.args[1] == (str(scope_gate.pk),)]
    # The second change found a rescore already waiting.
    assert len(scope_sends) == 1


def test_a_failed_enqueue_releases_the_claim_for_the_sweep(project, scope_gate, bob, django_capture_on_commit_callbacks):
    item = ChecklistItem.objects.filter(phase=scope_gate.phase).first()
    with mock.patch("lifecycle.services.tasks.send_now", return_value=False), django_capture_on_commit_callbacks(execute=True):
        phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
    scope_gate.refresh_from_db()
    assert scope_gate.stale and scope_gate.rescore_queued_at is None
    with mock.patch("lifecycle.services.tasks.send_now", return_value=True) as send:
        sent = readiness.gates_sweep()
    assert sent >= 1 and str(scope_gate.pk) in send.call_args_list[0].args[1][0]


def test_a_prohibited_project_is_never_ready(project, alice, scope_gate):
    governance_services.classification_set(project=project, actor=alice, answers={"prohibited": ["art-5-1-a"]})
    assessment = readiness.gate_assess(scope_gate.pk)
    assert "eu-ai-act-not-prohibited" in assessment.blocking


def test_an_unclassified_project_cannot_pass_scope_even_with_every_item_done(project, alice, scope_gate):
    ChecklistItem.objects.filter(project=project).update(done=True)
    assessment = readiness.gate_assess(scope_gate.pk)
    assert "scope-classified" in assessment.blocking
    governance_services.classification_set(project=project, actor=alice, answers={"transparency": ["art-50-1"], "role": "deployer"})
    assert "scope-classified" not in readiness.gate_assess(scope_gate.pk).blocking


def test_a_high_risk_chatbots_limited_tier_criteria_apply(project, alice, scope_gate):
    """The readiness inputs carry every tier in force, not only the classification's tier."""
    governance_services.classification_set(
        project=project, actor=alice, answers={"annex_iii_points": ["5d"], "transparency": ["art-50-1"], "role": "provider"}
    )
    inputs, _, _ = readiness.gate_inputs_load([scope_gate])[scope_gate.pk]
    assert (inputs.tier, inputs.tiers) == ("high", ("high", "limited"))


def test_the_recompute_job_runs_and_reports(project, alice, scope_gate, eager_tasks, django_capture_on_commit_callbacks):
    from lifecycle.models import Job

    with django_capture_on_commit_callbacks(execute=True):
        job = readiness.gate_recompute_request(gate=scope_gate, actor=alice)
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.progress, job.result_url) == ("succeeded", 100, f"/api/v1/gates/{scope_gate.pk}/readiness/")
    scope_gate.refresh_from_db()
    assert scope_gate.last_assessment is not None
