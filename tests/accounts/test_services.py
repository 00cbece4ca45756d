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

def _account(db, email):
    db.session.expire_all()
    return db.session.scalar(User.by_email(email))


def test_registration_makes_an_unconfirmed_buyer_by_default(db, outbox):
    _register()
    user = _account(db, "sari@x.test")
    assert user.roles == {"buyer"}
    assert not user.is_email_confirmed
    assert [m.to for m in outbox] == [["sari@x.test"]]
    assert "/register/confirm/" in outbox[0].body


def test_registration_of_a_batik_maker_adds_the_artisan_role(db):
    _register(makes_batik=True)
    assert _account(db, "sari@x.test").roles == {"buyer", "artisan"}


def test_registration_stores_the_email_lower_cased(db):
    _register(email="  Sari@X.Test ")
    assert _account(db, "sari@x.test") is not None


def test_an_unconfirmed_account_cannot_sign_in_until_its_link_is_followed(db, outbox):
    _register()
    assert services.authenticate("sari@x.test", "not the password") is None
    with pytest.raises(services.EmailNotConfirmed):
        services.authenticate("sari@x.test", PASSWORD)
    token = re.search(r"/register/confirm/(\S+)", outbox[0].body).group(1)
    assert services.confirm_email(token).email == "sari@x.test"
    assert services.authenticate("sari@x.test", PASSWORD).email == "sari@x.test"
    with pytest.raises(services.InvalidConfirmToken):
        services.confirm_email(token)  # the link works once


def test_registering_a_taken_email_writes_no_row_and_mails_its_owner(db, make_user, outbox):
    make_user(email="sari@x.test", name="Sari Asli", locale="en")
    _register(email="Sari@X.test", password="another password")  # no error: the page says nothing
    assert _user_count(db) == 1
    assert services.authenticate("sari@x.test", "another password") is None
    assert [m.to for m in outbox] == [["sari@x.test"]]
    assert "Someone tried to create a Canting account with this email" in outbox[0].body
    assert "http://localhost/password/reset" in outbox[0].body


def test_a_too_short_password_is_refused_and_nothing_is_written(db, outbox):
    with pytest.raises(ValidationFailed) as raised:
        _register(password="short")
    assert raised.value.field == "password"
    assert _user_count(db) == 0
    assert outbox == []


def test_a_rolled_back_registration_leaves_no_mail_in_the_outbox(db, outbox, monkeypatch):
    from marketplace.core.models import OutboxMail

    def broken_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        _register()
    monkeypatch.undo()
    assert _user_count(db) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0
    assert outbox == []


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
    services.add_user(email="new@x.test", roles=["buyer"])
    db.session.commit()
    assert services.authenticate("new@x.test", "") is None
    assert services.authenticate("new@x.test", "anything at all") is None


def test_an_unknown_role_is_refused(db):
    with pytest.raises(ValidationFailed):
        services.add_user(email="o@x.test", roles=["superuser"], password=PASSWORD)


def test_unknown_and_known_emails_both_compute_a_password_hash(make_user, monkeypatch):
    """Finding 5: a wrong sign-in costs the same scrypt work whether or not the account exists."""
    from marketplace.accounts import services as module

    make_user(email="sari@x.test")
    services.authenticate("warm@x.test", "x")  # the dummy hash is computed once per process
    checked = []
    real = module.check_password_hash
    monkeypatch.setattr(module, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    monkeypatch.setattr("marketplace.accounts.models.check_password_hash",
                        lambda h, p: checked.append(h) or real(h, p))
    for email in ("nobody@x.test", "sari@x.test"):
        checked.clear()
        assert services.authenticate(email, "wrong guess") is None
        assert len(checked) == 1 and checked[0].startswith("scrypt:"), email


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
