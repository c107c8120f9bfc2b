"""Life after launch: the audit and review schedule, overdue flags, incidents."""

from __future__ import annotations

from datetime import date

import pytest

from governance import services
from governance.models import Incident, PostLaunchTask
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import Notification, PhaseKey


@pytest.fixture
def live(project, time_machine):
    time_machine.move_to("2026-01-01 12:00:00+00:00")
    for _ in PhaseKey.ordered():
        project = lifecycle_services.phase_advance(project=project, actor=None)
    assert project.status == "live"
    return project


def tasks(project):
    return list(PostLaunchTask.objects.filter(project=project).order_by("kind", "due_on").values_list("kind", "due_on"))


def test_audits_and_reviews_fall_due_on_the_schedule(live, alice, time_machine):
    services.post_launch_schedule_set(project=live, actor=alice, bias_audit_every_days=30, monitoring_review_every_days=14)

    time_machine.move_to("2026-01-14 08:00:00+00:00")
    assert services.post_launch_tasks_create_due() == 0

    time_machine.move_to("2026-01-31 08:00:00+00:00")
    assert services.post_launch_tasks_create_due() == 3
    assert tasks(live) == [
        ("bias_audit", date(2026, 1, 31)),
        ("monitoring_review", date(2026, 1, 15)),
        ("monitoring_review", date(2026, 1, 29)),
    ]
    # Idempotent: running again (or from a second beat) creates nothing.
    assert services.post_launch_tasks_create_due() == 0
    assert Notification.objects.filter(user=alice, kind="post_launch_due").count() == 3


def test_the_default_schedule_is_quarterly_audits_and_monthly_reviews(live, time_machine):
    time_machine.move_to("2026-04-02 08:00:00+00:00")
    services.post_launch_tasks_create_due()
    assert tasks(live) == [
        ("bias_audit", date(2026, 4, 1)),
        ("monitoring_review", date(2026, 1, 31)),
        ("monitoring_review", date(2026, 3, 2)),
        ("monitoring_review", date(2026, 4, 1)),
    ]


def test_overdue_tasks_are_flagged_once(live, alice, bob, time_machine):
    services.post_launch_schedule_set(project=live, actor=alice, bias_audit_every_days=30, monitoring_review_every_days=30)
    time_machine.move_to("2026-01-31 08:00:00+00:00")
    services.post_launch_tasks_create_due()
    task = PostLaunchTask.objects.filter(project=live).first()
    assert not task.is_overdue()

    time_machine.move_to("2026-02-02 08:00:00+00:00")
    assert task.is_overdue()
    assert services.post_launch_overdue_notify() == 2
    assert services.post_launch_overdue_notify() == 0
    assert Notification.objects.filter(user=alice, title__startswith="Overdue").count() == 2

    done = services.post_launch_task_complete(task=task, actor=bob, notes="No bias drift.")
    assert (done.status, done.done_by) == ("done", bob)
    with pytest.raises(Conflict):
        services.post_launch_task_complete(task=task, actor=bob, notes="again")


def test_schedules_refuse_nonsense(project, alice):
    with pytest.raises(ApplicationError) as error:
        services.post_launch_schedule_set(project=project, actor=alice, bias_audit_every_days=0, monitoring_review_every_days=30)
    assert "bias_audit_every_days" in error.value.fields


def test_projects_that_are_not_live_get_no_tasks(project, time_machine):
    time_machine.move_to("2027-01-01 08:00:00+00:00")
    assert services.post_launch_tasks_create_due() == 0


def test_incidents_record_serious_ones_and_tell_owners_and_compliance(project, alice, bob, ava):
    incident = services.incident_create(
        project=project,
        actor=bob,
        title="Wrong refund amount",
        occurred_on=date(2026, 1, 3),
        severity="critical",
        description="The assistant promised refunds that policy does not allow.",
        affected_users=40,
        actions="Disabled refund answers.",
        serious=True,
    )
    assert incident.serious and incident.reported_at is None
    notified = set(Notification.objects.filter(kind="incident_created").values_list("user__username", flat=True))
    # Owners and compliance officers hear about it, the reporter does not.
    assert notified == {"alice", "ava"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"severity": "huge"}, "severity"),
        ({"description": " "}, "description"),
        ({"affected_users": -1}, "affected_users"),
        ({"occurred_on": date(2999, 1, 1)}, "occurred_on"),
    ],
)
def test_bad_incidents_are_refused(project, bob, fields, field):
    data = {"title": "x", "occurred_on": date(2026, 1, 3), "severity": "low", "description": "y", **fields}
    with pytest.raises(ApplicationError) as error:
        services.incident_create(project=project, actor=bob, **data)
    assert field in error.value.fields
    assert not Incident.objects.exists()
