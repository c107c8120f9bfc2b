"""phase_advance closes the current phase, opens the next, and after Integrate goes live."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from lifecycle import services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import AuditEvent, PhaseKey


def test_it_moves_to_the_next_phase_and_records_dates(project, adam):
    project = services.phase_advance(project=project, actor=None)

    scope, select = project.phases.get(key="scope"), project.phases.get(key="select")
    assert project.current_phase == "select"
    assert (scope.status, select.status) == ("passed", "in_progress")
    assert scope.actual_end is not None and select.actual_start is not None


def test_it_makes_the_project_live_after_integrate(project):
    for _ in PhaseKey.ordered():
        project = services.phase_advance(project=project, actor=None)
    assert project.status == "live"
    assert project.current_phase == "integrate"
    assert set(project.phases.values_list("status", flat=True)) == {"passed"}


def test_only_an_administrator_advances_by_hand_and_it_is_recorded(project, alice, adam):
    with pytest.raises(PermissionDenied):
        services.phase_advance(project=project, actor=alice, reason="because", by_admin=True)
    with pytest.raises(ApplicationError) as error:
        services.phase_advance(project=project, actor=adam, reason="  ", by_admin=True)
    assert error.value.code == "reason_required"

    services.phase_advance(project=project, actor=adam, reason="Gate decided on paper", by_admin=True)

    event = AuditEvent.objects.filter(action="phase.advanced_by_admin").get()
    assert event.actor == adam
    assert event.after["reason"] == "Gate decided on paper"


@pytest.mark.parametrize("stop", ["hold", "kill"])
def test_it_refuses_a_project_that_is_not_active(project, alice, stop):
    getattr(services, f"project_{stop}")(project=project, actor=alice)
    with pytest.raises(Conflict):
        services.phase_advance(project=project, actor=None)


def test_hold_and_resume(project, alice):
    services.project_hold(project=project, actor=alice, reason="Budget review")
    project.refresh_from_db()
    assert project.status == "on_hold"
    services.project_resume(project=project, actor=alice)
    project.refresh_from_db()
    assert project.status == "active"
    with pytest.raises(Conflict, match="Only a project on hold"):
        services.project_resume(project=project, actor=alice)


def test_delete_is_soft_and_only_admins_restore(project, alice, adam):
    services.project_delete(project=project, actor=alice)
    project.refresh_from_db()
    assert project.deleted_at is not None
    with pytest.raises(PermissionDenied):
        services.project_restore(project=project, actor=alice)
    services.project_restore(project=project, actor=adam)
    project.refresh_from_db()
    assert project.deleted_at is None
