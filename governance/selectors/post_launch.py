"""Reads of life after launch: the schedule, due and overdue audits, incidents."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404

from governance.models import Incident, PostLaunchSchedule, PostLaunchTask
from lifecycle import selectors as lifecycle_selectors
from lifecycle.models import Project, User
from lifecycle.permissions import Action


def post_launch_page(*, project: Project) -> dict:
    schedule = PostLaunchSchedule.objects.filter(project=project).first() or PostLaunchSchedule(project=project)
    tasks = list(PostLaunchTask.objects.filter(project=project).select_related("done_by").order_by("-due_on"))
    return {
        "schedule": schedule,
        "tasks": tasks,
        "incidents": list(Incident.objects.filter(project=project).select_related("created_by")),
    }


def post_launch_task_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> PostLaunchTask:
    task = PostLaunchTask.objects.select_related("project").filter(pk=id).first()
    if task is None:
        raise Http404("No such audit or review.")
    lifecycle_selectors.project_access_check(user=user, project=task.project, action=action)
    return task


def incident_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Incident:
    incident = Incident.objects.select_related("project", "created_by").filter(pk=id).first()
    if incident is None:
        raise Http404("No such incident.")
    lifecycle_selectors.project_access_check(user=user, project=incident.project, action=action)
    return incident


def incident_list_for_project(*, project: Project):
    return Incident.objects.filter(project=project).select_related("created_by").order_by("-occurred_on", "-created_at", "id")


def overdue_post_launch_tasks(*, user: User):
    """Overdue audits and reviews across the projects the user can see (dashboard)."""
    from django.utils import timezone

    projects = lifecycle_selectors.project_visible_to(user, Project.objects.filter(deleted_at__isnull=True))
    return (
        PostLaunchTask.objects.filter(project__in=projects, status=PostLaunchTask.Status.DUE, due_on__lt=timezone.localdate())
        .select_related("project")
        .order_by("due_on")
    )
