"""Program facts as officers enter them, the graduate list they read, and what withdrawing a
graduation leaves in the access log."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from marketplace.programs import services
from marketplace.programs.models import AccessLogEntry
from tests import factories

PROGRAM = {"title": "Coaching Clinic Batik Tulis", "kind": "coaching_clinic", "techniques": ["tulis"],
           "partners": [], "description": "", "venue": "Gedung Dekranasda", "city": "Kota Palembang",
           "province": "Sumatera Selatan", "start_date": date(2022, 3, 1), "end_date": date(2022, 3, 2),
           "participant_count": 25}


def test_a_one_day_program_with_no_participant_count_yet_is_accepted():
    officer = factories.make_user(roles=["officer"], organization=factories.make_organization())
    program = services.create_program(officer, **{**PROGRAM, "end_date": PROGRAM["start_date"],
                                                  "participant_count": 0})
    assert (program.start_date, program.end_date, program.participant_count) == (
        date(2022, 3, 1), date(2022, 3, 1), 0)


def test_programs_with_the_same_title_and_year_are_numbered_in_turn():
    officer = factories.make_user(roles=["officer"], organization=factories.make_organization())
    slugs = [services.create_program(officer, **PROGRAM).slug for _ in range(4)]
    base = "coaching-clinic-batik-tulis-2022"
    assert slugs == [base, f"{base}-2", f"{base}-3", f"{base}-4"]


def test_a_program_keeps_its_description_and_a_missing_one_is_empty(client):
    officer = factories.make_user(roles=["officer"], organization=factories.make_organization())
    described = services.create_program(officer, **{**PROGRAM, "description": "Pewarnaan alami."})
    undescribed = services.create_program(officer, **{**PROGRAM, "description": None})
    assert (described.description, undescribed.description) == ("Pewarnaan alami.", "")
    assert client.get(f"/api/v1/programs/{described.slug}").get_json()["description"] == "Pewarnaan alami."


def test_an_admin_records_a_program_held_in_a_correctional_facility():
    organization = factories.make_organization()
    admin = factories.make_user(roles=["admin"])
    program = services.create_program(admin, organization_slug=organization.slug,
                                      **{**PROGRAM, "held_in_correctional_facility": True})
    assert program.held_in_correctional_facility is True
    assert services.default_public(program) is False


def test_the_graduate_list_shows_open_claims_first_then_the_newest(db):
    organization = factories.make_organization()
    officer = factories.make_user(roles=["officer"], organization=organization)
    program = factories.make_program(organization)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    rows = [("verified", 0), ("claimed", 1), ("rejected", 2), ("claimed", 3), ("verified", 4)]
    made = {}
    for status, day in rows:
        graduation = factories.make_graduation(factories.make_artisan(), program, status=status,
                                               rejection_reason="No." if status == "rejected" else None,
                                               created_at=start + timedelta(days=day))
        made[graduation.id] = (status, day)
    _program, graduates = services.view_program_graduates(officer, program.slug)
    assert [made[g.id] for g in graduates] == [
        ("claimed", 3), ("claimed", 1), ("rejected", 2), ("verified", 4), ("verified", 0)]


def test_withdrawing_a_graduation_keeps_every_access_log_row(db):
    organization = factories.make_organization()
    officer = factories.make_user(roles=["officer"], organization=organization)
    program = factories.make_program(organization, held_in_correctional_facility=True)
    leaving, staying = factories.make_artisan(), factories.make_artisan()
    withdrawn = factories.make_graduation(leaving, program)
    kept = factories.make_graduation(staying, program)
    withdrawn_id, kept_id = withdrawn.id, kept.id
    services.view_claim(officer, withdrawn_id)
    services.view_claim(officer, kept_id)

    services.withdraw_graduation(leaving, withdrawn_id)

    db.session.expire_all()
    rows = db.session.execute(sa.select(AccessLogEntry.action, AccessLogEntry.graduation_id)
                              .order_by(AccessLogEntry.id)).all()
    # The withdrawn graduation's row stays (who looked, at what, when), without the deleted claim.
    assert [tuple(row) for row in rows] == [("view_claim", None), ("view_claim", kept_id)]


def test_a_certificate_opens_under_a_plain_name_with_its_own_extension(client_for):
    organization = factories.make_organization()
    officer = factories.make_user(roles=["officer"], organization=organization)
    artisan = factories.make_artisan()
    program = factories.make_program(organization)
    graduation = services.claim_graduation(artisan, program_slug=program.slug, certificate_number="SERT-1",
                                           graduated_on=date(2021, 6, 5), certificate_file=factories.picture())
    for reader in (officer, artisan):
        response = client_for(reader).get(f"/graduations/{graduation.id}/certificate")
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.headers["Content-Disposition"] == f"inline; filename=certificate-{graduation.id}.png"


def test_a_decision_mail_greets_the_artisan_and_links_to_their_graduations(outbox):
    organization = factories.make_organization()
    officer = factories.make_user(roles=["officer"], organization=organization)
    graduation = factories.make_graduation(factories.make_artisan(name="Sari"), factories.make_program(organization))
    services.verify_graduation(officer, graduation.id)
    assert len(outbox) == 1
    assert "http://localhost/dashboard/graduations" in outbox[0].body.split()
    assert "Sari," in outbox[0].body  # the greeting names the artisan


def test_a_long_rejection_reason_is_kept_to_2000_characters(db):
    organization = factories.make_organization()
    officer = factories.make_user(roles=["officer"], organization=organization)
    graduation = factories.make_graduation(factories.make_artisan(), factories.make_program(organization))
    services.reject_graduation(officer, graduation.id, reason="  " + "x" * 2500)
    db.session.expire_all()
    assert services.own_graduation(graduation.artisan, graduation.id).rejection_reason == "x" * 2000


def test_the_claims_queue_shows_the_oldest_claim_first():
    organization = factories.make_organization()
    officer = factories.make_user(roles=["officer"], organization=organization)
    program = factories.make_program(organization)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    days = (2, 0, 3, 1)
    made = {factories.make_graduation(factories.make_artisan(), program,
                                      created_at=start + timedelta(days=day)).id: day for day in days}
    assert [made[claim.id] for claim in services.view_claims_queue(officer)] == [0, 1, 2, 3]


def test_graduates_of_one_program_each_claim_it_on_its_first_day_or_today():
    program = factories.make_program(start_date=date(2021, 6, 3), end_date=date(2021, 6, 5))
    first, second = factories.make_artisan(), factories.make_artisan()
    services.claim_graduation(first, program_slug=program.slug, certificate_number="SERT-1",
                              graduated_on=date(2021, 6, 3))
    other = services.claim_graduation(second, program_slug=program.slug, certificate_number="SERT-2",
                                      graduated_on=date.today())
    assert (other.status, other.source, other.artisan_id) == ("claimed", "claim", second.id)
