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


# Every `next` a scanner or a crafted link might send; a newline used to reach the Location
# header and answer 500 ("Header values must not contain newline characters").
NASTY_NEXT = [
    "/\nenv;", "/%0Aenv;", "/%0Denv;", "/%0D%0ASet-Cookie:%20a=b", "/\r\nSet-Cookie: a=b", "/%250Aenv",
    "//evil.example", "/\\evil.example", "/%5Cevil.example", "/%2F%2Fevil.example", "/%2f/evil.example",
    "javascript:alert(1)", "/\t/evil.example", "/%09/evil.example", "\t//evil.example", " /account",
    "/\u2028evil", "/\u2029evil", "/%E2%80%A8evil", "/\x00", "/\u200b/evil.example",
    "https://evil.example/account", "evil.example", "", "/" + "a" * 5000,
]
SAFE_NEXT = ["/", "/account/password", "/products?q=batik%20tulis&min_price=1", "/shops/batik-sari#produk",
             "/programs?province=Jawa%20Tengah", "/products?q=motif+kopi"]


@pytest.mark.parametrize("target", NASTY_NEXT)
def test_is_safe_redirect_refuses_nasty_targets(target):
    from marketplace.core.security import is_safe_redirect

    assert not is_safe_redirect(target)


@pytest.mark.parametrize("target", SAFE_NEXT)
def test_is_safe_redirect_keeps_paths_of_this_site(target):
    from marketplace.core.security import is_safe_redirect

    assert is_safe_redirect(target)


def test_the_language_switch_refuses_every_nasty_next_without_a_500(client):
    token = csrf_token(client, "/")
    for target in NASTY_NEXT:
        response = client.post("/language", data={"locale": "en", "next": target, "csrf_token": token})
        assert response.status_code == 302, repr(target)
        assert response.headers["Location"] == "/", repr(target)
        in_query = client.post("/language", query_string={"next": target},
                               data={"locale": "en", "csrf_token": token})
        assert in_query.status_code == 302 and in_query.headers["Location"] == "/", repr(target)
    for target in SAFE_NEXT:
        response = client.post("/language", data={"locale": "id", "next": target, "csrf_token": token})
        assert response.headers["Location"] == target


@pytest.mark.parametrize("target", NASTY_NEXT)
@pytest.mark.parametrize("in_query", [False, True])
def test_sign_in_refuses_every_nasty_next_without_a_500(client, make_user, target, in_query):
    make_user(email="sari@x.test")
    assert client.get("/login", query_string={"next": target}).status_code == 200
    response = sign_in_with_next(client, target, in_query=in_query)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
