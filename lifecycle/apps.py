from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = "Lifecycle"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lifecycle import hooks

        hooks.registry.add_notification_kind("general", "General announcements")
        # Framework integration, not domain flow: reference data (functions, the portfolio-viewer
        # group, frameworks, the default template) must exist after every migrate, and after
        # every flush of a test database.
        post_migrate.connect(_bootstrap, sender=self, dispatch_uid="lifecycle-bootstrap")
        # A sign-in starts the session's idle and absolute clocks (lifecycle.infrastructure.middleware).
        from django.contrib.auth.signals import user_logged_in

        from lifecycle.infrastructure.middleware import session_clocks_start

        user_logged_in.connect(session_clocks_start, dispatch_uid="lifecycle-session-clocks")


def _bootstrap(using: str = "default", **kwargs: Any) -> None:
    from lifecycle.services.bootstrap import bootstrap_reference_data

    bootstrap_reference_data()
