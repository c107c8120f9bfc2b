from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.DATETIME)
class Timestamp(serializers.DateTimeField):
    """ISO 8601 in UTC with milliseconds: 2026-11-30T09:15:02.123Z."""

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]  # None for no time, as DateTimeField itself answers
        if not value:
            return None
        if isinstance(value, str):
            return value
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def timestamp(value: datetime | None) -> str | None:
    return Timestamp().to_representation(value)


@extend_schema_field({"type": ["object", "null"], "additionalProperties": True})
class NullableObject(serializers.JSONField):
    """A JSON object or null (a snapshot, a computed value)."""
