"""Idempotency-Key for POST actions: a retry with the same key and body gets the first response;
the same key with another body gets 422. Keys are scoped to the user and kept 24 hours.

The key's record, the write and the stored response are one transaction, and the key's row is
the first lock it takes (before the order of lifecycle.locks). So a request that dies mid-way
leaves nothing and its retry is one clean redo; a request that committed left its response and
its retry replays it; a retry that arrives while the first still runs waits on the key's row, then
replays. Never two writes. A deadlock runs the whole transaction again.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from lifecycle import locks
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict, IdempotencyMismatch
from lifecycle.models import IdempotencyRecord, User
from lifecycle.services.housekeeping import IDEMPOTENCY_TTL

_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_REPLAYED_HEADERS = ("Location", "ETag")


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    @functools.wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key")
        user = request.user
        if key is None or not isinstance(user, User):  # keys are scoped to a signed-in user
            return view(self, request, *args, **kwargs)
        if not _KEY.match(key):
            raise ApplicationError(
                "Idempotency-Key must be 1 to 200 printable characters.", fields={"Idempotency-Key": ["Not a valid key."]}
            )
        claim = _Claim(user=user, key=key, method=request.method or "", path=request.path)
        fingerprint = hashlib.sha256(b"%s %s\n%s" % (claim.method.encode(), claim.path.encode(), request._request.body)).hexdigest()

        def once() -> Response:
            with lifecycle_services.atomic():
                record, replay = _claim(claim, fingerprint)
                if replay is not None:
                    return replay
                response = view(self, request, *args, **kwargs)
                _store(record, response)
                return response

        return locks.run(once, name=f"{request.method} {request.path}")

    wrapper.idempotent = True  # type: ignore[attr-defined]  # the schema documents the header
    return wrapper


@dataclass(frozen=True)
class _Claim:
    """Whose key, and the request it was first sent with."""

    user: User
    key: str
    method: str
    path: str


def _claim(claim: _Claim, fingerprint: str, attempts: int = 3) -> tuple[IdempotencyRecord, Response | None]:
    now = timezone.now()
    try:
        # Waits, while another request holding the same key is still running, for its end.
        with transaction.atomic():
            created = IdempotencyRecord.objects.create(
                user=claim.user, key=claim.key, method=claim.method, path=claim.path, body_hash=fingerprint
            )
        return created, None
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(user=claim.user, key=claim.key).first()
    if record is None:
        # The request that held the key failed and let it go in the meantime: claim it again.
        if attempts > 1:
            return _claim(claim, fingerprint, attempts - 1)
        raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.", code="conflict")
    # A committed record without a response can only be one written before keys and writes
    # shared a transaction, by a request that died: nothing of it is half done, so take it over.
    stale = record.created_at < now - IDEMPOTENCY_TTL or record.status_code is None
    if stale:
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            created_at=now, body_hash=fingerprint, method=claim.method, path=claim.path, status_code=None, response_body=None
        )
        record.refresh_from_db()
        return record, None
    if record.body_hash != fingerprint:
        raise IdempotencyMismatch(
            "This Idempotency-Key was used with another request; use a new key for a new request.",
            code="idempotency_mismatch",
        )
    replay = Response(record.response_body, status=record.status_code)
    for name, value in record.response_headers.items():
        replay[name] = value
    replay["Idempotent-Replayed"] = "true"
    return record, replay


def _store(record: IdempotencyRecord, response: Response) -> None:
    if response.status_code >= 500:
        record.delete()
        return
    record.status_code = response.status_code
    record.response_body = getattr(response, "data", None)
    record.response_headers = {h: response[h] for h in _REPLAYED_HEADERS if h in response}
    record.save(update_fields=["status_code", "response_body", "response_headers"])
