"""Small helpers shared by the HTML views of every app."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from lifecycle.exceptions import ApplicationError

PAGE_SIZE = 25


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> tuple[Page, str]:
    """A page of `items` for ?page=N (bad numbers show the nearest page) and the query string of
    the other parameters, so pagination links keep the filters."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    others = {k: v for k, v in request.GET.items() if k != "page" and v}
    return page, (urlencode(others) + "&") if others else ""


def error_message(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, error.message)


def go(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: a redirect, or a client-side redirect for htmx."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)
