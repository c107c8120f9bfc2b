"""Password-reset e-mails are limited per address and per client address, and the answer is the
same whether the address has an account and whether a limit was reached."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

CLIENT_IP = "198.51.100.7"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PASSWORD_RESET_PER_ADDRESS = 3
    settings.PASSWORD_RESET_PER_CLIENT = 10
    settings.PASSWORD_RESET_WINDOW = 3600


def ask(email: str, ip: str = CLIENT_IP):
    return Client(REMOTE_ADDR=ip).post(reverse("password_reset"), {"email": email})


def answer(response) -> tuple:
    """What the asker sees: status, where it goes, and the page it lands on."""
    return response.status_code, response["Location"], response.content


def test_an_address_gets_at_most_three_e_mails_an_hour(alice):
    responses = [ask(alice.email, ip=f"198.51.100.{i}") for i in range(5)]
    assert len(mail.outbox) == 3
    assert {answer(r) for r in responses} == {(302, reverse("password_reset_done"), b"")}
    # Another address still gets its e-mail.
    ask("bob@example.org")
    assert len(mail.outbox) == 3  # bob has no account: nothing to send, nothing said


def test_the_address_is_counted_whatever_its_case(alice):
    for email in ("alice@example.org", "ALICE@example.org", " Alice@Example.org "):
        ask(email)
    ask("alice@example.org")
    assert len(mail.outbox) == 3


def test_one_client_gets_at_most_ten_e_mails_an_hour(db):
    from tests.conftest import make_user

    users = [make_user(f"user{i}") for i in range(12)]
    responses = [ask(u.email) for u in users]
    assert len(mail.outbox) == 10
    assert len({answer(r) for r in responses}) == 1
    # From elsewhere, the next address still gets its e-mail.
    ask(users[11].email, ip="203.0.113.9")
    assert len(mail.outbox) == 11


def test_the_answer_does_not_tell_whether_an_account_exists_or_a_limit_was_hit(alice):
    first_known = ask(alice.email)
    unknown = ask("nobody@example.org")
    for _ in range(3):
        ask(alice.email)
    limited_known = ask(alice.email)
    for _ in range(3):
        ask("nobody@example.org")
    limited_unknown = ask("nobody@example.org")
    assert len({answer(r) for r in (first_known, unknown, limited_known, limited_unknown)}) == 1
    done = Client().get(reverse("password_reset_done"))
    assert done.status_code == 200
    assert b"If an account uses that address" in done.content


def test_the_client_address_is_the_trusted_proxys_entry(alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_PER_ADDRESS = 100
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for i in range(12):
        # The client's own claims (left of the proxy's entry) change every time: they do not count.
        proxy.post(reverse("password_reset"), {"email": alice.email}, HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, {CLIENT_IP}")
    assert len(mail.outbox) == 10


def test_the_limit_ends_with_its_window(alice, settings):
    from django.core.cache import cache

    for _ in range(4):
        ask(alice.email)
    assert len(mail.outbox) == 3
    # The window's end, as the cache sees it: the counters are gone.
    cache.delete_many(_keys())
    ask(alice.email)
    assert len(mail.outbox) == 4


def _keys() -> list[str]:
    from lifecycle.services import password_reset
    from lifecycle.services.login_guard import normalize_address

    return [
        f"password-reset:email:{password_reset._digest('alice@example.org')}",
        f"password-reset:client:{password_reset._digest(normalize_address(CLIENT_IP))}",
    ]


def test_the_window_is_the_counters_time_to_live(alice):
    from django.core.cache import cache

    ask(alice.email)
    ttl = cache._cache.get_client(write=False).ttl(cache.make_and_validate_key(_keys()[0]))
    assert 3590 < ttl <= 3600


def test_e_mails_go_out_when_the_cache_is_down(alice, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "lifecycle.infrastructure.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    responses = [ask(alice.email) for _ in range(4)]
    assert [r.status_code for r in responses] == [302] * 4
    assert len(mail.outbox) == 4
