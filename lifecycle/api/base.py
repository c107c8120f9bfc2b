"""Shared pieces of every API view: throttles, and helpers to keep views to their four steps."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from lifecycle.limits import too_long_message
from lifecycle.models import User


class WriteRateThrottle(UserRateThrottle):
    """Writes per user (reads are not throttled)."""

    scope = "writes"

    def get_rate(self) -> str:
        return settings.API_WRITE_RATE

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class TokenCreateThrottle(SimpleRateThrottle):
    """Token creation per client address and per username: slows password guessing."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.API_TOKEN_RATE

    def get_cache_key(self, request: Request, view: Any) -> str:
        username = ""
        if isinstance(request.data, dict):
            username = str(request.data.get("username", ""))[:150].lower()
        # Usernames are user input: hashed, they make a safe cache key of fixed length.
        digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{digest}"}


class AuthedRequest(Request):
    """What an API view receives: the default permission (IsAuthenticated) has let only signed-in
    accounts through, so its user is a `User`. For annotations only."""

    user: User  # narrows Request.user (User | AnonymousUser) after IsAuthenticated


class ApiView(APIView):
    throttle_classes = [WriteRateThrottle]


def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def word_text_limits(fields: Mapping[str, serializers.Field]) -> None:
    """Give each text field with a max_length the words every door uses for a text too long
    (`lifecycle.limits`), in these fields and those of nested serializers. DRF words the limit
    into the field's validator when the field is built, so the validator's message is replaced."""
    for field in fields.values():
        if isinstance(field, serializers.CharField) and field.max_length is not None:
            for validator in field.validators:
                if isinstance(validator, MaxLengthValidator):
                    validator.message = too_long_message(field.max_length)
        elif isinstance(field, serializers.Serializer):
            word_text_limits(field.fields)


class StrictSerializer(serializers.Serializer):
    """Input serializer that refuses unknown fields instead of silently ignoring them, and words a
    text too long as the services do (`word_text_limits`)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        word_text_limits(fields)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["This field is not known."] for name in unknown})
        elif data is not None:
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        return super().to_internal_value(data)
