"""Where webhooks may go: https to public addresses; never into the network (loopback, private,
link-local, ...) unless an administrator listed the target, checked at registration and again,
on the resolved addresses, at every delivery."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from governance import outbound
from tests.receiver import Receiver


@pytest.fixture
def public(settings):
    settings.WEBHOOK_ALLOW_PUBLIC_TARGETS = True
    settings.WEBHOOK_ALLOWED_TARGETS = []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "https://127.0.0.1/hook",
        "https://127.9.9.9:8443/hook",
        "https://10.0.0.5/hook",
        "https://172.16.3.4/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://224.0.0.1/hook",
        "https://localhost/hook",
        "https://printer.local/hook",
        "https://db.internal/hook",
    ],
)
def test_internal_targets_are_refused_at_registration(public, url):
    with pytest.raises(outbound.TargetRefused, match="inside the network"):
        outbound.check_registration(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/x", "https://"),
        ("ftp://hooks.example.com/x", "https://"),
        ("https://user:secret@hooks.example.com/x", "credentials"),
        ("not a url", "https://"),
        ("https:///nohost", "https://"),
        ("https://hooks.example.com:99999/x", "valid URL"),
        ("https://example.com/" + "x" * 500, "500 characters"),
        # Not valid URLs, though urlsplit takes them apart without complaint.
        ("https://hooks example.com/x", "valid URL"),
        ("https://hooks.example.com/a path", "valid URL"),
        ("https://hooks.example.com/x\nHost: evil", "valid URL"),
        ("https://hooks.example.com/\tx", "valid URL"),
        ("https://hooks.example.com/<script>", "valid URL"),
        ("https://hooks..example.com/x", "neither a host name"),
        ("https://.example.com/x", "neither a host name"),
        ("https://-hooks.example.com/x", "neither a host name"),
        ("https://hooks-.example.com/x", "neither a host name"),
        ("https://h%6Foks.example.com/x", "neither a host name"),
        ("https://" + "a" * 64 + ".example.com/x", "neither a host name"),
        ("https://xn--/x", "neither a host name"),
        ("https://hooks.example.com:0/x", "1 to 65535"),
        ("https://[fe80::1%25eth0]/x", "neither a host name"),
        ("https://[1.2.3.4]/x", "valid URL"),
        ("https://hooks.example.com/caf\u00e9", "percent-encode"),
        # Numeric shorthands the resolver would read as an IPv4 address (here 127.0.0.1).
        ("https://2130706433/x", "neither a host name"),
        ("https://0x7f000001/x", "neither a host name"),
        ("https://017700000001/x", "neither a host name"),
        ("https://127.1/x", "neither a host name"),
        ("https://999.1.1.1/x", "neither a host name"),
    ],
)
def test_malformed_urls_are_refused(public, url, message):
    with pytest.raises(outbound.TargetRefused, match=message):
        outbound.check_registration(url)


def test_public_https_targets_are_accepted(public):
    target = outbound.check_registration("https://hooks.example.com/lifecycle?team=ops")
    assert (target.host, target.port, target.path) == ("hooks.example.com", 443, "/lifecycle?team=ops")


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com./x",
        "https://hooks.example.com:8443/x%20y?a=1&b=%C3%A9",
        "https://b\u00fccher.example/x",
        "https://xn--bcher-kva.example/x",
        "https://my_hooks.example.com/x",
        "https://8.8.8.8/x",
        "https://[2606:4700:4700::1111]/x",
    ],
)
def test_valid_urls_of_every_shape_are_accepted(public, url):
    outbound.check_registration(url)


def test_an_international_host_name_is_delivered_to_in_its_ascii_form(public):
    assert outbound.check_registration("https://B\u00fccher.example/x").host == "xn--bcher-kva.example"


# IPv6 addresses that carry an IPv4 address: refused when that address is internal, by the same
# rule as a plain IPv4 address.
EMBEDDED_INTERNAL = [
    "64:ff9b::10.0.0.1",  # NAT64 (RFC 6052), last 32 bits
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1, in hex
    "64:ff9b::169.254.169.254",
    "64:ff9b::192.168.1.1",
    "2002:a00:1::",  # 6to4 of 10.0.0.1, bits 16-48
    "2002:7f00:1:0:1::1",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "::10.0.0.1",  # IPv4-compatible
    "::127.0.0.1",
    "::169.254.169.254",
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::ffff:0:10.0.0.1",  # IPv4-translated (SIIT)
    "64:ff9b:1::8.8.8.8",  # the local-use NAT64 prefix (RFC 8215) reaches only inside
]
EMBEDDED_PUBLIC = ["64:ff9b::8.8.8.8", "2002:808:808::1", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", EMBEDDED_INTERNAL)
def test_ipv6_literals_embedding_an_internal_ipv4_address_are_refused_at_registration(public, address):
    with pytest.raises(outbound.TargetRefused, match="inside the network"):
        outbound.check_registration(f"https://[{address}]/hook")


@pytest.mark.parametrize("address", EMBEDDED_INTERNAL)
def test_ipv6_literals_embedding_an_internal_ipv4_address_are_refused_at_delivery(public, address):
    outcome = outbound.post(f"https://[{address}]/hook", b"{}", {})
    assert outcome.status_code is None and "inside the network" in outcome.error


@pytest.mark.parametrize("address", EMBEDDED_INTERNAL)
def test_dns_answers_embedding_an_internal_ipv4_address_are_refused(public, monkeypatch, address):
    outbound.check_registration("https://nat64.example.com/x")  # a name: nothing to see yet
    _resolving_to(monkeypatch, address)
    outcome = outbound.post("https://nat64.example.com/x", b"{}", {})
    assert outcome.status_code is None
    assert f"resolves to {ipaddress.ip_address(address)}, inside the network" in outcome.error


@pytest.mark.parametrize("address", EMBEDDED_PUBLIC)
def test_ipv6_addresses_embedding_a_public_ipv4_address_are_allowed(public, monkeypatch, address):
    outbound.check_registration(f"https://[{address}]/hook")
    _resolving_to(monkeypatch, address)
    assert outbound.resolve(outbound.parse("https://nat64.example.com/x")) == str(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("address", "inner"),
    [
        ("64:ff9b::10.0.0.1", "10.0.0.1"),
        ("2002:a00:1::", "10.0.0.1"),
        ("::127.0.0.1", "127.0.0.1"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("::ffff:0:10.0.0.1", "10.0.0.1"),
        ("2606:4700::1111", None),
    ],
)
def test_the_embedded_ipv4_address(address, inner):
    found = outbound.embedded_ipv4(ipaddress.IPv6Address(address))
    assert (str(found) if found else None) == inner


def test_a_listed_target_may_still_be_an_embedded_address(settings):
    settings.WEBHOOK_ALLOW_PUBLIC_TARGETS = False
    settings.WEBHOOK_ALLOWED_TARGETS = ["64:ff9b::/96"]
    outbound.check_registration("https://[64:ff9b::10.0.0.1]/hook")


def test_with_public_targets_off_only_listed_ones_are_accepted(settings):
    settings.WEBHOOK_ALLOW_PUBLIC_TARGETS = False
    settings.WEBHOOK_ALLOWED_TARGETS = ["hooks.example.com"]
    outbound.check_registration("https://hooks.example.com/x")
    with pytest.raises(outbound.TargetRefused, match="administrator allowed"):
        outbound.check_registration("https://other.example.com/x")


@pytest.mark.parametrize(
    ("entry", "url", "allowed"),
    [
        ("127.0.0.1:8999", "http://127.0.0.1:8999/x", True),
        ("127.0.0.1:8999", "http://127.0.0.1:9000/x", False),
        ("10.0.0.0/8", "https://10.1.2.3/x", True),
        ("10.0.0.0/8:8443", "https://10.1.2.3:8443/x", True),
        ("10.0.0.0/8:8443", "https://10.1.2.3/x", False),
        ("[::1]:8000", "http://[::1]:8000/x", True),
        ("hooks.corp", "http://hooks.corp:8080/x", True),
    ],
)
def test_the_allow_list(public, settings, entry, url, allowed):
    settings.WEBHOOK_ALLOWED_TARGETS = [entry]
    if allowed:
        outbound.check_registration(url)
    else:
        with pytest.raises(outbound.TargetRefused):
            outbound.check_registration(url)


def _resolving_to(monkeypatch, address: str) -> None:
    def fake(host, port, *args, **kwargs):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake)


def test_a_name_that_resolves_inside_the_network_is_refused_at_delivery(public, monkeypatch):
    outbound.check_registration("https://rebind.example.com/x")  # fine at registration...
    _resolving_to(monkeypatch, "10.0.0.7")  # ...but by delivery time it points inside
    outcome = outbound.post("https://rebind.example.com/x", b"{}", {})
    assert outcome.status_code is None
    assert "resolves to 10.0.0.7, inside the network" in outcome.error


def test_the_connection_goes_to_the_checked_address(settings, monkeypatch):
    """The receiver is reached at the address that was checked, under the name registered."""
    receiver = Receiver().start()
    try:
        port = receiver.server.server_address[1]
        settings.WEBHOOK_ALLOW_PUBLIC_TARGETS = False
        settings.WEBHOOK_ALLOWED_TARGETS = [f"hooks.test:{port}"]
        _resolving_to(monkeypatch, "127.0.0.1")
        outcome = outbound.post(f"http://hooks.test:{port}/in", b"{}", {"X-Test": "1"})
        assert outcome.ok, outcome
        assert receiver.received[0].headers["Host"] == f"hooks.test:{port}"
    finally:
        receiver.stop()


def test_an_unresolvable_host_is_an_error_not_a_crash(public, monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fail)
    outcome = outbound.post("https://nowhere.example.com/x", b"{}", {})
    assert outcome.status_code is None and "Cannot resolve nowhere.example.com" in outcome.error


def test_a_closed_port_is_reported_as_refused(settings):
    settings.WEBHOOK_ALLOWED_TARGETS = ["127.0.0.1:9"]
    outcome = outbound.post("http://127.0.0.1:9/x", b"{}", {})
    assert outcome.status_code is None and outcome.error == "Connection refused"
