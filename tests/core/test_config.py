"""Configuration: production refuses to start with a weak SECRET_KEY."""
from __future__ import annotations

import secrets

import pytest

from config import DEV_SECRET_KEY, _database_url
from marketplace import create_app


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "short-but-not-empty", "", None])
def test_production_refuses_a_development_short_or_missing_secret_key(app, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": key,
                                  "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})


def test_production_starts_with_a_random_key_and_secure_cookies(make_app):
    production = make_app("production", SECRET_KEY=secrets.token_urlsafe(36),
                          PUBLIC_BASE_URL="https://localhost")
    assert len(production.config["SECRET_KEY"]) == 48
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    assert production.config["DEBUG"] is False and production.config["TESTING"] is False

    client = production.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert response.status_code == 200
    session_cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "Secure" in session_cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_an_unknown_config_name_is_refused():
    with pytest.raises(RuntimeError, match="CANTING_CONFIG"):
        create_app("staging")


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://u:p@db.example/canting", "postgresql+psycopg://u:p@db.example/canting"),
    ("postgresql://u:p@db.example/canting", "postgresql+psycopg://u:p@db.example/canting"),
    ("sqlite:////srv/canting.db", "sqlite:////srv/canting.db"),
])
def test_database_urls_from_the_environment_use_psycopg_3(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert _database_url("sqlite:///canting.db") == expected


def test_without_database_url_the_embedded_sqlite_default_is_used(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert _database_url("sqlite:///canting.db") == "sqlite:///canting.db"
