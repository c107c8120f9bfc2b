"""Lifecycle templates."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError

from lifecycle.exceptions import ApplicationError
from lifecycle.models import (
    LifecycleTemplate,
)

UNKNOWN_TEMPLATE = "No template has this id."


def template_list() -> list[LifecycleTemplate]:
    """Every template version, the default first, then by key and newest version (the choices of
    the project form)."""
    return list(LifecycleTemplate.objects.order_by("-is_default", "key", "-version"))


def template_get(*, id: UUID | str | None = None) -> LifecycleTemplate:
    """The template a project is created from: the one `id` names, or the default template when
    no id is given. The one lookup the project form, the API and `project_create` share, so the
    same input gets the same answer through every door: an id that names no template is an
    input error on the field `template` (400), and no default template at all is `no_template`."""
    if id is None or id == "":
        template = LifecycleTemplate.objects.filter(is_default=True).first()
        if template is None:
            raise ApplicationError("No lifecycle template is installed; ask an administrator.", code="no_template")
        return template
    try:
        template = LifecycleTemplate.objects.filter(pk=id).first()
    except (ValidationError, ValueError):  # not a UUID: it names no template either
        template = None
    if template is None:
        raise ApplicationError(f"template: {UNKNOWN_TEMPLATE}", code="invalid", fields={"template": [UNKNOWN_TEMPLATE]})
    return template
