"""Life after launch: recurring bias audits and monitoring reviews, and the incident log.

Who may: owners set the schedule (Action.MANAGE); owners and contributors record a finished
audit or review and log and edit incidents (Action.CONTRIBUTE). Creating due tasks and flagging
overdue ones is the beat schedule's work, for the system."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError
from django.db.models import Max, Q
from django.utils import timezone

from governance.limits import NOTES_MAX_LENGTH, REGISTER_TEXT_MAX_LENGTH
from governance.models import Incident, PostLaunchSchedule, PostLaunchTask
from governance.models.register import MEMBER_STATES, report_deadline_days
from lifecycle import locks
from lifecycle import selectors as lifecycle_selectors
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.limits import text_within
from lifecycle.models import Project, User
from lifecycle.permissions import Action

MAX_CATCH_UP = 24  # occurrences created per project and kind in one run
INCIDENT_FIELDS = (
    "title",
    "occurred_on",
    "severity",
    "affected_users",
    "serious",
    "aware_on",
    "harm",
    "death",
    "widespread",
    "report_due_on",
    "reported_at",
    "reported_to",
    "member_state",
    "follow_up_at",
    "provider_informed_at",
)


def _bad(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


@lifecycle_services.atomic
def post_launch_schedule_set(
    *, project: Project, actor: User, bias_audit_every_days: int, monitoring_review_every_days: int
) -> PostLaunchSchedule:
    lifecycle_services.require(actor, project, Action.MANAGE)
    project = lifecycle_services.lock_writable(project)
    for name, value in (
        ("bias_audit_every_days", bias_audit_every_days),
        ("monitoring_review_every_days", monitoring_review_every_days),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 7 <= value <= 730:
            raise _bad(name, "Use a whole number of days from 7 to 730.")
    schedule, _ = PostLaunchSchedule.objects.update_or_create(
        project=project,
        defaults={
            "bias_audit_every_days": bias_audit_every_days,
            "monitoring_review_every_days": monitoring_review_every_days,
            "updated_at": timezone.now(),
        },
    )
    lifecycle_services.change_record(
        actor=actor,
        action="post_launch.schedule_set",
        type="project",
        object_id=project.pk,
        project=project,
        label=project.name,
        after={"bias_audit_every_days": bias_audit_every_days, "monitoring_review_every_days": monitoring_review_every_days},
    )
    return schedule


def _every(schedule: PostLaunchSchedule | None, kind: str) -> int:
    defaults = PostLaunchSchedule()
    source = schedule or defaults
    return source.bias_audit_every_days if kind == PostLaunchTask.Kind.BIAS_AUDIT else source.monitoring_review_every_days


def post_launch_tasks_create_due(*, today: date | None = None) -> int:
    """For every live project, create the audits and reviews that are due by today: the first one
    a full period after going live, the next a period after the previous due date. Idempotent: a
    unique constraint makes a second run (or a second beat) create nothing. The beat schedule's
    work: no person acts."""
    today = today or timezone.localdate()
    created = 0
    live = Project.objects.filter(status=Project.Status.LIVE, deleted_at__isnull=True).select_related("post_launch_schedule")
    last_due = {
        (row["project_id"], row["kind"]): row["last"]
        for row in PostLaunchTask.objects.filter(project__in=live).values("project_id", "kind").annotate(last=Max("due_on"))
    }
    for project in live:
        schedule = getattr(project, "post_launch_schedule", None)
        for kind in PostLaunchTask.Kind.values:
            every = timedelta(days=_every(schedule, kind))
            due = (last_due.get((project.pk, kind)) or project.status_changed_at.date()) + every
            # Catch up on every occurrence missed while no scheduler ran (bounded).
            for _ in range(MAX_CATCH_UP):
                if due > today:
                    break
                created += _create_task(project, kind, due)
                due += every
    return created


def _create_task(project: Project, kind: str, due: date) -> int:
    try:
        with lifecycle_services.atomic():
            task = PostLaunchTask.objects.create(project=project, kind=kind, due_on=due)
            lifecycle_services.change_record(
                actor=None,
                action="post_launch.task_due",
                type="project",
                object_id=project.pk,
                project=project,
                label=f"{task.get_kind_display()} due {due:%d %b %Y}",
                after={"kind": kind, "due_on": due.isoformat()},
            )
            lifecycle_services.notify(
                users=lifecycle_selectors.project_users(project=project, roles=("owner",)),
                kind="post_launch_due",
                title=f"{task.get_kind_display()} due for {project.name}",
                body=f"A {task.get_kind_display().lower()} of the live system is due on {due:%d %b %Y}.",
                url=f"/projects/{project.pk}/post-launch/",
                project=project,
            )
    except IntegrityError:
        return 0
    return 1


@lifecycle_services.atomic
def post_launch_overdue_notify(*, today: date | None = None) -> int:
    """Flag each overdue audit or review once, and tell the project's owners (the beat schedule's
    work: no person acts)."""
    today = today or timezone.localdate()
    due = PostLaunchTask.objects.filter(status=PostLaunchTask.Status.DUE, due_on__lt=today, overdue_notified_at__isnull=True)
    locks.lock_projects(due.values_list("project_id", flat=True))
    overdue = list(
        PostLaunchTask.objects.select_for_update(of=("self",), no_key=True)
        .select_related("project")
        .filter(status=PostLaunchTask.Status.DUE, due_on__lt=today, overdue_notified_at__isnull=True)
    )
    for task in overdue:
        task.overdue_notified_at = timezone.now()
        task.save(update_fields=["overdue_notified_at"])
        lifecycle_services.notify(
            users=lifecycle_selectors.project_users(project=task.project, roles=("owner",)),
            kind="post_launch_due",
            title=f"Overdue: {task.get_kind_display().lower()} of {task.project.name}",
            body=f"It was due on {task.due_on:%d %b %Y}.",
            url=f"/projects/{task.project_id}/post-launch/",
            project=task.project,
        )
    return len(overdue)


@lifecycle_services.atomic
def post_launch_task_complete(*, task: PostLaunchTask, actor: User, notes: str) -> PostLaunchTask:
    lifecycle_services.require(actor, task.project, Action.CONTRIBUTE)
    lifecycle_services.lock_writable(task.project_id)
    task = PostLaunchTask.objects.select_for_update(of=("self",), no_key=True).select_related("project").get(pk=task.pk)
    if task.status == PostLaunchTask.Status.DONE:
        raise Conflict("This task is already done.", code="already_done")
    notes = text_within(field="notes", text=(notes or "").strip(), limit=NOTES_MAX_LENGTH, label="Findings")
    if not notes:
        raise _bad("notes", "Record what the audit or review found.")
    task.status, task.notes, task.done_by, task.done_at = PostLaunchTask.Status.DONE, notes, actor, timezone.now()
    task.save(update_fields=["status", "notes", "done_by", "done_at"])
    lifecycle_services.change_record(
        actor=actor,
        action="post_launch.task_done",
        type="project",
        object_id=task.project_id,
        project=task.project_id,
        label=f"{task.get_kind_display()} of {task.due_on:%d %b %Y}",
        after={"kind": task.kind, "due_on": task.due_on.isoformat(), "notes": notes[:200]},
    )
    return task


def _clean_incident(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    for name in ("title", "description", "actions", "reported_to"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "title" in cleaned and not cleaned["title"]:
        raise _bad("title", "Give the incident a title.")
    if "description" in cleaned and not cleaned["description"]:
        raise _bad("description", "Describe what happened.")
    for name, label in (("description", "Description"), ("actions", "Actions taken")):
        if name in cleaned:
            text_within(field=name, text=cleaned[name], limit=REGISTER_TEXT_MAX_LENGTH, label=label)
    if "severity" in cleaned and cleaned["severity"] not in Incident.Severity.values:
        raise _bad("severity", f"Choose one of: {', '.join(Incident.Severity.values)}.")
    occurred = cleaned.get("occurred_on")
    if occurred is not None and occurred > timezone.localdate():
        raise _bad("occurred_on", "The incident cannot have happened in the future.")
    affected = cleaned.get("affected_users", 0)
    if isinstance(affected, bool) or not isinstance(affected, int) or affected < 0:
        raise _bad("affected_users", "Use a whole number, zero or more.")
    if cleaned.get("harm") not in (None, "", *Incident.Harm.values):
        raise _bad("harm", f"Choose one of: {', '.join(Incident.Harm.values)}.")
    if cleaned.get("member_state") not in (None, "", *dict(MEMBER_STATES)):
        raise _bad("member_state", "Use the two-letter code of an EU or EEA state.")
    aware = cleaned.get("aware_on")
    if aware is not None and aware > timezone.localdate():
        raise _bad("aware_on", "You cannot have become aware of it in the future.")
    return cleaned


def _incident_clock(incident: Incident) -> None:
    """Check the serious-incident fields together and set the report's due date (Art. 73): the
    clock starts when the organisation became aware (the day it is logged, unless said)."""
    if incident.death and incident.harm in ("", Incident.Harm.HEALTH):
        incident.harm = Incident.Harm.HEALTH
    elif incident.death:
        raise _bad("death", "A death is harm (a) of Art. 3(49): choose that harm, or untick the death.")
    if incident.aware_on is not None and incident.aware_on < incident.occurred_on:
        raise _bad("aware_on", "You cannot have become aware of it before it happened.")
    if incident.reported_at and incident.follow_up_at and incident.follow_up_at < incident.reported_at:
        raise _bad("follow_up_at", "The follow-up comes after the initial report.")
    previous = incident.report_due_on
    if not incident.serious:
        incident.report_due_on = None
    else:
        incident.aware_on = incident.aware_on or timezone.localdate()
        days = report_deadline_days(harm=incident.harm, death=incident.death, widespread=incident.widespread)
        incident.report_due_on = incident.aware_on + timedelta(days=days)
    if incident.report_due_on != previous:
        incident.report_reminded = ""  # a new deadline is reminded of anew


@lifecycle_services.atomic
def incident_create(*, project: Project, actor: User, **fields: Any) -> Incident:
    lifecycle_services.require(actor, project, Action.CONTRIBUTE)
    project = lifecycle_services.lock_writable(project)
    incident = Incident(project=project, created_by=actor, **_clean_incident(fields))
    _incident_clock(incident)
    incident.full_clean(exclude=["project", "created_by"])
    incident.save()
    lifecycle_services.change_record(
        actor=actor,
        action="incident.created",
        obj=incident,
        project=project,
        after=lifecycle_services.snapshot(incident, INCIDENT_FIELDS),
    )
    recipients = lifecycle_selectors.project_users(project=project, roles=("owner",), functions=("compliance_officer",))
    serious = (
        f" It is a serious incident (EU AI Act Art. 73): report it to the authority by {incident.report_due_on:%d %b %Y}."
        if incident.serious and incident.report_due_on
        else ""
    )
    lifecycle_services.notify(
        users=[u for u in recipients if u.pk != actor.pk],
        kind="incident_created",
        title=f"Incident ({incident.get_severity_display().lower()}): {incident.title}",
        body=f"{actor.display_name} logged an incident in {project.name}.{serious}",
        url=incident.get_absolute_url(),
        project=project,
    )
    return incident


@lifecycle_services.atomic
def incident_update(*, incident: Incident, actor: User, **fields: Any) -> Incident:
    lifecycle_services.require(actor, incident.project, Action.CONTRIBUTE)
    lifecycle_services.lock_writable(incident.project_id)
    incident = Incident.objects.select_for_update(of=("self",), no_key=True).select_related("project").get(pk=incident.pk)
    before = lifecycle_services.snapshot(incident, INCIDENT_FIELDS)
    for name, value in _clean_incident(fields).items():
        setattr(incident, name, value)
    _incident_clock(incident)
    incident.full_clean(exclude=["project", "created_by"])
    lifecycle_services.save_versioned(incident)
    lifecycle_services.change_record(
        actor=actor,
        action="incident.updated",
        obj=incident,
        project=incident.project_id,
        before=before,
        after=lifecycle_services.snapshot(incident, INCIDENT_FIELDS),
    )
    return incident


@lifecycle_services.atomic
def incident_reports_notify(*, today: date | None = None) -> int:
    """Tell a project's owners and compliance officers, once when a serious incident's report falls
    due (two days before its deadline) and once when it is overdue (the beat schedule's work)."""
    today = today or timezone.localdate()
    waiting = Incident.objects.filter(serious=True, reported_at__isnull=True, report_due_on__isnull=False)
    stage = {"due": Q(report_due_on__gte=today, report_due_on__lte=today + timedelta(days=2)), "overdue": Q(report_due_on__lt=today)}
    pending = waiting.filter((stage["due"] & Q(report_reminded="")) | (stage["overdue"] & ~Q(report_reminded="overdue")))
    locks.lock_projects(pending.values_list("project_id", flat=True))
    sent = 0
    for incident in pending.select_for_update(of=("self",), no_key=True).select_related("project"):
        status = incident.report_status(today)
        incident.report_reminded = status
        incident.save(update_fields=["report_reminded"])
        late = "is overdue" if status == "overdue" else "is due"
        lifecycle_services.notify(
            users=lifecycle_selectors.project_users(project=incident.project, roles=("owner",), functions=("compliance_officer",)),
            kind="incident_created",
            title=f"Serious-incident report {late}: {incident.title}",
            body=f"The report to the market surveillance authority {late} on {incident.report_due_on:%d %b %Y} (EU AI Act Art. 73).",
            url=incident.get_absolute_url(),
            project=incident.project,
        )
        sent += 1
    return sent
