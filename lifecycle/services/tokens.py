"""API tokens: named, revocable, expiring, stored as SHA-256 hashes.

A token lives until it is revoked, until its expiry (chosen when it is made, at most
MAX_LIFETIME_DAYS ahead, or never), or until its owner's password changes: a new password is
how people lock out whoever may have learnt the old one, and a token taken with the old password
must not outlive it (`tokens_revoke_all`, called for every password change by
lifecycle.infrastructure.passwords).

Tokens are personal: `token_create` makes one for the user it is given, who is the actor (the
account page and the API make it for the person signed in, or whose password was given), and
`token_revoke` refuses anyone but the token's owner. `tokens_revoke_all` is the system's.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lifecycle.exceptions import ApplicationError
from lifecycle.models import ApiToken, User
from lifecycle.services.records import atomic, change_record

TOKEN_PREFIX = "lc_"  # noqa: S105 - a visible prefix, not a secret
MAX_TOKENS_PER_USER = 50
# Lifetimes offered on the account page; the API takes any whole number of days up to the maximum.
LIFETIME_CHOICES_DAYS = (7, 30, 90, 365)
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 365


class TokenExpired(Exception):
    """The token was right but its time is up (the API answers 401 `token_expired`)."""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_expiry(expires_in_days: int | None) -> datetime | None:
    """The expiry of a token made now that lasts `expires_in_days` (None: never)."""
    if expires_in_days is None:
        return None
    if isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= MAX_LIFETIME_DAYS:
        message = f"A token lasts from 1 to {MAX_LIFETIME_DAYS} days (or never expires)."
        raise ApplicationError(message, code="invalid", fields={"expires_in_days": [message]})
    return timezone.now() + timedelta(days=expires_in_days)


@atomic
def token_create(*, user: User, name: str = "api", expires_in_days: int | None = DEFAULT_LIFETIME_DAYS) -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored. It expires after
    `expires_in_days` days, or never with None."""
    name = (name or "api").strip()[:100] or "api"
    expires_at = token_expiry(expires_in_days)
    if ApiToken.objects.filter(user=user, revoked_at=None).count() >= MAX_TOKENS_PER_USER:
        raise ApplicationError(f"You already hold {MAX_TOKENS_PER_USER} tokens; revoke some first.", code="too_many_tokens")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], key_hash=_hash(raw), expires_at=expires_at)
    change_record(
        actor=user,
        action="token.created",
        obj=token,
        label=f"token {name}",
        after={"expires_at": expires_at.isoformat() if expires_at else None},
        feed=False,
    )
    return token, raw


def token_create_with_password(
    *, username: str, password: str, name: str = "api", expires_in_days: int | None = DEFAULT_LIFETIME_DAYS
) -> tuple[ApiToken, str]:
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        from rest_framework.exceptions import AuthenticationFailed

        raise AuthenticationFailed("The username or password is not correct.")
    return token_create(user=user, name=name, expires_in_days=expires_in_days)


@atomic
def token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke a token: its owner's decision (None: the system)."""
    if actor is not None and actor.pk != token.user_id:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        change_record(actor=actor, action="token.revoked", obj=token, label=f"token {token.name}", feed=False)
    return token


@atomic
def tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every live token of `user` (the rule of a password change: see the module
    docstring); returns how many. Each revocation is audited with the reason; the actor is the
    system, since whoever changed the password (the user, a reset link, an administrator) did not
    pick the tokens."""
    tokens = list(ApiToken.objects.select_for_update(no_key=True).filter(user=user, revoked_at=None))
    if not tokens:
        return 0
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
    for token in tokens:
        change_record(actor=None, action="token.revoked", obj=token, label=f"token {token.name} of {user.username} ({reason})", feed=False)
    return len(tokens)


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token `raw` names, or None when it names none (or a revoked one, or its owner is
    inactive). Raises TokenExpired for a right token past its expiry, so that the client is told
    to make a new one rather than to check what it sends."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw), revoked_at=None).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.is_expired(now):
        raise TokenExpired
    # Write last_used_at at most once a minute: a busy client must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
