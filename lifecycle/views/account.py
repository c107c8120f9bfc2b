"""The user's own pages: login, account, API tokens, notifications and their e-mail settings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from lifecycle import selectors, services
from lifecycle.exceptions import ApplicationError
from lifecycle.forms import TokenForm
from lifecycle.infrastructure.http import AuthedHtmxRequest
from lifecycle.services import login_guard, password_reset
from lifecycle.views.common import go, paginate


class LoginGuardMixin(AuthenticationForm):
    """Puts an AuthenticationForm behind the brute-force guard (lifecycle.services.login_guard):
    while attempts for the username and address are paused, the form says for how long and the
    password is not checked."""

    locked: login_guard.LoginLocked | None = None

    def clean(self) -> dict:
        data = self.cleaned_data
        username, password = data.get("username"), data.get("password")
        if not username or not password:
            return super().clean()
        address = login_guard.client_address(self.request) if self.request is not None else "unknown"
        try:
            attempt = login_guard.attempt_begin(username=username, address=address)
        except login_guard.LoginLocked as locked:
            self.locked = locked
            raise ValidationError(locked.message, code="locked") from None
        cleaned = super().clean()
        login_guard.attempt_succeeded(attempt)
        return cleaned


class GuardedAuthenticationForm(LoginGuardMixin, AuthenticationForm):
    pass


class GuardedAdminAuthenticationForm(LoginGuardMixin, AdminAuthenticationForm):
    """The admin site's login form (lifecycle.admin sets it), so that /admin/login/ is no way
    around the guard."""


class LoginView(auth_views.LoginView):
    """Django's login view with the guarded form; a paused attempt answers 429 with Retry-After."""

    authentication_form = GuardedAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: GuardedAuthenticationForm) -> HttpResponse:  # type: ignore[override]  # authentication_form is this class
        response = super().form_invalid(form)
        if form.locked is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.locked.retry_after)
        return response


class RateLimitedPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending its e-mail only within the limits of
    lifecycle.services.password_reset. Over a limit it sends nothing and the view answers as
    always (the "check your e-mail" page), so the limit does not tell whether the address has an
    account."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        request: HttpRequest | None = kwargs.get("request")  # PasswordResetView passes it by name
        client = login_guard.client_address(request) if request is not None else "unknown"
        if password_reset.reset_email_allowed(email=self.cleaned_data["email"], client=client):
            super().save(*args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = RateLimitedPasswordResetForm


@login_required
@require_http_methods(["GET", "POST"])
def account(request: AuthedHtmxRequest) -> HttpResponse:
    """Account page: API tokens (create shows the new token once) and e-mail settings."""
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.token_create(
                user=request.user, name=form.cleaned_data["name"], expires_in_days=form.cleaned_data["expires_in_days"]
            )
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": selectors.token_list_for_user(user=request.user),
        "now": timezone.now(),
        "kinds": selectors.notification_settings(user=request.user),
    }
    return render(request, "lifecycle/account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    token = selectors.token_get_for_user(user=request.user, id=id)
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
