"""Request types for views, and the one way a view answers htmx: the whole page or one partial."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from lifecycle.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthedHtmxRequest(HtmxHttpRequest):
    user: User


# The request headers that decide between the page and a partial: a response that depends on
# them says so, since the same URL serves both.
HTMX_VARY = ("HX-Request", "HX-Boosted")


def wants_partial(request: HttpRequest) -> bool:
    """Whether htmx swaps a part of the page in: an htmx request that is not boosted. A boosted
    request (hx-boost) replaces the whole body, so it gets what a plain request gets: the page,
    or after a POST the redirect to it."""
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def render_partial_or_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    partial: str,
    page_context: Callable[[], Mapping[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The partial named `partial` of `template` (`{% partialdef %}`, rendered as
    "template#partial") when htmx swaps it in, else the whole page.

    `context` is what the partial renders. `page_context`, called only when the whole page is
    rendered, returns what the rest of the page adds: a poll that refreshes one panel then reads
    only what that panel shows, not the page around it."""
    if wants_partial(request):
        response = render(request, f"{template}#{partial}", context, status=status)
    else:
        whole = {**context, **page_context()} if page_context else context
        response = render(request, template, whole, status=status)
    patch_vary_headers(response, HTMX_VARY)
    return response
