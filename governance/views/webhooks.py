"""Webhooks in the browser: a project's endpoints (owners), global ones (administrators), each
with its delivery log, resending, secret rotation, turning off and on, and deletion."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from governance import services
from governance.forms import WebhookForm
from governance.models import WebhookEndpoint
from governance.selectors import webhooks as selectors
from lifecycle import selectors as lifecycle_selectors
from lifecycle.exceptions import ApplicationError
from lifecycle.infrastructure.http import AuthedHtmxRequest
from lifecycle.models import Project
from lifecycle.permissions import Action
from lifecycle.views.common import go, paginate

_REVEAL_SESSION_KEY = "webhook-secret-{}"


def _reveal_once(request: AuthedHtmxRequest, endpoint: WebhookEndpoint) -> None:
    """The secret is shown on the next page only (kept in the server-side session until then)."""
    request.session[_REVEAL_SESSION_KEY.format(endpoint.pk)] = endpoint.secret


def _list(request: AuthedHtmxRequest, project: Project | None, endpoints: QuerySet[WebhookEndpoint], back: str) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_create(actor=request.user, project=project, **form.cleaned_data)
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            _reveal_once(request, endpoint)
            messages.success(request, "Webhook added. Copy its signing secret now: it is shown only once.")
            return go(request, endpoint.get_absolute_url())
    return render(request, "governance/webhook_list.html", {"project": project, "endpoints": endpoints, "form": form, "back": back})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id, action=Action.MANAGE)
    endpoints = selectors.webhook_list_for_project(project=project)
    return _list(request, project, endpoints, project.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def webhook_global_list(request: AuthedHtmxRequest) -> HttpResponse:
    endpoints = selectors.webhook_list_global(user=request.user)
    return _list(request, None, endpoints, reverse("home"))


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    endpoint = selectors.webhook_get_for_user(user=request.user, id=id)
    initial = {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description}
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Webhook saved.")
            return go(request, endpoint.get_absolute_url())
    page, query = paginate(request, selectors.delivery_list(endpoint=endpoint), per_page=20)
    context = {
        "endpoint": endpoint,
        "project": endpoint.project,
        "form": form,
        "page_obj": page,
        "query_without_page": query,
        "secret": request.session.pop(_REVEAL_SESSION_KEY.format(endpoint.pk), None),
        "disable_after": settings.WEBHOOK_DISABLE_AFTER,
    }
    return render(request, "governance/webhook_detail.html", context)


@login_required
@require_POST
def webhook_toggle(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    endpoint = selectors.webhook_get_for_user(user=request.user, id=id)
    enable = request.POST.get("enabled") == "1"
    services.webhook_update(endpoint=endpoint, actor=request.user, enabled=enable)
    messages.success(
        request, "Webhook turned on; deliveries resume." if enable else "Webhook turned off; no deliveries until you turn it on."
    )
    return go(request, endpoint.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def webhook_rotate(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    endpoint = selectors.webhook_get_for_user(user=request.user, id=id)
    if request.method == "POST":
        endpoint = services.webhook_rotate_secret(endpoint=endpoint, actor=request.user)
        _reveal_once(request, endpoint)
        messages.success(request, "New secret made. Update your receiver: deliveries are signed with it from now on.")
        return go(request, endpoint.get_absolute_url())
    return render(request, "governance/webhook_confirm.html", {"endpoint": endpoint, "project": endpoint.project, "action": "rotate"})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    endpoint = selectors.webhook_get_for_user(user=request.user, id=id)
    if request.method == "POST":
        project = endpoint.project
        services.webhook_delete(endpoint=endpoint, actor=request.user)
        messages.success(request, "Webhook deleted.")
        return go(request, reverse("governance:webhook-list", args=[project.pk]) if project else reverse("governance:webhook-global-list"))
    return render(request, "governance/webhook_confirm.html", {"endpoint": endpoint, "project": endpoint.project, "action": "delete"})


@login_required
@require_POST
def delivery_resend(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    delivery = selectors.delivery_get_for_user(user=request.user, id=id)
    try:
        services.webhook_resend(delivery=delivery, actor=request.user)
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{delivery.event} queued again as a new delivery.")
    return go(request, delivery.endpoint.get_absolute_url())
