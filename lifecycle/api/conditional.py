"""Strong ETags over the exact JSON a resource renders to, and If-Match / If-None-Match.

The ETag is a hash of the representation, so it changes whenever anything the client sees
changes (including nested data), and equal representations share it. Compressed responses carry
the same tag with a "-gzip" suffix (lifecycle.infrastructure.middleware); comparisons ignore the suffix.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from rest_framework.request import Request
from rest_framework.response import Response

from lifecycle import locks
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import PreconditionFailed, PreconditionRequired
from lifecycle.infrastructure.middleware import GZIP_ETAG_SUFFIX
from lifecycle.models import Project

T = TypeVar("T")


def etag_of(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:40] + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    return tag.removesuffix(GZIP_ETAG_SUFFIX)


def _parse(header: str) -> list[str]:
    return [_opaque(part) for part in header.split(",") if part.strip()]


def with_etag(request: Request, response: Response) -> Response:
    """Set the ETag of a 200 response; answer 304 when the client's If-None-Match matches."""
    tag = etag_of(response.data)
    response["ETag"] = tag
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and request.method in ("GET", "HEAD"):
        tags = _parse(if_none_match)
        if "*" in tags or _opaque(tag) in tags:
            not_modified = Response(status=304)
            not_modified["ETag"] = tag
            return not_modified
    return response


def require_if_match(request: Request, current: Any) -> None:
    """PATCH and DELETE must name the version they change: 428 without If-Match, 412 when the
    resource changed since (so concurrent clients never overwrite each other's update)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired("Send If-Match with the ETag of your last GET of this resource.", code="precondition_required")
    tags = _parse(header)
    if "*" not in tags and _opaque(etag_of(current)) not in tags:
        raise PreconditionFailed(
            "This resource changed since you read it; GET it again and retry with the new ETag.",
            code="precondition_failed",
        )


def if_match(request: Request, *, lock: models.Model, current: Callable[[], Any], write: Callable[[], T]) -> T:
    """Check If-Match and make the write (`write()`, which calls one service) in one transaction,
    holding the row lock that the services take first (the project's; the resource's own for one
    outside any project), FOR NO KEY UPDATE as the lock order says (lifecycle.locks).

    Two clients holding the same ETag cannot both pass: the second waits for the first to
    commit, then renders the resource as it now is and gets 412. `current` renders the resource
    afresh, after the lock is taken. A deadlock or lock timeout runs the whole check and write
    again (the service inside is nested, so this block is the one that retries).
    """
    model: type[models.Model] = Project
    project_id = getattr(lock, "project_id", None)
    if isinstance(lock, Project):
        pk = lock.pk
    elif project_id:
        pk = project_id
    else:
        model, pk = type(lock), lock.pk

    def once() -> T:
        with lifecycle_services.atomic():
            list(model._default_manager.select_for_update(no_key=True).filter(pk=pk).values_list("pk", flat=True))
            require_if_match(request, current())
            return write()

    return locks.run(once, name=f"{request.method} {request.path}")
