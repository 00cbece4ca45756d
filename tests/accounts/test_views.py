"""Signing up, in and out, password reset and change, throttling, and admin officer accounts."""
from __future__ import annotations

import re
import time

import sqlalchemy as sa
from itsdangerous.timed import TimestampSigner

from marketplace.accounts.models import ApiToken, User
from tests.conftest import CSRF_RE, csrf_token, login, use_language
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new secret"
LINK_RE = re.compile(r"http://localhost(/password/reset/\S+)")


def post_form(client, path, data, form_page=None, **kwargs):
    """Submit a form the way a browser does: with the CSRF token from the page it is on."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page or path)}, **kwargs)


def is_signed_in(client) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def users_with_email(db, email: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == email))


def roles_of(db, email: str) -> set[str]:
    db.session.expire_all()
    return db.session.scalar(User.by_email(email)).roles


def mailed_link(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


# --- registration ----------------------------------------------------------------------------

# Registration checks the address's shape, and email_validator refuses *.test: use example.com.
REGISTRATION = {"name": "Sari Wulandari", "email": "sari@example.com", "password": PASSWORD,
                "confirm": PASSWORD}


CONFIRM_RE = re.compile(r"http://localhost(/register/confirm/\S+)")
MAILED_WORDS = "Almost done: we have sent a message to your email. Follow its link to finish."


def test_registering_mails_a_link_that_confirms_and_signs_the_buyer_in(db, client, outbox):
    use_language(client, "en")
    response = post_form(client, "/register", REGISTRATION)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert MAILED_WORDS in client.get("/login").get_data(as_text=True)
    assert roles_of(db, "sari@example.com") == {"buyer"}
    assert not is_signed_in(client)
    assert login(client, "sari@example.com").status_code == 200  # not before the link

    link = CONFIRM_RE.search(outbox[0].body).group(1)
    assert client.get(link).status_code == 200  # a button: mail scanners that open it confirm nothing
    assert not is_signed_in(client)
    response = post_form(client, link, {})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "sari@example.com" in client.get("/account").get_data(as_text=True)


def test_ticking_i_make_batik_registers_an_artisan(db, client):
    response = post_form(client, "/register", {**REGISTRATION, "makes_batik": "y"})
    assert response.status_code == 302
    assert roles_of(db, "sari@example.com") == {"buyer", "artisan"}


def test_registering_a_taken_email_answers_like_a_new_one_and_mails_the_owner(db, app, make_user, outbox):
    """Finding 5: /register used to say "An account with this email already exists"."""
    make_user(email="sari@example.com", locale="en")
    answers = []
    for email in ("Sari@Example.COM", "new.person@example.com"):
        client = app.test_client()
        use_language(client, "en")
        response = post_form(client, "/register", {**REGISTRATION, "email": email})
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"], MAILED_WORDS in page))
        assert not is_signed_in(client)
    assert answers[0] == answers[1] == (302, "/login", True)
    assert users_with_email(db, "sari@example.com") == 1
    assert [m.to for m in outbox] == [["sari@example.com"], ["new.person@example.com"]]
    assert "Someone tried to create a Canting account with this email" in outbox[0].body


def test_mismatched_passwords_are_a_form_error_and_create_nobody(db, client):
    response = post_form(client, "/register", {**REGISTRATION, "confirm": "something else"})
    assert response.status_code == 200
    assert 'id="confirm-error"' in response.get_data(as_text=True)
    assert users_with_email(db, "sari@example.com") == 0


def test_registering_without_csrf_token_is_refused_and_creates_nobody(db, client):
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert 'class="error-page"' in response.get_data(as_text=True)
    assert users_with_email(db, "sari@example.com") == 0


# --- sign in and out -------------------------------------------------------------------------

def test_signing_in_opens_the_account_page(client, make_user):
    make_user(email="sari@x.test", name="Sari Wulandari")
    response = login(client, "sari@x.test")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Sari Wulandari" in client.get("/account").get_data(as_text=True)


def test_a_wrong_password_shows_an_error_and_does_not_sign_in(client, make_user):
    make_user(email="sari@x.test")
    use_language(client, "en")
    response = login(client, "sari@x.test", "not my password")
    assert response.status_code == 200
    assert "Email or password is not correct." in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_an_unknown_email_gets_the_same_error(client):
    use_language(client, "en")
    response = login(client, "nobody@x.test")
    assert response.status_code == 200
    assert "Email or password is not correct." in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_sign_in_ignores_the_case_of_the_email(client, make_user):
    make_user(email="sari@x.test")
    assert login(client, "SARI@X.Test").status_code == 302
    assert is_signed_in(client)


def test_signing_out_ends_the_session(buyer_client):
    response = post_form(buyer_client, "/logout", {}, form_page="/account")
    assert response.status_code == 302
    assert not is_signed_in(buyer_client)


def test_signing_out_without_csrf_token_does_not(buyer_client):
    response = buyer_client.post("/logout")
    assert response.status_code == 400
    assert is_signed_in(buyer_client)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# --- throttling ------------------------------------------------------------------------------

def _assert_friendly_429(response):
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'class="error-page"' in page
    assert "Too many attempts" in page


def test_failed_sign_ins_to_one_account_are_throttled(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "100 per 15 minutes")
    make_user(email="sari@x.test")
    make_user(email="budi@x.test")
    use_language(client, "en")
    for attempt in ("sari@x.test", "SARI@x.test", "sari@X.TEST", "sari@x.test", "Sari@x.test"):
        assert login(client, attempt, "guess").status_code == 200
    # Even the right password is refused now, whatever the case of the email.
    _assert_friendly_429(login(client, "sari@x.test"))
    _assert_friendly_429(login(client, "SARI@X.TEST"))
    assert not is_signed_in(client)
    # Another account from the same address is not locked.
    assert login(client, "budi@x.test").status_code == 302


def test_failed_sign_ins_from_one_address_are_throttled(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    make_user(email="sari@x.test")
    use_language(client, "en")
    for n in range(3):
        assert login(client, f"guess{n}@x.test", "guess").status_code == 200
    _assert_friendly_429(login(client, "sari@x.test"))
    # Someone at another address can still sign in.
    elsewhere = post_form(client, "/login", {"email": "sari@x.test", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert elsewhere.status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_limit(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "2 per 15 minutes")
    make_user(email="sari@x.test")
    for _ in range(3):
        assert login(app.test_client(), "sari@x.test").status_code == 302
    client = app.test_client()
    assert login(client, "sari@x.test", "guess").status_code == 200
    assert login(client, "sari@x.test", "guess").status_code == 200
    assert login(client, "sari@x.test").status_code == 429


# --- password reset --------------------------------------------------------------------------

def _request_reset(client, email):
    return post_form(client, "/password/reset", {"email": email})


def _set_password(client, link, password=NEW_PASSWORD):
    return post_form(client, link, {"password": password, "confirm": password})


def test_a_reset_link_sets_a_new_password_once(client, make_user, outbox):
    make_user(email="sari@x.test", locale="en")
    use_language(client, "en")
    response = _request_reset(client, "Sari@x.test")
    assert response.status_code == 302
    assert [m.to for m in outbox] == [["sari@x.test"]]
    link = mailed_link(outbox[0])

    assert client.get(link).status_code == 200
    response = _set_password(client, link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"

    assert login(client, "sari@x.test", PASSWORD).status_code == 200
    assert login(client, "sari@x.test", NEW_PASSWORD).status_code == 302
    post_form(client, "/logout", {}, form_page="/account")
    use_language(client, "en")

    # The same link again: refused, and the password stays the one just chosen.
    response = client.get(link, follow_redirects=True)
    assert "This reset link was already used." in response.get_data(as_text=True)
    assert client.post(link, data={"password": "third password!", "confirm": "third password!",
                                   "csrf_token": csrf_token(client, "/login")}).status_code == 302
    assert login(client, "sari@x.test", "third password!").status_code == 200
    assert login(client, "sari@x.test", NEW_PASSWORD).status_code == 302


def test_an_expired_reset_link_is_refused(app, client, make_user, outbox, monkeypatch):
    # The CSRF token is timed with the same clock; keep it valid so only the link is late.
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", None)
    make_user(email="sari@x.test", locale="en")
    use_language(client, "en")
    _request_reset(client, "sari@x.test")
    link = mailed_link(outbox[0])
    form_token = csrf_token(client, link)
    two_hours_later = int(time.time()) + 7200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_later)

    response = client.get(link, follow_redirects=True)
    assert "This reset link has expired." in response.get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                       "csrf_token": form_token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/password/reset"
    monkeypatch.undo()
    assert login(client, "sari@x.test", NEW_PASSWORD).status_code == 200
    assert login(client, "sari@x.test", PASSWORD).status_code == 302


def test_a_reset_request_for_an_unknown_email_says_the_same_and_sends_nothing(client, make_user, outbox):
    """Finding 5: the same words, and the request does the same work (one job) either way."""
    make_user(email="sari@x.test")
    use_language(client, "en")
    unknown = _request_reset(client, "nobody@x.test")
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert outbox == []
    known = _request_reset(client, "sari@x.test")
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    assert len(outbox) == 1
    message = "If an account uses this email, we have sent it a link to choose a new password."
    assert message in unknown_page and message in known_page
    assert unknown.headers["Location"] == known.headers["Location"]


def test_a_reset_request_only_enqueues_a_job_whether_or_not_the_account_exists(app, make_user, monkeypatch):
    """Finding 5: the lookup and the mail happen in the job, so the request's time tells nothing."""
    from marketplace.accounts import services

    make_user(email="sari@x.test")
    enqueued = []
    monkeypatch.setattr(services, "_mail_password_reset", lambda email: enqueued.append(email))
    for email in ("Sari@x.test", "nobody@x.test"):
        client = app.test_client()
        assert _request_reset(client, email).status_code == 302
    assert enqueued == ["sari@x.test", "nobody@x.test"]


def test_a_reset_link_is_built_on_the_public_url_whatever_the_host_header(client, make_user, outbox):
    """Finding 10: Host: evil.example used to get http://evil.example/password/reset/<token>."""
    make_user(email="sari@x.test")
    form = client.get("/password/reset", headers={"Host": "evil.example"}).get_data(as_text=True)
    token = CSRF_RE.search(form).group(1)
    response = client.post("/password/reset", data={"email": "sari@x.test", "csrf_token": token},
                           headers={"Host": "evil.example"})
    assert response.status_code == 302
    assert len(outbox) == 1
    assert "evil.example" not in outbox[0].body
    assert re.search(r"http://localhost/password/reset/\S+", outbox[0].body)


# --- password change -------------------------------------------------------------------------

def test_changing_the_password_with_a_wrong_current_one_is_a_form_error(app, make_user):
    client = app.test_client()
    make_user(email="sari@x.test", locale="en")
    login(client, "sari@x.test")
    response = post_form(client, "/account/password", {
        "current_password": "wrong guess", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })
    assert response.status_code == 200
    assert re.search(r'id="current_password-error">Your current password is not correct\.',
                     response.get_data(as_text=True))
    post_form(client, "/logout", {}, form_page="/account")
    assert login(client, "sari@x.test", NEW_PASSWORD).status_code == 200
    assert login(client, "sari@x.test").status_code == 302


def test_a_changed_password_replaces_the_old_one(client, make_user):
    make_user(email="sari@x.test")
    login(client, "sari@x.test")
    response = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })
    assert response.status_code == 302
    post_form(client, "/logout", {}, form_page="/account")
    assert login(client, "sari@x.test", PASSWORD).status_code == 200
    assert login(client, "sari@x.test", NEW_PASSWORD).status_code == 302


# --- API tokens on the account page ----------------------------------------------------------

TOKEN_RE = re.compile(r'<code class="token-value">(cnt_[^<]+)</code>')


def test_a_new_api_token_is_shown_once_and_only_its_hash_is_stored(db, buyer_client):
    response = post_form(buyer_client, "/account/tokens", {"name": "stock sync"}, form_page="/account")
    assert response.status_code == 302
    first = buyer_client.get("/account").get_data(as_text=True)
    secret = TOKEN_RE.search(first).group(1)
    assert "stock sync" in first
    assert not TOKEN_RE.search(buyer_client.get("/account").get_data(as_text=True))

    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert stored.token_hash == ApiToken.hash_token(secret)
    row = db.session.execute(sa.select(ApiToken.__table__)).one()
    assert all(secret not in str(value) for value in row)


def test_creating_a_token_without_csrf_token_is_refused(db, buyer_client):
    response = buyer_client.post("/account/tokens", data={"name": "stock sync"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


# --- admin: officers -------------------------------------------------------------------------

def test_officer_admin_is_for_admins_only(client, buyer_client, officer_client, admin_client):
    anonymous = client.get("/admin/officers")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login?next=%2Fadmin%2Fofficers")
    for role_client in (buyer_client, officer_client):
        response = role_client.get("/admin/officers")
        assert response.status_code == 403
        assert 'class="error-page"' in response.get_data(as_text=True)
    assert admin_client.get("/admin/officers").status_code == 200


def test_an_invited_officer_sets_a_password_and_signs_in(app, db, make_user, make_organization, outbox):
    make_user(email="admin@x.test", roles=["admin"], locale="en")
    make_organization(slug="bi-kaltim", name="Bank Indonesia Kalimantan Timur")
    admin = app.test_client()
    login(admin, "admin@x.test")
    response = post_form(admin, "/admin/officers", {
        "name": "Petugas BI", "email": "Petugas@BI.go.id", "organization": "bi-kaltim",
    })
    assert response.status_code == 302
    assert "petugas@bi.go.id" in admin.get("/admin/officers").get_data(as_text=True)
    assert roles_of(db, "petugas@bi.go.id") == {"officer"}

    assert [m.to for m in outbox] == [["petugas@bi.go.id"]]
    officer = app.test_client()
    link = mailed_link(outbox[0])
    assert _set_password(officer, link).status_code == 302
    assert login(officer, "petugas@bi.go.id", NEW_PASSWORD).status_code == 302
    page = officer.get("/organization")
    assert page.status_code == 200
    assert "Bank Indonesia Kalimantan Timur" in page.get_data(as_text=True)


def test_inviting_an_officer_with_a_taken_email_is_a_form_error(app, db, make_user, make_organization, outbox):
    make_user(email="admin@x.test", roles=["admin"], locale="en")
    make_user(email="sari@example.com")
    make_organization(slug="bi-kaltim")
    admin = app.test_client()
    login(admin, "admin@x.test")
    response = post_form(admin, "/admin/officers", {
        "name": "Sari", "email": "SARI@example.com", "organization": "bi-kaltim",
    })
    assert response.status_code == 200
    assert 'id="email-error">An account with this email already exists.' in response.get_data(as_text=True)
    assert roles_of(db, "sari@example.com") == {"buyer"}
    assert outbox == []
