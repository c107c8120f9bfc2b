"""API of the caller's own tokens: make one with a username and password
(POST /api/v1/auth/token/), list them, read one, revoke one. The secret is shown once, when the
token is made: afterwards a token is known by its id, name and first characters."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from lifecycle import selectors, services
from lifecycle.api.base import ApiView, AuthedRequest, StrictSerializer, TokenCreateThrottle, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.models import ApiToken
from lifecycle.services import login_guard, tokens


class TokenCreateApi(ApiView):
    """Exchange a username and password for a new named API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenCreateThrottle]

    class InputSerializer(StrictSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, style={"input_type": "password"})
        name = serializers.CharField(max_length=100, required=False, default="api")
        expires_in_days = serializers.IntegerField(
            min_value=1,
            max_value=tokens.MAX_LIFETIME_DAYS,
            allow_null=True,
            required=False,
            default=tokens.DEFAULT_LIFETIME_DAYS,
            help_text=f"Days until the token stops working (default {tokens.DEFAULT_LIFETIME_DAYS}); null: it never expires.",
        )

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="The secret, shown this once.")
        name = serializers.CharField()
        id = serializers.UUIDField(help_text="The token's id under /api/v1/tokens/.")
        expires_at = Timestamp(allow_null=True)

    def get_authenticate_header(self, request: Request) -> str:
        # A wrong password is 401 (not 403), which needs a WWW-Authenticate challenge.
        return "Token"

    @extend_schema(
        operation_id="auth_token_create",
        request=InputSerializer,
        responses={200: OutputSerializer, **ERRORS(400, 401, 429)},
        auth=[],
        tags=["auth"],
    )
    def post(self, request: AuthedRequest) -> Response:
        data = validated(self.InputSerializer, request.data)
        # The same brute-force guard as the login form: a wrong password counts against the username
        # and the address, and while they are paused the password is not checked.
        try:
            attempt = login_guard.attempt_begin(username=data["username"], address=login_guard.client_address(request))
        except login_guard.LoginLocked as locked:
            raise Throttled(wait=locked.retry_after, detail=locked.message) from None
        token, raw = services.token_create_with_password(
            username=data["username"], password=data["password"], name=data["name"], expires_in_days=data["expires_in_days"]
        )
        login_guard.attempt_succeeded(attempt)
        return Response(self.OutputSerializer({"token": raw, "name": token.name, "id": token.pk, "expires_at": token.expires_at}).data)


class TokenOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The token's first characters, to recognise it by.")
    created_at = Timestamp()
    last_used_at = Timestamp(allow_null=True, help_text="Recorded at most once a minute.")
    expires_at = Timestamp(allow_null=True, help_text="Null: the token never expires.")
    expired = serializers.BooleanField()


def _token_out(token: ApiToken) -> dict:
    data = TokenOutputSerializer(
        {
            "id": token.pk,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "expires_at": token.expires_at,
            "expired": token.is_expired(),
        }
    ).data
    return dict(data)


class TokenListApi(ApiView):
    @extend_schema(
        operation_id="tokens_list",
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: envelope("TokenList", TokenOutputSerializer), **ERRORS(400, 401)},
        tags=["auth"],
    )
    def get(self, request: AuthedRequest) -> Response:
        """The caller's tokens that are not revoked, newest first, expired ones included."""
        page = paginate(request, selectors.token_list_for_user(user=request.user), ("-created_at", "-id"), "-created_at")
        return page.response([_token_out(t) for t in page.rows])


class TokenDetailApi(ApiView):
    @extend_schema(operation_id="tokens_retrieve", responses={200: TokenOutputSerializer, **ERRORS(401, 404)}, tags=["auth"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        token = selectors.token_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(_token_out(token)))

    @extend_schema(operation_id="tokens_destroy", responses={204: None, **ERRORS(401, 404, 412, 428)}, tags=["auth"])
    def delete(self, request: AuthedRequest, id: UUID) -> Response:
        """Revoke one of the caller's tokens (it may be the one making the request). As every
        DELETE, it needs If-Match: the ETag of a GET of the token, or `*`. The ETag covers
        `last_used_at`, so a token used in between answers 412: read it again."""
        token = selectors.token_get_for_user(user=request.user, id=id)
        if_match(
            request,
            lock=token,
            current=lambda: _token_out(selectors.token_get_for_user(user=request.user, id=id)),
            write=lambda: services.token_revoke(token=token, actor=request.user),
        )
        return Response(status=204)


__all__ = ["TokenCreateApi", "TokenDetailApi", "TokenListApi"]
