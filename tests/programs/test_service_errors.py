"""Each refusal of the program and graduation services: its kind (hence the HTTP status), the field
the form or the API shows it on, and what it tells the person, in English (the msgid)."""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from marketplace.core.errors import CantingError, Conflict, NotFound, ValidationFailed
from marketplace.programs import services
from tests import factories

PROGRAM = {"title": "Coaching Clinic Batik Tulis", "kind": "coaching_clinic", "techniques": ["tulis"],
           "partners": [], "description": "", "venue": "Gedung Dekranasda", "city": "Kota Palembang",
           "province": "Sumatera Selatan", "start_date": date(2022, 3, 1), "end_date": date(2022, 3, 2),
           "participant_count": 25}
ORGANIZATION = {"name": "Dekranasda Palembang", "slug": "dekranasda-palembang", "kind": "government_office",
                "province": "Sumatera Selatan"}


@pytest.fixture
def world():
    organization = factories.make_organization(slug="disperin-sumsel")
    program = factories.make_program(organization, slug="bimtek-2021")
    artisan = factories.make_artisan()
    claimed = factories.make_graduation(artisan, program)
    decided = factories.make_graduation(factories.make_artisan(), program, status="verified")
    with_certificate = factories.make_graduation(factories.make_artisan(), program,
                                                 certificate_key="certificates/0123.png")
    return SimpleNamespace(
        organization=organization, program=program, artisan=artisan, claimed=claimed, decided=decided,
        with_certificate=with_certificate,
        officer=factories.make_user(roles=["officer"], organization=organization),
        stranger=factories.make_user(roles=["officer"], organization=factories.make_organization()),
        admin=factories.make_user(roles=["admin"]),
        # Someone who was an officer: the role is gone, the organization is still on the account.
        former_officer=factories.make_user(roles=["buyer"], organization=organization),
    )


def claim(w, user=None, **changes):
    values = {"program_slug": w.program.slug, "certificate_number": "SERT-9", "graduated_on": date(2021, 6, 5)}
    return services.claim_graduation(user or factories.make_artisan(), **{**values, **changes})


CASES = {
    "organization of an unknown kind": (
        lambda w: services.create_organization(**{**ORGANIZATION, "kind": "club"}),
        ValidationFailed, "kind", "Unknown kind of organization."),
    "organization in an unknown province": (
        lambda w: services.create_organization(**{**ORGANIZATION, "province": "Atlantis"}),
        ValidationFailed, "province", "Unknown province."),
    "organization slug taken": (
        lambda w: services.create_organization(**{**ORGANIZATION, "slug": " Disperin-Sumsel "}),
        ValidationFailed, "slug", "Another organization already uses this short name."),
    "another organization's program": (
        lambda w: services.update_program(w.stranger, w.program.slug, title="Diambil alih"),
        NotFound, None, "Program not found."),
    "program of an unknown kind": (
        lambda w: services.create_program(w.officer, **{**PROGRAM, "kind": "seminar"}),
        ValidationFailed, "kind", "Unknown kind of program."),
    "program with unknown techniques": (
        lambda w: services.create_program(w.officer, **{**PROGRAM, "techniques": ["tulis", "sablon", "ikat"]}),
        ValidationFailed, "techniques", "Unknown technique: sablon, ikat"),
    "program in an unknown province": (
        lambda w: services.create_program(w.officer, **{**PROGRAM, "province": "Atlantis"}),
        ValidationFailed, "province", "Unknown province."),
    "program ending before it starts": (
        lambda w: services.create_program(w.officer, **{**PROGRAM, "end_date": date(2022, 2, 28)}),
        ValidationFailed, "end_date", "The program cannot end before it starts."),
    "negative participant count": (
        lambda w: services.create_program(w.officer, **{**PROGRAM, "participant_count": -1}),
        ValidationFailed, "participant_count", "Must be zero or more."),
    "admin naming an unknown organization": (
        lambda w: services.create_program(w.admin, organization_slug="nope", **PROGRAM),
        ValidationFailed, "organization", "No organization with this slug."),
    "officer naming another organization": (
        lambda w: services.create_program(w.officer, organization_slug="dekranasda-lain", **PROGRAM),
        ValidationFailed, "organization", "You can add programs of your own organization only."),
    "admin naming no organization": (
        lambda w: services.create_program(w.admin, **PROGRAM),
        ValidationFailed, "organization", "Choose the organization that ran the program."),
    "former officer adding a program": (
        lambda w: services.create_program(w.former_officer, **PROGRAM),
        ValidationFailed, "organization", "Choose the organization that ran the program."),
    "buyer claiming a program": (
        lambda w: claim(w, factories.make_user()),
        ValidationFailed, "program", "Only artisans can claim a program."),
    "claim of an unknown program": (
        lambda w: claim(w, program_slug="no-such-program"),
        ValidationFailed, "program", "No program with this name."),
    "claim without certificate number": (
        lambda w: claim(w, certificate_number="  "),
        ValidationFailed, "certificate_number", "Enter the certificate number."),
    "graduation before the program": (
        lambda w: claim(w, graduated_on=date(2021, 6, 2)),
        ValidationFailed, "graduated_on", "The graduation date is before the program started."),
    "graduation in the future": (
        lambda w: claim(w, graduated_on=date.today() + timedelta(days=1)),
        ValidationFailed, "graduated_on", "The graduation date is in the future."),
    "second claim of a program": (
        lambda w: claim(w, w.artisan),
        Conflict, "program", "You have already claimed this program."),
    "another organization's claim": (
        lambda w: services.verify_graduation(w.stranger, w.claimed.id),
        NotFound, None, "Claim not found."),
    "decided claim": (
        lambda w: services.verify_graduation(w.officer, w.decided.id),
        services.InvalidTransition, None, "This claim was already decided (Verified)."),
    "rejection without reason": (
        lambda w: services.reject_graduation(w.officer, w.claimed.id, reason=" "),
        ValidationFailed, "reason", "Tell the artisan why the claim is rejected."),
    "someone else's graduation": (
        lambda w: services.set_graduation_visibility(factories.make_artisan(), w.claimed.id, public=True),
        NotFound, None, "Graduation not found."),
    "certificate of another organization's claim": (
        lambda w: services.read_certificate(w.stranger, w.with_certificate.id),
        NotFound, None, "Certificate not found."),
    "claim without certificate file": (
        lambda w: services.read_certificate(w.officer, w.claimed.id),
        NotFound, None, "Certificate not found."),
}


@pytest.mark.parametrize("case", CASES)
def test_each_refusal_names_its_field_and_says_why(world, case):
    call, kind, field, message = CASES[case]
    with force_locale("en"), pytest.raises(CantingError) as raised:
        call(world)
    assert type(raised.value) is kind
    assert (raised.value.field, str(raised.value.message)) == (field, message)
