"""Program pages: organizations (admin list and form, the officer's own), claims and their
verification, rosters and invitation codes, certificates, the access log and public program pages."""
from __future__ import annotations

import html as html_lib
import io
import random
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from marketplace.accounts.models import User
from marketplace.core.storage import storage
from marketplace.extensions import db as _db
from marketplace.programs import rosters
from marketplace.programs.models import AccessLogEntry, Graduation, Invitation, Organization, TrainingProgram
from tests import factories
from tests.conftest import csrf_token, login, use_language

ORGANIZATION = {"name": "Dekranasda Kabupaten Banyuasin", "slug": "dekranasda-banyuasin",
                "kind": "craft_council", "province": "Sumatera Selatan"}


def organization_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organization))


def english_admin(app, make_user):
    make_user(email="admin@x.test", roles=["admin"], locale="en")
    client = app.test_client()
    assert login(client, "admin@x.test").status_code == 302
    return client


def create_organization(client, **fields):
    data = {**ORGANIZATION, **fields, "csrf_token": csrf_token(client, "/admin/organizations")}
    return client.post("/admin/organizations", data=data)


def test_organization_admin_is_for_admins_only(client, buyer_client, officer_client, admin_client):
    anonymous = client.get("/admin/organizations")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login?next=%2Fadmin%2Forganizations")
    for role_client in (buyer_client, officer_client):
        response = role_client.get("/admin/organizations")
        assert response.status_code == 403
        assert 'class="error-page"' in response.get_data(as_text=True)
    assert admin_client.get("/admin/organizations").status_code == 200


def test_a_buyer_cannot_create_an_organization(db, buyer_client):
    response = buyer_client.post("/admin/organizations",
                                 data={**ORGANIZATION, "csrf_token": csrf_token(buyer_client, "/account")})
    assert response.status_code == 403
    assert organization_count(db) == 0


def test_an_admin_creates_an_organization(app, db, make_user):
    admin = english_admin(app, make_user)
    response = create_organization(admin)
    assert response.status_code == 302
    organization = db.session.scalars(sa.select(Organization)).one()
    assert (organization.name, organization.slug, organization.kind, organization.province) == (
        "Dekranasda Kabupaten Banyuasin", "dekranasda-banyuasin", "craft_council", "Sumatera Selatan")
    page = admin.get("/admin/organizations").get_data(as_text=True)
    assert "Dekranasda Kabupaten Banyuasin" in page
    assert "Craft council" in page


def test_a_taken_slug_is_a_form_error(app, db, make_user, make_organization):
    make_organization(slug="dekranasda-banyuasin", name="The first one")
    admin = english_admin(app, make_user)
    response = create_organization(admin)
    assert response.status_code == 200
    assert re.search(r'id="slug-error">Another organization already uses this short name\.',
                     response.get_data(as_text=True))
    assert organization_count(db) == 1


def test_a_slug_with_capitals_or_spaces_is_a_form_error(app, db, make_user):
    admin = english_admin(app, make_user)
    response = create_organization(admin, slug="Dekranasda Banyuasin")
    assert response.status_code == 200
    assert 'id="slug-error"' in response.get_data(as_text=True)
    assert organization_count(db) == 0


def test_an_unknown_province_is_a_form_error(app, db, make_user):
    admin = english_admin(app, make_user)
    response = create_organization(admin, province="Atlantis")
    assert response.status_code == 200
    assert 'id="province-error"' in response.get_data(as_text=True)
    assert organization_count(db) == 0


def test_an_officer_sees_their_own_organization_and_its_programs(db, officer_client, make_organization):
    own = officer_client.user.organization
    other = make_organization(name="Kantor Perwakilan BI Kaltim")
    for organization, title in ((own, "Bimtek Batik Cap"), (other, "Coaching Motif Kaltim")):
        _db.session.add(TrainingProgram(
            organization=organization, slug=title.lower().replace(" ", "-"), title=title, kind="bimtek",
            venue="Rumah Batik", city="Kota Palembang", province="Sumatera Selatan",
            start_date=date(2021, 6, 3), end_date=date(2021, 6, 3),
        ))
    _db.session.commit()
    page = officer_client.get("/organization")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert own.name in html
    assert "Bimtek Batik Cap" in html
    assert "Coaching Motif Kaltim" not in html
    assert other.name not in html


def test_the_organization_page_is_for_officers_only(client, buyer_client, admin_client):
    anonymous = client.get("/organization")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login")
    assert buyer_client.get("/organization").status_code == 403
    assert admin_client.get("/organization").status_code == 403


# === graduations, claims and their verification ==================================================

PROGRAM_SLUG = "bimtek-jumputan-2021"
BADGE_ID = "Lulusan Bimtek Batik Jumputan Palembang 2021"
BADGE_EN = "Graduate of Bimtek Batik Jumputan Palembang 2021"
REGISTRATION = {"name": "Siti Aminah", "email": "siti@example.com", "password": factories.PASSWORD,
                "confirm": factories.PASSWORD}
ROSTER = ("name,email,phone,certificate_number,graduated_on\n"
          "Siti Aminah,siti@example.com,,WUB-001,2021-06-05\n"
          "Dewi Lestari,,0812 3456 7890,WUB-002,05/06/2021\n")


def text_of(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def post_form(client, path, data, form_page=None, **kwargs):
    """Submit a form the way a browser does: with the CSRF token from the page it is on."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page or path)}, **kwargs)


def badge_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each training badge on a page."""
    return [(href, " ".join(re.sub(r"<[^>]+>", "", text).replace("✓", "").split()))
            for href, text in re.findall(r'<a class="badge" href="([^"]+)">(.*?)</a>', html, re.S)]


def graduate_shops_section(html: str) -> str:
    return html.split('id="graduate', 1)[1]


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (122, 59, 18)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0131] = "Kamera Sari"
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (122, 59, 18)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert dict(Image.open(io.BytesIO(data)).getexif())
    return data


def claim_on_page(client, certificate: tuple[bytes, str] | None = None, **fields):
    data = {"program": PROGRAM_SLUG, "certificate_number": "DISPERIN/2021/017", "graduated_on": "2021-06-05",
            **fields}
    if certificate is not None:
        data["certificate"] = (io.BytesIO(certificate[0]), certificate[1])
    return post_form(client, "/dashboard/graduations", data, content_type="multipart/form-data")


def only_graduation(db) -> Graduation:
    db.session.expire_all()
    return db.session.scalars(sa.select(Graduation)).one()


def uploaded_files(app) -> set[Path]:
    return {p for p in Path(app.config["UPLOAD_ROOT"]).rglob("*") if p.is_file()}


def test_claim_verify_and_the_badge_shows_on_the_shop_and_the_program(
        app, db, client_for, client, artisan, shop, officer, program, outbox):
    sari = client_for(artisan)
    response = claim_on_page(sari)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/graduations"
    page = text_of(sari.get("/dashboard/graduations"))
    assert "Your claim was sent to the program's officers." in page
    assert "Waiting for verification" in page
    graduation = only_graduation(db)
    assert (graduation.status, graduation.public) == ("claimed", True)
    assert badge_links(client.get("/shops/batik-sari").get_data(as_text=True)) == []

    petugas = client_for(officer)
    queue = text_of(petugas.get("/officer/claims"))
    assert f'href="/officer/claims/{graduation.id}"' in queue
    assert "Sari Wulandari" in queue
    claim_page = text_of(petugas.get(f"/officer/claims/{graduation.id}"))
    assert "DISPERIN/2021/017" in claim_page and "sari@example.com" in claim_page
    response = post_form(petugas, f"/officer/claims/{graduation.id}", {"decision": "verify"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/officer/claims"
    assert "Verified. The artisan has been told." in text_of(petugas.get("/officer/claims"))
    assert only_graduation(db).status == "verified"
    assert [m.to for m in outbox] == [["sari@example.com"]]
    assert "Bimtek Batik Jumputan Palembang" in outbox[0].subject

    assert badge_links(client.get("/shops/batik-sari").get_data(as_text=True)) == [
        (f"/programs/{PROGRAM_SLUG}", BADGE_ID)]
    program_page = graduate_shops_section(text_of(client.get(f"/programs/{PROGRAM_SLUG}")))
    assert f'href="/programs/{PROGRAM_SLUG}/shops"' in program_page
    shops = text_of(client.get(f"/programs/{PROGRAM_SLUG}/shops"))
    assert '<a href="/shops/batik-sari">Batik Sari Jumputan</a>' in shops
    use_language(client, "en")
    assert badge_links(client.get("/shops/batik-sari").get_data(as_text=True)) == [
        (f"/programs/{PROGRAM_SLUG}", BADGE_EN)]
    english = text_of(client.get(f"/programs/{PROGRAM_SLUG}/shops"))
    assert "Shop the graduates" in english
    assert "Batik Sari Jumputan" in graduate_shops_section(english)


def test_a_rejection_needs_a_reason_then_tells_the_artisan_why(db, client_for, client, artisan, shop, officer,
                                                               program, outbox):
    graduation = factories.make_graduation(artisan, program)
    petugas = client_for(officer)
    path = f"/officer/claims/{graduation.id}"
    empty = post_form(petugas, path, {"decision": "reject", "reason": "  "})
    assert empty.status_code == 200
    assert 'id="reason-error"' in empty.get_data(as_text=True)
    assert only_graduation(db).status == "claimed"
    assert outbox == []

    response = post_form(petugas, path, {"decision": "reject", "reason": "Nomor sertifikat tidak terdaftar."})
    assert response.status_code == 302
    assert only_graduation(db).status == "rejected"
    assert len(outbox) == 1 and "Nomor sertifikat tidak terdaftar." in outbox[0].body
    mine = text_of(client_for(artisan).get("/dashboard/graduations"))
    assert "Rejected" in mine and "Nomor sertifikat tidak terdaftar." in mine
    assert badge_links(client.get("/shops/batik-sari").get_data(as_text=True)) == []
    assert "Batik Sari Jumputan" not in text_of(client.get(f"/programs/{PROGRAM_SLUG}/shops"))


def test_deciding_a_claim_twice_on_the_page_changes_nothing(db, client_for, artisan, officer, program, outbox):
    graduation = factories.make_graduation(artisan, program)
    petugas = client_for(officer)
    path = f"/officer/claims/{graduation.id}"
    assert post_form(petugas, path, {"decision": "verify"}).status_code == 302
    petugas.get("/officer/claims")  # the success message
    again = post_form(petugas, path, {"decision": "reject", "reason": "Changed my mind"})
    assert again.status_code == 302
    assert "This claim was already decided (Verified)." in text_of(petugas.get("/officer/claims"))
    assert only_graduation(db).status == "verified"
    assert len(outbox) == 1
    decided = text_of(petugas.get(path))
    assert 'name="decision"' not in decided


def test_officers_of_other_organizations_get_404(app, db, client_for, artisan, program, outbox):
    graduation = factories.make_graduation(artisan, program)
    stranger = client_for(factories.make_user(roles=["officer"], organization=factories.make_organization(),
                                              locale="en"))
    own_program = factories.make_program(stranger.user.organization)
    factories.make_graduation(factories.make_artisan(name="Their Own Artisan"), own_program)
    for path in (f"/officer/claims/{graduation.id}", f"/officer/programs/{program.slug}/graduates",
                 f"/officer/programs/{program.slug}/roster", f"/officer/programs/{program.slug}/invitations",
                 f"/officer/programs/{program.slug}/edit"):
        assert stranger.get(path).status_code == 404, path
    token = csrf_token(stranger, "/officer/claims")
    for data in ({"decision": "verify"}, {"decision": "reject", "reason": "Not ours"}):
        response = stranger.post(f"/officer/claims/{graduation.id}", data={**data, "csrf_token": token})
        assert response.status_code == 404
    roster = stranger.post(f"/officer/programs/{program.slug}/roster", content_type="multipart/form-data",
                           data={"roster": (io.BytesIO(ROSTER.encode()), "lulusan.csv"), "csrf_token": token})
    assert roster.status_code == 404
    queue = text_of(stranger.get("/officer/claims"))
    assert "Their Own Artisan" in queue
    assert "Sari Wulandari" not in queue and f"/officer/claims/{graduation.id}\"" not in queue
    assert only_graduation_status(db, graduation.id) == "claimed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert outbox == []


def only_graduation_status(db, graduation_id) -> str:
    db.session.expire_all()
    return db.session.get(Graduation, graduation_id).status


def test_claims_pages_are_for_officers_and_admins(db, client_for, client, artisan, program, admin_client):
    graduation = factories.make_graduation(artisan, program)
    assert client.get("/officer/claims").status_code == 302
    sari = client_for(artisan)
    assert sari.get("/officer/claims").status_code == 403
    assert sari.get(f"/officer/claims/{graduation.id}").status_code == 403
    assert admin_client.get(f"/officer/claims/{graduation.id}").status_code == 200
    assert "Sari Wulandari" in text_of(admin_client.get("/officer/claims"))


def test_the_artisan_shows_and_hides_a_badge_with_the_visibility_form(db, client_for, client, artisan, shop,
                                                                      program):
    graduation = factories.make_graduation(artisan, program, status="verified")
    sari = client_for(artisan)
    path = f"/dashboard/graduations/{graduation.id}/visibility"
    assert len(badge_links(client.get("/shops/batik-sari").get_data(as_text=True))) == 1
    assert post_form(sari, path, {"public": "0"}, form_page="/dashboard/graduations").status_code == 302
    assert "Hidden from buyers." in text_of(sari.get("/dashboard/graduations"))
    assert badge_links(client.get("/shops/batik-sari").get_data(as_text=True)) == []
    assert "Batik Sari Jumputan" not in text_of(client.get(f"/programs/{PROGRAM_SLUG}/shops"))
    assert post_form(sari, path, {"public": "1"}, form_page="/dashboard/graduations").status_code == 302
    assert len(badge_links(client.get("/shops/batik-sari").get_data(as_text=True))) == 1

    other = client_for(factories.make_artisan())
    response = post_form(other, path, {"public": "0"}, form_page="/dashboard/graduations")
    assert response.status_code == 404
    assert post_form(other, f"/dashboard/graduations/{graduation.id}/withdraw", {},
                     form_page="/dashboard/graduations").status_code == 404
    db.session.expire_all()
    assert db.session.get(Graduation, graduation.id).public is True


# --- certificates -------------------------------------------------------------------------------

def test_withdrawing_a_claim_deletes_its_certificate(app, db, client_for, artisan, program):
    sari = client_for(artisan)
    assert claim_on_page(sari, (png_bytes(), "sertifikat.png")).status_code == 302
    graduation = only_graduation(db)
    graduation_id, path = graduation.id, Path(app.config["UPLOAD_ROOT"]) / graduation.certificate_key
    assert path.is_file()
    response = post_form(sari, f"/dashboard/graduations/{graduation_id}/withdraw", {},
                         form_page="/dashboard/graduations")
    assert response.status_code == 302
    assert not path.exists()
    db.session.expire_all()
    assert db.session.scalars(sa.select(Graduation)).all() == []
    assert sari.get(f"/graduations/{graduation_id}/certificate").status_code == 404


@pytest.mark.parametrize("data,filename", [
    (b"MZ\x90\x00 this is a program, not a certificate", "sertifikat.png"),
    (b"<html><script>alert(1)</script></html>", "sertifikat.pdf"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "sertifikat.gif"),
])
def test_a_certificate_that_is_not_an_image_or_pdf_is_a_form_error(app, db, client_for, artisan, program,
                                                                  data, filename):
    before = uploaded_files(app)
    response = claim_on_page(client_for(artisan), (data, filename))
    assert response.status_code == 200
    assert 'id="certificate-error"' in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Graduation)).all() == []
    assert uploaded_files(app) == before


@pytest.mark.parametrize("kind", ["png", "pdf"])
def test_a_certificate_over_the_limit_is_a_form_error(app, db, client_for, artisan, program, monkeypatch, kind):
    monkeypatch.setitem(app.config, "CERTIFICATE_MAX_BYTES", 1000)
    if kind == "png":
        out = io.BytesIO()
        Image.frombytes("L", (64, 64), random.Random(7).randbytes(64 * 64)).save(out, "PNG")
        data = out.getvalue()
    else:
        data = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"
    assert len(data) > 1000
    before = uploaded_files(app)
    response = claim_on_page(client_for(artisan), (data, f"sertifikat.{kind}"))
    assert response.status_code == 200
    assert re.search(r'id="certificate-error">The file is larger than \d+ MB\.', text_of(response))
    assert db.session.scalars(sa.select(Graduation)).all() == []
    assert uploaded_files(app) == before


def test_an_uploaded_png_is_stored_and_a_photo_loses_its_exif(app, db, client_for, artisan, program):
    sari = client_for(artisan)
    assert claim_on_page(sari, (png_bytes(), "sertifikat.png")).status_code == 302
    graduation = only_graduation(db)
    stored = Image.open(io.BytesIO((Path(app.config["UPLOAD_ROOT"]) / graduation.certificate_key).read_bytes()))
    assert (stored.format, stored.size) == ("PNG", (40, 30))

    other_program = factories.make_program(program.organization, slug="coaching-2021")
    response = claim_on_page(sari, (jpeg_with_exif(), "IMG_2041.JPG"), program="coaching-2021")
    assert response.status_code == 302
    db.session.expire_all()
    photo = db.session.scalars(sa.select(Graduation).filter_by(program_id=other_program.id)).one()
    data = (Path(app.config["UPLOAD_ROOT"]) / photo.certificate_key).read_bytes()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {} and "exif" not in image.info
    assert b"Canon" not in data


def test_only_the_artisan_and_the_programs_officers_open_a_certificate(
        app, db, client_for, client, artisan, officer, program, admin_client):
    sari = client_for(artisan)
    claim_on_page(sari, (png_bytes(), "sertifikat.png"))
    path = f"/graduations/{only_graduation(db).id}/certificate"
    for reader in (sari, client_for(officer), admin_client):
        response = reader.get(path)
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert "no-store" in response.headers["Cache-Control"]
        assert Image.open(io.BytesIO(response.data)).size == (40, 30)
    outsiders = (factories.make_artisan(), factories.make_user(roles=["buyer"]),
                 factories.make_user(roles=["officer"], organization=factories.make_organization()))
    for outsider in outsiders:
        assert client_for(outsider).get(path).status_code == 404
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


# --- rosters and invitation codes ----------------------------------------------------------------

def upload_roster(client, slug, text: str, filename="lulusan.csv"):
    return post_form(client, f"/officer/programs/{slug}/roster",
                     {"roster": (io.BytesIO(text.encode()), filename)}, content_type="multipart/form-data")


def invitation_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Invitation))


@pytest.mark.parametrize("bad_row,column", [
    ("Rina Marlina,rina@example.com,,WUB-003,31/02/2021", "graduation date"),
    ("Rina Marlina,rina@example.com,,WUB-001,2021-06-05", "certificate number"),
    ("Rina Marlina,,,WUB-003,2021-06-05", "email"),
])
def test_a_roster_with_one_bad_row_imports_nothing_and_names_the_row(db, client_for, officer, program, outbox,
                                                                    bad_row, column):
    response = upload_roster(client_for(officer), program.slug, ROSTER + bad_row + "\n")
    assert response.status_code == 200
    page = text_of(response)
    assert "The roster has 1 problem; nothing was imported." in page
    assert re.search(rf"<tr><td>4</td><td>{column}</td><td>[^<]+</td></tr>", page), page
    assert invitation_count(db) == 0
    assert outbox == []


def test_a_good_roster_lists_codes_and_mails_the_graduates_with_email(db, client_for, officer, program, outbox):
    petugas = client_for(officer)
    response = upload_roster(petugas, program.slug, ROSTER)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/officer/programs/{program.slug}/invitations"
    page = text_of(petugas.get(response.headers["Location"]))
    assert "2 invitations created." in page
    codes = dict(db.session.execute(sa.select(Invitation.name, Invitation.code)).all())
    assert set(codes) == {"Siti Aminah", "Dewi Lestari"}
    for code in codes.values():
        assert f'<code class="code">{code}</code>' in page
    assert [m.to for m in outbox] == [["siti@example.com"]]
    assert codes["Siti Aminah"] in outbox[0].body


def test_a_semicolon_roster_with_indonesian_headers_is_accepted(db, client_for, officer, program):
    text = ("nama;surel;telepon;nomor_sertifikat;tanggal_lulus\n"
            "Siti Aminah;siti@example.com;;WUB-001;05/06/2021\n"
            "Dewi Lestari;;0812 3456 7890;WUB-002;2021-06-05\n")
    response = upload_roster(client_for(officer), program.slug, text)
    assert response.status_code == 302
    rows = db.session.execute(sa.select(Invitation.name, Invitation.phone, Invitation.certificate_number,
                                        Invitation.graduated_on).order_by(Invitation.certificate_number)).all()
    assert rows == [("Siti Aminah", None, "WUB-001", date(2021, 6, 5)),
                    ("Dewi Lestari", "0812 3456 7890", "WUB-002", date(2021, 6, 5))]


def test_a_roster_file_is_required(db, client_for, officer, program):
    response = post_form(client_for(officer), f"/officer/programs/{program.slug}/roster", {})
    assert response.status_code == 200
    assert 'id="roster-error"' in response.get_data(as_text=True)
    assert invitation_count(db) == 0


def roster_codes(db, officer, program) -> dict[str, str]:
    from marketplace.programs import rosters

    invitations = rosters.import_roster(officer, program.slug, io.BytesIO(ROSTER.encode()))
    return {i.name: i.code for i in invitations}


def user_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


CODE_REFUSED = "This invitation code is not valid or has already been used."


def test_registering_with_an_invitation_code_gives_a_verified_graduation_once(app, db, client, officer,
                                                                              program, outbox):
    code = roster_codes(db, officer, program)["Siti Aminah"]
    old_link = client.get(f"/register?code={code}")  # links in mails sent before the move
    assert old_link.status_code == 302
    form = text_of(client.get(old_link.headers["Location"]))
    assert f'value="{code}"' in form
    response = post_form(client, "/register/invitation", {**REGISTRATION, "invitation_code": code})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    siti = db.session.scalar(User.by_email("siti@example.com"))
    assert siti.roles == {"buyer", "artisan"}
    graduation = db.session.scalars(Graduation.of_artisan(siti.id)).one()
    assert (graduation.status, graduation.source, graduation.program_id) == ("verified", "roster", program.id)
    confirm = re.search(r"http://localhost(/register/confirm/\S+)", outbox[-1].body).group(1)
    assert post_form(client, confirm, {}).status_code == 302
    assert "dari daftar lulusan program" in text_of(client.get("/dashboard/graduations"))  # signed in, Indonesian

    users = user_count(db)
    second = app.test_client()
    use_language(second, "en")
    again = post_form(second, "/register/invitation",
                      {**REGISTRATION, "email": "dewi@example.com", "invitation_code": code})
    assert again.status_code == 200
    assert f'id="invitation_code-error">{CODE_REFUSED}' in text_of(again)
    assert user_count(db) == users
    assert db.session.scalar(User.by_email("dewi@example.com")) is None

    artisan = factories.make_artisan(locale="en")
    signed_in = app.test_client()
    login(signed_in, artisan.email)
    redeem = post_form(signed_in, "/dashboard/graduations/redeem", {"code": code},
                       form_page="/dashboard/graduations")
    assert redeem.status_code == 302
    assert CODE_REFUSED in text_of(signed_in.get("/dashboard/graduations"))
    assert db.session.scalars(Graduation.of_artisan(artisan.id)).all() == []


def test_an_unknown_invitation_code_is_a_form_error_and_creates_nobody(app, db, client, outbox):
    use_language(client, "en")
    response = post_form(client, "/register/invitation", {**REGISTRATION, "invitation_code": "ABCD-2345"})
    assert response.status_code == 200
    assert f'id="invitation_code-error">{CODE_REFUSED}' in text_of(response)
    assert user_count(db) == 0
    assert outbox == []


def test_an_unknown_and_a_used_code_get_the_same_answer(app, db, officer, program):
    """Finding 6: "not valid" used to differ from "already used", telling a guesser it hit a code."""
    code = roster_codes(db, officer, program)["Siti Aminah"]
    rosters.redeem_invitation_code(factories.make_user(roles=["buyer"]), code)
    pages = []
    for tried in (code, "ABCD-2345"):
        artisan = factories.make_artisan(locale="en")
        browser = app.test_client()
        login(browser, artisan.email)
        post_form(browser, "/dashboard/graduations/redeem", {"code": tried}, form_page="/dashboard/graduations")
        page = text_of(browser.get("/dashboard/graduations"))
        pages.append([line for line in page.splitlines() if "invitation code" in line.lower() and "not valid" in line])
    assert pages[0] == pages[1] and pages[0]


def test_wrong_invitation_codes_are_limited_per_address_at_registration(app, db, officer, program, monkeypatch):
    """Finding 6: codes (40 bits) could be tried without limit at /register."""
    monkeypatch.setitem(app.config, "INVITATION_LIMIT_PER_ADDRESS", "3 per hour")
    code = roster_codes(db, officer, program)["Siti Aminah"]
    browser = app.test_client()
    for n in range(3):
        wrong = post_form(browser, "/register/invitation",
                          {**REGISTRATION, "email": f"guess{n}@example.com", "invitation_code": f"ZZZZ-ZZZ{n + 2}"})
        assert wrong.status_code == 200
    blocked = post_form(browser, "/register/invitation", {**REGISTRATION, "invitation_code": code})
    assert blocked.status_code == 429
    assert db.session.scalar(User.by_email("siti@example.com")) is None
    # Another address is not affected.
    elsewhere = post_form(browser, "/register/invitation", {**REGISTRATION, "invitation_code": code},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert elsewhere.status_code == 302


def test_wrong_invitation_codes_are_limited_per_account_and_per_address_at_redeem(app, db, monkeypatch):
    """Finding 6: the same for /dashboard/graduations/redeem."""
    monkeypatch.setitem(app.config, "INVITATION_LIMIT_PER_ACCOUNT", "2 per hour")
    monkeypatch.setitem(app.config, "INVITATION_LIMIT_PER_ADDRESS", "3 per hour")

    def try_code(browser, address="192.0.2.1"):
        return post_form(browser, "/dashboard/graduations/redeem", {"code": "ZZZZ-ZZZZ"},
                         form_page="/dashboard/graduations", environ_base={"REMOTE_ADDR": address})

    first, second = app.test_client(), app.test_client()
    login(first, factories.make_artisan().email)
    login(second, factories.make_artisan().email)
    assert [try_code(first).status_code for _ in range(2)] == [302, 302]
    assert try_code(first, address="198.51.100.7").status_code == 429  # this account, any address
    assert try_code(second).status_code == 302  # another account: its own bucket ...
    assert try_code(second, address="192.0.2.1").status_code == 429  # ... but this address is spent


def test_a_signed_in_buyer_redeems_a_code_and_becomes_an_artisan(db, client_for, officer, program):
    code = roster_codes(db, officer, program)["Dewi Lestari"]
    buyer = factories.make_user(roles=["buyer"], locale="en")
    dewi = client_for(buyer)
    response = post_form(dewi, "/dashboard/graduations/redeem", {"code": code.lower()}, form_page="/account")
    assert response.status_code == 302
    page = text_of(dewi.get("/dashboard/graduations"))
    assert "Bimtek Batik Jumputan Palembang is now on your account, verified." in page
    db.session.expire_all()
    assert "artisan" in db.session.get(User, buyer.id).roles
    assert db.session.scalars(Graduation.of_artisan(buyer.id)).one().status == "verified"
    used = text_of(client_for(officer).get(f"/officer/programs/{program.slug}/invitations"))
    assert re.search(rf"{code}</code></td>\s*<td>yes</td>", used)


# --- the access log -------------------------------------------------------------------------------

def log_rows(db) -> list[tuple]:
    db.session.expire_all()
    return [(e.officer_id, e.program_id, e.action)
            for e in db.session.scalars(sa.select(AccessLogEntry).order_by(AccessLogEntry.id))]


def test_officers_viewing_a_correctional_programs_graduates_are_logged(
        app, db, client_for, artisan, officer, prison_program, program, admin_client):
    sari = client_for(artisan)
    assert claim_on_page(sari, (png_bytes(), "sertifikat.png"), program=prison_program.slug).status_code == 302
    graduation = only_graduation(db)
    petugas = client_for(officer)
    assert petugas.get(f"/officer/programs/{program.slug}/graduates").status_code == 200
    assert log_rows(db) == []

    for path in (f"/officer/programs/{prison_program.slug}/graduates", "/officer/claims",
                 f"/officer/claims/{graduation.id}", f"/graduations/{graduation.id}/certificate"):
        assert petugas.get(path).status_code == 200, path
    o, p = officer.id, prison_program.id
    assert log_rows(db) == [(o, p, "view_graduates"), (o, p, "view_claim"), (o, p, "view_claim"),
                            (o, p, "view_certificate")]
    sari.get(f"/graduations/{graduation.id}/certificate")  # the artisan's own look is not an officer's
    assert len(log_rows(db)) == 4

    use_language(admin_client, "en", "/admin/access-log")
    page = text_of(admin_client.get("/admin/access-log"))
    assert "petugas@disperin.test" in page
    assert "Pelatihan Batik Lapas Perempuan Palembang" in page
    for label in ("Viewed the graduate list", "Viewed a claim", "Opened a certificate"):
        assert label in page


def test_the_access_log_is_for_admins_only(client, client_for, officer, artisan):
    for path in ("/admin/access-log", "/admin/access-log.csv"):
        assert client.get(path).status_code == 302
        for user in (officer, artisan):
            assert client_for(user).get(path).status_code == 403


# --- program pages ---------------------------------------------------------------------------------

NEW_PROGRAM_FORM = {"title": "Coaching Clinic Batik Tulis", "kind": "coaching_clinic", "techniques": ["tulis", "cap"],
                    "partners": "Bank Indonesia\nDekranasda Sumsel\n", "description": "Pewarnaan alami.",
                    "venue": "Gedung Dekranasda", "city": "Kota Palembang", "province": "Sumatera Selatan",
                    "start_date": "2022-03-01", "end_date": "2022-03-02", "participant_count": "25"}


def test_an_officer_adds_a_program_on_the_form(db, client_for, officer, organization):
    response = post_form(client_for(officer), "/officer/programs/new", NEW_PROGRAM_FORM)
    assert response.status_code == 302
    assert response.headers["Location"] == "/programs/coaching-clinic-batik-tulis-2022"
    program = db.session.scalars(sa.select(TrainingProgram)).one()
    assert program.organization_id == organization.id
    assert program.techniques == ["tulis", "cap"]
    assert program.partners == ["Bank Indonesia", "Dekranasda Sumsel"]
    assert program.held_in_correctional_facility is False


@pytest.mark.parametrize("changes,error_id", [
    ({"end_date": "2022-02-28"}, "end_date-error"),
    ({"province": "Atlantis"}, "province-error"),
    ({"techniques": ["tulis", "sablon"]}, "techniques-error"),
    ({"kind": "seminar"}, "kind-error"),
])
def test_an_invalid_program_is_a_form_error(db, client_for, officer, changes, error_id):
    response = post_form(client_for(officer), "/officer/programs/new", {**NEW_PROGRAM_FORM, **changes})
    assert response.status_code == 200
    assert f'id="{error_id}"' in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(TrainingProgram)).all() == []


def test_the_program_form_is_for_officers(client_for, artisan, client):
    assert client.get("/officer/programs/new").status_code == 302
    assert client_for(artisan).get("/officer/programs/new").status_code == 403


def test_the_program_page_has_open_graph_tags(client, program):
    page = text_of(client.get(f"/programs/{PROGRAM_SLUG}"))
    meta = dict(re.findall(r'<meta property="(og:[a-z_]+)" content="([^"]*)"', page))
    assert meta["og:title"] == "Bimtek Batik Jumputan Palembang"
    assert "Bimtek Batik Jumputan Palembang" in meta["og:description"]
    assert program.organization.name in meta["og:description"]
    assert meta["og:url"] == f"http://localhost/programs/{PROGRAM_SLUG}"
    assert meta["og:image"].startswith("http://localhost/static/")
    with client.get(meta["og:image"].removeprefix("http://localhost")) as image:
        assert image.status_code == 200


def test_an_unknown_program_page_is_404(client, db):
    assert client.get("/programs/no-such-program").status_code == 404


def test_claims_queue_and_access_log_cost_the_same_queries_for_2_or_8_claims(
    client_for, officer, prison_program, query_counter, make_user
):
    """Officer lists load each artisan with its claim, not one query per row."""
    officer_browser = client_for(officer)
    admin_browser = client_for(make_user(roles=["admin"]))

    def add_claims(n):
        for _ in range(n):
            factories.make_graduation(factories.make_artisan(), prison_program)

    def cost(browser, path):
        with query_counter() as statements:
            assert browser.get(path).status_code == 200
        cost.last = statements
        return len(statements)

    add_claims(2)
    queue_small, log_small = cost(officer_browser, "/officer/claims"), cost(admin_browser, "/admin/access-log")
    add_claims(6)
    queue_large, log_large = cost(officer_browser, "/officer/claims"), cost(admin_browser, "/admin/access-log")
    assert queue_large == queue_small
    assert log_large == log_small, cost.last


# --- the access log: pages, filters, CSV (issue 9, finding 3) ------------------------------------

def access_rows(officer, program, n, start):
    rows = [AccessLogEntry(officer_id=officer.id, program_id=program.id, action="view_claim",
                           created_at=start + timedelta(seconds=i // 3)) for i in range(n)]
    _db.session.add_all(rows)
    _db.session.commit()
    return [row.id for row in rows]


def record_ids(html: str) -> list[int]:
    """The log rows of a page, by id (each row's first cell is its time; ids are data-id)."""
    return [int(i) for i in re.findall(r'<tr data-entry="(\d+)">', html)]


def test_the_access_log_has_real_pages_filters_and_a_csv(db, admin_client, officer, organization, prison_program):
    start = datetime(2026, 3, 1, 3, tzinfo=timezone.utc)
    ids = access_rows(officer, prison_program, 60, start)
    other_officer = factories.make_user(roles=["officer"], organization=organization, name="Budi",
                                        email="budi@disperin.test")
    theirs = access_rows(other_officer, prison_program, 2, start + timedelta(days=3))
    use_language(admin_client, "en", "/admin/access-log")

    first = text_of(admin_client.get("/admin/access-log"))
    assert record_ids(first) == sorted(ids + theirs, reverse=True)[:50]
    next_url = html_lib.unescape(re.search(r'<a rel="next" href="([^"]+)"', first).group(1))
    second = text_of(admin_client.get(next_url))
    assert record_ids(second) == sorted(ids + theirs, reverse=True)[50:]
    assert not set(record_ids(first)) & set(record_ids(second))
    assert 'rel="next"' not in second and 'rel="prev"' in second
    for label in ('<label for="officer">Officer</label>', '<label for="program">Program</label>',
                  '<label for="since">From (day)</label>', '<label for="until">To (day)</label>'):
        assert label in first

    assert record_ids(text_of(admin_client.get(f"/admin/access-log?officer={other_officer.id}"))) \
        == sorted(theirs, reverse=True)
    assert record_ids(text_of(admin_client.get("/admin/access-log?since=2026-03-02"))) == sorted(theirs, reverse=True)
    assert record_ids(text_of(admin_client.get(
        f"/admin/access-log?until=2026-03-01&program={prison_program.id}"))) == sorted(ids, reverse=True)[:50]
    bad = text_of(admin_client.get("/admin/access-log?since=2026-03-05&until=2026-03-01&officer=999"))
    assert "The last day cannot be before the first day." in bad and "Not a valid choice" in bad

    response = admin_client.get(f"/admin/access-log.csv?officer={other_officer.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,created_at_utc,officer_email,officer_name,program,")
    assert [int(line.split(",")[0]) for line in lines[1:]] == sorted(theirs, reverse=True)
    assert all(",budi@disperin.test,Budi,pelatihan-batik-lapas-2021," in line for line in lines[1:])
    assert "Viewed a claim" in lines[1]
    assert len(admin_client.get("/admin/access-log.csv").get_data(as_text=True).splitlines()) == 63



# --- no copies of personal pages in any cache (finding 12) ----------------------------------------

def test_pages_with_personal_data_are_never_stored_by_caches(app, db, client_for, artisan, officer,
                                                               prison_program, admin_client, client):
    graduation = factories.make_graduation(artisan, prison_program)
    graduation.certificate_key = storage().save(png_bytes(), folder="certificates", extension="png")
    graduation.certificate_content_type = "image/png"
    _db.session.commit()
    sari, petugas = client_for(artisan), client_for(officer)
    pages = [
        (petugas, f"/officer/programs/{prison_program.slug}/graduates"),
        (petugas, f"/officer/programs/{prison_program.slug}/invitations"),
        (petugas, "/officer/claims"),
        (petugas, f"/officer/claims/{graduation.id}"),
        (petugas, f"/graduations/{graduation.id}/certificate"),
        (petugas, f"/officer/programs/{prison_program.slug}/edit"),
        (admin_client, "/admin/access-log"),
        (admin_client, "/admin/access-log.csv"),
        (sari, "/dashboard/graduations"),
        (sari, f"/dashboard/graduations/{graduation.id}/show"),
        (sari, f"/graduations/{graduation.id}/certificate"),
        (sari, "/account"),
    ]
    for browser, path in pages:
        response = browser.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path
    assert "no-store" not in client.get(f"/programs/{prison_program.slug}").headers.get("Cache-Control", "")


# --- the program edit audit on the admin's edit page (finding 1) -----------------------------------

def test_the_admin_sees_who_changed_what_on_the_edit_page(db, client_for, officer, make_user):
    program = post_form(client_for(officer), "/officer/programs/new", NEW_PROGRAM_FORM)
    slug = program.headers["Location"].rsplit("/", 1)[1]
    petugas = client_for(officer)
    edit = f"/officer/programs/{slug}/edit"
    assert post_form(petugas, edit, {**NEW_PROGRAM_FORM, "participant_count": "30"}).status_code == 302
    assert "Edit history" not in text_of(petugas.get(edit))  # officers edit; admins audit
    admin = client_for(make_user(roles=["admin"], locale="en"))
    page = text_of(admin.get(edit))
    history = page.split('id="edit-history"', 1)[1]
    assert "petugas@disperin.test" in history
    assert "<code>participant_count</code>: 25 → 30" in history
    assert 'name="held_in_correctional_facility"' in page  # the admin may change the setting
