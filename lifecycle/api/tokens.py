"""API of the caller's own tokens: list them, read one, revoke one. Creating one is
POST /api/v1/auth/token/ (lifecycle.api.views.TokenCreateApi). The secret is never shown again:
a token is known by its id, name and first characters."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from lifecycle import selectors, services
from lifecycle.api.base import ApiView
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.models import ApiToken


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
    def get(self, request: Request) -> Response:
        """The caller's tokens that are not revoked, newest first, expired ones included."""
        page = paginate(request, selectors.token_list_for_user(user=request.user), ("-created_at", "-id"), "-created_at")
        return page.response([_token_out(t) for t in page.rows])


class TokenDetailApi(ApiView):
    @extend_schema(operation_id="tokens_retrieve", responses={200: TokenOutputSerializer, **ERRORS(401, 404)}, tags=["auth"])
    def get(self, request: Request, id: UUID) -> Response:
        token = selectors.token_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(_token_out(token)))

    @extend_schema(operation_id="tokens_destroy", responses={204: None, **ERRORS(401, 404, 412, 428)}, tags=["auth"])
    def delete(self, request: Request, id: UUID) -> Response:
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


__all__ = ["TokenDetailApi", "TokenListApi"]
