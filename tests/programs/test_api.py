"""/api/v1: the program catalogue, graduation claims and their verification, rosters."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from marketplace.programs.models import AccessLogEntry, Graduation, Invitation, TrainingProgram
from tests import factories

CLAIM = {"program": "bimtek-jumputan-2021", "certificate_number": "DISPERIN/2021/017",
         "graduated_on": "2021-06-05"}
NEW_PROGRAM = {"title": "Coaching Clinic Batik Tulis", "kind": "coaching_clinic", "techniques": ["tulis"],
               "partners": ["Bank Indonesia"], "venue": "Gedung Dekranasda", "city": "Kota Palembang",
               "province": "Sumatera Selatan", "start_date": "2022-03-01", "end_date": "2022-03-02",
               "participant_count": 25}
ROSTER = ("name,email,phone,certificate_number,graduated_on\n"
          "Siti Aminah,siti@example.com,,WUB-001,2021-06-05\n"
          "Dewi Lestari,,0812 3456 7890,WUB-002,05/06/2021\n")


def graduate_shop_slugs(api, slug) -> list[str]:
    response = api.get(f"/api/v1/shops?program={slug}")
    assert response.status_code == 200
    return [shop["slug"] for shop in response.get_json()["items"]]


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def other_officer():
    return factories.make_user(roles=["officer"], organization=factories.make_organization())


def roster_upload(text: str, name="lulusan.csv"):
    return {"roster": (io.BytesIO(text.encode()), name, "text/csv")}


# --- claim, verify, badge ----------------------------------------------------------------------

def test_claim_verify_and_the_shop_is_listed_with_the_program(api, db, artisan, shop, officer, program, outbox):
    response = api.post("/api/v1/graduations", user=artisan, json=CLAIM)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["program"], body["program_title"], body["public"], body["source"]) == (
        "claimed", "bimtek-jumputan-2021", "Bimtek Batik Jumputan Palembang", True, "claim")
    assert response.headers["Location"].endswith(f"/api/v1/graduations/{body['id']}")
    assert api.get(response.headers["Location"], user=artisan).get_json()["status"] == "claimed"
    assert graduate_shop_slugs(api, program.slug) == []
    assert outbox == []

    verified = api.post(f"/api/v1/graduations/{body['id']}/verify", user=officer)
    assert verified.status_code == 200, verified.get_json()
    assert verified.get_json()["status"] == "verified"
    assert verified.get_json()["decided_at"]

    shops = api.get(f"/api/v1/shops?program={program.slug}").get_json()["items"]
    assert [{k: shop[k] for k in ("name", "slug", "city", "province")} for shop in shops] == [
        {"name": "Batik Sari Jumputan", "slug": "batik-sari", "city": "Kota Palembang",
         "province": "Sumatera Selatan"}]
    assert [m.to for m in outbox] == [["sari@example.com"]]
    assert "verified" in outbox[0].body


def test_an_artisan_lists_their_own_graduations_only(api, db, artisan, program):
    mine = factories.make_graduation(artisan, program)
    factories.make_graduation(factories.make_artisan(), program)
    response = api.get("/api/v1/graduations", user=artisan)
    assert response.status_code == 200
    assert [g["id"] for g in response.get_json()] == [mine.id]


def test_a_claim_needs_an_artisan_token_and_a_valid_body(api, db, program):
    assert api.post("/api/v1/graduations", json=CLAIM).status_code == 401
    assert api.post("/api/v1/graduations", user=factories.make_user(roles=["buyer"]), json=CLAIM).status_code == 403
    artisan = factories.make_artisan()
    missing = api.post("/api/v1/graduations", user=artisan, json={"program": program.slug})
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"certificate_number", "graduated_on"}
    unknown = api.post("/api/v1/graduations", user=artisan, json={**CLAIM, "program": "no-such-program"})
    assert unknown.status_code == 422
    assert "program" in unknown.get_json()["errors"]
    future = api.post("/api/v1/graduations", user=artisan, json={**CLAIM, "graduated_on": "2999-01-01"})
    assert future.status_code == 422
    assert "graduated_on" in future.get_json()["errors"]
    assert count(db, Graduation) == 0
    assert api.post("/api/v1/graduations", user=artisan, json=CLAIM).status_code == 201
    assert api.post("/api/v1/graduations", user=artisan, json=CLAIM).status_code == 409


def test_a_rejection_needs_a_reason_and_leaves_no_badge(api, db, artisan, shop, officer, program, outbox):
    graduation = factories.make_graduation(artisan, program)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = api.post(f"/api/v1/graduations/{graduation.id}/reject", user=officer, json=body)
        assert response.status_code == 422, body
        assert "reason" in response.get_json()["errors"]
    assert outbox == []

    response = api.post(f"/api/v1/graduations/{graduation.id}/reject", user=officer,
                        json={"reason": "The certificate number is not on our list."})
    assert response.status_code == 200
    assert response.get_json()["status"] == "rejected"
    assert response.get_json()["rejection_reason"] == "The certificate number is not on our list."
    assert graduate_shop_slugs(api, program.slug) == []
    assert len(outbox) == 1 and "The certificate number is not on our list." in outbox[0].body
    seen = api.get(f"/api/v1/graduations/{graduation.id}", user=artisan).get_json()
    assert (seen["status"], seen["rejection_reason"]) == ("rejected", "The certificate number is not on our list.")


def test_deciding_twice_is_a_conflict(api, db, artisan, officer, program, outbox):
    graduation = factories.make_graduation(artisan, program)
    assert api.post(f"/api/v1/graduations/{graduation.id}/verify", user=officer).status_code == 200
    again = api.post(f"/api/v1/graduations/{graduation.id}/verify", user=officer)
    assert again.status_code == 409
    assert again.get_json()["code"] == 409
    reject = api.post(f"/api/v1/graduations/{graduation.id}/reject", user=officer, json={"reason": "Oops"})
    assert reject.status_code == 409
    assert len(outbox) == 1
    db.session.expire_all()
    assert db.session.get(Graduation, graduation.id).status == "verified"


def test_an_officer_of_another_organization_gets_404(api, db, artisan, program, outbox):
    graduation = factories.make_graduation(artisan, program)
    stranger = other_officer()
    assert api.post(f"/api/v1/graduations/{graduation.id}/verify", user=stranger).status_code == 404
    assert api.post(f"/api/v1/graduations/{graduation.id}/reject", user=stranger,
                    json={"reason": "Not ours"}).status_code == 404
    assert api.post(f"/api/v1/programs/{program.slug}/roster", user=stranger,
                    data=roster_upload(ROSTER)).status_code == 404
    assert api.patch(f"/api/v1/programs/{program.slug}", user=stranger, json={"title": "Taken"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Graduation, graduation.id).status == "claimed"
    assert count(db, Invitation) == 0
    assert outbox == []


def test_artisans_and_buyers_cannot_decide_claims(api, db, artisan, program):
    graduation = factories.make_graduation(artisan, program)
    assert api.post(f"/api/v1/graduations/{graduation.id}/verify", user=artisan).status_code == 403
    assert api.post(f"/api/v1/graduations/{graduation.id}/verify").status_code == 401


def test_an_artisan_cannot_touch_another_artisans_graduation(api, db, artisan, program):
    graduation = factories.make_graduation(artisan, program, status="verified")
    other = factories.make_artisan()
    path = f"/api/v1/graduations/{graduation.id}"
    assert api.get(path, user=other).status_code == 404
    assert api.patch(path, user=other, json={"public": False}).status_code == 404
    assert api.delete(path, user=other).status_code == 404
    assert api.get(f"/api/v1/graduations/{graduation.id + 1000}", user=artisan).status_code == 404
    db.session.expire_all()
    assert db.session.get(Graduation, graduation.id).public is True


def test_the_artisan_shows_hides_and_withdraws_a_graduation(api, db, artisan, shop, program):
    graduation = factories.make_graduation(artisan, program, status="verified")
    path = f"/api/v1/graduations/{graduation.id}"
    assert graduate_shop_slugs(api, program.slug) == ["batik-sari"]
    hidden = api.patch(path, user=artisan, json={"public": False})
    assert hidden.status_code == 200 and hidden.get_json()["public"] is False
    assert graduate_shop_slugs(api, program.slug) == []
    assert api.patch(path, user=artisan, json={}).status_code == 422
    assert api.patch(path, user=artisan, json={"public": True}).get_json()["public"] is True
    assert graduate_shop_slugs(api, program.slug) == ["batik-sari"]
    assert api.delete(path, user=artisan).status_code == 204
    assert api.get(path, user=artisan).status_code == 404
    assert graduate_shop_slugs(api, program.slug) == []


# --- rosters ------------------------------------------------------------------------------------

def test_a_roster_becomes_invitations(api, db, officer, program, outbox):
    response = api.post(f"/api/v1/programs/{program.slug}/roster", user=officer, data=roster_upload(ROSTER))
    assert response.status_code == 201, response.get_json()
    # Counts only: the people read stay on the invitation page (logged for sensitive programs).
    assert response.get_json() == {"program": program.slug, "imported": 2, "emailed": 1}
    invitations = db.session.scalars(sa.select(Invitation).order_by(Invitation.certificate_number)).all()
    assert [(i.name, i.email, i.phone, i.certificate_number, str(i.graduated_on), i.is_used)
            for i in invitations] == [
        ("Siti Aminah", "siti@example.com", None, "WUB-001", "2021-06-05", False),
        ("Dewi Lestari", None, "0812 3456 7890", "WUB-002", "2021-06-05", False),
    ]
    body = response.get_data(as_text=True)
    for personal in ("Siti", "siti@example.com", "0812", "WUB-00", *(i.code for i in invitations)):
        assert personal not in body
    assert [m.to for m in outbox] == [["siti@example.com"]]


def test_a_roster_with_a_bad_row_is_422_naming_the_row(api, db, officer, program, outbox):
    text = ROSTER + "Rina Marlina,rina@example.com,,WUB-001,2021-13-40\n"
    response = api.post(f"/api/v1/programs/{program.slug}/roster", user=officer, data=roster_upload(text))
    assert response.status_code == 422
    problems = response.get_json()["errors"]["roster"]
    assert [p.split(":")[0:2] for p in problems] == [["4", " certificate_number"], ["4", " graduated_on"]]
    assert count(db, Invitation) == 0
    assert outbox == []


def test_a_roster_needs_a_file_and_an_officer(api, db, officer, program):
    assert api.post(f"/api/v1/programs/{program.slug}/roster", user=officer).status_code == 422
    assert api.post(f"/api/v1/programs/{program.slug}/roster", user=factories.make_artisan(),
                    data=roster_upload(ROSTER)).status_code == 403
    assert api.post("/api/v1/programs/no-such-program/roster", user=officer,
                    data=roster_upload(ROSTER)).status_code == 404
    assert count(db, Invitation) == 0


# --- programs -----------------------------------------------------------------------------------

def test_an_officer_adds_a_program_of_their_organization(api, db, officer, organization):
    response = api.post("/api/v1/programs", user=officer, json=NEW_PROGRAM)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["slug"] == "coaching-clinic-batik-tulis-2022"
    assert body["organization"]["slug"] == organization.slug
    assert body["held_in_correctional_facility"] is False
    assert response.headers["Location"].endswith("/api/v1/programs/coaching-clinic-batik-tulis-2022")
    assert api.get(response.headers["Location"]).get_json()["title"] == "Coaching Clinic Batik Tulis"

    named_own = api.post("/api/v1/programs", user=officer, json={**NEW_PROGRAM, "organization": organization.slug})
    assert named_own.status_code == 201


def test_an_officer_cannot_add_a_program_to_another_organization(api, db, officer):
    other = factories.make_organization()
    response = api.post("/api/v1/programs", user=officer, json={**NEW_PROGRAM, "organization": other.slug})
    assert response.status_code == 422
    assert "organization" in response.get_json()["errors"]
    assert count(db, TrainingProgram) == 0


def test_an_admin_adds_a_program_for_any_organization(api, db, organization):
    admin = factories.make_user(roles=["admin"])
    response = api.post("/api/v1/programs", user=admin, json={**NEW_PROGRAM, "organization": organization.slug})
    assert response.status_code == 201
    assert response.get_json()["organization"]["slug"] == organization.slug
    unknown = api.post("/api/v1/programs", user=admin, json={**NEW_PROGRAM, "organization": "nope"})
    assert unknown.status_code == 422
    assert "organization" in unknown.get_json()["errors"]


@pytest.mark.parametrize("changes,field", [
    ({"end_date": "2022-02-28"}, "end_date"),
    ({"techniques": ["tulis", "sablon"]}, "techniques"),
    ({"province": "Atlantis"}, "province"),
    ({"kind": "seminar"}, "kind"),
    ({"title": ""}, "title"),
])
def test_an_invalid_program_is_422_with_field_errors(api, db, officer, changes, field):
    response = api.post("/api/v1/programs", user=officer, json={**NEW_PROGRAM, **changes})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert count(db, TrainingProgram) == 0


def test_buyers_and_artisans_cannot_add_programs(api, db):
    assert api.post("/api/v1/programs", json=NEW_PROGRAM).status_code == 401
    for roles in (["buyer"], ["buyer", "artisan"]):
        response = api.post("/api/v1/programs", user=factories.make_user(roles=roles), json=NEW_PROGRAM)
        assert response.status_code == 403
    assert count(db, TrainingProgram) == 0


def test_an_officer_edits_their_program(api, db, officer, program):
    response = api.patch(f"/api/v1/programs/{program.slug}", user=officer, json={"participant_count": 31})
    assert response.status_code == 200
    assert api.get(f"/api/v1/programs/{program.slug}").get_json()["participant_count"] == 31


@pytest.fixture
def catalogue(db):
    """Four programs across two organizations, provinces, kinds and techniques."""
    from datetime import date

    disperin = factories.make_organization(name="Dinas Perindustrian", slug="disperin-sumsel")
    bi = factories.make_organization(name="Bank Indonesia Kaltim", slug="bi-kaltim", kind="bank",
                                     province="Kalimantan Timur")
    factories.make_program(disperin, slug="a-jumputan", techniques=["jumputan"], start_date=date(2024, 1, 1),
                           end_date=date(2024, 1, 2))
    factories.make_program(disperin, slug="b-tulis", kind="workshop", techniques=["tulis", "cap"],
                           start_date=date(2023, 1, 1), end_date=date(2023, 1, 2))
    factories.make_program(bi, slug="c-kaltim", kind="coaching_clinic", techniques=["tulis"],
                           province="Kalimantan Timur", city="Kota Samarinda",
                           start_date=date(2022, 1, 1), end_date=date(2022, 1, 2))
    factories.make_program(bi, slug="d-kaltim", techniques=["kombinasi"], province="Kalimantan Timur",
                           city="Kota Samarinda", start_date=date(2021, 1, 1), end_date=date(2021, 1, 2))


@pytest.mark.parametrize("query,slugs", [
    ("", ["a-jumputan", "b-tulis", "c-kaltim", "d-kaltim"]),
    ("?province=Kalimantan+Timur", ["c-kaltim", "d-kaltim"]),
    ("?kind=bimtek", ["a-jumputan", "d-kaltim"]),
    ("?technique=tulis", ["b-tulis", "c-kaltim"]),
    ("?technique=cap", ["b-tulis"]),
    ("?organization=disperin-sumsel", ["a-jumputan", "b-tulis"]),
    ("?organization=bi-kaltim&technique=tulis", ["c-kaltim"]),
    ("?organization=nobody", []),
])
def test_the_program_list_filters(api, catalogue, query, slugs):
    response = api.get(f"/api/v1/programs{query}")
    assert response.status_code == 200
    body = response.get_json()
    assert [p["slug"] for p in body["items"]] == slugs
    assert body["meta"]["total"] == len(slugs)
    assert response.headers["X-Total-Count"] == str(len(slugs))


def test_the_program_list_pages(api, catalogue):
    response = api.get("/api/v1/programs?per_page=3&page=2")
    body = response.get_json()
    assert [p["slug"] for p in body["items"]] == ["d-kaltim"]
    assert body["meta"] == {"page": 2, "per_page": 3, "total": 4, "pages": 2}
    assert response.headers["X-Total-Count"] == "4"
    first = api.get("/api/v1/programs?per_page=3").get_json()
    assert [p["slug"] for p in first["items"]] == ["a-jumputan", "b-tulis", "c-kaltim"]
    assert first["items"][2]["organization"] == {"slug": "bi-kaltim", "name": "Bank Indonesia Kaltim",
                                                 "kind": "bank", "province": "Kalimantan Timur"}


@pytest.mark.parametrize("query", ["?province=Atlantis", "?kind=seminar", "?technique=sablon", "?per_page=0",
                                   "?per_page=101", "?page=0"])
def test_invalid_program_filters_are_422(api, db, query):
    response = api.get(f"/api/v1/programs{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_an_unknown_program_is_404(api, db):
    assert api.get("/api/v1/programs/no-such-program").status_code == 404


def test_the_organization_list(api, catalogue):
    response = api.get("/api/v1/organizations?per_page=1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["items"] == [{"slug": "bi-kaltim", "name": "Bank Indonesia Kaltim", "kind": "bank",
                              "province": "Kalimantan Timur"}]
    assert body["meta"]["total"] == 2
    assert response.headers["X-Total-Count"] == "2"
    second = api.get("/api/v1/organizations?per_page=1&page=2").get_json()
    assert [o["slug"] for o in second["items"]] == ["disperin-sumsel"]


# --- issue 9: sensitive programs' rosters and refused decisions are logged; shops by program -------

def access_actions(db) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AccessLogEntry.action).order_by(AccessLogEntry.id)))


def test_a_refused_decision_on_a_correctional_claim_answers_409_and_is_logged(api, db, artisan, officer,
                                                                               prison_program):
    graduation = factories.make_graduation(artisan, prison_program)
    assert api.post(f"/api/v1/graduations/{graduation.id}/verify", user=officer).status_code == 200
    again = api.post(f"/api/v1/graduations/{graduation.id}/reject", user=officer, json={"reason": "Oops"})
    assert again.status_code == 409
    assert "Terverifikasi" in again.get_json()["message"]  # the status it is in
    assert access_actions(db) == ["verified", "decide_refused"]


def test_a_correctional_roster_import_is_logged_and_answers_counts_only(api, db, officer, prison_program):
    response = api.post(f"/api/v1/programs/{prison_program.slug}/roster", user=officer,
                        data=roster_upload(ROSTER))
    assert response.status_code == 201
    assert response.get_json() == {"program": prison_program.slug, "imported": 2, "emailed": 1}
    assert access_actions(db) == ["import_roster"]
    schema = api.get("/api/v1/openapi.json").get_json()
    post = schema["paths"]["/api/v1/programs/{slug}/roster"]["post"]
    assert post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/RosterImportOut")
    assert set(schema["components"]["schemas"]["RosterImportOut"]["properties"]) == {"program", "imported",
                                                                                     "emailed"}


def test_shops_of_an_unknown_program_are_404(api, client, db):
    assert api.get("/api/v1/shops?program=no-such-program").status_code == 404
    assert client.get("/programs/no-such-program/shops").status_code == 404


def test_programs_know_no_shop():
    """Boundary: catalog imports programs (badges), so programs may not import catalog."""
    import ast
    from pathlib import Path

    import marketplace.programs

    offenders = []
    for path in Path(marketplace.programs.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            offenders += [f"{path.name}: {name}" for name in names if name.startswith("marketplace.catalog")]
    assert offenders == []
