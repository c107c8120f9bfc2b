from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from lifecycle import hooks, selectors


@dataclass
class NavItem:
    label: str
    url: str
    current: bool = False
    count: int = 0
    count_label: str = "waiting"


def site(request: HttpRequest) -> dict:
    context: dict = {"SITE_NAME": settings.SITE_NAME, "DEBUG": settings.DEBUG}
    user = getattr(request, "user", None)
    htmx = getattr(request, "htmx", None)
    # Partials swapped in by htmx do not render the navigation: skip its queries.
    if user is None or not user.is_authenticated or (htmx and not htmx.boosted):
        return context
    counts = selectors.nav_counts(user=user)
    items = [
        NavItem("Dashboard", reverse("home")),
        NavItem("Projects", reverse("lifecycle:project-list")),
        *[NavItem(label, reverse(name)) for label, name in hooks.registry.nav_links],
        NavItem("Inbox", reverse("lifecycle:inbox"), count=counts["inbox"]),
        NavItem("Notifications", reverse("lifecycle:notification-list"), count=counts["notifications"], count_label="unread"),
    ]
    for item in items:
        item.current = request.path == item.url if item.url == "/" else request.path.startswith(item.url)
    context["nav_items"] = items
    return context
