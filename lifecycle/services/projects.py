"""Projects and their phases: every write of the lifecycle core.

Each service checks its actor itself (`require`), whichever door the call came through: the
pages and the API only load the project the person may see (404 for outsiders). Who may do what
is the table of PRODUCT.md (Roles and permissions):

- `project_update`, `phase_update_dates`, `project_delete`, `project_resume`: owners and
  administrators (`project_change_check`).
- `project_restore` and advancing a phase by hand (`phase_advance(by_admin=True)`): administrators.
- `project_create`: anyone signed in (the creator becomes its first owner).
- `phase_advance` (without `by_admin`), `phase_set_status`, `project_hold`, `project_kill`: the
  outcomes of a gate review. Governance calls them once the review service has checked the
  request, withdrawal or votes (whoever the approvers named on the review are, whatever their
  role), so they take the deciding person as the actor of the audit event and check nothing
  more. Nothing else calls them but the system (demo data, commands).

An actor of None is the system (tasks, commands, imports), which may.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lifecycle import hooks, selectors
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.limits import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, REASON_MAX_LENGTH, text_within
from lifecycle.models import LifecycleTemplate, Phase, PhaseKey, Project, Tag, User
from lifecycle.permissions import Action
from lifecycle.services.feed import feed_project_visibility_record
from lifecycle.services.records import atomic, change_record, save_versioned, snapshot

PROJECT_FIELDS = (
    "name",
    "description",
    "use_case_problem",
    "use_case_users",
    "use_case_expectations",
    "start_date",
    "status",
    "current_phase",
)
PHASE_FIELDS = ("status", "planned_start", "planned_end", "actual_start", "actual_end")
EDITABLE_FIELDS = ("name", "description", "use_case_problem", "use_case_users", "use_case_expectations")
MAX_TAGS = 20
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9 ._-]{0,39}$")


def project_snapshot(project: Project) -> dict:
    data = snapshot(project, PROJECT_FIELDS)
    data["tags"] = sorted(t.name for t in project.tags.all())
    return data


def require(actor: User | None, project: Project, *actions: Action, message: str = "") -> None:
    """The services' own permission check: `actor` may do one of `actions` in `project`, or
    PermissionDenied, whichever door the call came through (a page, the API, a task, a command).
    Views keep only "may this person see the project" (404 for outsiders). None is the system
    (sweeps, imports), which may. The role is read afresh, once per project instance."""
    if actor is None:
        return
    access = selectors.project_access(user=actor, project=project)
    if not any(access.allows(action) for action in actions):
        raise PermissionDenied(message or selectors.DENIED[actions[0]])


def project_change_check(*, actor: User | None, project: Project) -> None:
    """Owners and administrators change a project: its details, tags and dates, deleting it and
    resuming it from hold. The services below call it first; a page that offers one of these
    forms calls it before showing the form, so nobody is shown a form they may not submit."""
    require(actor, project, Action.MANAGE)


def project_restore_check(*, actor: User | None) -> None:
    """Only administrators restore deleted projects (and only they see them)."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("Only administrators can restore deleted projects.")


def phase_advance_by_hand_check(*, actor: User | None) -> None:
    """Only an administrator advances a phase by hand, without a gate decision; a person must do
    it (the audit event names them), so the system may not either."""
    if actor is None or not actor.is_superuser:
        raise PermissionDenied("Only an administrator can advance a phase by hand.")


def ensure_writable(project: Project) -> None:
    """Any write to a killed or deleted project is a state conflict (409)."""
    if project.deleted_at is not None:
        raise Conflict("This project has been deleted; restore it before changing it.", code="project_deleted")
    if project.status == Project.Status.KILLED:
        raise Conflict("This project was killed; it is read-only.", code="project_closed")


def lock_writable(project: Project | Any) -> Project:
    """The project re-read under a row lock, refused when it is killed or deleted: state rules
    must judge the current state, not the caller's possibly stale copy. Step 1 of the lock order
    (lifecycle.locks): services take it before any other row of the project. `project` is a
    Project or its id."""
    if not isinstance(project, Project):
        project = Project(pk=project)
    locked = _locked(project)
    ensure_writable(locked)
    return locked


def normalise_tags(tags: Iterable[str]) -> list[str]:
    cleaned = []
    for raw in tags:
        tag = " ".join(str(raw).strip().lower().split())
        if not tag:
            continue
        if not TAG_PATTERN.match(tag):
            raise ApplicationError(
                f"The tag {raw!r} is not valid: use up to 40 letters, digits, spaces, dots, dashes or underscores.",
                fields={"tags": [f"{raw!r} is not a valid tag."]},
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ApplicationError(f"A project has at most {MAX_TAGS} tags.", fields={"tags": [f"At most {MAX_TAGS} tags."]})
    return cleaned


def _set_tags(project: Project, tags: list[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=tags)}
    missing = [Tag(name=name) for name in tags if name not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    project.tags.set(Tag.objects.filter(name__in=tags))


def _require_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("A project needs a name.", fields={"name": ["This field is required."]})
    return text_within(field="name", text=name, limit=NAME_MAX_LENGTH, label="Name")


# The project's free texts beside its name, with the label its errors give them.
DESCRIPTIONS = {
    "description": "Description",
    "use_case_problem": "Problem",
    "use_case_users": "End users",
    "use_case_expectations": "Their expectations",
}


def _check_descriptions(fields: dict[str, Any]) -> None:
    for name, label in DESCRIPTIONS.items():
        if isinstance(fields.get(name), str):
            text_within(field=name, text=fields[name].strip(), limit=DESCRIPTION_MAX_LENGTH, label=label)


@atomic
def project_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    use_case_problem: str = "",
    use_case_users: str = "",
    use_case_expectations: str = "",
    tags: Iterable[str] = (),
    template: LifecycleTemplate | None = None,
    start_date: date | None = None,
) -> Project:
    """Create a project from a template version (the default template when none is given): its
    five phases, the creator as owner, and every part the higher apps add (checklists, gates...)
    in the same transaction. Anyone signed in may."""
    from lifecycle.services.members import membership_create_owner

    template = template or selectors.template_get()
    tag_names = normalise_tags(tags)
    _check_descriptions(
        {
            "description": description,
            "use_case_problem": use_case_problem,
            "use_case_users": use_case_users,
            "use_case_expectations": use_case_expectations,
        }
    )
    now = timezone.now()
    project = Project(
        name=_require_name(name),
        description=description.strip(),
        use_case_problem=use_case_problem.strip(),
        use_case_users=use_case_users.strip(),
        use_case_expectations=use_case_expectations.strip(),
        template=template,
        start_date=_check_start(start_date or timezone.localdate()),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    project.full_clean(exclude=["template", "created_by"])
    project.save()
    _set_tags(project, tag_names)
    change_record(actor=actor, action="project.created", obj=project, after=project_snapshot(project))
    _create_phases(project, actor)
    membership_create_owner(project=project, user=actor, actor=actor)
    for hook in hooks.registry.project_created:
        hook(project, actor)
    return project


EARLIEST_START, LATEST_START = date(2000, 1, 1), date(2100, 12, 31)


def _check_start(start: date) -> date:
    """A start date the plan can be laid out from (phases follow it for years)."""
    if not isinstance(start, date) or not EARLIEST_START <= start <= LATEST_START:
        message = f"Choose a start date between {EARLIEST_START:%Y} and {LATEST_START:%Y}."
        raise ApplicationError(message, fields={"start_date": [message]})
    return start


def _create_phases(project: Project, actor: User) -> list[Phase]:
    cursor = project.start_date
    phases = []
    for order, phase_template in enumerate(project.template.phases.order_by("order")):
        end = cursor + timedelta(days=phase_template.duration_days - 1)
        phase = Phase(
            project=project,
            template=phase_template,
            key=phase_template.key,
            order=order,
            name=phase_template.name,
            planned_start=cursor,
            planned_end=end,
        )
        if order == 0:
            # A project started in the past (imported or backfilled) started its Scope then.
            phase.status, phase.actual_start = Phase.Status.IN_PROGRESS, min(project.start_date, timezone.localdate())
        phases.append(phase)
        cursor = end + timedelta(days=1)
    Phase.objects.bulk_create(phases)
    for phase in phases:
        change_record(actor=actor, action="phase.created", obj=phase, project=project, after=snapshot(phase, PHASE_FIELDS))
    return phases


def _touch(project: Project, fields: list[str]) -> None:
    save_versioned(project, fields)


def _locked(project: Project) -> Project:
    locked = Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    selectors.project_access_share(source=project, target=locked)
    return locked


@atomic
def project_update(*, project: Project, actor: User, tags: Iterable[str] | None = None, **fields: Any) -> Project:
    """Edit name, description, use case, start date and tags (owners and administrators).
    Unknown fields are a programming error."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"start_date"}
    if unknown:
        raise TypeError(f"project_update does not edit {sorted(unknown)}")
    project_change_check(actor=actor, project=project)
    project = _locked(project)
    ensure_writable(project)
    before = project_snapshot(project)
    if "name" in fields:
        fields["name"] = _require_name(fields["name"])
    _check_descriptions(fields)
    if fields.get("start_date") is not None:
        _check_start(fields["start_date"])
    for name, value in fields.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    project.full_clean(exclude=["template", "created_by"])
    changed = [name for name in fields if before.get(name) != snapshot(project, [name])[name]]
    tag_names = normalise_tags(tags) if tags is not None else None
    if tag_names is not None and tag_names != before["tags"]:
        _set_tags(project, tag_names)
        changed.append("tags")
    if not changed:
        return project
    _touch(project, [f for f in changed if f != "tags"])
    if "start_date" in changed:
        _replan(project)
    change_record(actor=actor, action="project.updated", obj=project, before=before, after=project_snapshot(project))
    return project


def _replan(project: Project) -> None:
    """Move the planned dates of phases not yet started so the plan starts at start_date."""
    cursor = project.start_date
    for phase in project.phases.select_related("template").order_by("order"):
        end = cursor + timedelta(days=phase.template.duration_days - 1)
        if phase.status == Phase.Status.NOT_STARTED or phase.order == 0:
            phase.planned_start, phase.planned_end = cursor, end
            phase.save(update_fields=["planned_start", "planned_end"])
        cursor = end + timedelta(days=1)


@atomic
def phase_update_dates(*, phase: Phase, actor: User, planned_start: date, planned_end: date) -> Phase:
    """Re-plan a phase (owners and administrators)."""
    project_change_check(actor=actor, project=phase.project)
    lock_writable(phase.project)
    if planned_end < planned_start:
        raise ApplicationError(
            "The planned end cannot be before the planned start.",
            fields={"planned_end": ["Must be on or after the planned start."]},
        )
    phase = Phase.objects.select_for_update(no_key=True).get(pk=phase.pk)
    before = snapshot(phase, PHASE_FIELDS)
    phase.planned_start, phase.planned_end = planned_start, planned_end
    _save_phase(phase, ["planned_start", "planned_end"])
    change_record(
        actor=actor,
        action="phase.dates_changed",
        obj=phase,
        project=phase.project_id,
        before=before,
        after=snapshot(phase, PHASE_FIELDS),
    )
    return phase


def _save_phase(phase: Phase, fields: list[str]) -> None:
    save_versioned(phase, fields)


@atomic
def project_delete(*, project: Project, actor: User) -> Project:
    """Soft delete (owners and administrators): the project disappears for everyone but
    administrators, who can restore it."""
    project_change_check(actor=actor, project=project)
    project = _locked(project)
    if project.deleted_at is not None:
        raise Conflict("This project is already deleted.", code="project_deleted")
    before = project_snapshot(project)
    project.deleted_at, project.deleted_by = timezone.now(), actor
    _touch(project, ["deleted_at", "deleted_by"])
    change_record(actor=actor, action="project.deleted", obj=project, op="delete", before=before)
    feed_project_visibility_record(actor=actor, project=project, visible=False)
    return project


@atomic
def project_restore(*, project: Project, actor: User | None) -> Project:
    project_restore_check(actor=actor)
    project = _locked(project)
    if project.deleted_at is None:
        raise Conflict("This project is not deleted.", code="project_not_deleted")
    project.deleted_at, project.deleted_by = None, None
    _touch(project, ["deleted_at", "deleted_by"])
    change_record(actor=actor, action="project.restored", obj=project, after=project_snapshot(project))
    feed_project_visibility_record(actor=actor, project=project, visible=True)
    return project


def _set_status(project: Project, actor: User | None, status: str, action: str, reason: str = "") -> Project:
    before = project_snapshot(project)
    project.status = status
    project.status_changed_at = timezone.now()
    _touch(project, ["status", "status_changed_at"])
    after = project_snapshot(project)
    if reason:
        after["reason"] = reason
    change_record(actor=actor, action=action, obj=project, before=before, after=after)
    return project


@atomic
def project_hold(*, project: Project, actor: User | None, reason: str = "") -> Project:
    """The outcome Hold of a gate review (see the module docstring: the review has checked)."""
    project = _locked(project)
    ensure_writable(project)
    if project.status != Project.Status.ACTIVE:
        raise Conflict(f"Only an active project can be put on hold (this one is {project.get_status_display().lower()}).")
    return _set_status(project, actor, Project.Status.ON_HOLD, "project.held", reason)


@atomic
def project_resume(*, project: Project, actor: User) -> Project:
    """Owners and administrators take a project off hold."""
    project_change_check(actor=actor, project=project)
    project = _locked(project)
    ensure_writable(project)
    if project.status != Project.Status.ON_HOLD:
        raise Conflict("Only a project on hold can be resumed.", code="not_on_hold")
    return _set_status(project, actor, Project.Status.ACTIVE, "project.resumed")


@atomic
def project_kill(*, project: Project, actor: User | None, reason: str = "") -> Project:
    """The outcome Kill of a gate review (see the module docstring: the review has checked)."""
    project = _locked(project)
    ensure_writable(project)
    return _set_status(project, actor, Project.Status.KILLED, "project.killed", reason)


@atomic
def phase_advance(*, project: Project, actor: User | None, reason: str = "", by_admin: bool = False, on: date | None = None) -> Project:
    """Close the current phase and open the next; after Integrate the project goes live.

    Gate decisions (Go) call this, once the review has checked the votes (see the module
    docstring). By hand, only an administrator may, with a reason, and the audit event says it
    was done by hand. `on` records another date than today as the actual end and start (demo
    data and the data generator build histories with it).
    """
    if by_admin:
        phase_advance_by_hand_check(actor=actor)
        if not reason.strip():
            raise ApplicationError(
                "Say why you advance this phase by hand.", code="reason_required", fields={"reason": ["This field is required."]}
            )
        reason = text_within(field="reason", text=reason.strip(), limit=REASON_MAX_LENGTH, label="Reason")
    project = _locked(project)
    ensure_writable(project)
    if project.status != Project.Status.ACTIVE:
        raise Conflict(f"Only an active project can advance (this one is {project.get_status_display().lower()}).", code="not_active")
    phases = {p.key: p for p in Phase.objects.select_for_update(no_key=True).filter(project=project)}
    keys = PhaseKey.ordered()
    current = phases[project.current_phase]
    today = on or timezone.localdate()
    _close_phase(current, actor, today, project)
    before = project_snapshot(project)
    index = keys.index(project.current_phase)
    if index + 1 < len(keys):
        following = phases[keys[index + 1]]
        _open_phase(following, actor, today, project)
        project.current_phase = following.key
        _touch(project, ["current_phase"])
    else:
        went_live = timezone.now() if on is None else timezone.make_aware(datetime.combine(on, time(12)))
        project.status, project.status_changed_at = Project.Status.LIVE, went_live
        _touch(project, ["status", "status_changed_at"])
    after = project_snapshot(project)
    if reason:
        after["reason"] = reason
    action = "phase.advanced_by_admin" if by_admin else "phase.advanced"
    change_record(actor=actor, action=action, obj=project, before=before, after=after)
    return project


def _close_phase(phase: Phase, actor: User | None, today: date, project: Project) -> None:
    before = snapshot(phase, PHASE_FIELDS)
    phase.status, phase.actual_end = Phase.Status.PASSED, today
    _save_phase(phase, ["status", "actual_end"])
    change_record(actor=actor, action="phase.passed", obj=phase, project=project, before=before, after=snapshot(phase, PHASE_FIELDS))


def _open_phase(phase: Phase, actor: User | None, today: date, project: Project) -> None:
    before = snapshot(phase, PHASE_FIELDS)
    phase.status = Phase.Status.IN_PROGRESS
    phase.actual_start = phase.actual_start or today
    _save_phase(phase, ["status", "actual_start"])
    change_record(actor=actor, action="phase.started", obj=phase, project=project, before=before, after=snapshot(phase, PHASE_FIELDS))


@atomic
def phase_set_status(*, phase: Phase, actor: User | None, status: str, action: str) -> Phase:
    """Used by gate reviews: in_review while a review is open, in_progress after a recycle or a
    withdrawal (the review service has checked who asked; see the module docstring)."""
    phase = Phase.objects.select_for_update(no_key=True).get(pk=phase.pk)
    if phase.status == status:
        return phase
    before = snapshot(phase, PHASE_FIELDS)
    phase.status = status
    _save_phase(phase, ["status"])
    change_record(actor=actor, action=action, obj=phase, project=phase.project_id, before=before, after=snapshot(phase, PHASE_FIELDS))
    return phase
