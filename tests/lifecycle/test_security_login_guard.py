"""Brute-force protection of password sign-in: progressive locks per username and address that
expire, which an attacker elsewhere cannot turn into a lock-out of the real user. Counters live
in the real Redis cache; time moves with time-machine (locks follow the clock)."""

from __future__ import annotations

import threading
import time

import time_machine
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from lifecycle.services import login_guard
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
ATTACKER = "203.0.113.7"
HOME = "198.51.100.20"


def _login(client: Client, username: str, password: str, address: str):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(response) -> bool:
    return response.status_code == 302 and response.url == "/"


def _fail(client: Client, username: str, address: str, times: int) -> list[int]:
    return [_login(client, username, "wrong-guess", address).status_code for _ in range(times)]


def test_five_failures_lock_the_pair_for_a_minute_then_longer_each_time(alice):
    client = Client()
    with time_machine.travel(1_900_000_000, tick=False) as clock:
        # Five free failures (the form answers 200 with its error), then a pause.
        assert _fail(client, "alice", ATTACKER, 5) == [200] * 5
        locked = _login(client, "alice", PASSWORD, ATTACKER)
        # Even the right password is not checked during the pause.
        assert locked.status_code == 429
        assert locked["Retry-After"] == "60"
        assert "Too many failed login attempts. Try again in a minute." in locked.content.decode()
        assert "_auth_user_id" not in client.session

        clock.shift(59)
        assert _login(client, "alice", PASSWORD, ATTACKER).status_code == 429
        clock.shift(2)
        # One attempt after each pause; each failure doubles the next pause: 2, 4, 8, then 15 min.
        for expected in (120, 240, 480, 900, 900):
            assert _login(client, "alice", "wrong-guess", ATTACKER).status_code == 200
            response = _login(client, "alice", "wrong-guess", ATTACKER)
            assert response.status_code == 429
            assert int(response["Retry-After"]) == expected
            clock.shift(expected + 1)
        # No permanent lock-out: after the pause the right password works and starts afresh.
        assert _signed_in(_login(client, "alice", PASSWORD, ATTACKER))
    client.logout()
    assert _fail(client, "alice", ATTACKER, 4) == [200] * 4


def test_the_real_user_elsewhere_is_not_locked_by_an_attacker(alice):
    attacker, user = Client(), Client()
    with time_machine.travel(1_900_000_000, tick=False):
        assert _fail(attacker, "alice", ATTACKER, 6) == [200] * 5 + [429]
        # Alice has never signed in from home before: her own address is not paused.
        assert _signed_in(_login(user, "alice", PASSWORD, HOME))


def test_a_distributed_attack_pauses_new_addresses_but_not_known_ones(alice, settings):
    settings.LOGIN_GUARD_USERNAME_ATTEMPTS = 8
    user = Client()
    assert _signed_in(_login(user, "alice", PASSWORD, HOME))  # home becomes a known address
    user.logout()
    with time_machine.travel(1_900_000_000, tick=False):
        # Four addresses, two guesses each: no pair and no address reaches its own threshold.
        for n in range(4):
            assert _fail(Client(), "alice", f"203.0.113.{n}", 2) == [200, 200]
        # The username is now paused for addresses it was never used from...
        assert _login(Client(), "alice", PASSWORD, "192.0.2.99").status_code == 429
        # ...while alice signs in from home as usual.
        assert _signed_in(_login(user, "alice", PASSWORD, HOME))


def test_one_address_trying_many_usernames_is_paused(db, settings):
    settings.LOGIN_GUARD_ADDRESS_ATTEMPTS = 6
    client = Client()
    with time_machine.travel(1_900_000_000, tick=False):
        codes = [_login(client, f"user{n}", "guess", ATTACKER).status_code for n in range(7)]
        assert codes == [200] * 6 + [429]
        # Unknown usernames are paused just like real ones: the answer tells nothing about them.
        assert _login(client, "nobody-at-all", "guess", ATTACKER).status_code == 429
        assert _login(Client(), "user1", "guess", HOME).status_code == 200


def test_usernames_are_counted_whatever_their_case_and_ipv6_by_network(alice):
    # One /64 network, five spellings of one username.
    tries = [("alice", "2001:db8::1"), ("ALICE", "2001:db8::2"), ("Alice ", "2001:db8::ffff"), ("alicE", "2001:db8::3")]
    tries.append(("alice", "2001:db8:0:0:1::"))
    client = Client()
    with time_machine.travel(1_900_000_000, tick=False):
        for name, address in tries:
            assert _login(client, name, "guess", address).status_code == 200
        assert _login(client, "alice", PASSWORD, "2001:db8::abcd").status_code == 429
        # Another /64 is another address.
        assert _signed_in(_login(client, "alice", PASSWORD, "2001:db8:0:1::1"))


def test_a_success_clears_the_pairs_failures(alice):
    client = Client()
    assert _fail(client, "alice", HOME, 4) == [200] * 4
    assert _signed_in(_login(client, "alice", PASSWORD, HOME))
    client.logout()
    assert _fail(client, "alice", HOME, 5) == [200] * 5
    assert _login(client, "alice", PASSWORD, HOME).status_code == 429


def test_failures_are_forgotten_after_the_window(alice, settings):
    settings.LOGIN_GUARD_WINDOW = 1
    client = Client()
    assert _fail(client, "alice", ATTACKER, 4) == [200] * 4
    time.sleep(1.2)  # the counter's time to live in Redis
    assert _fail(client, "alice", ATTACKER, 4) == [200] * 4
    assert _signed_in(_login(client, "alice", PASSWORD, ATTACKER))


def test_simultaneous_attempts_past_the_threshold_get_one_guess():
    for _ in range(4):
        login_guard.attempt_begin(username="alice", address=ATTACKER)  # four wrong passwords
    results: list[str] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        try:
            login_guard.attempt_begin(username="alice", address=ATTACKER)
        except login_guard.LoginLocked:
            results.append("locked")
        else:
            results.append("let through")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["let through"] + ["locked"] * 7


def test_the_token_endpoint_shares_the_guard(alice, settings):
    settings.API_TOKEN_RATE = "1000/minute"  # the request throttle is not what stops this
    client = APIClient()

    def token(password: str):
        return client.post(TOKEN, {"username": "alice", "password": password}, format="json", REMOTE_ADDR=ATTACKER)

    with time_machine.travel(1_900_000_000, tick=False) as clock:
        assert [token("wrong").status_code for _ in range(5)] == [401] * 5
        paused = token(PASSWORD)
        assert paused.status_code == 429
        assert paused.json()["code"] == "throttled"
        assert paused["Retry-After"] == "60"
        # A failure on the form counts too: the two doors share the counters.
        clock.shift(61)
        assert _login(Client(), "alice", "wrong", ATTACKER).status_code == 200
        assert token(PASSWORD).status_code == 429
        clock.shift(121)
        assert token(PASSWORD).status_code == 200


def test_the_admin_login_is_guarded_too(adam):
    client = Client()
    codes = [client.post("/admin/login/", {"username": "adam", "password": "guess"}, REMOTE_ADDR=ATTACKER).status_code for _ in range(6)]
    assert codes == [200] * 6
    response = client.post("/admin/login/?next=/admin/", {"username": "adam", "password": PASSWORD}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_only_the_trusted_proxys_entry_of_x_forwarded_for_counts(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.post(LOGIN, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    assert login_guard.client_address(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert login_guard.client_address(request) == "10.0.0.2"
    assert login_guard.normalize_address("::ffff:192.0.2.1") == "192.0.2.1"
    assert login_guard.normalize_address("not an address") == "not an address"


def test_the_guard_lets_attempts_through_when_redis_is_down(alice, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "lifecycle.infrastructure.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client = Client()
    assert _fail(client, "alice", ATTACKER, 6) == [200] * 6
    assert _signed_in(_login(client, "alice", PASSWORD, ATTACKER))


def test_lock_times_grow_to_the_cap():
    assert [login_guard.lock_seconds(n) for n in range(6)] == [60, 120, 240, 480, 900, 900]
    assert login_guard.lock_seconds(10_000) == 900


def test_counters_are_kept_in_the_shared_cache(alice):
    _fail(Client(), "alice", ATTACKER, 2)
    pair, _, _ = login_guard._counters(username="alice", address=ATTACKER)
    assert cache.get(pair.key) == 2
