"""Outbound HTTP for webhooks, refusing targets inside the network.

A URL is checked twice: when it is registered (its form, and its host if that is an address)
and at every delivery, where the host is resolved, every address is checked, and the connection
goes to the checked address (so a DNS answer that changes between check and connect cannot
redirect it). Redirects are not followed. Loopback, private, link-local, multicast and reserved
addresses are refused unless an administrator lists them in WEBHOOK_ALLOWED_TARGETS, and so are
IPv6 addresses that carry such an IPv4 address inside them (IPv4-mapped and -compatible, 6to4,
NAT64): a NAT64 gateway or a 6to4 relay would forward the connection to the IPv4 address.

A URL must also be a valid one: a host name of letters, digits and hyphens (or an IDN), or an IP
address written the standard way. Numeric shorthands such as 2130706433 or 127.1, which the
resolver reads as 127.0.0.1, are not host names, and neither is text with spaces or control
characters, which the URL parser would otherwise silently drop or keep in the host.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

RESPONSE_EXCERPT = 1000
_READ_LIMIT = 64 * 1024
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
# Characters no URL holds as such (RFC 3986): whitespace and controls (which urlsplit drops from
# anywhere or keeps in the host), and the "unsafe" ones, which must be percent-encoded.
_NOT_IN_URLS = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`]')
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
# IPv6 ranges whose addresses carry an IPv4 address in their last 32 bits: IPv4-compatible
# (::a.b.c.d, deprecated), IPv4-translated (::ffff:0:a.b.c.d) and the NAT64 well-known prefix.
# IPv4-mapped (::ffff:a.b.c.d) and 6to4 (2002::/16, bits 16-48) have their own properties.
_V4_IN_LAST_32_BITS = (
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
    ipaddress.IPv6Network("64:ff9b::/96"),
)
# The NAT64 prefix for local use (RFC 8215) only reaches inside a network.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


class TargetRefused(Exception):
    """The URL may not be called: a message for the person who registered it."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def parse(url: str) -> Target:
    """The parts of a URL that deliveries use, or TargetRefused saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("This is not a valid URL.") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TargetRefused("Use an https:// URL with a host name.")
    if _NOT_IN_URLS.search(url):
        raise TargetRefused('This is not a valid URL: it has spaces, control characters or characters such as < > " { } | \\ ^ `.')
    if parts.username or parts.password:
        raise TargetRefused("Put credentials in your receiver's configuration, not in the URL.")
    given = parts.hostname.lower().rstrip(".")
    host = _valid_host(given, bracketed=parts.netloc.rpartition("@")[2].startswith("["))
    if host is None:
        raise TargetRefused(f"This is not a valid URL: “{given[:100]}” is neither a host name nor an IP address.")
    if port == 0:
        raise TargetRefused("This is not a valid URL: a port is a number from 1 to 65535.")
    if not (parts.path + parts.query).isascii():
        raise TargetRefused("This is not a valid URL: percent-encode the characters of the path and query that are not ASCII.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def _valid_host(host: str, *, bracketed: bool) -> str | None:
    """The host as deliveries use it, or None when it is not one: a DNS name (labels of letters,
    digits, hyphens and underscores; an IDN becomes its ASCII form, which is what the Host header,
    TLS and the resolver need), a dotted-quad IPv4 address, or an IPv6 address in brackets
    (without a zone)."""
    if bracketed or ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
        return host if bracketed and "%" not in host else None
    try:
        name = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    if labels[-1][0].isdigit():
        # No top-level domain starts with a digit: this is an IPv4 address, written in full.
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            return None
    return name


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _listed(host: str, port: int, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    for entry in settings.WEBHOOK_ALLOWED_TARGETS:
        name, want_port = _split_entry(entry)
        if want_port is not None and want_port != port:
            continue
        if name.lower() == host:
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(name, strict=False):
                    return True
            except ValueError:
                continue
    return False


def _split_entry(entry: str) -> tuple[str, int | None]:
    """ "host", "host:port", "10.0.0.0/8:8443", "[::1]:8000" or "::1"."""
    if entry.startswith("["):
        name, _, rest = entry[1:].partition("]")
        return name, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        name, _, port = entry.partition(":")
        return name, int(port) if port.isdigit() else None
    return entry, None


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, compatible, translated, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in _V4_IN_LAST_32_BITS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Inside the network: not globally reachable, multicast, or an IPv6 address whose IPv4
    address inside is internal by the same rule (Python calls 64:ff9b::10.0.0.1 or
    2002:a00:1:: global, but the gateway that carries them connects to 10.0.0.1)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return True
        inner = embedded_ipv4(address)
        if inner is not None and _internal(inner):
            return True
    return not address.is_global or address.is_multicast


def check_registration(url: str) -> Target:
    """Refuse a URL at registration: its form, https, and internal hosts named directly."""
    if len(url) > 500:
        raise TargetRefused("Use a URL of at most 500 characters.")
    target = parse(url)
    address = _address(target.host)
    listed = _listed(target.host, target.port, address)
    if listed:
        return target
    if target.host == "localhost" or target.host.endswith(_INTERNAL_SUFFIXES) or (address is not None and _internal(address)):
        raise TargetRefused("This URL points inside the network (loopback, private or link-local); an administrator must allow it.")
    if target.scheme != "https":
        raise TargetRefused("Use an https:// URL: deliveries carry project data.")
    if not settings.WEBHOOK_ALLOW_PUBLIC_TARGETS:
        raise TargetRefused("Only the targets an administrator allowed can receive webhooks here.")
    return target


def resolve(target: Target) -> str:
    """The address to connect to, after checking every address the host resolves to."""
    try:
        infos = socket.getaddrinfo(target.host.strip("[]"), target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise TargetRefused(f"Cannot resolve {target.host}: {e}") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    for address in addresses:
        if _listed(target.host, target.port, address):
            continue
        if _internal(address):
            raise TargetRefused(f"{target.host} resolves to {address}, inside the network; an administrator must allow it.")
        if not settings.WEBHOOK_ALLOW_PUBLIC_TARGETS:
            raise TargetRefused(f"{target.host} is not among the targets an administrator allowed.")
    if not addresses:
        raise TargetRefused(f"Cannot resolve {target.host}.")
    if target.scheme != "https" and not _listed(target.host, target.port, addresses[0]):
        raise TargetRefused("Plain http is allowed only for targets an administrator listed.")
    return str(addresses[0])


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url` (checked), without following redirects; never raises for network
    trouble: the outcome says what happened."""
    started = time.monotonic()

    def outcome(status: int | None, error: str = "", excerpt: str = "") -> Outcome:
        return Outcome(status, error[:500], excerpt[:RESPONSE_EXCERPT], int((time.monotonic() - started) * 1000))

    try:
        target = parse(url)
        address = resolve(target)
    except TargetRefused as e:
        return outcome(None, f"Refused: {e}")
    timeout = urllib3.Timeout(connect=min(5, settings.WEBHOOK_TIMEOUT_SECONDS), read=settings.WEBHOOK_TIMEOUT_SECONDS)
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    if ":" in target.host:
        host_header = f"[{target.host}]" if target.port in (80, 443) else f"[{target.host}]:{target.port}"
    if target.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(_READ_LIMIT, decode_content=True).decode("utf-8", "replace")
        finally:
            response.release_conn()
        error = "" if 200 <= response.status < 300 else f"HTTP {response.status}"
        if 300 <= response.status < 400:
            error = f"HTTP {response.status}: redirects are not followed"
        return outcome(response.status, error, excerpt)
    except urllib3.exceptions.HTTPError as e:
        return outcome(None, _describe(e))
    finally:
        pool.close()


def _describe(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    if "Connection refused" in text:
        return "Connection refused"
    # (NewConnectionError is a ConnectTimeoutError too: test for refusals first.)
    if isinstance(reason, urllib3.exceptions.ReadTimeoutError | urllib3.exceptions.ConnectTimeoutError):
        return "Timed out"
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        return "TLS certificate not trusted"
    return text[:300]
