"""The length limits of governance's free texts.

One constant per text, used by the service that stores the text, the form that edits it and the
API serializer that reads it, so a text that is too long meets one rule at every door: a field
error in the page, a 400 naming the field in the API, never a text silently cut short. Where the
column has a max_length, the constant is that max_length.
"""

from __future__ import annotations

from lifecycle.exceptions import ApplicationError

# A comment on a decision: a vote in a gate review, a sign-off's approval or rejection.
COMMENT_MAX_LENGTH = 5000
# Why a review is requested although the gate is not ready (Review.justification).
JUSTIFICATION_MAX_LENGTH = 5000
# Why a risk is acceptable (its acceptance).
ACCEPTANCE_COMMENT_MAX_LENGTH = 2000
# What a post-launch audit or review found (PostLaunchTask.notes).
NOTES_MAX_LENGTH = 5000
# A project's own risk category's description.
CATEGORY_DESCRIPTION_MAX_LENGTH = 2000


def too_long_message(limit: int) -> str:
    """The field error of a text longer than `limit`, the same in forms, serializers and services."""
    return f"Use at most {limit} characters."


def max_length_errors(limit: int) -> dict[str, str]:
    """`error_messages` for a form or serializer CharField with `max_length=limit`."""
    return {"max_length": too_long_message(limit)}


def text_within(*, field: str, text: str, limit: int, label: str) -> str:
    """`text` when it is at most `limit` characters long; otherwise an ApplicationError on `field`
    whose message names the text by `label` ("Comment: Use at most 5000 characters.", as the
    form helpers of lifecycle word a field's error)."""
    if len(text) > limit:
        raise ApplicationError(
            f"{label}: {too_long_message(limit)}",
            code="invalid",
            fields={field: [too_long_message(limit)]},
        )
    return text
