"""Account rules, tested through the services that own them."""
from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous.timed import TimestampSigner

from marketplace.accounts import services
from marketplace.accounts.models import ApiToken, User
from marketplace.core.errors import NotFound, ValidationFailed
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new secret"


def _user_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def _register(email="sari@x.test", makes_batik=False, password=PASSWORD):
    return services.register_user(email=email, name="Sari", password=password,
                                  makes_batik=makes_batik, locale="id")


# --- registration ----------------------------------------------------------------------------

def test_registration_makes_a_buyer_by_default():
    user = _register()
    assert user.roles == {"buyer"}


def test_registration_of_a_batik_maker_adds_the_artisan_role():
    user = _register(makes_batik=True)
    assert user.roles == {"buyer", "artisan"}


def test_registration_stores_the_email_lower_cased():
    user = _register(email="  Sari@X.Test ")
    assert user.email == "sari@x.test"


def test_registering_an_email_again_in_other_case_is_refused_without_a_second_row(db):
    _register(email="Sari@X.test")
    with pytest.raises(ValidationFailed) as raised:
        _register(email="sari@x.test")
    assert raised.value.field == "email"
    assert _user_count(db) == 1


def test_a_too_short_password_is_refused_and_nothing_is_written(db):
    with pytest.raises(ValidationFailed) as raised:
        _register(password="short")
    assert raised.value.field == "password"
    assert _user_count(db) == 0


# --- sign in ---------------------------------------------------------------------------------

def test_authenticate_ignores_the_case_of_the_email(make_user):
    user = make_user(email="sari@x.test")
    assert services.authenticate("SARI@X.TEST", PASSWORD) == user


def test_authenticate_refuses_a_wrong_password(make_user):
    make_user(email="sari@x.test")
    assert services.authenticate("sari@x.test", "not the password") is None


def test_authenticate_refuses_a_deactivated_account(db, make_user):
    user = make_user(email="sari@x.test")
    user.is_active_account = False
    db.session.commit()
    assert services.authenticate("sari@x.test", PASSWORD) is None


def test_an_account_created_without_password_cannot_sign_in(db):
    services.create_user(email="new@x.test", roles=["buyer"])
    assert services.authenticate("new@x.test", "") is None
    assert services.authenticate("new@x.test", "anything at all") is None


# --- accounts created by operators ---------------------------------------------------------

def test_an_officer_must_name_an_organization(db):
    with pytest.raises(ValidationFailed) as raised:
        services.create_user(email="o@x.test", roles=["officer"], password=PASSWORD)
    assert raised.value.field == "organization"
    assert _user_count(db) == 0


def test_an_officer_of_an_unknown_organization_is_refused(db):
    with pytest.raises(ValidationFailed) as raised:
        services.create_user(email="o@x.test", roles=["officer"], password=PASSWORD,
                             organization_slug="no-such-org")
    assert raised.value.field == "organization"
    assert _user_count(db) == 0


def test_an_officer_belongs_to_the_named_organization(make_organization):
    organization = make_organization(slug="disperin-sumsel")
    user = services.create_user(email="o@x.test", roles=["officer"], password=PASSWORD,
                                organization_slug="disperin-sumsel")
    assert user.organization == organization
    assert user.roles == {"officer"}


def test_an_unknown_role_is_refused(db):
    with pytest.raises(ValidationFailed):
        services.create_user(email="o@x.test", roles=["superuser"], password=PASSWORD)
    assert _user_count(db) == 0


def test_inviting_an_officer_mails_them_a_link_to_choose_a_password(make_user, make_organization, outbox):
    admin = make_user(roles=["admin"], locale="en")
    make_organization(slug="bi-kaltim", name="BI Kaltim")
    officer = services.invite_officer(email="Petugas@BI.test", name="Petugas", organization_slug="bi-kaltim",
                                      invited_by=admin)
    assert officer.email == "petugas@bi.test"
    assert officer.password_hash is None
    assert [m.to for m in outbox] == [["petugas@bi.test"]]
    assert "BI Kaltim" in outbox[0].body
    assert "/password/reset/" in outbox[0].body


# --- passwords -------------------------------------------------------------------------------

def test_changing_the_password_needs_the_current_one(make_user):
    user = make_user()
    with pytest.raises(ValidationFailed) as raised:
        services.change_password(user, current_password="wrong guess", new_password=NEW_PASSWORD)
    assert raised.value.field == "current_password"
    assert user.check_password(PASSWORD)


def test_changing_the_password_replaces_the_old_one(make_user):
    user = make_user(email="sari@x.test")
    services.change_password(user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert services.authenticate("sari@x.test", NEW_PASSWORD) == user
    assert services.authenticate("sari@x.test", PASSWORD) is None


def test_a_new_password_must_be_long_enough(make_user):
    user = make_user()
    with pytest.raises(ValidationFailed) as raised:
        services.change_password(user, current_password=PASSWORD, new_password="short")
    assert raised.value.field == "new_password"
    assert user.check_password(PASSWORD)


def test_a_reset_request_for_an_unknown_email_sends_nothing(outbox):
    services.request_password_reset("nobody@x.test")
    assert outbox == []


def test_a_reset_request_mails_the_account_owner(make_user, outbox):
    make_user(email="sari@x.test")
    services.request_password_reset("SARI@x.test")
    assert [m.to for m in outbox] == [["sari@x.test"]]
    assert re.search(r"http://localhost/password/reset/\S+", outbox[0].body)


def test_a_reset_token_works_once(make_user):
    user = make_user(email="sari@x.test")
    token = services.make_password_reset_token(user)
    services.reset_password(token, NEW_PASSWORD)
    assert services.authenticate("sari@x.test", NEW_PASSWORD) == user
    with pytest.raises(services.InvalidResetToken):
        services.reset_password(token, "yet another password")
    assert services.authenticate("sari@x.test", NEW_PASSWORD) == user


def test_an_expired_reset_token_is_refused(make_user, monkeypatch):
    user = make_user(email="sari@x.test")
    two_hours_ago = int(time.time()) - 7200
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
        token = services.make_password_reset_token(user)
    with pytest.raises(services.InvalidResetToken):
        services.reset_password(token, NEW_PASSWORD)
    assert services.authenticate("sari@x.test", PASSWORD) == user


def test_a_forged_reset_token_is_refused(make_user):
    user = make_user()
    token = services.make_password_reset_token(user)
    with pytest.raises(services.InvalidResetToken):
        services.user_for_reset_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


# --- language --------------------------------------------------------------------------------

def test_set_locale_remembers_a_known_language_only(make_user):
    user = make_user(locale="id")
    services.set_locale(user, "en")
    assert user.locale == "en"
    with pytest.raises(ValidationFailed):
        services.set_locale(user, "fr")
    assert user.locale == "en"


# --- API tokens ------------------------------------------------------------------------------

def test_an_api_token_is_stored_only_as_its_hash(db, make_user):
    user = make_user()
    issued = services.create_api_token(user, "my script")
    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert stored.token_hash == ApiToken.hash_token(issued.secret)
    assert issued.secret not in {stored.token_hash, stored.prefix, stored.name}
    assert services.user_for_api_token(issued.secret) == user


def test_a_revoked_token_no_longer_identifies_its_owner(make_user):
    user = make_user()
    issued = services.create_api_token(user)
    services.revoke_api_token(user, issued.token.id)
    assert services.user_for_api_token(issued.secret) is None


def test_nobody_revokes_another_users_token(make_user):
    owner, other = make_user(), make_user()
    issued = services.create_api_token(owner)
    with pytest.raises(NotFound):
        services.revoke_api_token(other, issued.token.id)
    assert services.user_for_api_token(issued.secret) == owner


def test_a_deactivated_users_token_stops_working(db, make_user):
    user = make_user()
    issued = services.create_api_token(user)
    user.is_active_account = False
    db.session.commit()
    assert services.user_for_api_token(issued.secret) is None
