"""Root URLconf: the UI and API of every app, accounts, admin, and the API schema and docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from lifecycle.views import account, home, ops

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics_view, name="metrics"),
    path("accounts/login/", account.LoginView.as_view(), name="login"),
    # Ahead of django.contrib.auth.urls: the reset form that limits its e-mails.
    path("accounts/password_reset/", account.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("lifecycle.ui_urls")),
    path("", include("phases.urls")),
    path("", include("governance.urls")),
    path("api/v1/", include("lifecycle.api.urls")),
    path("api/v1/", include("phases.api.urls")),
    path("api/v1/", include("governance.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "lifecycle.views.errors.bad_request"
handler404 = "lifecycle.views.errors.not_found"
handler500 = "lifecycle.views.errors.server_error"
