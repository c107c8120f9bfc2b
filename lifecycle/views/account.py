"""The user's own pages: account, API tokens, notifications and their e-mail settings."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lifecycle import selectors, services
from lifecycle.exceptions import ApplicationError
from lifecycle.forms import TokenForm
from lifecycle.http import AuthedHtmxRequest
from lifecycle.models import ApiToken
from lifecycle.views.common import go, paginate


@login_required
@require_http_methods(["GET", "POST"])
def account(request: AuthedHtmxRequest) -> HttpResponse:
    """Account page: API tokens (create shows the new token once) and e-mail settings."""
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.token_create(user=request.user, name=form.cleaned_data["name"])
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=request.user, revoked_at=None),
        "kinds": selectors.notification_settings(user=request.user),
    }
    return render(request, "lifecycle/account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    token = ApiToken.objects.filter(pk=id, user=request.user, revoked_at=None).first()
    if token is None:
        raise Http404("No such token.")
    if request.method == "POST":
        services.token_revoke(token=token, actor=request.user)
        messages.success(request, f"Token “{token.name}” revoked; clients using it can no longer sign in.")
        return go(request, reverse("lifecycle:account"))
    return render(request, "lifecycle/token_confirm_revoke.html", {"token": token})


@login_required
@require_POST
def notification_settings(request: AuthedHtmxRequest) -> HttpResponse:
    kinds = services.notification_kinds()
    services.notification_preferences_set(
        user=request.user, email_by_kind={kind: request.POST.get(f"email_{kind}") == "on" for kind in kinds}
    )
    messages.success(request, "E-mail settings saved.")
    return go(request, reverse("lifecycle:account"))


@login_required
def notification_list(request: AuthedHtmxRequest) -> HttpResponse:
    page, query = paginate(request, selectors.notification_list(user=request.user))
    return render(request, "lifecycle/notification_list.html", {"page_obj": page, "query_without_page": query})


@login_required
@require_POST
def notifications_read(request: AuthedHtmxRequest) -> HttpResponse:
    ids = request.POST.getlist("id") or None
    count = services.notification_mark_read(user=request.user, ids=ids)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return go(request, reverse("lifecycle:notification-list"))
