"""Request types for views, and tiny htmx helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from lifecycle.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthedHtmxRequest(HtmxHttpRequest):
    user: User


def partial_or_page(request: HtmxHttpRequest, template: str, partial: str) -> str:
    """The template name to render: the named partial for htmx requests, else the full page."""
    return f"{template}#{partial}" if request.htmx and not request.htmx.boosted else template
