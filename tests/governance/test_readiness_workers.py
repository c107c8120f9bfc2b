"""Readiness with real processes: a real worker on the local Redis scores gates after a change
made in the UI, bursts are coalesced, and a worker killed mid-task has its task redone."""

from __future__ import annotations

import time
import uuid
from unittest import mock

import pytest
from django.urls import reverse

from governance.models import Assessment, Gate
from lifecycle import services as lifecycle_services
from phases import services as phases_services
from phases.models import ChecklistItem
from tests.workers import WorkerProcess, wait_for, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _scored(gate: Gate, after=None) -> Gate | None:
    gate.refresh_from_db()
    if gate.stale or gate.last_assessment_id is None:
        return None
    return gate if after is None or gate.last_assessment_id != after else None


def test_ticking_an_item_in_the_ui_is_scored_by_a_worker_not_by_the_request(celery_worker, client_for, alice):
    project = lifecycle_services.project_create(actor=alice, name="Worker scored")
    gate = Gate.objects.get(project=project, phase__key="scope")
    first = wait_for(lambda: _scored(gate), timeout=30, message="the first score").last_assessment_id
    item = ChecklistItem.objects.filter(phase=gate.phase, required=True).first()

    # If a web request computed readiness, this would turn it into an error.
    with mock.patch("governance.services.readiness.gates_assess", side_effect=AssertionError("scored in a request")):
        response = client_for(alice).post(reverse("phases:checklist-item-toggle", args=[item.pk]), {"done": "true"})
        assert response.status_code == 302
        gate.refresh_from_db()
        assert gate.stale, "the change marks the gate stale at once"
        page = client_for(alice).get(gate.get_absolute_url()).content.decode()
        assert "Stale" in page

    wait_for(lambda: _scored(gate, after=first), timeout=30, message="the new score")
    required = next(c for c in gate.last_assessment.criteria if c["kind"] == "required_items")
    assert required["satisfaction"] > 0
    assert f"rescoring gate {gate.pk}" in celery_worker.log()


def test_a_burst_of_50_changes_in_2_seconds_costs_at_most_2_computations(celery_worker, alice, bob):
    project = lifecycle_services.project_create(actor=alice, name="Burst")
    lifecycle_services.membership_add(project=project, actor=alice, user=bob, role="contributor")
    gate = Gate.objects.get(project=project, phase__key="scope")
    wait_for(lambda: _scored(gate), timeout=30, message="the first score")
    before = celery_worker.log().count(f"rescoring gate {gate.pk}")
    items = list(ChecklistItem.objects.filter(phase=gate.phase))

    started = time.monotonic()
    for n in range(50):
        item = items[n % len(items)]
        phases_services.checklist_item_set_done(item=item, actor=bob, done=n % 2 == 0)
    assert time.monotonic() - started < 2, "the burst must fit in 2 seconds for the test to mean anything"

    wait_for(lambda: _scored(gate), timeout=30, message="the gate to settle")
    time.sleep(3)
    computations = celery_worker.log().count(f"rescoring gate {gate.pk}") - before
    assert 1 <= computations <= 2, computations


@pytest.mark.faults
def test_a_worker_killed_mid_task_has_its_task_redone_by_another(alice):
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        CELERY_VISIBILITY_TIMEOUT="3",
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        CELERY_UNACKED_RESTORE_THROTTLE="1",
        TEST_QUEUE=queue,
    )
    # This test sends the only rescore itself, to its own queue.
    with mock.patch("governance.services.readiness._enqueue_coalesced"):
        project = lifecycle_services.project_create(actor=alice, name="Killed")
    gate = Gate.objects.get(project=project, phase__key="scope")
    first = WorkerProcess(name="victim", env=env, queue=queue, include="tests.fault_tasks")
    from tests.fault_tasks import slow_rescore_task

    slow_rescore_task.apply_async(args=[str(gate.pk), 4], queue=queue)
    wait_for(lambda: f"slow rescore of {gate.pk} started" in first.log(), timeout=30, message="the task to start")
    first.kill()
    assert Assessment.objects.filter(gate=gate).count() == 0

    second = WorkerProcess(name="rescuer", env=env, queue=queue, include="tests.fault_tasks")
    try:
        wait_for(lambda: f"slow rescore of {gate.pk} finished" in second.log(), timeout=60, message="the redelivered task")
    finally:
        second.stop()
    # Redone once, with one result: no duplicate assessment for the same inputs.
    assert Assessment.objects.filter(gate=gate).count() == 1
    assert Assessment.objects.filter(gate=gate).values("fingerprint").distinct().count() == 1
