"""Every state-changing service of the phases app checks the acting user itself, whichever door
the call came through: called directly as a viewer (and as members whose role does not allow it)
each one refuses with PermissionDenied and writes nothing. The views only decide who may see the
project."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from lifecycle.models import AuditEvent
from phases import services
from phases.models import Artifact, ArtifactComment, FeedbackRequest
from sample_data.artifacts import SAMPLES


def _artifact(project, owner, type_key: str = "scope_document") -> Artifact:
    title, data = SAMPLES[type_key]
    return services.artifact_create(project=project, actor=owner, type=type_key, title=title, data=copy.deepcopy(data))


@pytest.fixture
def world(project, bob, ava):
    draft = _artifact(project, bob)
    in_review = _artifact(project, bob, "feasibility_study")
    services.artifact_submit(artifact=in_review, actor=bob)
    item = project.checklist_items.order_by("order").first()
    return {"project": project, "draft": draft, "in_review": in_review, "item": item}


CALLS = {
    "artifact_create": lambda w, u: services.artifact_create(
        project=w["project"], actor=u, type="scope_document", title="X", data=copy.deepcopy(SAMPLES["scope_document"][1])
    ),
    "artifact_update": lambda w, u: services.artifact_update(artifact=w["draft"], actor=u, title="Renamed"),
    "artifact_submit": lambda w, u: services.artifact_submit(artifact=w["draft"], actor=u),
    "artifact_approve": lambda w, u: services.artifact_approve(artifact=w["in_review"], actor=u, comment="Fine"),
    "artifact_send_back": lambda w, u: services.artifact_send_back(artifact=w["in_review"], actor=u, comment="More"),
    "artifact_comment_add": lambda w, u: services.artifact_comment_add(artifact=w["draft"], actor=u, body="Hello"),
    "feedback_request": lambda w, u: services.feedback_request(artifact=w["draft"], actor=u, reviewers=[w["ava"]], message="?"),
    "checklist_item_set_done": lambda w, u: services.checklist_item_set_done(item=w["item"], actor=u, done=True),
    "attachment_add": lambda w, u: services.attachment_add(
        artifact=w["draft"], actor=u, upload=SimpleUploadedFile("n.txt", b"notes\n", content_type="text/plain")
    ),
}
# Who else is refused, besides viewers: approvers do not write, contributors do not approve, and
# only an artifact's owner or a project owner asks for feedback.
ALSO_REFUSED = {
    "artifact_create": ["ava"],
    "artifact_update": ["ava"],
    "artifact_submit": ["ava"],
    "artifact_approve": ["bob"],
    "artifact_send_back": ["bob"],
    "checklist_item_set_done": ["ava"],
    "attachment_add": ["ava"],
    "feedback_request": ["ava"],
}


def _state() -> tuple:
    return (
        AuditEvent.objects.count(),
        Artifact.objects.count(),
        ArtifactComment.objects.count(),
        FeedbackRequest.objects.count(),
        sorted(Artifact.objects.values_list("status", "title")),
    )


def test_every_state_changing_service_is_listed():
    """A new service in phases.services that changes state must be added to CALLS."""
    readers_and_helpers = {
        "artifact_snapshot",
        "item_snapshot",
        "project_phases_populate",  # the project's creation (its own check)
        "clean_evidence_links",
        "split_links",
        "checklist_items_add",  # classification and template sync, on behalf of the system
        "checklist_items_remove",
        "feedback_answer",  # personal: only the person asked (its own test)
        "safe_filename",
    }
    public = {name for name in dir(services) if not name.startswith("_") and callable(getattr(services, name))}
    public = {n for n in public if getattr(getattr(services, n), "__module__", "").startswith("phases.services")}
    assert sorted(public - set(CALLS) - readers_and_helpers) == []


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_viewer_is_refused_by_the_service_itself(world, vic, ava, name):
    world["ava"] = ava
    before = _state()
    with pytest.raises(PermissionDenied):
        CALLS[name](world, vic)
    assert _state() == before


@pytest.mark.parametrize(("name", "who"), [(n, who) for n, people in sorted(ALSO_REFUSED.items()) for who in people])
def test_members_whose_role_does_not_allow_it_are_refused(world, request, ava, name, who):
    world["ava"] = ava
    user = request.getfixturevalue(who)
    before = _state()
    with pytest.raises(PermissionDenied):
        CALLS[name](world, user)
    assert _state() == before


def test_an_outsider_is_refused_too(world, charlie, ava):
    world["ava"] = ava
    with pytest.raises(PermissionDenied):
        CALLS["artifact_comment_add"](world, charlie)
