"""Organization pages: the admin's list and form, and the officer's own organization."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from marketplace.extensions import db as _db
from marketplace.programs.models import Organization, TrainingProgram
from tests.conftest import csrf_token, login

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
