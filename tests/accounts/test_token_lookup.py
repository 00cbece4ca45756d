"""Bearer tokens are found by their whole secret, with other people's tokens stored beside them:
a token that merely starts like a real one, or a revoked one, identifies nobody."""
from __future__ import annotations

import secrets

import pytest
from flask_babel import force_locale, gettext

from marketplace.accounts import services
from marketplace.accounts.models import ApiToken
from marketplace.extensions import db
from tests import factories

SHOWN = len(services.TOKEN_PREFIX) + 4  # what the account page shows of a token, and stores in clear


def whoami(client, secret: str) -> int | None:
    """The id of the user /api/v1/me answers for SECRET, or None when it answers 401."""
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    if response.status_code == 401:
        assert response.mimetype == "application/json"
        return None
    assert response.status_code == 200, response.status
    return response.get_json()["id"]


def token_starting_like(real: str, owner) -> str:
    """A working token of OWNER that shares REAL's visible prefix (1 in 64^4 by chance: about one
    pair among a thousand tokens), stored as the app stores every token."""
    secret = real[:SHOWN] + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=owner, name="API", token_hash=ApiToken.hash_token(secret), prefix=secret[:SHOWN]))
    db.session.commit()
    return secret


def forgeries_of(real: str) -> list[str]:
    last = "A" if real[-1] != "A" else "B"
    return [real[:SHOWN] + secrets.token_urlsafe(32), real[:-1] + last, real[:-1], real + "A", real.upper()]


def test_a_wrong_token_that_starts_like_a_real_one_is_refused(client):
    owners = [factories.make_user() for _ in range(3)]
    issued = [factories.api_token(owner) for owner in owners]
    for owner, secret in zip(owners, issued):
        assert whoami(client, secret) == owner.id
        for forged in forgeries_of(secret):
            assert whoami(client, forged) is None, forged


@pytest.mark.parametrize("crafted_first", [False, True])
def test_tokens_sharing_a_visible_prefix_each_identify_their_own_owner(client, crafted_first):
    sari, nurul, dewi = (factories.make_user() for _ in range(3))
    if crafted_first:  # whichever row the database returns first, neither may answer for the other
        real = "cnt_" + secrets.token_urlsafe(32)
        first = token_starting_like(real, nurul)
        second = token_starting_like(real, sari)
        tokens = {first: nurul.id, second: sari.id}
    else:
        first = factories.api_token(sari)
        tokens = {first: sari.id, token_starting_like(first, nurul): nurul.id}
    factories.api_token(dewi)
    for secret, owner_id in tokens.items():
        assert whoami(client, secret) == owner_id
    assert whoami(client, first[:SHOWN] + secrets.token_urlsafe(32)) is None


@pytest.mark.parametrize("revoked_first", [True, False])
def test_a_revoked_token_is_refused_even_beside_a_live_one_with_its_prefix(client, revoked_first):
    sari, nurul = factories.make_user(), factories.make_user()
    if revoked_first:
        issued = services.create_api_token(sari)
        revoked = issued.secret
        live = token_starting_like(revoked, nurul)
        services.revoke_api_token(sari, issued.token.id)
    else:
        live = factories.api_token(nurul)
        revoked = token_starting_like(live, sari)
        token_id = db.session.scalar(db.select(ApiToken.id).filter_by(token_hash=ApiToken.hash_token(revoked)))
        services.revoke_api_token(sari, token_id)
    assert whoami(client, revoked) is None
    assert whoami(client, live) == nurul.id
    other = services.create_api_token(sari)  # revoking one token leaves the owner's others working
    assert whoami(client, other.secret) == sari.id


def test_api_refusals_say_why_in_the_visitors_language(client):
    with force_locale("id"):
        needs_token = gettext("A valid bearer token is required.")
        wrong_role = gettext("Your account may not use this endpoint.")
    missing = client.get("/api/v1/me")
    assert (missing.status_code, missing.get_json()["message"]) == (401, needs_token)
    buyer = factories.make_user(roles=["buyer"])
    refused = client.post("/api/v1/shops", json={"name": "Toko"}, headers=factories.bearer(buyer))
    assert (refused.status_code, refused.get_json()["message"]) == (403, wrong_role)


@pytest.mark.parametrize("scheme", ["Basic", "Token", "cnt_"])
def test_a_real_token_under_another_scheme_is_refused(client, scheme):
    user = factories.make_user()
    secret = factories.api_token(user)
    response = client.get("/api/v1/me", headers={"Authorization": f"{scheme} {secret}"})
    assert response.status_code == 401
    assert whoami(client, secret) == user.id
