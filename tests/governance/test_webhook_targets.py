"""Where webhooks may go: https to public addresses; never into the network (loopback, private,
link-local, ...) unless an administrator listed the target, checked at registration and again,
on the resolved addresses, at every delivery."""

from __future__ import annotations

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
    ],
)
def test_malformed_urls_are_refused(public, url, message):
    with pytest.raises(outbound.TargetRefused, match=message):
        outbound.check_registration(url)


def test_public_https_targets_are_accepted(public):
    target = outbound.check_registration("https://hooks.example.com/lifecycle?team=ops")
    assert (target.host, target.port, target.path) == ("hooks.example.com", 443, "/lifecycle?team=ops")


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
