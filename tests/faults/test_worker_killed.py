"""A worker killed with SIGKILL after its task stored its result but before the message was
acknowledged: the broker hands the task to the other worker (short visibility timeout), which
runs it in full, and the readiness it computes is the same one, stored once.

tests/governance/test_readiness_workers.py covers a worker killed before the task stored anything.
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest

from governance.models import Assessment, Gate
from lifecycle import services as lifecycle_services
from tests.workers import WorkerProcess, wait_for, worker_env

pytestmark = pytest.mark.faults


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_killed_before_its_ack_is_redone_elsewhere_without_a_second_result(alice, tmp_path):
    queue = f"ack-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        CELERY_VISIBILITY_TIMEOUT="3",
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        CELERY_UNACKED_RESTORE_THROTTLE="1",
        TEST_QUEUE=queue,
    )
    # The test sends the only rescore itself.
    with mock.patch("governance.services.readiness._enqueue_coalesced"):
        project = lifecycle_services.project_create(actor=alice, name="Killed before ack")
    gate = Gate.objects.get(project=project, phase__key="scope")
    with ThreadPoolExecutor(2) as pool:
        workers = list(pool.map(lambda name: WorkerProcess(name=name, env=env, queue=queue, include="tests.ack_tasks"), ["a", "b"]))
    try:
        from tests.ack_tasks import rescore_then_pause_task

        rescore_then_pause_task.apply_async(args=[str(gate.pk), 60, str(tmp_path / "paused")], queue=queue)
        victim = wait_for(
            lambda: next((w for w in workers if f"rescore of {gate.pk} pausing" in w.log()), None),
            timeout=60,
            message="a worker to store the result and pause",
        )
        victim.kill()
        # The result was committed before the kill.
        assert Assessment.objects.filter(gate=gate).count() == 1

        (rescuer,) = [w for w in workers if w is not victim]
        wait_for(lambda: f"rescore of {gate.pk} stored" in rescuer.log(), timeout=60, message="the other worker to redo the task")
        assert re.search(r"rescore_then_pause_task\[[-0-9a-f]+\] succeeded", rescuer.log())
        # Run twice in full, and only the first run found something new to store.
        logs = victim.log() + rescuer.log()
        assert logs.count(f"rescore of {gate.pk} stored {{'assessed': 1, 'new': 1}}") == 1
        assert logs.count(f"rescore of {gate.pk} stored {{'assessed': 1, 'new': 0}}") == 1
    finally:
        for worker in workers:
            worker.stop()
    # Stored once: one assessment, for one fingerprint of the inputs.
    assessments = Assessment.objects.filter(gate=gate)
    assert assessments.count() == 1
    assert assessments.values("fingerprint").distinct().count() == 1
    gate.refresh_from_db()
    assert gate.last_assessment_id == assessments.get().pk and not gate.stale


@pytest.mark.parametrize(
    "name", ["gate_rescore_task", "gates_rescore_batch_task", "gate_recompute_job_task", "report_job_task", "webhook_deliver_task"]
)
def test_the_idempotent_tasks_are_acknowledged_only_after_they_ran(name):
    from governance import tasks

    task = getattr(tasks, name)
    # Without both, the task of a killed worker is already acknowledged, and lost.
    assert task.acks_late and task.reject_on_worker_lost
