"""Indonesian by default, English on request; rupiah and dates as buyers read them."""
from __future__ import annotations

from datetime import date

import pytest
from flask import render_template_string
from flask_babel import force_locale

from marketplace.accounts import services
from marketplace.programs import officers
from marketplace.accounts.models import User
from marketplace.core.i18n import format_day, format_rupiah
from tests.conftest import csrf_token, login, use_language


def page(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_site_speaks_indonesian_by_default(client):
    html = page(client)
    assert '<html lang="id">' in html
    assert ">Masuk</a>" in html
    assert ">Buat akun</a>" in html


def test_the_language_switch_turns_the_site_english_for_the_session(client):
    response = use_language(client, "en", "/login")
    assert response.headers["Location"] == "/login"
    html = page(client)
    assert '<html lang="en">' in html
    assert ">Sign in</a>" in html
    assert ">Create account</a>" in html
    use_language(client, "id")
    assert ">Masuk</a>" in page(client)


def test_an_unknown_language_changes_nothing(client):
    response = client.post("/language", data={"locale": "fr", "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert '<html lang="id">' in page(client)


def test_a_signed_in_users_choice_is_saved_on_their_account(app, db, make_user):
    user = make_user(email="sari@x.test", locale="id")
    client = app.test_client()
    login(client, "sari@x.test")
    assert '<html lang="id">' in page(client, "/account")
    use_language(client, "en", "/account")
    assert db.session.get(User, user.id, populate_existing=True).locale == "en"
    # Next visit, on another device: the account's language wins.
    elsewhere = app.test_client()
    login(elsewhere, "sari@x.test")
    assert '<html lang="en">' in page(elsewhere, "/account")


def test_the_accounts_language_wins_over_the_visitors_after_sign_in(app, make_user):
    make_user(email="sari@x.test", locale="id")
    client = app.test_client()
    use_language(client, "en", "/login")
    login(client, "sari@x.test")
    assert '<html lang="id">' in page(client, "/account")


def test_mail_is_written_in_the_recipients_language(app, make_user, outbox):
    make_user(email="sari@x.test", locale="id")
    make_user(email="jane@x.test", locale="en")
    client = app.test_client()
    use_language(client, "en", "/password/reset")
    for email in ("sari@x.test", "jane@x.test"):
        client.post("/password/reset", data={"email": email,
                                             "csrf_token": csrf_token(client, "/password/reset")})
    subjects = {message.to[0]: message.subject for message in outbox}
    assert subjects["jane@x.test"] == "Choose a new Canting password"
    assert subjects["sari@x.test"] != subjects["jane@x.test"]


@pytest.mark.parametrize(("locale", "expected"), [("id", "Rp 1.250.000"), ("en", "Rp 1,250,000")])
def test_rupiah_grouping_follows_the_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert format_rupiah(1250000) == expected
        assert render_template_string("{{ amount|rupiah }}", amount=1250000) == expected


def test_rupiah_of_nothing_is_empty_and_of_zero_is_zero(app):
    with app.test_request_context(), force_locale("id"):
        assert format_rupiah(None) == ""
        assert format_rupiah(0) == "Rp 0"


@pytest.mark.parametrize(("locale", "expected"), [("id", "3 Juni 2021"), ("en", "June 3, 2021")])
def test_dates_read_naturally_in_each_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert format_day(date(2021, 6, 3)) == expected
        assert render_template_string("{{ d|day }}", d=date(2021, 6, 3)) == expected


def test_services_used_outside_a_request_fall_back_to_indonesian(app, db):
    # A CLI command has no visitor; a rule broken there still gets a readable message.
    with pytest.raises(services.ValidationFailed) as raised:
        officers.create_user(email="o@x.test", roles=["officer"], password="long enough 1")
    assert raised.value.field == "organization"
    assert raised.value.message != "An officer must belong to an organization."  # Indonesian


def test_form_errors_from_wtforms_itself_are_in_the_visitors_language(client, artisan_client):
    """WTForms ships no Indonesian; its messages come from our catalogue."""
    token = csrf_token(client, "/login")
    indonesian = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert "Kolom ini wajib diisi." in indonesian.get_data(as_text=True)

    form = {"csrf_token": csrf_token(artisan_client, "/dashboard/shop"), "name": "Batik Nurul",
            "city": "Kota Palembang", "province": "Sumatera Selatan", "shipping_origin": "x" * 300}
    too_long = artisan_client.post("/dashboard/shop", data=form).get_data(as_text=True)
    assert "Isian maksimal 255 karakter." in too_long  # a plural message (Length)

    use_language(client, "en")
    english = client.post("/login", data={"email": "", "password": "", "csrf_token": csrf_token(client, "/login")})
    assert "This field is required." in english.get_data(as_text=True)
