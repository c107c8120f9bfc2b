"""Ethics and compliance sign-offs: decided by a member holding the named function, with a
comment and evidence; back to pending when approved evidence changes.

Who may: deciding is personal, for the members holding the sign-off's function whatever their
role (administrators too are refused unless they hold it: `signoff_decider_check`); putting a
decided sign-off back to pending is for owners (Action.MANAGE). The listeners and the project's
creation hook act for the system."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone

from governance.limits import COMMENT_MAX_LENGTH
from governance.models import Signoff, SignoffKind, SignoffKindTemplate
from governance.services.classification import classification_requester, classification_signoff_decided
from lifecycle import hooks
from lifecycle import selectors as lifecycle_selectors
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.limits import text_within
from lifecycle.models import Phase, Project, User
from lifecycle.permissions import Access, Action
from phases.models import Artifact, Attachment

MAX_EVIDENCE = 20


def signoff_snapshot(signoff: Signoff) -> dict:
    return {
        "status": signoff.status,
        "decided_by": str(signoff.decided_by_id) if signoff.decided_by_id else None,
        "comment": signoff.comment[:200],
        "evidence": signoff.evidence,
    }


def signoffs_create_for_project(project: Project, actor: User) -> list[Signoff]:
    """lifecycle's project_created hook: one pending sign-off per kind the template names (part
    of creating the project, which project_create allows)."""
    phases = {p.template_id: p for p in project.phases.all()}
    signoffs = [
        Signoff(
            project=project,
            phase=phases[t.phase_id],
            kind=t.kind,
            function_id=t.function_id,
            title=t.title,
            guidance=t.guidance,
            refs=list(t.refs),
        )
        for t in SignoffKindTemplate.objects.filter(phase__template=project.template_id).order_by("phase__order", "order")
    ]
    Signoff.objects.bulk_create(signoffs)
    for signoff in signoffs:
        lifecycle_services.change_record(
            actor=actor, action="signoff.created", obj=signoff, project=project, after=signoff_snapshot(signoff)
        )
    return signoffs


def _evidence(project: Project, items: Any) -> list[dict]:
    """Resolve evidence references against the project: artifacts (with their current version),
    attachments (with their SHA-256) and web links."""
    if not isinstance(items, list):
        raise ApplicationError("Evidence must be a list.", fields={"evidence": ["Send a list."]})
    if len(items) > MAX_EVIDENCE:
        raise ApplicationError(f"At most {MAX_EVIDENCE} pieces of evidence.", fields={"evidence": ["Too many items."]})
    resolved: list[dict] = []
    for index, item in enumerate(items):
        kind = item.get("type") if isinstance(item, dict) else None
        try:
            if kind == "artifact":
                artifact = Artifact.objects.select_related("latest_version").get(pk=item.get("id"), project=project)
                entry = {
                    "type": "artifact",
                    "id": str(artifact.pk),
                    "title": artifact.title,
                    "version": artifact.latest.number,
                }
            elif kind == "attachment":
                attachment = Attachment.objects.get(pk=item.get("id"), artifact__project=project)
                entry = {"type": "attachment", "id": str(attachment.pk), "name": attachment.name, "sha256": attachment.sha256}
            elif kind == "link":
                url = str(item.get("url", "")).strip()
                if urlparse(url).scheme not in ("http", "https") or len(url) > 500 or not urlparse(url).netloc:
                    raise ValueError
                entry = {"type": "link", "url": url}
            else:
                raise ValueError
        except (ValueError, TypeError, ValidationError, ObjectDoesNotExist):
            raise ApplicationError(
                f"Evidence item {index + 1} is not an artifact, attachment or web link of this project.",
                fields={f"evidence[{index}]": ["Not an artifact, attachment or http(s) link of this project."]},
            ) from None
        if entry not in resolved:
            resolved.append(entry)
    return resolved


def signoff_decide_allowed(*, access: Access, signoff: Signoff) -> bool:
    """Whether a member with `access` may decide `signoff`: only by holding its function, since a
    sign-off is a personal attestation (an administrator's rights do not stand in for it)."""
    return access.holds(signoff.function_id)


def signoff_decider_check(*, access: Access, signoff: Signoff) -> None:
    """PermissionDenied unless `access` may decide `signoff` (the rule of signoff_decide, for a
    page that refuses before it judges the form)."""
    if not signoff_decide_allowed(access=access, signoff=signoff):
        raise PermissionDenied(f"Only a member who holds the {signoff.function.name.lower()} function can decide this sign-off.")


@lifecycle_services.atomic
def signoff_decide(*, signoff: Signoff, actor: User, decision: str, comment: str, evidence: Any = ()) -> Signoff:
    """Approve or reject. Only a member holding the sign-off's function decides: administrators
    too are refused unless they hold it, since a sign-off is a personal attestation."""
    # The access of the caller's instance (asked already by the page that loaded it).
    access = lifecycle_selectors.project_access(user=actor, project=signoff.project)
    lifecycle_services.lock_writable(signoff.project_id)
    signoff = Signoff.objects.select_for_update(of=("self",), no_key=True).select_related("project", "function").get(pk=signoff.pk)
    signoff_decider_check(access=access, signoff=signoff)
    if classification_requester(signoff) == str(actor.pk):
        raise PermissionDenied("You asked for this classification change; another member of the function signs it off.")
    if signoff.status != Signoff.Status.PENDING and signoff.kind == SignoffKind.CLASSIFICATION_CHANGE:
        raise Conflict("This classification change is decided already: change the answers again to ask anew.", code="signoff_decided")
    if decision not in (Signoff.Status.APPROVED, Signoff.Status.REJECTED):
        raise ApplicationError("Decide approved or rejected.", fields={"decision": ["Choose approved or rejected."]})
    comment = text_within(field="comment", text=(comment or "").strip(), limit=COMMENT_MAX_LENGTH, label="Comment")
    if not comment:
        raise ApplicationError("Say why, in a comment.", fields={"comment": ["This field is required."]})
    resolved = _evidence(signoff.project, list(evidence or []))
    if decision == Signoff.Status.APPROVED and not resolved:
        raise ApplicationError(
            "An approval needs evidence: an artifact, an attachment or a link.", fields={"evidence": ["Add at least one item."]}
        )
    before = signoff_snapshot(signoff)
    signoff.status, signoff.comment, signoff.evidence = decision, comment, resolved
    signoff.decided_by, signoff.decided_at = actor, timezone.now()
    _save(signoff)
    lifecycle_services.change_record(
        actor=actor,
        action=f"signoff.{decision}",
        obj=signoff,
        project=signoff.project_id,
        before=before,
        after=signoff_snapshot(signoff),
    )
    if signoff.kind == SignoffKind.CLASSIFICATION_CHANGE:
        classification_signoff_decided(signoff=signoff, actor=actor)
    lifecycle_services.notify(
        users=lifecycle_selectors.project_users(project=signoff.project, roles=("owner",)),
        kind="signoff_decided",
        title=f"{signoff.title}: {signoff.get_status_display().lower()}",
        body=f"{actor.display_name} {decision} it: “{comment[:300]}”",
        url=signoff.get_absolute_url(),
        project=signoff.project,
    )
    return signoff


def _save(signoff: Signoff) -> None:
    lifecycle_services.save_versioned(signoff)


@lifecycle_services.atomic
def signoff_reopen(*, signoff: Signoff, actor: User) -> Signoff:
    """Put a decided sign-off back to pending (owners, e.g. after the work changed)."""
    lifecycle_services.require(actor, signoff.project, Action.MANAGE)
    lifecycle_services.lock_writable(signoff.project_id)
    signoff = Signoff.objects.select_for_update(of=("self",), no_key=True).select_related("project").get(pk=signoff.pk)
    if signoff.status == Signoff.Status.PENDING:
        raise Conflict("This sign-off is already pending.", code="signoff_pending")
    if signoff.kind == SignoffKind.CLASSIFICATION_CHANGE:
        raise Conflict("A classification change is not reopened: change the answers again to ask anew.", code="signoff_decided")
    before = signoff_snapshot(signoff)
    signoff.status = Signoff.Status.PENDING
    _save(signoff)
    lifecycle_services.change_record(
        actor=actor,
        action="signoff.reopened",
        obj=signoff,
        project=signoff.project_id,
        before=before,
        after=signoff_snapshot(signoff),
    )
    return signoff


def signoffs_recheck_evidence(changes: list[hooks.Change]) -> None:
    """In-transaction listener: an approved sign-off whose evidence artifact got a new version
    returns to pending, and its signer is told. The system's consequence of a change the
    artifact's service allowed: nobody further to check."""
    artifact_ids = {str(c.object_id) for c in changes if c.type == "artifact" and c.action == "artifact.updated"}
    if not artifact_ids:
        return
    projects = {c.project_id for c in changes if c.type == "artifact" and c.action == "artifact.updated"}
    versions = dict(Artifact.objects.filter(pk__in=artifact_ids).values_list("pk", "latest_version__number"))
    for signoff in (
        Signoff.objects.select_for_update(of=("self",), no_key=True)
        .select_related("project", "decided_by")
        .filter(project_id__in=projects, status=Signoff.Status.APPROVED)
    ):
        stale = [
            e
            for e in signoff.evidence
            if e.get("type") == "artifact" and e["id"] in artifact_ids and versions.get(_uuid(e["id"])) != e.get("version")
        ]
        if stale:
            _reset_for_changed_evidence(signoff, stale)


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


def _reset_for_changed_evidence(signoff: Signoff, stale: list[dict]) -> None:
    before = signoff_snapshot(signoff)
    signoff.status = Signoff.Status.PENDING
    _save(signoff)
    titles = ", ".join(f"“{e['title']}” (was v{e['version']})" for e in stale)
    lifecycle_services.change_record(
        actor=None,
        action="signoff.evidence_changed",
        obj=signoff,
        project=signoff.project_id,
        before=before,
        after={**signoff_snapshot(signoff), "changed": titles},
    )
    if signoff.decided_by:
        lifecycle_services.notify(
            users=[signoff.decided_by],
            kind="signoff_evidence_changed",
            title=f"Evidence changed: {signoff.title} is pending again",
            body=f"You approved this sign-off; its evidence has changed since: {titles}. Review it again.",
            url=signoff.get_absolute_url(),
            project=signoff.project,
        )


def signoffs_notify_due(changes: list[hooks.Change]) -> None:
    """In-transaction listener: when a phase starts, the members holding the function of each of
    its pending sign-offs hear that it waits for them; so does a member who gains that function
    later (Scope starts when the project is created, before its team is added)."""
    started = [c.object_id for c in changes if c.action == "phase.started"]
    if started:
        pending = Signoff.objects.filter(phase_id__in=started, status=Signoff.Status.PENDING)
        for signoff in pending.select_related("project", "phase", "function"):
            users = lifecycle_selectors.project_users(project=signoff.project, functions=(signoff.function_id,))
            _notify_requested(signoff, users)
    for change in changes:
        if change.action not in ("member.added", "member.changed") or not change.after:
            continue
        gained = set(change.after.get("functions", [])) - set((change.before or {}).get("functions", []))
        if not gained:
            continue
        waiting = (
            Signoff.objects.filter(project_id=change.project_id, status=Signoff.Status.PENDING, function_id__in=gained)
            .exclude(phase__status=Phase.Status.NOT_STARTED)
            .select_related("project", "phase", "function")
        )
        user = User.objects.get(pk=change.after["user"])
        for signoff in waiting:
            _notify_requested(signoff, [user])


def _notify_requested(signoff: Signoff, users: list) -> None:
    lifecycle_services.notify(
        users=users,
        kind="signoff_requested",
        title=f"Sign-off due: {signoff.title}",
        body=(
            f"The {signoff.phase.name} phase of {signoff.project.name} has started; it needs your {signoff.function.name.lower()} sign-off."
        ),
        url=signoff.get_absolute_url(),
        project=signoff.project,
    )
