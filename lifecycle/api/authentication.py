"""Token authentication (`Authorization: Token <token>`) for clients; sessions for the browser."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from lifecycle import services
from lifecycle.services import tokens


class TokenExpired(exceptions.AuthenticationFailed):
    """401 with its own code, so that a client knows to get a new token rather than to check the
    one it sends (the error handler takes a subclass's code)."""

    default_detail = "The token has expired; create a new one."
    default_code = "token_expired"


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"token", b"bearer"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as: Authorization: Token <token>.")
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        try:
            token = services.token_authenticate(raw)
        except tokens.TokenExpired:
            raise TokenExpired() from None
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid or was revoked.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """Browser sessions, with CSRF enforced for unsafe methods as DRF does."""
