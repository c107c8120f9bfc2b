"""Cursor (keyset) pagination, stable under inserts, for every list.

A cursor holds the ordering and the sort values of the last row seen, so a page continues after
that row whatever was inserted before it. Every ordering ends with the primary key, which makes
positions unique.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, Q, QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from lifecycle.exceptions import ApplicationError

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


@dataclass
class Page:
    rows: list
    next: str | None
    previous: str | None

    def response(self, results: list, **extra: Any) -> Response:
        return Response({"next": self.next, "previous": self.previous, **extra, "results": results})


def _bad(message: str, field: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", fields={field: [message]})


def page_size_from(request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise _bad("page_size must be a whole number from 1 to 200.", "page_size") from None
    if size < 1:
        raise _bad("page_size must be a whole number from 1 to 200.", "page_size")
    return min(size, MAX_PAGE_SIZE)


def ordering_from(request: Request, orderings: dict[str, tuple[str, ...]], default: str) -> str:
    ordering = request.query_params.get("ordering") or default
    if ordering not in orderings:
        raise _bad(f"ordering must be one of: {', '.join(orderings)}.", "ordering")
    return ordering


def _encode(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(raw: str) -> dict:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise _bad("The cursor is not valid; start again without it.", "cursor") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("v"), list) or payload.get("d") not in ("n", "p"):
        raise _bad("The cursor is not valid; start again without it.", "cursor")
    # Only the scalars `_values` writes: a crafted cursor with null, nested or unstorable values,
    # or numbers no column holds, is refused here rather than failing the query.
    for value in payload["v"]:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _bad("The cursor is not valid; start again without it.", "cursor")
        if isinstance(value, str) and ("\x00" in value or len(value) > 1000):
            raise _bad("The cursor is not valid; start again without it.", "cursor")
        if isinstance(value, (int, float)) and not -(2**63) <= value < 2**63:
            raise _bad("The cursor is not valid; start again without it.", "cursor")
    return payload


def _values(row: Model, fields: tuple[str, ...]) -> list:
    values = []
    for name in fields:
        value = row
        for part in name.lstrip("-").split("__"):
            value = getattr(value, part)
        values.append(
            value.isoformat() if hasattr(value, "isoformat") else str(value) if not isinstance(value, (int, float, str)) else value
        )
    return values


def _after(queryset: QuerySet, fields: tuple[str, ...], values: list, reverse: bool) -> QuerySet:
    """Rows strictly after `values` in the ordering (or before, when `reverse`)."""
    model = queryset.model
    parsed = []
    for name, raw in zip(fields, values, strict=True):
        field = model._meta.get_field(name.lstrip("-").split("__")[0])
        try:
            parsed.append(field.to_python(raw))
        except Exception:  # noqa: BLE001 - any malformed cursor value
            raise _bad("The cursor is not valid; start again without it.", "cursor") from None
    condition = Q()
    for i, name in enumerate(fields):
        descending = name.startswith("-") != reverse
        column = name.lstrip("-")
        step = Q(**{f"{column}__{'lt' if descending else 'gt'}": parsed[i]})
        for j in range(i):
            step &= Q(**{fields[j].lstrip("-"): parsed[j]})
        condition |= step
    return queryset.filter(condition)


def paginate(request: Request, queryset: QuerySet, fields: tuple[str, ...], ordering_key: str = "") -> Page:
    """One page of `queryset` ordered by `fields` (which must end with a unique field)."""
    size = page_size_from(request)
    raw_cursor = request.query_params.get("cursor")
    cursor = _decode(raw_cursor) if raw_cursor else None
    if cursor and (cursor.get("o") != ordering_key or len(cursor["v"]) != len(fields)):
        raise _bad("The cursor belongs to another ordering; start again without it.", "cursor")
    backwards = bool(cursor and cursor["d"] == "p")
    order = [_flip(f) if backwards else f for f in fields]
    qs = queryset.order_by(*order)
    if cursor:
        qs = _after(qs, fields, cursor["v"], reverse=backwards)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else True
    has_previous = bool(cursor) and (more if backwards else True)
    next_url = _link(request, ordering_key, _values(rows[-1], fields), "n") if rows and has_next else None
    previous_url = _link(request, ordering_key, _values(rows[0], fields), "p") if rows and has_previous else None
    return Page(rows=rows, next=next_url, previous=previous_url)


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _link(request: Request, ordering_key: str, values: list, direction: str) -> str:
    params = {k: v for k, v in request.query_params.items() if k != "cursor"}
    params["cursor"] = _encode({"o": ordering_key, "v": values, "d": direction})
    return request.build_absolute_uri(request.path) + "?" + urlencode(params)
