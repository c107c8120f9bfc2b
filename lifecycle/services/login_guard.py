"""Brute-force protection of password sign-in (the login form and the API token endpoint).

How it works
------------
Every password attempt is counted, before the password is checked, on up to three counters in
the shared cache (Redis):

* the pair (username, client address): LOGIN_GUARD_FREE_ATTEMPTS failures (5) are free;
* the client address, whatever the username: LOGIN_GUARD_ADDRESS_ATTEMPTS (20), against one
  address trying many accounts (password spraying);
* the username, whatever the address: LOGIN_GUARD_USERNAME_ATTEMPTS (20), against one account
  tried from many addresses.

From the threshold of a counter on, each attempt takes a lock on that counter for the next one:
LOGIN_GUARD_BASE_LOCK seconds (1 min), doubled with each further failure, at most
LOGIN_GUARD_MAX_LOCK (15 min). While any of its counters is locked an attempt is refused without
looking at the password, so a locked attacker learns nothing and gets about four guesses an hour.
A counter is forgotten LOGIN_GUARD_WINDOW seconds (1 h) after its last attempt and a lock ends
when its time is up: nothing here ever locks anybody out for good.

A successful sign-in clears the pair's counter and lock, takes itself off the other two counters
(it was counted in advance) and marks the pair as *known* for LOGIN_GUARD_KNOWN_DAYS (30 days).

Why the real user is not locked out by an attacker
---------------------------------------------------
An attacker at another address only fills counters the real user's attempts never look at,
except the username counter. That one is therefore skipped for known pairs: a user signing in
from an address they have signed in from before is judged by their own pair counter only. So a
distributed attack on an account locks the account for new addresses (for at most 15 min at a
time), while its owner keeps signing in from their usual places. An attacker who shares the user's
address (the same NAT) shares the pair counter and can delay them, for at most 15 min at a time.

Concurrency and failure
-----------------------
Counting happens before the password is checked with atomic increments, and a lock is taken with
an atomic add: of many simultaneous attempts past a threshold, one goes ahead and the others are
refused, so parallel requests buy no extra guesses. Lock times are kept as the lock's end time in
the value (not only as the key's time to live), so they follow the clock. When Redis cannot be
reached the guard lets attempts through (logged by the cache): an outage of the cache must not
lock every user out; the per-address and per-username request throttle of the token endpoint
still applies.

No actor: the guard runs before anyone is known (the password is what it protects).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import math
import time
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

_PREFIX = "login-guard"


class LoginLocked(Exception):
    """Password attempts are paused for this username or address."""

    def __init__(self, retry_after: int):
        self.retry_after = max(1, retry_after)
        minutes = math.ceil(self.retry_after / 60)
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}" if self.retry_after > 60 else "a minute"
        self.message = f"Too many failed login attempts. Try again in {wait}."
        super().__init__(self.message)


@dataclass(frozen=True)
class _Counter:
    key: str
    threshold: int

    @property
    def lock_key(self) -> str:
        return f"{self.key}:lock"


@dataclass
class Attempt:
    """A password attempt let through by attempt_begin(); pass it to attempt_succeeded()."""

    pair: _Counter
    shared: list[_Counter]
    known_key: str
    locks_taken: list[str] = field(default_factory=list)


def normalize_username(username: str) -> str:
    """The form under which attempts on a username are counted: case and Unicode variants of one
    name share their counters."""
    return unicodedata.normalize("NFKC", username).strip().casefold()[:150]


def normalize_address(address: str) -> str:
    """IPv4 as is; IPv6 by its /64 network, since one machine usually holds a whole /64."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:100] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def client_address(request: HttpRequest) -> str:
    """The client's address: the peer, or with TRUSTED_PROXY_COUNT proxies in front, the entry of
    X-Forwarded-For that the outermost trusted proxy added (entries to its left are the client's
    own claims and are ignored)."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return normalize_address(address)


def lock_seconds(failures_past_threshold: int) -> int:
    """1 min, 2, 4, 8, then 15 min (with the default settings)."""
    step = min(max(failures_past_threshold, 0), 32)
    return min(settings.LOGIN_GUARD_BASE_LOCK * 2**step, settings.LOGIN_GUARD_MAX_LOCK)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _counters(*, username: str, address: str) -> tuple[_Counter, list[_Counter], str]:
    user, addr = _digest(normalize_username(username)), _digest(normalize_address(address))
    pair = _Counter(f"{_PREFIX}:pair:{addr}:{user}", settings.LOGIN_GUARD_FREE_ATTEMPTS)
    shared = [
        _Counter(f"{_PREFIX}:address:{addr}", settings.LOGIN_GUARD_ADDRESS_ATTEMPTS),
        _Counter(f"{_PREFIX}:username:{user}", settings.LOGIN_GUARD_USERNAME_ATTEMPTS),
    ]
    return pair, shared, f"{_PREFIX}:known:{addr}:{user}"


def _count(key: str) -> int:
    window = settings.LOGIN_GUARD_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    cache.touch(key, timeout=window)
    return count


def _uncount(key: str) -> None:
    with contextlib.suppress(ValueError):  # already forgotten
        cache.decr(key)


def _take_lock(key: str, *, now: float, seconds: int) -> float | None:
    """Takes the lock for `seconds`; None when taken, else the end time of the lock in force."""
    until = now + seconds
    if cache.add(key, until, timeout=seconds):
        return None
    current = cache.get(key)
    if not isinstance(current, (int, float)) or current <= now:
        # Present in the cache but over by the clock: replace it.
        cache.set(key, until, timeout=seconds)
        return None
    return current


def attempt_begin(*, username: str, address: str) -> Attempt:
    """Count a password attempt in advance; raises LoginLocked when attempts are paused.

    The caller checks the password next and calls attempt_succeeded() when it was right; a wrong
    password needs no call, since the attempt is already counted as a failure.
    """
    now = time.time()
    pair, shared, known_key = _counters(username=username, address=address)
    state = cache.get_many([known_key, pair.lock_key, *(c.lock_key for c in shared)])
    counters = [pair] if state.get(known_key) else [pair, *shared]
    ends = [v for c in counters if isinstance(v := state.get(c.lock_key), (int, float)) and v > now]
    if ends:
        raise LoginLocked(math.ceil(max(ends) - now))

    counted = [(counter, _count(counter.key)) for counter in counters]
    attempt = Attempt(pair=pair, shared=[c for c in counters if c is not pair], known_key=known_key)
    for counter, count in counted:
        if count < counter.threshold:
            continue
        held_until = _take_lock(counter.lock_key, now=now, seconds=lock_seconds(count - counter.threshold))
        if held_until is not None:
            # A simultaneous attempt holds the lock: this one is refused and not counted.
            for other, _ in counted:
                _uncount(other.key)
            for key in attempt.locks_taken:
                cache.delete(key)
            raise LoginLocked(math.ceil(held_until - now))
        attempt.locks_taken.append(counter.lock_key)
    return attempt


def attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: the pair starts afresh and is known from now on, and the attempt
    leaves no trace on the address and username counters."""
    cache.delete(attempt.pair.key)
    cache.delete(attempt.pair.lock_key)
    for counter in attempt.shared:
        _uncount(counter.key)
        if counter.lock_key in attempt.locks_taken:
            cache.delete(counter.lock_key)
    cache.set(attempt.known_key, 1, timeout=settings.LOGIN_GUARD_KNOWN_DAYS * 86400)


__all__ = [
    "Attempt",
    "LoginLocked",
    "attempt_begin",
    "attempt_succeeded",
    "client_address",
    "lock_seconds",
    "normalize_address",
    "normalize_username",
]
