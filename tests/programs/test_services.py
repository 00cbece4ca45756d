"""Program, graduation, roster and access-log use cases, called the way the pages and API call them."""
from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.pagination import CursorError
from marketplace.extensions import db as _db
from marketplace.programs import access_log, rosters, services
from marketplace.programs.models import AccessLogEntry, Graduation, Invitation, ProgramEdit, TrainingProgram
from tests import factories

GRADUATED = date(2021, 6, 5)


def claim(artisan, program, number="DISPERIN/2021/017", **kwargs):
    return services.claim_graduation(artisan, program_slug=program.slug, certificate_number=number,
                                     graduated_on=kwargs.pop("graduated_on", GRADUATED), **kwargs)


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (122, 59, 18)).save(out, "PNG")
    return out.getvalue()


def noisy_png() -> bytes:
    """A valid image of a few kilobytes (noise does not compress)."""
    out = io.BytesIO()
    Image.frombytes("L", (64, 64), random.Random(7).randbytes(64 * 64)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0131] = "Kamera Sari"  # Software
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (122, 59, 18)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert dict(Image.open(io.BytesIO(data)).getexif())  # the fixture really carries EXIF
    return data


def stored_path(app, graduation) -> Path:
    return Path(app.config["UPLOAD_ROOT"]) / graduation.certificate_key


def access_entries(db):
    db.session.expire_all()
    return [(e.officer_id, e.program_id, e.action, e.graduation_id)
            for e in db.session.scalars(sa.select(AccessLogEntry).order_by(AccessLogEntry.id))]


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- claims and decisions ----------------------------------------------------------------------

def test_a_claim_waits_for_verification_then_the_artisan_is_mailed(db, artisan, officer, program, outbox):
    graduation = claim(artisan, program)
    assert (graduation.status, graduation.source, graduation.public) == ("claimed", "claim", True)
    assert outbox == []

    services.verify_graduation(officer, graduation.id)
    db.session.expire_all()
    graduation = db.session.get(Graduation, graduation.id)
    assert graduation.status == "verified"
    assert graduation.decided_by_id == officer.id
    assert graduation.decided_at is not None
    assert [m.to for m in outbox] == [["sari@example.com"]]
    assert "Bimtek Batik Jumputan Palembang" in outbox[0].subject
    assert "verified" in outbox[0].body
    assert "http://localhost/dashboard/graduations" in outbox[0].body


def test_a_rejection_needs_a_reason_and_mails_it(db, artisan, officer, program, outbox):
    graduation = claim(artisan, program)
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as error:
            services.reject_graduation(officer, graduation.id, reason=reason)
        assert error.value.field == "reason"
    assert outbox == []
    db.session.expire_all()
    assert db.session.get(Graduation, graduation.id).status == "claimed"

    services.reject_graduation(officer, graduation.id, reason="Nomor sertifikat tidak ada di daftar kami.")
    db.session.expire_all()
    graduation = db.session.get(Graduation, graduation.id)
    assert graduation.status == "rejected"
    assert graduation.rejection_reason == "Nomor sertifikat tidak ada di daftar kami."
    assert len(outbox) == 1
    assert "Nomor sertifikat tidak ada di daftar kami." in outbox[0].body


@pytest.mark.parametrize("first", ["verify", "reject"])
def test_a_claim_is_decided_once(db, artisan, officer, program, outbox, first):
    graduation = claim(artisan, program)
    decide = {"verify": lambda: services.verify_graduation(officer, graduation.id),
              "reject": lambda: services.reject_graduation(officer, graduation.id, reason="No.")}
    decide[first]()
    for second in ("verify", "reject"):
        with pytest.raises(services.InvalidTransition) as error:
            decide[second]()
        assert error.value.http_status == 409
    assert len(outbox) == 1
    db.session.expire_all()
    assert db.session.get(Graduation, graduation.id).status == {"verify": "verified", "reject": "rejected"}[first]


def test_an_officer_of_another_organization_cannot_decide(db, artisan, program, outbox):
    stranger = factories.make_user(roles=["officer"], organization=factories.make_organization())
    graduation = claim(artisan, program)
    with pytest.raises(NotFound):
        services.verify_graduation(stranger, graduation.id)
    with pytest.raises(NotFound):
        services.reject_graduation(stranger, graduation.id, reason="Not ours")
    with pytest.raises(NotFound):
        services.view_claim(stranger, graduation.id)
    assert services.view_claims_queue(stranger) == []
    db.session.expire_all()
    assert db.session.get(Graduation, graduation.id).status == "claimed"
    assert outbox == []


def test_an_admin_may_decide_any_claim(db, artisan, program):
    admin = factories.make_user(roles=["admin"])
    graduation = claim(artisan, program)
    assert [c.id for c in services.view_claims_queue(admin)] == [graduation.id]
    assert services.verify_graduation(admin, graduation.id).status == "verified"


def test_only_artisans_claim_known_programs_once_with_sensible_dates(db, artisan, program):
    buyer = factories.make_user(roles=["buyer"])
    with pytest.raises(ValidationFailed):
        claim(buyer, program)
    with pytest.raises(ValidationFailed) as error:
        services.claim_graduation(artisan, program_slug="no-such-program", certificate_number="1",
                                  graduated_on=GRADUATED)
    assert error.value.field == "program"
    with pytest.raises(ValidationFailed) as error:
        claim(artisan, program, number="  ")
    assert error.value.field == "certificate_number"
    for bad_day in (program.start_date - timedelta(days=1), date.today() + timedelta(days=1)):
        with pytest.raises(ValidationFailed) as error:
            claim(artisan, program, graduated_on=bad_day)
        assert error.value.field == "graduated_on"
    assert count(db, Graduation) == 0

    claim(artisan, program)
    with pytest.raises(Conflict):
        claim(artisan, program, number="another")
    assert count(db, Graduation) == 1


def test_graduations_of_correctional_programs_start_private(db, artisan, program, prison_program):
    assert claim(artisan, program).public is True
    assert claim(artisan, prison_program).public is False


def test_only_the_artisan_changes_visibility_or_withdraws(db, artisan, program):
    graduation = claim(artisan, program)
    other = factories.make_artisan()
    with pytest.raises(NotFound):
        services.set_graduation_visibility(other, graduation.id, public=False)
    with pytest.raises(NotFound):
        services.withdraw_graduation(other, graduation.id)
    db.session.expire_all()
    assert db.session.get(Graduation, graduation.id).public is True

    assert services.set_graduation_visibility(artisan, graduation.id, public=False).public is False
    assert services.set_graduation_visibility(artisan, graduation.id, public=True).public is True


# --- certificate files ---------------------------------------------------------------------------

def test_withdrawing_deletes_the_certificate_file_and_keeps_the_audit_trail(app, db, artisan, officer,
                                                                          prison_program):
    graduation = claim(artisan, prison_program, certificate_file=io.BytesIO(png_bytes()))
    path = stored_path(app, graduation)
    assert path.is_file()
    services.view_claim(officer, graduation.id)
    assert access_entries(db) == [(officer.id, prison_program.id, "view_claim", graduation.id)]

    services.withdraw_graduation(artisan, graduation.id)
    assert not path.exists()
    assert count(db, Graduation) == 0
    assert access_entries(db) == [(officer.id, prison_program.id, "view_claim", None)]


def test_an_uploaded_photo_is_stored_without_its_exif(app, db, artisan, program):
    graduation = claim(artisan, program, certificate_file=io.BytesIO(jpeg_with_exif()))
    assert graduation.certificate_content_type == "image/jpeg"
    stored = stored_path(app, graduation).read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert image.size == (40, 30)
    assert dict(image.getexif()) == {}
    assert b"Canon" not in stored and b"Kamera Sari" not in stored


def test_an_uploaded_png_is_re_encoded_dropping_anything_hidden_after_the_pixels(app, db, artisan, program):
    smuggled = png_bytes() + b"<?php system($_GET['c']); ?>"
    graduation = claim(artisan, program, certificate_file=io.BytesIO(smuggled))
    assert graduation.certificate_content_type == "image/png"
    assert graduation.certificate_key.endswith(".png")
    stored = stored_path(app, graduation).read_bytes()
    assert b"<?php" not in stored
    image = Image.open(io.BytesIO(stored))
    assert (image.format, image.size) == ("PNG", (40, 30))


def test_a_pdf_certificate_is_kept_as_it_is(app, db, artisan, program):
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    graduation = claim(artisan, program, certificate_file=io.BytesIO(pdf))
    assert graduation.certificate_content_type == "application/pdf"
    assert stored_path(app, graduation).read_bytes() == pdf


@pytest.mark.parametrize("data", [b"just some text, not a certificate", b"GIF89a" + b"\x00" * 40, b""])
def test_a_certificate_that_is_no_image_or_pdf_is_refused_and_nothing_is_stored(app, db, artisan, program, data):
    root = Path(app.config["UPLOAD_ROOT"])
    before = set(root.rglob("*"))
    with pytest.raises(ValidationFailed) as error:
        claim(artisan, program, certificate_file=io.BytesIO(data))
    assert error.value.field == "certificate"
    assert set(root.rglob("*")) == before
    assert count(db, Graduation) == 0


@pytest.mark.parametrize("make_big", [noisy_png, lambda: b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"],
                         ids=["image", "pdf"])
def test_a_certificate_over_the_size_limit_is_refused(app, db, artisan, program, monkeypatch, make_big):
    monkeypatch.setitem(app.config, "CERTIFICATE_MAX_BYTES", 1000)
    big = make_big()
    assert len(big) > 1000
    with pytest.raises(ValidationFailed) as error:
        claim(artisan, program, certificate_file=io.BytesIO(big))
    assert error.value.field == "certificate"
    assert "MB" in error.value.message  # "larger than ... MB", not "not a readable image"
    assert count(db, Graduation) == 0
    assert claim(artisan, program, certificate_file=io.BytesIO(png_bytes((4, 4)))).certificate_key


def test_a_certificate_is_readable_by_its_artisan_and_the_programs_officers_only(db, artisan, officer, program):
    graduation = claim(artisan, program, certificate_file=io.BytesIO(png_bytes()))
    for reader in (artisan, officer, factories.make_user(roles=["admin"])):
        document = services.read_certificate(reader, graduation.id)
        assert document.content_type == "image/png"
        assert Image.open(io.BytesIO(document.data)).size == (40, 30)
    outsiders = (factories.make_artisan(), factories.make_user(roles=["buyer"]),
                 factories.make_user(roles=["officer"], organization=factories.make_organization()))
    for outsider in outsiders:
        with pytest.raises(NotFound):
            services.read_certificate(outsider, graduation.id)


# --- the access log ------------------------------------------------------------------------------

def test_officers_looking_at_a_correctional_program_are_logged(app, db, artisan, officer, prison_program):
    graduation = claim(artisan, prison_program, certificate_file=io.BytesIO(png_bytes()))
    services.view_program_graduates(officer, prison_program.slug)
    services.view_claims_queue(officer)
    services.view_claim(officer, graduation.id)
    services.read_certificate(officer, graduation.id)
    services.verify_graduation(officer, graduation.id)
    p, g, o = prison_program.id, graduation.id, officer.id
    assert access_entries(db) == [
        (o, p, "view_graduates", None), (o, p, "view_claim", g), (o, p, "view_claim", g),
        (o, p, "view_certificate", g), (o, p, "verified", g),
    ]
    assert [e.action for e in access_log.access_log_page(access_log.AccessLogFilters()).entries][0] == "verified"


def test_looking_at_other_programs_or_ones_own_certificate_is_not_logged(db, artisan, officer, program,
                                                                        prison_program):
    graduation = claim(artisan, program, certificate_file=io.BytesIO(png_bytes()))
    services.view_program_graduates(officer, program.slug)
    services.view_claims_queue(officer)
    services.view_claim(officer, graduation.id)
    services.read_certificate(officer, graduation.id)
    own = claim(artisan, prison_program, certificate_file=io.BytesIO(png_bytes()))
    services.read_certificate(artisan, own.id)
    assert access_entries(db) == []


def test_an_officer_only_lists_graduates_of_their_own_organizations_programs(db, artisan, officer, program):
    claim(artisan, program)
    listed_program, graduates = services.view_program_graduates(officer, program.slug)
    assert listed_program.id == program.id
    assert [g.artisan_id for g in graduates] == [artisan.id]
    stranger = factories.make_user(roles=["officer"], organization=factories.make_organization())
    with pytest.raises(NotFound):
        services.view_program_graduates(stranger, program.slug)
    with pytest.raises(NotFound):
        services.view_program_graduates(officer, "no-such-program")


# --- programs ------------------------------------------------------------------------------------

PROGRAM = {"title": "Coaching Clinic Batik Tulis", "kind": "coaching_clinic", "techniques": ["tulis"],
           "partners": ["Bank Indonesia", " "], "description": "Pewarnaan alami.", "venue": "Gedung Dekranasda",
           "city": "Kota Palembang", "province": "Sumatera Selatan", "start_date": date(2022, 3, 1),
           "end_date": date(2022, 3, 2), "participant_count": 25}


def test_an_officer_adds_programs_to_their_own_organization(db, officer, organization):
    program = services.create_program(officer, **PROGRAM)
    assert program.organization_id == organization.id
    assert program.slug == "coaching-clinic-batik-tulis-2022"
    assert program.partners == ["Bank Indonesia"]
    assert program.held_in_correctional_facility is False
    again = services.create_program(officer, organization_slug=organization.slug, **PROGRAM)
    assert again.slug == "coaching-clinic-batik-tulis-2022-2"

    other = factories.make_organization()
    with pytest.raises(ValidationFailed) as error:
        services.create_program(officer, organization_slug=other.slug, **PROGRAM)
    assert error.value.field == "organization"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingProgram)
                             .where(TrainingProgram.organization_id == other.id)) == 0


def test_an_admin_names_the_organization(db, organization):
    admin = factories.make_user(roles=["admin"])
    assert services.create_program(admin, organization_slug=organization.slug, **PROGRAM).organization_id \
        == organization.id
    with pytest.raises(ValidationFailed):
        services.create_program(admin, organization_slug="no-such-organization", **PROGRAM)
    with pytest.raises(ValidationFailed):
        services.create_program(admin, **PROGRAM)


@pytest.mark.parametrize("field,value", [
    ("end_date", date(2022, 2, 28)),
    ("techniques", ["tulis", "sablon"]),
    ("province", "Atlantis"),
    ("kind", "seminar"),
    ("participant_count", -1),
])
def test_invalid_programs_are_refused(db, officer, field, value):
    with pytest.raises(ValidationFailed) as error:
        services.create_program(officer, **{**PROGRAM, field: value})
    assert error.value.field == field
    assert count(db, TrainingProgram) == 0


def test_only_the_organizations_officers_edit_a_program(db, officer, program):
    stranger = factories.make_user(roles=["officer"], organization=factories.make_organization())
    with pytest.raises(NotFound):
        services.update_program(stranger, program.slug, title="Taken over")
    with pytest.raises(ValidationFailed):
        services.update_program(officer, program.slug, end_date=date(2020, 1, 1))
    assert services.update_program(officer, program.slug, participant_count=30).participant_count == 30
    db.session.expire_all()
    assert db.session.get(TrainingProgram, program.id).title == "Bimtek Batik Jumputan Palembang"


# --- rosters and invitations ---------------------------------------------------------------------

GOOD_ROSTER = (
    "name,email,phone,certificate_number,graduated_on\n"
    "Siti Aminah,siti@example.com,,WUB-001,2021-06-05\n"
    "Dewi Lestari,,0812 3456 7890,WUB-002,05/06/2021\n"
)


def import_csv(actor, program, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return rosters.import_roster(actor, program.slug, io.BytesIO(data))


def test_a_good_roster_becomes_invitations_and_mails_those_with_an_email(db, officer, program, outbox):
    invitations = import_csv(officer, program, GOOD_ROSTER)
    assert [(i.name, i.email, i.phone, i.certificate_number, i.graduated_on) for i in invitations] == [
        ("Siti Aminah", "siti@example.com", None, "WUB-001", GRADUATED),
        ("Dewi Lestari", None, "0812 3456 7890", "WUB-002", GRADUATED),
    ]
    codes = [i.code for i in invitations]
    assert len(set(codes)) == 2
    assert all(len(code) == 9 and code[4] == "-" for code in codes)
    assert [m.to for m in outbox] == [["siti@example.com"]]
    assert codes[0] in outbox[0].body
    assert f"http://localhost/register/invitation?code={codes[0]}" in outbox[0].body


def test_a_semicolon_roster_with_indonesian_headers_is_read(db, officer, program):
    text = ("\ufeffNama;Surel;Telepon;Nomor_Sertifikat;Tanggal_Lulus\r\n"
            "Siti Aminah;siti@example.com;;WUB-001;05-06-2021\r\n"
            "Dewi Lestari;;+62 812 3456 7890;WUB-002;05/06/2021\r\n")
    invitations = import_csv(officer, program, text)
    assert [(i.name, i.email, i.phone, i.certificate_number, i.graduated_on) for i in invitations] == [
        ("Siti Aminah", "siti@example.com", None, "WUB-001", GRADUATED),
        ("Dewi Lestari", None, "+62 812 3456 7890", "WUB-002", GRADUATED),
    ]


@pytest.mark.parametrize("bad_row,row,field", [
    ("Rina,rina@example.com,,WUB-003,31/02/2021", 4, "graduated_on"),
    ("Rina,rina@example.com,,WUB-003,2021-06-01", 4, "graduated_on"),  # before the program started
    ("Rina,rina@example.com,,WUB-001,2021-06-05", 4, "certificate_number"),
    ("Rina,,,WUB-003,2021-06-05", 4, "email"),
    ("Rina,siti@example.com,,WUB-003,2021-06-05", 4, "email"),
    ("Rina,not-an-email,,WUB-003,2021-06-05", 4, "email"),
    (",rina@example.com,,WUB-003,2021-06-05", 4, "name"),
])
def test_one_bad_row_imports_nothing_and_is_named(db, officer, program, outbox, bad_row, row, field):
    with pytest.raises(rosters.RosterInvalid) as error:
        import_csv(officer, program, GOOD_ROSTER + bad_row + "\n")
    assert [(p.row, p.field) for p in error.value.problems] == [(row, field)]
    assert error.value.errors["roster"][0].startswith(f"{row}: {field}: ")
    assert count(db, Invitation) == 0
    assert outbox == []


def test_a_certificate_number_imported_before_is_refused(db, officer, program):
    import_csv(officer, program, GOOD_ROSTER)
    with pytest.raises(rosters.RosterInvalid) as error:
        import_csv(officer, program, "name,phone,certificate_number,graduated_on\n"
                                     "Rina,0812 0000 1111,WUB-002,2021-06-05\n")
    assert [(p.row, p.field) for p in error.value.problems] == [(2, "certificate_number")]
    assert count(db, Invitation) == 2


@pytest.mark.parametrize("text", [
    "",
    "name,certificate_number,graduated_on\nSiti,WUB-001,2021-06-05\n",  # neither email nor phone column
    "name,email,phone,certificate_number,graduated_on\n",
])
def test_an_empty_or_headless_roster_is_refused(db, officer, program, text):
    with pytest.raises(ValidationFailed):
        import_csv(officer, program, text)
    assert count(db, Invitation) == 0


def test_a_roster_that_is_not_utf8_is_refused(db, officer, program):
    with pytest.raises(rosters.RosterInvalid):
        import_csv(officer, program, GOOD_ROSTER.replace("Siti", "S\u00eeti").encode("cp1252"))
    assert count(db, Invitation) == 0


def test_only_the_programs_officers_import_a_roster(db, program):
    stranger = factories.make_user(roles=["officer"], organization=factories.make_organization())
    with pytest.raises(NotFound):
        import_csv(stranger, program, GOOD_ROSTER)
    with pytest.raises(NotFound):
        rosters.invitations_of(stranger, program.slug)
    assert count(db, Invitation) == 0


def test_an_invitation_code_works_once(db, officer, program, prison_program):
    siti = import_csv(officer, program, GOOD_ROSTER)[0]
    buyer = factories.make_user(roles=["buyer"])
    graduation = rosters.redeem_invitation_code(buyer, siti.code.lower().replace("-", " "))
    assert (graduation.status, graduation.source, graduation.public) == ("verified", "roster", True)
    assert (graduation.certificate_number, graduation.graduated_on) == ("WUB-001", GRADUATED)
    db.session.expire_all()
    assert "artisan" in db.session.get(type(buyer), buyer.id).roles
    assert db.session.get(Invitation, siti.id).used_by_id == buyer.id

    someone_else = factories.make_artisan()
    with pytest.raises(ValidationFailed) as error:
        rosters.redeem_invitation_code(someone_else, siti.code)
    assert error.value.field == "invitation_code"
    with pytest.raises(ValidationFailed):
        rosters.redeem_invitation_code(someone_else, "ZZZZ-ZZZZ")
    assert db.session.scalars(Graduation.of_artisan(someone_else.id)).all() == []

    prison_invitation = import_csv(officer, prison_program, GOOD_ROSTER)[1]
    assert rosters.redeem_invitation_code(someone_else, prison_invitation.code).public is False


def test_a_code_for_a_program_already_on_the_account_is_refused_and_stays_unused(db, officer, program):
    artisan = factories.make_artisan()
    claim(artisan, program)
    invitation = import_csv(officer, program, GOOD_ROSTER)[0]
    with pytest.raises(ValidationFailed):
        rosters.redeem_invitation_code(artisan, invitation.code)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).used_at is None


# --- the correctional-facility setting and the program edit audit (issue 9, finding 1) -----------

def edits_of(db, program):
    db.session.expire_all()
    return [(e.editor_id, e.action, e.changes) for e in
            db.session.scalars(sa.select(ProgramEdit).filter_by(program_id=program.id).order_by(ProgramEdit.id))]


def test_program_creation_and_every_edit_are_audited_with_old_and_new_values(db, officer, organization):
    program = services.create_program(officer, **PROGRAM)
    [(editor, action, changes)] = edits_of(db, program)
    assert (editor, action) == (officer.id, "create")
    assert changes["title"] == [None, "Coaching Clinic Batik Tulis"]
    assert changes["start_date"] == [None, "2022-03-01"]
    assert changes["held_in_correctional_facility"] == [None, False]

    services.update_program(officer, program.slug, participant_count=30, end_date=date(2022, 3, 3))
    assert edits_of(db, program)[1] == (officer.id, "update", {
        "participant_count": [25, 30], "end_date": ["2022-03-02", "2022-03-03"]})
    services.update_program(officer, program.slug, participant_count=30)  # no change, nothing to audit
    with pytest.raises(ValidationFailed):
        services.update_program(officer, program.slug, participant_count=31, end_date=date(2020, 1, 1))
    assert len(edits_of(db, program)) == 2
    admin = factories.make_user(roles=["admin"])
    assert [e.action for e in services.program_edits(admin, program.slug)] == ["update", "create"]
    with pytest.raises(NotFound):  # the audit is the admins'
        services.program_edits(officer, program.slug)


def test_only_an_admin_changes_the_correctional_facility_setting(db, officer, program, prison_program):
    for target, value in ((prison_program, False), (program, True)):
        with pytest.raises(ValidationFailed) as error:
            services.update_program(officer, target.slug, held_in_correctional_facility=value, title="Changed")
        assert error.value.field == "held_in_correctional_facility"
        db.session.expire_all()
        assert (target.held_in_correctional_facility, target.title) == (not value, target.title)
        assert edits_of(db, target) == []
    admin = factories.make_user(roles=["admin"])
    services.update_program(admin, program.slug, held_in_correctional_facility=True)
    assert edits_of(db, program) == [(admin.id, "update", {"held_in_correctional_facility": [False, True]})]


def test_turning_the_setting_on_hides_every_graduation_and_the_history_stays(db, artisan, organization):
    admin = factories.make_user(roles=["admin"])
    program = factories.make_program(organization)
    shown = factories.make_graduation(artisan, program, status="verified", public=True)
    claimed = factories.make_graduation(factories.make_artisan(), program, public=True)
    assert program.is_sensitive is False
    services.update_program(admin, program.slug, held_in_correctional_facility=True)
    db.session.expire_all()
    assert (shown.public, claimed.public) == (False, False)
    assert program.ever_held_in_correctional_facility is True

    services.update_program(admin, program.slug, held_in_correctional_facility=False)
    db.session.expire_all()
    assert (program.held_in_correctional_facility, program.is_sensitive) == (False, True)
    later = claim(factories.make_artisan(), program, number="LATER-1")
    assert later.public is False  # a new claim stays private by default
    officer = factories.make_user(roles=["officer"], organization=organization)
    services.view_program_graduates(officer, program.slug)
    assert access_entries(db)[-1] == (officer.id, program.id, "view_graduates", None)


def test_roster_imports_and_invitation_lists_of_a_correctional_program_are_logged(db, officer, program,
                                                                                   prison_program):
    rosters.import_roster(officer, program.slug, io.BytesIO(GOOD_ROSTER.encode()))
    rosters.invitations_of(officer, program.slug)
    assert access_entries(db) == []
    rosters.import_roster(officer, prison_program.slug, io.BytesIO(GOOD_ROSTER.encode()))
    rosters.invitations_of(officer, prison_program.slug)
    o, p = officer.id, prison_program.id
    assert access_entries(db) == [(o, p, "import_roster", None), (o, p, "view_invitations", None)]


def test_a_decision_on_a_decided_claim_is_logged_and_still_refused(db, artisan, officer, program, prison_program):
    graduation = claim(artisan, prison_program)
    services.verify_graduation(officer, graduation.id)
    with pytest.raises(services.InvalidTransition):
        services.reject_graduation(officer, graduation.id, reason="Second thoughts")
    db.session.rollback()  # what the request's teardown does after the 409
    o, p, g = officer.id, prison_program.id, graduation.id
    assert access_entries(db) == [(o, p, "verified", g), (o, p, "decide_refused", g)]
    assert db.session.get(Graduation, g).status == "verified"
    normal = claim(artisan, program)
    services.verify_graduation(officer, normal.id)
    with pytest.raises(services.InvalidTransition):
        services.verify_graduation(officer, normal.id)
    assert len(access_entries(db)) == 2  # other programs are not logged


def test_showing_a_correctional_graduation_needs_the_artisans_confirmation(db, artisan, program, prison_program):
    graduation = factories.make_graduation(artisan, prison_program, status="verified")
    with pytest.raises(ValidationFailed) as error:
        services.set_graduation_visibility(artisan, graduation.id, public=True)
    assert error.value.field == "confirm_correctional_facility_shown"
    db.session.expire_all()
    assert graduation.public is False
    services.set_graduation_visibility(artisan, graduation.id, public=True,
                                       confirm_correctional_facility_shown=True)
    assert services.set_graduation_visibility(artisan, graduation.id, public=False).public is False
    normal = factories.make_graduation(artisan, program, status="verified", public=False)
    assert services.set_graduation_visibility(artisan, normal.id, public=True).public is True


# --- the access log: keyset pages, filters, CSV (finding 3) ---------------------------------------

def log_rows(officer, program, n, start, step=timedelta(minutes=1)):
    """N access-log rows, oldest first; every two share a time, so the id has to break ties."""
    rows = [AccessLogEntry(officer_id=officer.id, program_id=program.id, action="view_graduates",
                           created_at=start + step * (i // 2)) for i in range(n)]
    _db.session.add_all(rows)
    _db.session.commit()
    return [row.id for row in rows]


def test_the_access_log_pages_by_keyset_newest_first_without_overlap(db, officer, prison_program):
    ids = log_rows(officer, prison_program, 2 * access_log.PER_PAGE + 7, datetime(2026, 3, 1, tzinfo=timezone.utc))
    newest_first = sorted(ids, reverse=True)
    filters = access_log.AccessLogFilters()
    first = access_log.access_log_page(filters)
    assert [e.id for e in first.entries] == newest_first[:access_log.PER_PAGE]
    assert first.prev_cursor is None and first.next_cursor
    # Rows logged while the admin reads do not shift the next page.
    log_rows(officer, prison_program, 3, datetime(2026, 4, 1, tzinfo=timezone.utc))
    second = access_log.access_log_page(filters, access_log.read_cursor(first.next_cursor))
    assert [e.id for e in second.entries] == newest_first[access_log.PER_PAGE:2 * access_log.PER_PAGE]
    third = access_log.access_log_page(filters, access_log.read_cursor(second.next_cursor))
    assert [e.id for e in third.entries] == newest_first[2 * access_log.PER_PAGE:]
    assert third.next_cursor is None
    back = access_log.access_log_page(filters, access_log.read_cursor(third.prev_cursor))
    assert [e.id for e in back.entries] == [e.id for e in second.entries]
    for bad in ("", "not-a-cursor", "eyJ4IjoxfQ"):
        with pytest.raises(CursorError):
            access_log.read_cursor(bad)


def test_the_access_log_filters_by_officer_program_and_days_in_jakarta(db, officer, organization, prison_program):
    other_officer = factories.make_user(roles=["officer"], organization=organization)
    other_program = factories.make_program(organization, held_in_correctional_facility=True)
    # 2026-03-01 23:30 in Jakarta is 16:30 UTC the same day; 2026-03-02 00:30 Jakarta is 17:30 UTC.
    mine = log_rows(officer, prison_program, 1, datetime(2026, 3, 1, 16, 30, tzinfo=timezone.utc))
    next_day = log_rows(officer, prison_program, 1, datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc))
    theirs = log_rows(other_officer, prison_program, 1, datetime(2026, 3, 1, 12, tzinfo=timezone.utc))
    other = log_rows(officer, other_program, 1, datetime(2026, 3, 1, 12, tzinfo=timezone.utc))

    def ids(**filters):
        return sorted(e.id for e in access_log.access_log_page(access_log.AccessLogFilters(**filters)).entries)

    assert ids() == sorted(mine + next_day + theirs + other)
    assert ids(officer_id=other_officer.id) == theirs
    assert ids(program_id=other_program.id) == other
    assert ids(officer_id=officer.id, program_id=prison_program.id) == sorted(mine + next_day)
    assert ids(since=date(2026, 3, 2)) == next_day
    assert ids(until=date(2026, 3, 1)) == sorted(mine + theirs + other)
    assert ids(since=date(2026, 3, 1), until=date(2026, 3, 1), officer_id=officer.id,
               program_id=prison_program.id) == mine


def test_the_access_log_csv_holds_every_filtered_row_in_batches(app, db, officer, prison_program, monkeypatch):
    monkeypatch.setattr(access_log, "CSV_BATCH", 4)
    ids = log_rows(officer, prison_program, 9, datetime(2026, 3, 1, tzinfo=timezone.utc))
    with app.test_request_context():
        lines = list(access_log.csv_lines(access_log.AccessLogFilters()))
    assert lines[0].startswith("\ufeffid,created_at_utc,officer_email,")
    assert [int(line.split(",")[0]) for line in lines[1:]] == sorted(ids, reverse=True)
    assert lines[1] == (f"{max(ids)},2026-03-01T00:04:00+00:00,petugas@disperin.test,Petugas Disperin,"
                        "pelatihan-batik-lapas-2021,Pelatihan Batik Lapas Perempuan Palembang,view_graduates,"
                        "Melihat daftar lulusan,\r\n")
