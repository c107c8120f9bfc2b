from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


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
