"""Errors that services raise and both front doors (UI and API) render the same way."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule the user can act on: 400 in the API, a message or form error in the UI."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class Conflict(ApplicationError):
    """The request is well-formed but the state forbids it (409): a closed project, a second open
    review, a vote on a resolved review."""

    status_code = 409
    default_code = "conflict"


class PreconditionFailed(ApplicationError):
    status_code = 412
    default_code = "precondition_failed"


class PreconditionRequired(ApplicationError):
    status_code = 428
    default_code = "precondition_required"


class IdempotencyMismatch(ApplicationError):
    status_code = 422
    default_code = "idempotency_mismatch"


class Gone(ApplicationError):
    status_code = 410
    default_code = "gone"


class ServiceUnavailable(ApplicationError):
    status_code = 503
    default_code = "unavailable"
