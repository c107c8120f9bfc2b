"""How many password-reset e-mails may go out: PASSWORD_RESET_PER_ADDRESS per e-mail address and
PASSWORD_RESET_PER_CLIENT per client address, within PASSWORD_RESET_WINDOW seconds.

Without a limit the reset form lets anyone flood an inbox, or use the site to send mail at
volume. Every request is counted, whether or not an account uses the address, and a request
over either limit gets exactly the answer of any other (the "check your e-mail" page): only the
e-mail is not sent. So the limit tells nobody whether an address has an account.

Counters live in the shared cache, as the sign-in guard's do (lifecycle.services.login_guard,
whose client address and address normalisation this reuses). A counter starts with the first
request and is forgotten PASSWORD_RESET_WINDOW seconds later (a fixed window: a steady trickle
of requests cannot keep it alive). When the cache cannot be reached, the counters read as zero
and e-mails go out: an outage of the cache must not stop people from regaining their account,
and the sending itself stays bounded by the mail server.

No actor: whoever asks is not signed in (that is the point of a reset), so the only rule is the
limit itself; the reset link then proves who the person is.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

from lifecycle.services.login_guard import normalize_address

logger = logging.getLogger(__name__)

_PREFIX = "password-reset"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def normalize_email(email: str) -> str:
    """Case variants of one address share their counter."""
    return email.strip().casefold()[:254]


def _count(key: str) -> int:
    window = settings.PASSWORD_RESET_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def reset_email_allowed(*, email: str, client: str) -> bool:
    """Count a reset request for `email` from `client` (an address from
    login_guard.client_address); False when either limit is passed and no e-mail may go out."""
    by_address = _count(f"{_PREFIX}:email:{_digest(normalize_email(email))}")
    by_client = _count(f"{_PREFIX}:client:{_digest(normalize_address(client))}")
    allowed = by_address <= settings.PASSWORD_RESET_PER_ADDRESS and by_client <= settings.PASSWORD_RESET_PER_CLIENT
    if not allowed:
        # No address in the log line: it would be a list of who asked for what.
        logger.info("password reset e-mail withheld: over the limit (%d for the address, %d for the client)", by_address, by_client)
    return allowed


__all__ = ["normalize_email", "reset_email_allowed"]
