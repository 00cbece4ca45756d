"""Behind a proxy: who the client is, which host the site answers, and sign-in limits."""
from __future__ import annotations

import secrets

from tests.conftest import CSRF_RE, FreshContextClient, login
from tests.factories import PASSWORD, make_user


def _login_from(client, email, password, forwarded_for):
    headers = {"X-Forwarded-For": forwarded_for}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    return client.post("/login", headers=headers, data={
        "email": email, "password": password, "csrf_token": CSRF_RE.search(page).group(1)})


def test_behind_one_proxy_each_client_address_has_its_own_bucket(make_app, db):
    """Finding 7: with no ProxyFix every client was the load balancer, sharing one bucket."""
    behind = make_app("testing", SERVER_NAME="localhost", TRUSTED_PROXY_COUNT=1,
                      LOGIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
    behind.test_client_class = FreshContextClient
    with behind.app_context():
        make_user(email="sari@x.test")
        first, second = behind.test_client(), behind.test_client()
        for n in range(3):
            assert _login_from(first, f"guess{n}@x.test", "guess", "203.0.113.5").status_code == 200
        assert _login_from(first, "sari@x.test", PASSWORD, "203.0.113.5").status_code == 429
        # Same proxy (REMOTE_ADDR 127.0.0.1), another client behind it: not locked out.
        assert _login_from(second, "sari@x.test", PASSWORD, "198.51.100.7").status_code == 302


def test_an_attacker_cannot_lock_the_owner_out_from_another_address(app, db, client, monkeypatch):
    """Finding 7: five wrong passwords by anyone locked the account for everyone for 15 minutes."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    make_user(email="sari@x.test")
    attacker = {"REMOTE_ADDR": "203.0.113.5"}
    for _ in range(5):
        page = client.get("/login", environ_base=attacker).get_data(as_text=True)
        assert client.post("/login", environ_base=attacker, data={
            "email": "sari@x.test", "password": "guess",
            "csrf_token": CSRF_RE.search(page).group(1)}).status_code == 200
    page = client.get("/login", environ_base=attacker).get_data(as_text=True)
    assert client.post("/login", environ_base=attacker, data={
        "email": "sari@x.test", "password": PASSWORD,
        "csrf_token": CSRF_RE.search(page).group(1)}).status_code == 429
    owner = app.test_client()
    assert login(owner, "sari@x.test").status_code == 302  # from 127.0.0.1


def test_guessing_one_account_from_many_addresses_is_slowed_down(app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT_ALL_ADDRESSES", "3 per minute")
    make_user(email="sari@x.test")
    for n in range(3):
        address = {"REMOTE_ADDR": f"203.0.113.{n + 1}"}
        page = client.get("/login", environ_base=address).get_data(as_text=True)
        assert client.post("/login", environ_base=address, data={
            "email": "sari@x.test", "password": "guess",
            "csrf_token": CSRF_RE.search(page).group(1)}).status_code == 200
    assert login(app.test_client(), "sari@x.test").status_code == 429  # for a minute at most


def test_production_answers_only_its_public_host(make_app):
    """Finding 10: production refuses requests for hosts other than PUBLIC_BASE_URL's."""
    production = make_app("production", SECRET_KEY=secrets.token_urlsafe(36),
                          PUBLIC_BASE_URL="https://canting.example")
    client = production.test_client()
    assert client.get("/login", base_url="https://canting.example").status_code == 200
    assert client.get("/login", base_url="https://evil.example").status_code == 400


def test_production_refuses_to_start_without_a_public_url(make_app):
    import pytest

    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        make_app("production", SECRET_KEY=secrets.token_urlsafe(36), PUBLIC_BASE_URL="")
