"""API tokens: named, revocable, stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.utils import timezone

from lifecycle.exceptions import ApplicationError
from lifecycle.models import ApiToken, User
from lifecycle.services.records import atomic, change_record

TOKEN_PREFIX = "lc_"  # noqa: S105 - a visible prefix, not a secret
MAX_TOKENS_PER_USER = 50


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@atomic
def token_create(*, user: User, name: str = "api") -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored."""
    name = (name or "api").strip()[:100] or "api"
    if ApiToken.objects.filter(user=user, revoked_at=None).count() >= MAX_TOKENS_PER_USER:
        raise ApplicationError(f"You already hold {MAX_TOKENS_PER_USER} tokens; revoke some first.", code="too_many_tokens")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], key_hash=_hash(raw))
    change_record(actor=user, action="token.created", obj=token, label=f"token {name}", feed=False)
    return token, raw


def token_create_with_password(*, username: str, password: str, name: str = "api") -> tuple[ApiToken, str]:
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        from rest_framework.exceptions import AuthenticationFailed

        raise AuthenticationFailed("The username or password is not correct.")
    return token_create(user=user, name=name)


@atomic
def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        change_record(actor=actor, action="token.revoked", obj=token, label=f"token {token.name}", feed=False)
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw), revoked_at=None).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Write last_used_at at most once a minute: a busy client must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
