"""Length limits of free texts, and the one behaviour when a text is too long.

Each app keeps one constant per text it stores (this module for the core's, `phases.limits`
and `governance.limits` for theirs). The service that stores the text, the form that
edits it and the API serializer that reads it all use that constant, so a text that is too long
meets one rule at every door: a field error in the page, a 400 naming the field in the API, never
a text silently cut short. Where the column has a max_length, the constant is that max_length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lifecycle.exceptions import ApplicationError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A project's name (Project.name).
NAME_MAX_LENGTH = 200
# A description: a project's, its use case's three texts, a template's and its phases'.
DESCRIPTION_MAX_LENGTH = 5000
# Why an administrator advances a phase by hand.
REASON_MAX_LENGTH = 2000
# The guidance of an item in a template: a checklist item's, an artifact's, a criterion's.
GUIDANCE_MAX_LENGTH = 2000


def too_long_message(limit: int) -> str:
    """The field error of a text longer than `limit`, the same in forms, serializers and services."""
    return f"Use at most {limit} characters."


def max_length_errors(limit: int) -> dict[str, StrOrPromise]:
    """`error_messages` for a form or serializer CharField with `max_length=limit` (typed as both
    take it: their messages may be lazy strings)."""
    return {"max_length": too_long_message(limit)}


def text_within(*, field: str, text: str, limit: int, label: str) -> str:
    """`text` when it is at most `limit` characters long; otherwise an ApplicationError on `field`
    whose message names the text by `label` ("Comment: Use at most 5000 characters.", as the
    form helpers word a field's error)."""
    if len(text) > limit:
        raise ApplicationError(
            f"{label}: {too_long_message(limit)}",
            code="invalid",
            fields={field: [too_long_message(limit)]},
        )
    return text
