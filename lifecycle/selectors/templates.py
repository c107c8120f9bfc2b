"""Lifecycle templates."""

from __future__ import annotations

from django.http import Http404

from lifecycle.models import (
    LifecycleTemplate,
)


def template_list() -> list[LifecycleTemplate]:
    return list(LifecycleTemplate.objects.order_by("key", "-version"))


def template_get_default() -> LifecycleTemplate:
    template = LifecycleTemplate.objects.filter(is_default=True).first()
    if template is None:
        raise Http404("No default lifecycle template is installed.")
    return template
