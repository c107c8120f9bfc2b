from __future__ import annotations

from importlib import import_module
from typing import Any

from django import template

register = template.Library()

# The modules `text_limit` reads, by app label.
LIMIT_MODULES = {"lifecycle": "lifecycle.limits", "phases": "phases.limits", "governance": "governance.limits"}


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """{{ dict|get_item:key }}: look a key up in a dict (None when absent or not a dict)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def get_item_list(sequence: Any, position: Any) -> Any:
    """{{ labels|get_item_list:n }}: the n-th item (1-based) of a list, or ""."""
    try:
        return sequence[int(position) - 1]
    except (TypeError, ValueError, IndexError):
        return ""


@register.simple_tag
def text_limit(name: str) -> int:
    """{% text_limit "phases.ARTIFACT_COMMENT" %}: the constant `ARTIFACT_COMMENT_MAX_LENGTH` of
    `phases.limits`, for a textarea's maxlength, so the page holds the limit the service enforces.
    An unknown name is a programming error and fails the page's render (and so its tests)."""
    app, _, text = name.partition(".")
    if app not in LIMIT_MODULES:
        raise template.TemplateSyntaxError(f"text_limit: no limits module for {app!r}")
    return int(getattr(import_module(LIMIT_MODULES[app]), f"{text}_MAX_LENGTH"))
