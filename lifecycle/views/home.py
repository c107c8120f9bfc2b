from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from lifecycle import selectors
from lifecycle.http import AuthedHtmxRequest


@login_required
def home(request: AuthedHtmxRequest) -> HttpResponse:
    return render(request, "lifecycle/home.html", selectors.home_summary(user=request.user))


@login_required
def inbox(request: AuthedHtmxRequest) -> HttpResponse:
    return render(request, "lifecycle/inbox.html", {"items": selectors.inbox_items(user=request.user)})
