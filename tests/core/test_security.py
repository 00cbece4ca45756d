"""Security headers, cookie flags and redirects that stay on the site."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token
from tests.factories import PASSWORD


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/api/v1/me"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp.get("script-src", []) + csp["default-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def cookie_header(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert headers, response.headers.getlist("Set-Cookie")
    return headers[-1]


def test_the_session_cookie_is_http_only_and_same_site_lax(client):
    cookie = cookie_header(client.get("/login"), "session")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_the_remember_me_cookie_is_http_only_and_same_site_lax(client, make_user):
    make_user(email="sari@x.test")
    response = client.post("/login", data={"email": "sari@x.test", "password": PASSWORD, "remember": "y",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    cookie = cookie_header(response, "remember_token")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def sign_in_with_next(client, target, *, in_query=False):
    data = {"email": "sari@x.test", "password": PASSWORD, "csrf_token": csrf_token(client)}
    if in_query:
        return client.post("/login", query_string={"next": target}, data=data)
    return client.post("/login", data={**data, "next": target})


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example/account", "http://evil.example", "/\\evil.example",
    "javascript:alert(1)", "evil.example",
])
@pytest.mark.parametrize("in_query", [False, True])
def test_sign_in_never_redirects_off_site(client, make_user, target, in_query):
    make_user(email="sari@x.test")
    response = sign_in_with_next(client, target, in_query=in_query)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("in_query", [False, True])
def test_sign_in_returns_to_the_page_that_asked_for_it(client, make_user, in_query):
    make_user(email="sari@x.test")
    response = sign_in_with_next(client, "/account/password", in_query=in_query)
    assert response.headers["Location"] == "/account/password"


def test_the_sign_in_page_keeps_the_next_page_through_the_form(client, make_user):
    make_user(email="sari@x.test")
    bounced = client.get("/account/password")
    assert bounced.status_code == 302
    form_page = client.get(bounced.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/account/password"' in form_page
    response = sign_in_with_next(client, "/account/password")
    assert response.headers["Location"] == "/account/password"


def test_the_language_switch_never_redirects_off_site(client):
    response = client.post("/language", data={"locale": "en", "next": "//evil.example",
                                              "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
