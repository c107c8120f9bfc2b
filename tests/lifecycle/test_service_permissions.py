"""Every state-changing service of the lifecycle core checks the acting user itself, whichever
door the call came through: called directly as a viewer (and as the others whose standing does
not allow it) each one refuses with PermissionDenied and writes nothing. The pages and the API
only decide who may see the project (404 for outsiders)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import uuid
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

import lifecycle.services as services_package
from lifecycle import selectors, services
from lifecycle.models import (
    ApiToken,
    AuditEvent,
    ChangeRecord,
    Job,
    LifecycleTemplate,
    Membership,
    Notification,
    NotificationPreference,
    Phase,
    Project,
)
from lifecycle.services.members import user_access_snapshot
from tests.conftest import make_user


@pytest.fixture
def world(project, alice, bob, vic, paula):
    """alice's project (bob contributor, ava approver, vic viewer); another of hers on hold and a
    deleted one, with the same members; her token; dora, who is in no project yet."""

    def sibling(name: str) -> Project:
        other = services.project_create(actor=alice, name=name)
        services.membership_add(project=other, actor=alice, user=bob, role="contributor")
        services.membership_add(project=other, actor=alice, user=vic, role="viewer")
        return other

    held = sibling("Paused")
    services.project_hold(project=held, actor=None, reason="Waiting")
    trashed = sibling("Old pilot")
    services.project_delete(project=trashed, actor=alice)
    token, _ = services.token_create(user=alice, name="ci")
    make_user("dora")
    return {
        "project": project,
        "phase": project.phases.get(key="scope"),
        "member": Membership.objects.get(project=project, user=bob),
        "held": held,
        "trashed": trashed,
        "token": token,
        "template": project.template,
        "paula": paula,
    }


def _fresh(world: dict, key: str) -> object:
    """A copy of a fixture object loaded again, as a page or the API would load it."""
    obj = world[key]
    return type(obj).objects.get(pk=obj.pk)


CALLS = {
    "project_update": lambda w, u: services.project_update(project=_fresh(w, "project"), actor=u, name="Hijacked", tags=["x"]),
    "phase_update_dates": lambda w, u: services.phase_update_dates(
        phase=_fresh(w, "phase"), actor=u, planned_start=date(2030, 1, 1), planned_end=date(2030, 2, 1)
    ),
    "project_delete": lambda w, u: services.project_delete(project=_fresh(w, "project"), actor=u),
    "project_restore": lambda w, u: services.project_restore(project=_fresh(w, "trashed"), actor=u),
    "project_resume": lambda w, u: services.project_resume(project=_fresh(w, "held"), actor=u),
    "phase_advance": lambda w, u: services.phase_advance(project=_fresh(w, "project"), actor=u, reason="Paper gate", by_admin=True),
    "membership_add": lambda w, u: services.membership_add(project=_fresh(w, "project"), actor=u, user="dora", role="viewer"),
    "membership_update": lambda w, u: services.membership_update(membership=_fresh(w, "member"), actor=u, role="approver"),
    "membership_remove": lambda w, u: services.membership_remove(membership=_fresh(w, "member"), actor=u),
    "user_access_record": lambda w, u: services.user_access_record(
        user=w["paula"], actor=u, before={**user_access_snapshot(w["paula"]), "portfolio_viewer": False}
    ),
    "template_import": lambda w, u: services.template_import(text=services.template_export(template=w["template"]), actor=u),
    "template_duplicate": lambda w, u: services.template_duplicate(template=w["template"], actor=u),
    "token_revoke": lambda w, u: services.token_revoke(token=_fresh(w, "token"), actor=u),
    "audit_verify_request": lambda w, u: services.audit_verify_request(actor=u),
}

# Public functions of lifecycle.services that are not a person's state change, each with why.
NOT_LISTED = {
    # Reads, rules and helpers: they change nothing themselves.
    **dict.fromkeys(
        [
            "require",
            "project_change_check",
            "project_restore_check",
            "phase_advance_by_hand_check",
            "membership_change_check",
            "template_change_check",
            "ensure_writable",
            "lock_writable",
            "normalise_tags",
            "project_snapshot",
            "membership_snapshot",
            "user_access_snapshot",
            "snapshot",
            "save_versioned",
            "atomic",
            "event_payload",
            "event_hash",
            "audit_chain_verify",
            "template_validate",
            "template_export",
            "template_is_locked",
            "validate_item",
            "item_fields",
            "notification_kinds",
            "token_expiry",
            "project_children",
            "worker_heartbeat_last",
            "normalize_username",
            "normalize_address",
            "normalize_email",
            "client_address",
            "lock_seconds",
        ],
        "reader or helper",
    ),
    # The system's own work: tasks, sweeps, bookkeeping of a change another service authorised.
    **dict.fromkeys(
        [
            "bootstrap_reference_data",
            "housekeeping_run",
            "worker_heartbeat",
            "feed_access_record",
            "feed_project_visibility_record",
            "feed_prune",
            "change_record",
            "change_record_bulk",
            "audit_verify_run",
            "enqueue",
            "on_commit_robust",
            "send_now",
            "job_create",
            "job_get_running_or_create",
            "job_enqueue",
            "job_start",
            "job_progress",
            "job_succeed",
            "job_fail",
            "job_files_expire",
            "notify",
            "notification_email_send",
            "template_ensure_default",
            "tokens_revoke_all",
            "token_authenticate",
            "reset_email_allowed",
            "attempt_begin",
            "attempt_succeeded",
            "membership_create_owner",  # inside project_create
        ],
        "system",
    ),
    # Anyone signed in may (the creator becomes the owner).
    "project_create": "anyone",
    # Personal by construction: they change only the rows of the person acting (tested below).
    **dict.fromkeys(["token_create", "token_create_with_password", "notification_mark_read", "notification_preferences_set"], "own"),
    # The outcomes of a gate review, authorised by the review (governance checks the votes).
    **dict.fromkeys(["phase_set_status", "project_hold", "project_kill"], "gate outcome"),
}

# Who else is refused, besides viewers.
ALSO_REFUSED = {
    **{name: ["bob", "ava", "paula", "charlie"] for name in ("project_update", "phase_update_dates", "project_delete", "project_resume")},
    **{name: ["bob", "ava", "paula", "charlie"] for name in ("membership_add", "membership_update", "membership_remove")},
    # Administrators only: owners are refused like everyone else.
    **{name: ["alice", "paula"] for name in ("project_restore", "phase_advance", "user_access_record", "audit_verify_request")},
    **{name: ["alice", "paula"] for name in ("template_import", "template_duplicate")},
    # Personal: not even an administrator revokes alice's token.
    "token_revoke": ["bob", "adam"],
}
# Who may: owners manage their project, administrators everything but what is personal.
ALLOWED = {
    **{name: ["alice", "adam"] for name in ("project_update", "phase_update_dates", "project_delete", "project_resume")},
    **{name: ["alice", "adam"] for name in ("membership_add", "membership_update", "membership_remove")},
    **{name: ["adam"] for name in ("project_restore", "phase_advance", "user_access_record", "audit_verify_request")},
    **{name: ["adam"] for name in ("template_import", "template_duplicate")},
    "token_revoke": ["alice"],
}


def _state() -> tuple:
    return (
        AuditEvent.objects.count(),
        ChangeRecord.objects.count(),
        Job.objects.count(),
        LifecycleTemplate.objects.count(),
        sorted(Project.objects.values_list("name", "status", "current_phase", "deleted_at", "version")),
        sorted(Phase.objects.values_list("id", "status", "planned_start", "planned_end")),
        sorted(Membership.objects.values_list("project_id", "user__username", "role")),
        sorted(ApiToken.objects.values_list("name", "revoked_at")),
    )


def _public_services() -> set[str]:
    """Every public function defined in a module of lifecycle.services (read from the source, so
    that a function the tests patch, such as tasks.send_now, still counts)."""
    names: list[str] = []
    for info in pkgutil.iter_modules(services_package.__path__):
        module = importlib.import_module(f"{services_package.__name__}.{info.name}")
        tree = ast.parse(inspect.getsource(module))
        names += [
            node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_")
        ]
    assert len(names) == len(set(names)), "two service modules define the same public name"
    return set(names)


def test_every_public_service_is_listed():
    """A new public function in lifecycle.services must be added to CALLS (with the people it
    refuses) or to NOT_LISTED with the reason it checks no actor; a name that is gone fails too."""
    public = _public_services()
    assert sorted(public - set(CALLS) - set(NOT_LISTED)) == []
    assert sorted((set(CALLS) | set(NOT_LISTED)) - public) == []
    assert not set(CALLS) & set(NOT_LISTED)
    assert set(ALSO_REFUSED) == set(ALLOWED) == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_viewer_is_refused_by_the_service_itself(world, vic, name):
    before = _state()
    with pytest.raises(PermissionDenied):
        CALLS[name](world, vic)
    assert _state() == before


@pytest.mark.parametrize(("name", "who"), [(n, who) for n, people in sorted(ALSO_REFUSED.items()) for who in people])
def test_those_whose_standing_does_not_allow_it_are_refused(world, request, name, who):
    user = request.getfixturevalue(who)
    before = _state()
    with pytest.raises(PermissionDenied):
        CALLS[name](world, user)
    assert _state() == before


@pytest.mark.parametrize(("name", "who"), [(n, who) for n, people in sorted(ALLOWED.items()) for who in people])
def test_those_it_is_for_may(world, request, name, who):
    user = request.getfixturevalue(who)
    before = _state()
    CALLS[name](world, user)
    assert _state() != before


@pytest.mark.parametrize("name", sorted(set(CALLS) - {"phase_advance", "audit_verify_request"}))
def test_the_system_may(world, name):
    """None is the system (tasks, commands). Advancing a phase by hand and verifying the audit log
    on request are a person's acts: their audit events name who did them."""
    before = _state()
    CALLS[name](world, None)
    assert _state() != before


def _refusal(call, *args) -> str:
    with pytest.raises(PermissionDenied) as error:
        call(*args)
    return str(error.value)


def test_advancing_by_hand_needs_a_person(world):
    assert _refusal(CALLS["phase_advance"], world, None) == "Only an administrator can advance a phase by hand."


def test_the_refusal_says_why(world, bob, alice):
    assert _refusal(CALLS["project_update"], world, bob) == "Only the project's owners can do this."
    assert _refusal(CALLS["project_restore"], world, alice) == "Only administrators can restore deleted projects."
    assert _refusal(CALLS["token_revoke"], world, bob) == "You can only revoke your own tokens."
    assert _refusal(CALLS["template_duplicate"], world, alice) == "Only administrators can import or change lifecycle templates."


def test_a_gate_decision_advances_whatever_the_deciders_role(world, vic):
    """An approver named on a review may be a viewer by role: the review's outcome still applies
    (governance has checked the votes), with the decider as the actor of the audit event."""
    project = services.phase_advance(project=_fresh(world, "project"), actor=vic, reason="Gate review decided Go")
    assert project.current_phase == "select"
    assert AuditEvent.objects.filter(action="phase.advanced", actor_id=vic.pk).exists()


def test_a_role_change_is_seen_by_the_next_check_on_the_same_project(world, alice, bob):
    project = _fresh(world, "project")
    with pytest.raises(PermissionDenied):
        services.project_update(project=project, actor=bob, description="Not yet")
    membership = Membership.objects.select_related("project").get(project=project, user=bob)
    membership.project = project
    services.membership_update(membership=membership, actor=alice, role="owner")
    services.project_update(project=project, actor=bob, description="Now an owner")
    assert Project.objects.get(pk=project.pk).description == "Now an owner"


def test_personal_services_reach_only_the_actors_own_rows(world, alice, vic):
    services.notify(users=[alice], kind="artifact_decided", title="For alice")
    theirs = Notification.objects.get(user=alice)
    assert services.notification_mark_read(user=vic, ids=[str(theirs.pk)]) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None

    services.notification_preferences_set(user=vic, email_by_kind={"artifact_decided": False})
    assert list(NotificationPreference.objects.values_list("user__username", "kind", "email")) == [("vic", "artifact_decided", False)]

    token, _ = services.token_create(user=vic, name="mine")
    assert token.user == vic
    assert list(selectors.token_list_for_user(user=alice)) == [world["token"]]


# The doors: they load what the person may see and leave the rest to the services.


def test_a_page_never_shows_a_form_to_someone_who_may_not_submit_it(client_for, world, vic, alice):
    """Valid input reaches the service, which refuses; invalid input is not shown back as a form."""
    client = client_for(vic)
    project, member = world["project"], world["member"]
    for url, bodies in [
        (reverse("lifecycle:project-edit", args=[project.pk]), [{"name": "Hijacked"}, {"name": ""}]),
        (reverse("lifecycle:member-list", args=[project.pk]), [{"user": "dora", "role": "viewer"}, {"user": "", "role": "boss"}]),
        (reverse("lifecycle:member-edit", args=[member.pk]), [{"role": "owner"}, {"role": "boss"}]),
        (reverse("lifecycle:project-advance", args=[project.pk]), [{"reason": "Paper gate"}, {"reason": ""}]),
    ]:
        for body in bodies:
            assert client.post(url, body).status_code == 403, (url, body)
    # The owner is not an administrator: advancing by hand is refused to her, form or not.
    assert client_for(alice).post(reverse("lifecycle:project-advance", args=[project.pk]), {"reason": ""}).status_code == 403


def test_the_api_answers_a_refusal_with_the_services_message(api_for, world, vic):
    client = api_for(vic)
    project = world["project"]
    etag = client.get(f"/api/v1/projects/{project.pk}/")["ETag"]
    denied = {"message": "Only the project's owners can do this.", "code": "permission_denied"}
    for response in (
        client.patch(f"/api/v1/projects/{project.pk}/", {"name": "Hijacked"}, format="json", HTTP_IF_MATCH=etag),
        client.delete(f"/api/v1/projects/{project.pk}/", HTTP_IF_MATCH=etag),
        client.post(f"/api/v1/projects/{world['held'].pk}/resume/"),
        client.post(f"/api/v1/projects/{project.pk}/members/", {"user": "dora", "role": "viewer"}, format="json"),
        client.delete(f"/api/v1/members/{world['member'].pk}/", HTTP_IF_MATCH="*"),
    ):
        assert (response.status_code, response.json()) == (403, denied)
    assert Project.objects.get(pk=project.pk).name == "Support assistant"


def test_outsiders_still_get_404_from_the_doors(client_for, api_for, world, charlie):
    project = world["project"]
    assert client_for(charlie).post(reverse("lifecycle:project-edit", args=[project.pk]), {"name": "x"}).status_code == 404
    assert api_for(charlie).post(f"/api/v1/projects/{project.pk}/resume/").status_code == 404
    # Deleted projects: nobody but an administrator learns whether an id exists.
    for target in (world["trashed"].pk, uuid.uuid4()):
        assert client_for(charlie).post(reverse("lifecycle:project-restore", args=[target])).status_code == 403
