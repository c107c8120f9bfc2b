"""Artifact pages: list, create and edit with forms that fit each type, review, versions and
diffs, comments, attachments and stakeholder feedback."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lifecycle import selectors as lifecycle_selectors
from lifecycle.exceptions import ApplicationError
from lifecycle.forms import QueryForm, posted_text
from lifecycle.infrastructure.http import AuthedHtmxRequest
from lifecycle.permissions import Action
from lifecycle.views.common import go, paginate
from phases import selectors, services
from phases.artifacts import forms as artifact_forms
from phases.artifacts.diff import diff_versions
from phases.artifacts.types import ARTIFACT_TYPES
from phases.limits import (
    ARTIFACT_COMMENT_MAX_LENGTH,
    DECISION_COMMENT_MAX_LENGTH,
    FEEDBACK_ANSWER_MAX_LENGTH,
    FEEDBACK_MESSAGE_MAX_LENGTH,
)
from phases.models import ArtifactStatus


class ArtifactFilterForm(QueryForm):
    q = forms.CharField(required=False, max_length=200)
    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *[(k, t.label) for k, t in ARTIFACT_TYPES.items()]])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ArtifactStatus.choices])


@login_required
@require_GET
def artifact_list(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    form = ArtifactFilterForm(request.GET)
    form.is_valid()  # what is not valid is left out (QueryForm)
    data = form.cleaned_data
    artifacts = selectors.artifact_list_for_project(
        project=project, type=data.get("type", ""), status=data.get("status", ""), search=data.get("q", "")
    )
    page, query = paginate(request, artifacts)
    context = {
        "project": project,
        "form": form,
        "page_obj": page,
        "query_without_page": query,
        "types": list(ARTIFACT_TYPES.values()),
        "can_create": lifecycle_selectors.project_access(user=request.user, project=project).allows(Action.CONTRIBUTE)
        and not project.is_read_only,
    }
    return render(request, "phases/artifact_list.html", context)


def _form_page(request: AuthedHtmxRequest, context: dict, status: int = 200) -> HttpResponse:
    return render(request, "phases/artifact_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def artifact_create(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
    kind = ARTIFACT_TYPES.get(request.GET.get("type") or request.POST.get("type", ""))
    if kind is None:
        return render(request, "phases/artifact_type_choice.html", {"project": project, "types": list(ARTIFACT_TYPES.values())})
    context = {"project": project, "kind": kind, "title": kind.label, "creating": True}
    if request.method == "POST":
        data, add_to = artifact_forms.parse_post(kind, request.POST)
        title = request.POST.get("title", "")
        if add_to is None:
            try:
                artifact = services.artifact_create(project=project, actor=request.user, type=kind.key, title=title, data=data)
            except ApplicationError as e:
                return _form_page(request, {**context, "title": title, "items": artifact_forms.build(kind, data, e.fields), "error": e})
            messages.success(request, f"{kind.label} “{artifact.title}” saved as a draft (version 1).")
            return go(request, artifact.get_absolute_url())
        return _form_page(request, {**context, "title": title, "items": artifact_forms.build(kind, data, add_to=add_to)})
    return _form_page(request, {**context, "items": artifact_forms.build(kind, None)})


@login_required
@require_GET
def artifact_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    artifact = selectors.artifact_get_for_user(user=request.user, id=id)
    context = selectors.artifact_page(artifact=artifact, user=request.user)
    context["shown"] = artifact_forms.read_only(artifact.kind, artifact.latest.data)
    context["computed"] = artifact.latest.computed
    return render(request, "phases/artifact_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def artifact_edit(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    artifact = selectors.artifact_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
    kind, latest = artifact.kind, artifact.latest
    context = {"project": artifact.project, "artifact": artifact, "kind": kind, "title": latest.title, "creating": False}
    if request.method == "POST":
        data, add_to = artifact_forms.parse_post(kind, request.POST)
        title = request.POST.get("title", "")
        if add_to is None:
            try:
                artifact = services.artifact_update(artifact=artifact, actor=request.user, title=title, data=data)
            except ApplicationError as e:
                return _form_page(request, {**context, "title": title, "items": artifact_forms.build(kind, data, e.fields), "error": e})
            messages.success(request, f"Saved as version {artifact.latest.number}.")
            return go(request, artifact.get_absolute_url())
        return _form_page(request, {**context, "title": title, "items": artifact_forms.build(kind, data, add_to=add_to)})
    return _form_page(request, {**context, "items": artifact_forms.build(kind, latest.data)})


def _act(request: AuthedHtmxRequest, id: UUID, run, success: str) -> HttpResponse:
    """Run a service on a visible artifact; the service checks the role (403 when refused)."""
    artifact = selectors.artifact_get_for_user(user=request.user, id=id)
    try:
        run(artifact)
        messages.success(request, success)
    except ApplicationError as e:
        messages.error(request, e.message)
    return go(request, artifact.get_absolute_url())


@login_required
@require_POST
def artifact_submit(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    return _act(
        request,
        id,
        lambda a: services.artifact_submit(artifact=a, actor=request.user),
        "Submitted for review; the approvers were told.",
    )


@login_required
@require_POST
def artifact_approve(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    return _act(
        request,
        id,
        lambda a: services.artifact_approve(
            artifact=a, actor=request.user, comment=posted_text(request.POST, "comment", max_length=DECISION_COMMENT_MAX_LENGTH)
        ),
        "Approved.",
    )


@login_required
@require_POST
def artifact_send_back(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    return _act(
        request,
        id,
        lambda a: services.artifact_send_back(
            artifact=a, actor=request.user, comment=posted_text(request.POST, "comment", max_length=DECISION_COMMENT_MAX_LENGTH)
        ),
        "Sent back to its owner with your comment.",
    )


@login_required
@require_POST
def artifact_comment(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    artifact = selectors.artifact_get_for_user(user=request.user, id=id)
    try:
        services.artifact_comment_add(
            artifact=artifact, actor=request.user, body=posted_text(request.POST, "body", max_length=ARTIFACT_COMMENT_MAX_LENGTH)
        )
        messages.success(request, "Comment added.")
    except ApplicationError as e:
        messages.error(request, e.message)
    return redirect(f"{artifact.get_absolute_url()}#comments")


@login_required
@require_POST
def attachment_upload(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    # The role first, so that a refused person hears so even without a file (the service checks it too).
    artifact = selectors.artifact_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a file to upload.")
    else:
        try:
            attachment = services.attachment_add(artifact=artifact, actor=request.user, upload=upload)
            messages.success(request, f"“{attachment.name}” attached (SHA-256 {attachment.sha256[:12]}…).")
        except ApplicationError as e:
            messages.error(request, e.message)
    return redirect(f"{artifact.get_absolute_url()}#attachments")


@login_required
@require_GET
def attachment_download(request: AuthedHtmxRequest, id: UUID) -> FileResponse:
    """Files are served only to people who can see the project, never from a public URL."""
    attachment = selectors.attachment_get_for_user(user=request.user, id=id)
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404("The file is missing from the store.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
@require_POST
def feedback_ask(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    artifact = selectors.artifact_get_for_user(user=request.user, id=id)
    wanted = set(request.POST.getlist("reviewers"))
    reviewers = [u for u in lifecycle_selectors.project_users(project=artifact.project) if str(u.pk) in wanted]
    try:
        services.feedback_request(
            artifact=artifact,
            actor=request.user,
            reviewers=reviewers,
            message=posted_text(request.POST, "message", max_length=FEEDBACK_MESSAGE_MAX_LENGTH),
        )
        messages.success(request, f"Feedback requested from {len(reviewers)} member{'s' if len(reviewers) != 1 else ''}.")
    except ApplicationError as e:
        messages.error(request, e.message)
    return redirect(f"{artifact.get_absolute_url()}#feedback")


@login_required
@require_POST
def feedback_reply(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    feedback = selectors.feedback_request_get_for_user(user=request.user, id=id)
    try:
        services.feedback_answer(
            request=feedback, actor=request.user, answer=posted_text(request.POST, "answer", max_length=FEEDBACK_ANSWER_MAX_LENGTH)
        )
        messages.success(request, "Thank you: your feedback is recorded with this version.")
    except ApplicationError as e:
        messages.error(request, e.message)
    return redirect(f"{feedback.artifact.get_absolute_url()}#feedback")


@login_required
@require_GET
def artifact_version(request: AuthedHtmxRequest, id: UUID, number: int) -> HttpResponse:
    artifact = selectors.artifact_get_for_user(user=request.user, id=id)
    version = selectors.artifact_version_get(artifact=artifact, number=number)
    context = {
        "artifact": artifact,
        "project": artifact.project,
        "version": version,
        "shown": artifact_forms.read_only(artifact.kind, version.data),
        "computed": version.computed,
    }
    return render(request, "phases/artifact_version.html", context)


class DiffQuery(QueryForm):
    """?from=N&to=M of the diff page: version numbers (the last two when left out)."""

    from_ = forms.IntegerField(required=False, min_value=1)
    to = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = self.fields.pop("from_")  # `from` is a keyword


@login_required
@require_GET
def artifact_diff(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """A readable diff between any two versions (?from=N&to=M; default: the last two)."""
    artifact = selectors.artifact_get_for_user(user=request.user, id=id)
    latest = artifact.latest.number
    versions = DiffQuery.read(request.GET)
    older = selectors.artifact_version_get(artifact=artifact, number=versions.get("from") or max(1, latest - 1))
    newer = selectors.artifact_version_get(artifact=artifact, number=versions.get("to") or latest)
    changes = diff_versions(artifact.kind, older.data, newer.data, old_title=older.title, new_title=newer.title)
    context = {
        "artifact": artifact,
        "project": artifact.project,
        "older": older,
        "newer": newer,
        "changes": changes,
        "numbers": list(range(1, latest + 1)),
    }
    return render(request, "phases/artifact_diff.html", context)
