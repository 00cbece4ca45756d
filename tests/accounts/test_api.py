"""GET /api/v1/me with personal API tokens."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import ApiToken
from tests.conftest import csrf_token

TOKEN_RE = re.compile(r'<code class="token-value">(cnt_[^<]+)</code>')


def create_token_on_account_page(client, name="my script") -> str:
    response = client.post("/account/tokens", data={"name": name, "csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302
    return TOKEN_RE.search(client.get("/account").get_data(as_text=True)).group(1)


def me(client, token=None, **headers):
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.get("/api/v1/me", headers=headers)


def assert_json_401(response):
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == 401


def test_a_token_from_the_account_page_identifies_its_owner(app, artisan_client):
    token = create_token_on_account_page(artisan_client)
    response = me(app.test_client(), token)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == artisan_client.user.id
    assert body["email"] == artisan_client.user.email
    assert body["roles"] == ["artisan", "buyer"]
    assert body["organization"] is None


def test_an_officers_token_names_their_organization(app, officer_client):
    token = create_token_on_account_page(officer_client)
    body = me(app.test_client(), token).get_json()
    assert body["roles"] == ["officer"]
    assert body["organization"] == officer_client.user.organization.slug


def test_a_revoked_token_is_refused(app, db, buyer_client):
    token = create_token_on_account_page(buyer_client)
    api = app.test_client()
    assert me(api, token).status_code == 200
    token_id = db.session.scalar(sa.select(ApiToken.id))
    response = buyer_client.post(f"/account/tokens/{token_id}/revoke",
                                 data={"csrf_token": csrf_token(buyer_client, "/account")})
    assert response.status_code == 302
    assert_json_401(me(api, token))


def test_a_missing_token_is_refused_with_a_bearer_challenge(client):
    response = me(client)
    assert_json_401(response)
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


@pytest.mark.parametrize("authorization", [
    "Bearer cnt_not-a-real-token",
    "Bearer garbage",
    "Bearer ",
    "Basic c2FyaUB4LnRlc3Q6c2VjcmV0",
    "cnt_without_scheme",
])
def test_a_garbage_token_is_refused(client, authorization):
    assert_json_401(me(client, Authorization=authorization))


def test_the_api_ignores_the_session_cookie(buyer_client):
    assert_json_401(me(buyer_client))


def test_nobody_can_revoke_another_users_token(app, db, buyer_client, artisan_client):
    token = create_token_on_account_page(buyer_client)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    response = artisan_client.post(f"/account/tokens/{token_id}/revoke",
                                   data={"csrf_token": csrf_token(artisan_client, "/account")})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert me(app.test_client(), token).status_code == 200
