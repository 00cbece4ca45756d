"""What buyers may learn about an artisan's training: only verified graduations the artisan chose
to show. Graduations of programs held in a correctional facility reveal a criminal record, so
they start hidden and nothing on the shop hints at them until the artisan opts in."""
from __future__ import annotations

import html as html_lib
import io
import re

import pytest
import sqlalchemy as sa

from marketplace.programs import rosters
from marketplace.programs.models import AccessLogEntry, Graduation
from tests import factories
from tests.conftest import csrf_token, use_language

SENSITIVE_WORDS = ("lapas", "pemasyarakatan", "prison", "correctional")
PUBLIC_PAGES = ("/", "/programs", "/programs/{program}", "/programs/{program}/shops", "/shops/{shop}")
PUBLIC_API = ("/api/v1/programs", "/api/v1/programs/{program}", "/api/v1/shops?program={program}")


@pytest.fixture
def prison_program(organization):
    return factories.make_program(
        organization, held_in_correctional_facility=True, slug="pelatihan-batik-lapas-2021",
        title="Pelatihan Batik Lapas Perempuan Palembang",
        venue="Lembaga Pemasyarakatan Perempuan Kelas IIA Palembang",
        description="Pelatihan membatik bagi warga binaan.",
    )


def text_of(response) -> str:
    assert response.status_code == 200, response.status
    return html_lib.unescape(response.get_data(as_text=True))


def badges(html: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", "", text).replace("✓", "").split())
            for text in re.findall(r'<a class="badge" href="[^"]+">(.*?)</a>', html, re.S)]


def graduate_shops(api, program) -> list[str]:
    response = api.get(f"/api/v1/shops?program={program.slug}")
    assert response.status_code == 200
    return [shop["slug"] for shop in response.get_json()["items"]]


def sensitive_words_in(text: str) -> list[str]:
    return [word for word in SENSITIVE_WORDS if word in text.lower()]


# --- only verified AND public graduations are ever shown -----------------------------------------

@pytest.mark.parametrize("status,public,shop_status", [
    ("claimed", True, "active"),
    ("rejected", True, "active"),
    ("verified", False, "active"),
    ("verified", True, "suspended"),
])
def test_unverified_private_or_suspended_graduates_are_on_no_public_page(
        app, api, db, client, program, status, public, shop_status):
    hidden_artisan = factories.make_artisan(name="Hidden Artisan")
    hidden_shop = factories.make_shop(hidden_artisan, name="Toko Tersembunyi", slug="toko-tersembunyi")
    factories.make_graduation(hidden_artisan, program, status=status, public=public,
                              rejection_reason="No." if status == "rejected" else None)
    # A shown graduate of the same program: the pages do list graduates, just not the hidden one.
    shown_shop = factories.make_shop(name="Toko Terlihat", slug="toko-terlihat")
    factories.make_graduation(shown_shop.owner, program, status="verified", public=True)

    hidden_shop.status = shop_status
    db.session.commit()

    for locale in ("id", "en"):
        use_language(client, locale)
        for template in PUBLIC_PAGES:
            path = template.format(program=program.slug, shop="toko-terlihat")
            assert "Toko Tersembunyi" not in text_of(client.get(path)), (locale, path)
        if shop_status == "active":
            assert badges(text_of(client.get("/shops/toko-tersembunyi"))) == [], locale
        else:
            assert client.get("/shops/toko-tersembunyi").status_code == 404
        assert "Toko Terlihat" in text_of(client.get(f"/programs/{program.slug}/shops"))
        assert len(badges(text_of(client.get("/shops/toko-terlihat")))) == 1

    for template in PUBLIC_API:
        response = api.get(template.format(program=program.slug))
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "toko-tersembunyi" not in body and "Toko Tersembunyi" not in body
        assert "Hidden Artisan" not in body
    assert graduate_shops(api, program) == ["toko-terlihat"]


def test_public_program_output_never_carries_claim_details(api, db, client, program):
    artisan = factories.make_artisan(name="Sari Wulandari", email="sari@example.com")
    factories.make_shop(artisan, slug="batik-sari")
    factories.make_graduation(artisan, program, status="verified", certificate_number="DISPERIN/2021/017")
    for path in ("/api/v1/programs", f"/api/v1/programs/{program.slug}"):
        body = api.get(path).get_data(as_text=True)
        for secret in ("DISPERIN/2021/017", "sari@example.com", "Sari Wulandari"):
            assert secret not in body, (path, secret)
    page = text_of(client.get(f"/programs/{program.slug}/shops"))
    assert "batik-sari" in page
    assert "DISPERIN/2021/017" not in page and "sari@example.com" not in page


# --- correctional-facility programs start private ------------------------------------------------

def test_claims_default_to_private_for_correctional_programs_only(api, db, artisan, program, prison_program):
    for claimed, expected in ((program, True), (prison_program, False)):
        response = api.post("/api/v1/graduations", user=artisan, json={
            "program": claimed.slug, "certificate_number": f"NO-{claimed.id}", "graduated_on": "2021-06-05"})
        assert response.status_code == 201
        assert response.get_json()["public"] is expected, claimed.slug


def test_a_graduation_from_an_invitation_defaults_to_private_for_correctional_programs(
        app, db, officer, program, prison_program):
    roster = ("name,email,certificate_number,graduated_on\n"
              "Siti Aminah,siti@example.com,WB-001,2021-06-05\n")
    for invited, expected, email in ((program, True, "siti@example.com"),
                                     (prison_program, False, "siti2@example.com")):
        code = rosters.import_roster(officer, invited.slug, io.BytesIO(roster.encode()))[0].code
        browser = app.test_client()
        response = browser.post("/register/invitation", data={
            "name": "Siti Aminah", "email": email, "password": factories.PASSWORD,
            "confirm": factories.PASSWORD, "invitation_code": code,
            "csrf_token": csrf_token(browser, "/register/invitation"),
        })
        assert response.status_code == 302
        graduation = db.session.scalars(sa.select(Graduation).filter_by(program_id=invited.id)).one()
        assert (graduation.status, graduation.public) == ("verified", expected)


def shop_page_in(client, locale: str, slug="batik-sari") -> str:
    use_language(client, locale, f"/shops/{slug}")
    return text_of(client.get(f"/shops/{slug}"))


def test_a_verified_correctional_graduation_leaves_no_trace_until_the_artisan_opts_in(
        app, api, db, client, client_for, artisan, shop, officer, prison_program, outbox):
    claimed = api.post("/api/v1/graduations", user=artisan, json={
        "program": prison_program.slug, "certificate_number": "LP/2021/003", "graduated_on": "2021-06-05"})
    graduation_id = claimed.get_json()["id"]
    assert api.post(f"/api/v1/graduations/{graduation_id}/verify", user=officer).status_code == 200
    assert "It stays hidden from buyers until you choose to show it." in outbox[0].body

    for locale in ("id", "en"):
        page = shop_page_in(client, locale)
        assert "Batik Sari Jumputan" in page  # the shop itself is public
        assert badges(page) == []
        assert sensitive_words_in(page) == [], locale
    assert "Batik Sari Jumputan" not in text_of(client.get(f"/programs/{prison_program.slug}/shops"))
    assert graduate_shops(api, prison_program) == []

    opted_in = api.patch(f"/api/v1/graduations/{graduation_id}", user=artisan,
                         json={"public": True, "confirm_correctional_facility_shown": True})
    assert opted_in.status_code == 200 and opted_in.get_json()["public"] is True
    assert badges(shop_page_in(client, "id")) == ["Lulusan Pelatihan Batik Lapas Perempuan Palembang 2021"]
    assert badges(shop_page_in(client, "en")) == ["Graduate of Pelatihan Batik Lapas Perempuan Palembang 2021"]
    assert "Batik Sari Jumputan" in text_of(client.get(f"/programs/{prison_program.slug}/shops"))
    assert graduate_shops(api, prison_program) == ["batik-sari"]

    sari = client_for(artisan)
    response = sari.post(f"/dashboard/graduations/{graduation_id}/visibility", data={
        "public": "0", "csrf_token": csrf_token(sari, "/dashboard/graduations")})
    assert response.status_code == 302
    for locale in ("id", "en"):
        page = shop_page_in(client, locale)
        assert badges(page) == []
        assert sensitive_words_in(page) == [], locale
    assert graduate_shops(api, prison_program) == []


def test_the_artisan_opts_in_on_the_page_after_seeing_what_buyers_will_see(
        db, client, client_for, artisan, shop, prison_program):
    graduation = factories.make_graduation(artisan, prison_program, status="verified")
    assert graduation.public is False
    sari = client_for(artisan)
    use_language(sari, "en", "/dashboard/graduations")
    assert "Hidden from buyers." in text_of(sari.get("/dashboard/graduations"))
    # "Show on my shop" is not one tap: it leads to a page that shows the badge and the program's
    # public facts, the facility's name included, and changes nothing yet.
    confirm_path = f"/dashboard/graduations/{graduation.id}/show"
    response = sari.post(f"/dashboard/graduations/{graduation.id}/visibility", data={
        "public": "1", "csrf_token": csrf_token(sari, "/dashboard/graduations")})
    assert response.status_code == 302 and response.headers["Location"] == confirm_path
    page = text_of(sari.get(confirm_path))
    assert badges(page) == ["Graduate of Pelatihan Batik Lapas Perempuan Palembang 2021"]
    assert "Lembaga Pemasyarakatan Perempuan Kelas IIA Palembang" in page
    assert 'name="understood"' in page
    assert badges(shop_page_in(client, "en")) == []

    unticked = sari.post(confirm_path, data={"csrf_token": csrf_token(sari, confirm_path)})
    assert unticked.status_code == 200
    assert "Tick the box to confirm, or go back." in text_of(unticked)
    assert badges(shop_page_in(client, "en")) == []

    confirmed = sari.post(confirm_path, data={"understood": "y", "csrf_token": csrf_token(sari, confirm_path)})
    assert confirmed.status_code == 302
    assert badges(shop_page_in(client, "en")) == ["Graduate of Pelatihan Batik Lapas Perempuan Palembang 2021"]

    # Withdrawing consent stays one step, and immediate.
    hidden = sari.post(f"/dashboard/graduations/{graduation.id}/visibility", data={
        "public": "0", "csrf_token": csrf_token(sari, "/dashboard/graduations")})
    assert hidden.status_code == 302 and hidden.headers["Location"] == "/dashboard/graduations"
    assert badges(shop_page_in(client, "en")) == []


def test_a_normal_programs_badge_is_still_one_tap(db, client, client_for, artisan, shop, program):
    graduation = factories.make_graduation(artisan, program, status="verified", public=False)
    sari = client_for(artisan)
    response = sari.post(f"/dashboard/graduations/{graduation.id}/visibility", data={
        "public": "1", "csrf_token": csrf_token(sari, "/dashboard/graduations")})
    assert response.headers["Location"] == "/dashboard/graduations"
    assert len(badges(shop_page_in(client, "en"))) == 1
    assert sari.get(f"/dashboard/graduations/{graduation.id}/show").status_code == 302  # nothing to confirm


def test_the_api_shows_a_correctional_graduation_only_with_the_explicit_confirmation(
        api, db, client, artisan, shop, program, prison_program):
    graduation = factories.make_graduation(artisan, prison_program, status="verified")
    path = f"/api/v1/graduations/{graduation.id}"
    for body in ({"public": True}, {"public": True, "confirm_correctional_facility_shown": False}):
        refused = api.patch(path, user=artisan, json=body)
        assert refused.status_code == 422
        assert "confirm_correctional_facility_shown" in refused.get_json()["errors"]
    assert badges(shop_page_in(client, "en")) == []
    assert api.patch(path, user=artisan, json={"public": True, "confirm_correctional_facility_shown": True}) \
        .get_json()["public"] is True
    assert api.patch(path, user=artisan, json={"public": False}).get_json()["public"] is False
    normal = factories.make_graduation(artisan, program, status="verified", public=False)
    assert api.patch(f"/api/v1/graduations/{normal.id}", user=artisan, json={"public": True}).status_code == 200
    schema = api.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["GraduationPatch"]
    assert "confirm_correctional_facility_shown" in schema["properties"]


# --- the correctional-facility setting cannot be used to publish graduates (finding 1) ------------

def test_an_officer_cannot_switch_the_correctional_facility_setting(api, db, client_for, officer, prison_program):
    refused = api.patch(f"/api/v1/programs/{prison_program.slug}", user=officer,
                        json={"held_in_correctional_facility": False})
    assert refused.status_code == 422
    assert "held_in_correctional_facility" in refused.get_json()["errors"]
    db.session.expire_all()
    assert prison_program.held_in_correctional_facility is True
    # Other edits still work, and sending the unchanged value is no change.
    assert api.patch(f"/api/v1/programs/{prison_program.slug}", user=officer,
                     json={"held_in_correctional_facility": True, "participant_count": 12}).status_code == 200
    # The officer's edit form does not offer the setting; a forged field changes nothing.
    petugas = client_for(officer)
    edit = f"/officer/programs/{prison_program.slug}/edit"
    assert 'name="held_in_correctional_facility"' not in text_of(petugas.get(edit))
    form = {"title": prison_program.title, "kind": "bimtek", "techniques": ["cap"], "venue": "Lapas",
            "city": "Kota Palembang", "province": "Sumatera Selatan", "start_date": "2021-06-03",
            "end_date": "2021-06-05", "csrf_token": csrf_token(petugas, edit)}
    assert petugas.post(edit, data=form).status_code == 302
    db.session.expire_all()
    assert prison_program.held_in_correctional_facility is True


def test_switching_the_setting_off_and_on_leaves_every_graduate_private(
        api, db, client, artisan, shop, organization, prison_program):
    admin = factories.make_user(roles=["admin"])
    officer = factories.make_user(roles=["officer"], organization=organization)
    shown = factories.make_graduation(artisan, prison_program, status="verified", public=True)
    assert api.patch(f"/api/v1/programs/{prison_program.slug}", user=admin,
                     json={"held_in_correctional_facility": False}).status_code == 200
    # Off: logging and new claims still follow the program's history.
    newcomer = factories.make_artisan()
    claimed = api.post("/api/v1/graduations", user=newcomer, json={
        "program": prison_program.slug, "certificate_number": "LP/9", "graduated_on": "2021-06-05"})
    assert claimed.get_json()["public"] is False
    assert api.get(f"/api/v1/graduations/{claimed.get_json()['id']}", user=newcomer).status_code == 200
    factories.make_graduation(factories.make_artisan(), prison_program, status="verified", public=True)
    services_log = db.session.scalar(sa.select(sa.func.count()).select_from(AccessLogEntry))
    assert api.post(f"/api/v1/graduations/{claimed.get_json()['id']}/verify", user=officer).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessLogEntry)) == services_log + 1
    # On again: every graduation of the program is private until its artisan opts in again.
    assert api.patch(f"/api/v1/programs/{prison_program.slug}", user=admin,
                     json={"held_in_correctional_facility": True}).status_code == 200
    db.session.expire_all()
    assert db.session.scalars(sa.select(Graduation.public).filter_by(program_id=prison_program.id)).all() \
        == [False, False, False]
    assert shown.public is False
    assert badges(shop_page_in(client, "en")) == []
    assert graduate_shops(api, prison_program) == []


def test_an_opted_out_normal_graduation_is_hidden_too(db, client, artisan, shop, program, prison_program):
    factories.make_graduation(artisan, program, status="verified", public=False)
    factories.make_graduation(artisan, prison_program, status="verified")
    assert badges(shop_page_in(client, "en")) == []
    factories.make_graduation(factories.make_artisan(), prison_program, status="verified", public=True)
    assert badges(shop_page_in(client, "en")) == []  # another artisan's choice changes nothing here
