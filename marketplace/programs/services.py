"""Organization, program and graduation use cases.

Each public function is one thing a person does: it takes the acting user, checks the rules,
writes, commits once and rolls back on any error. Mail is written to the outbox in the same
transaction and goes out after the commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from slugify import slugify

from marketplace.accounts.models import Role, User
from marketplace.core.times import utcnow
from marketplace.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from marketplace.core.mail import queue_mail
from marketplace.core.regions import PROVINCES
from marketplace.core.storage import storage
from marketplace.core.uploads import check_document
from marketplace.core.transaction import atomic, commit
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.programs.models import (
    ORGANIZATION_KIND_LABELS, PROGRAM_KIND_LABELS, TECHNIQUE_LABELS, AccessLogEntry, Graduation,
    GraduationStatus, Organization, ProgramEdit, TrainingProgram,
)


CONFIRM_SHOWN_FIELD = "confirm_correctional_facility_shown"


# --- organizations -------------------------------------------------------------------------

def create_organization(*, name: str, slug: str, kind: str, province: str) -> Organization:
    """Admin registers an organization that runs training programs.

    Raises ValidationFailed (slug taken, unknown kind or province).
    """
    if kind not in ORGANIZATION_KIND_LABELS:
        raise ValidationFailed(_("Unknown kind of organization."), field="kind")
    if province not in PROVINCES:
        raise ValidationFailed(_("Unknown province."), field="province")
    slug = slug.strip().lower()
    if db.session.scalar(sa.select(Organization.id).filter_by(slug=slug)) is not None:
        raise ValidationFailed(_("Another organization already uses this short name."), field="slug")
    organization = Organization(name=name.strip(), slug=slug, kind=kind, province=province)
    db.session.add(organization)
    commit()
    return organization


# --- programs ------------------------------------------------------------------------------

PROGRAM_FIELDS = (
    "title", "kind", "partners", "techniques", "description", "venue", "city", "province",
    "start_date", "end_date", "participant_count", "held_in_correctional_facility",
)


def program_for_officer(actor: User, slug: str) -> TrainingProgram:
    """The program if the actor is an officer of its organization or an admin; else NotFound.

    Officers of other organizations get NotFound rather than Forbidden, so they cannot even
    learn which graduates or claims exist.
    """
    program = db.session.scalar(sa.select(TrainingProgram).filter_by(slug=slug))
    if program is None or not can_manage_program(actor, program):
        raise NotFound(_("Program not found."))
    return program


def can_manage_program(actor: User, program: TrainingProgram) -> bool:
    if actor.has_role(Role.ADMIN.value):
        return True
    return actor.has_role(Role.OFFICER.value) and actor.organization_id == program.organization_id


def _validate_program(values: dict) -> None:
    if values["kind"] not in PROGRAM_KIND_LABELS:
        raise ValidationFailed(_("Unknown kind of program."), field="kind")
    unknown = [t for t in values["techniques"] if t not in TECHNIQUE_LABELS]
    if unknown:
        raise ValidationFailed(_("Unknown technique: %(t)s", t=", ".join(unknown)), field="techniques")
    if values["province"] not in PROVINCES:
        raise ValidationFailed(_("Unknown province."), field="province")
    if values["end_date"] < values["start_date"]:
        raise ValidationFailed(_("The program cannot end before it starts."), field="end_date")
    count = values.get("participant_count")
    if count is not None and count < 0:
        raise ValidationFailed(_("Must be zero or more."), field="participant_count")


def _normalized_program(values: dict) -> dict:
    """Trimmed partners, de-duplicated techniques, then the rules; raises ValidationFailed."""
    values["partners"] = [p.strip() for p in values["partners"] or [] if p and p.strip()]
    values["techniques"] = list(dict.fromkeys(values["techniques"] or []))
    values["description"] = values["description"] or ""
    values["held_in_correctional_facility"] = bool(values["held_in_correctional_facility"])
    _validate_program(values)
    return values


def _unique_program_slug(title: str, year: int) -> str:
    base = slugify(f"{title} {year}")[:110] or "program"
    slug, n = base, 2
    while db.session.scalar(sa.select(TrainingProgram.id).filter_by(slug=slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _audit_value(value):
    """A program fact as the edit audit stores it (JSON): dates in ISO 8601."""
    return value.isoformat() if isinstance(value, date) else value


def _record_edit(actor: User, program: TrainingProgram, action: str, changes: dict) -> None:
    """Flushes (never commits) the audit row of a program's creation or edit."""
    db.session.add(ProgramEdit(
        program=program, editor=actor, action=action,
        changes={field: [_audit_value(old), _audit_value(new)] for field, (old, new) in changes.items()},
    ))


def create_program(actor: User, *, organization_slug: str | None = None, **values) -> TrainingProgram:
    """An officer adds a program of their own organization; an admin names the organization.
    The creation is audited (ProgramEdit) in the same transaction.

    Raises ValidationFailed, NotFound (unknown organization for an admin).
    """
    if actor.has_role(Role.ADMIN.value) and organization_slug:
        organization = db.session.scalar(sa.select(Organization).filter_by(slug=organization_slug))
        if organization is None:
            raise ValidationFailed(_("No organization with this slug."), field="organization")
    elif actor.has_role(Role.OFFICER.value) and actor.organization is not None:
        if organization_slug and organization_slug != actor.organization.slug:
            raise ValidationFailed(_("You can add programs of your own organization only."),
                                   field="organization")
        organization = actor.organization
    else:
        raise ValidationFailed(_("Choose the organization that ran the program."), field="organization")
    values = _normalized_program({field: values.get(field) for field in PROGRAM_FIELDS})
    program = TrainingProgram(
        organization=organization, slug=_unique_program_slug(values["title"], values["start_date"].year),
        **values,
    )
    db.session.add(program)
    _record_edit(actor, program, "create", {field: (None, value) for field, value in values.items()})
    commit()
    return program


def update_program(actor: User, slug: str, **values) -> TrainingProgram:
    """Edit a program's facts; every change is audited (ProgramEdit) in the same transaction.

    Only an admin may change `held_in_correctional_facility`: an officer could otherwise switch it
    off, let graduations go public by default, and switch it on again. Turning it on hides every
    graduation of the program from buyers until each artisan opts in again.

    Raises NotFound (not theirs), ValidationFailed (bad facts, or an officer changing the flag).
    """
    program = program_for_officer(actor, slug)
    merged = {field: getattr(program, field) for field in PROGRAM_FIELDS}
    merged.update({k: v for k, v in values.items() if k in PROGRAM_FIELDS})
    merged = _normalized_program(merged)
    flag = "held_in_correctional_facility"
    if merged[flag] != program.held_in_correctional_facility and not actor.has_role(Role.ADMIN.value):
        raise ValidationFailed(
            _("Only an admin can change whether a program was held in a correctional facility."), field=flag
        )
    turned_on = merged[flag] and not program.held_in_correctional_facility
    changes = {field: (getattr(program, field), value) for field, value in merged.items()
               if getattr(program, field) != value}
    for field, value in merged.items():
        setattr(program, field, value)
    if turned_on:
        db.session.execute(
            sa.update(Graduation).where(Graduation.program_id == program.id, Graduation.public.is_(True))
            .values(public=False)
        )
    if changes:
        _record_edit(actor, program, "update", changes)
    commit()
    return program


def set_impact_page(actor: User, slug: str, *, public: bool) -> TrainingProgram:
    """An officer of the program's organization (or an admin) publishes or withdraws the program's
    public impact page; the change is kept with the program's other edits. Raises NotFound."""
    program = program_for_officer(actor, slug)
    if program.impact_page_public != public:
        _record_edit(actor, program, "update", {"impact_page_public": [program.impact_page_public, public]})
        program.impact_page_public = public
    commit()
    return program


def program_edits(actor: User, slug: str) -> list[ProgramEdit]:
    """A program's audited creation and edits, newest first, for admins. Raises NotFound."""
    program = program_for_officer(actor, slug)
    if not actor.has_role(Role.ADMIN.value):
        raise NotFound(_("Program not found."))
    return db.session.scalars(ProgramEdit.of_program(program.id)).all()


# --- graduation claims ---------------------------------------------------------------------

def default_public(program: TrainingProgram) -> bool:
    # A correctional-facility program reveals a criminal record: private unless the artisan says so.
    # Its history counts, not today's flag: switching the flag off must not make new claims public.
    return not program.is_sensitive


def _check_graduation_date(program: TrainingProgram, graduated_on: date, field: str = "graduated_on"):
    if graduated_on < program.start_date:
        raise ValidationFailed(_("The graduation date is before the program started."), field=field)
    if graduated_on > date.today():
        raise ValidationFailed(_("The graduation date is in the future."), field=field)


def claim_graduation(
    artisan: User, *, program_slug: str, certificate_number: str, graduated_on: date,
    certificate_file=None,
) -> Graduation:
    """An artisan says they graduated from a program; an officer will verify it.

    Raises ValidationFailed (unknown program, bad date, bad file), Conflict (already claimed).
    """
    if not artisan.has_role(Role.ARTISAN.value):
        raise ValidationFailed(_("Only artisans can claim a program."), field="program")
    program = db.session.scalar(sa.select(TrainingProgram).filter_by(slug=program_slug))
    if program is None:
        raise ValidationFailed(_("No program with this name."), field="program")
    certificate_number = (certificate_number or "").strip()
    if not certificate_number:
        raise ValidationFailed(_("Enter the certificate number."), field="certificate_number")
    _check_graduation_date(program, graduated_on)
    existing = db.session.scalar(
        sa.select(Graduation.id).filter_by(artisan_id=artisan.id, program_id=program.id)
    )
    if existing is not None:
        raise Conflict(_("You have already claimed this program."), field="program")
    checked = None
    if certificate_file is not None:
        checked = check_document(
            certificate_file, max_bytes=current_app.config["CERTIFICATE_MAX_BYTES"], field="certificate"
        )
    graduation = Graduation(
        artisan=artisan, program=program, certificate_number=certificate_number,
        graduated_on=graduated_on, public=default_public(program), source="claim",
        status=GraduationStatus.CLAIMED.value,
    )
    key = None
    if checked is not None:
        key = storage().save(checked.data, folder="certificates", extension=checked.extension)
        graduation.certificate_key, graduation.certificate_content_type = key, checked.content_type
    try:
        with atomic():
            db.session.add(graduation)
    except Exception:
        if key:
            storage().delete(key)
        raise
    return graduation


def _graduation_for_officer(actor: User, graduation_id: int) -> Graduation:
    graduation = db.session.get(Graduation, graduation_id)
    if graduation is None or not can_manage_program(actor, graduation.program):
        raise NotFound(_("Claim not found."))
    return graduation


def _decide(actor: User, graduation_id: int, status: str, reason: str | None) -> Graduation:
    graduation = _graduation_for_officer(actor, graduation_id)
    if not graduation.can_move_to(status):
        # The officer still opened this graduate's record: log it, committed before the 409
        # (the error handler answers without writing anything).
        log_access(actor, graduation.program, "decide_refused", graduation)
        commit()
        raise InvalidTransition(
            _("This claim was already decided (%(status)s).", status=graduation.status_label)
        )
    graduation.status = status
    graduation.rejection_reason = reason
    graduation.decided_by = actor
    graduation.decided_at = utcnow()
    log_access(actor, graduation.program, status, graduation)
    artisan = graduation.artisan
    queue_mail(
        artisan.email, "programs/mail/decision_subject.txt", "programs/mail/decision.txt",
        locale=artisan.locale, graduation=graduation, artisan=artisan,
        link=external_url("programs.my_graduations"),
    )
    commit()
    return graduation


def verify_graduation(actor: User, graduation_id: int) -> Graduation:
    """An officer of the program's organization confirms a claim.

    Raises NotFound (not their program), InvalidTransition (already decided).
    """
    return _decide(actor, graduation_id, GraduationStatus.VERIFIED.value, None)


def reject_graduation(actor: User, graduation_id: int, *, reason: str) -> Graduation:
    """An officer turns a claim down, saying why. Raises NotFound, InvalidTransition, ValidationFailed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Tell the artisan why the claim is rejected."), field="reason")
    return _decide(actor, graduation_id, GraduationStatus.REJECTED.value, reason[:2000])


def own_graduation(artisan: User, graduation_id: int) -> Graduation:
    """The artisan's own graduation. Raises NotFound for anyone else's."""
    graduation = db.session.scalar(
        sa.select(Graduation).filter_by(id=graduation_id, artisan_id=artisan.id)
    )
    if graduation is None:
        raise NotFound(_("Graduation not found."))
    return graduation


def set_graduation_visibility(artisan: User, graduation_id: int, *, public: bool,
                              confirm_correctional_facility_shown: bool = False) -> Graduation:
    """The artisan alone decides whether buyers see this program on their shop.

    Showing a correctional-facility program's graduation tells buyers the artisan served a
    sentence: it takes an explicit confirmation, after the artisan has seen what buyers will see.
    Hiding is always one step.

    Raises NotFound, ValidationFailed (showing such a graduation without the confirmation).
    """
    graduation = own_graduation(artisan, graduation_id)
    if public and not graduation.public and graduation.program.is_sensitive \
            and not confirm_correctional_facility_shown:
        raise ValidationFailed(
            _("This program was held in a correctional facility: confirm that buyers may see it, "
              "and the facility's name on the program page."),
            field=CONFIRM_SHOWN_FIELD,
        )
    graduation.public = bool(public)
    commit()
    return graduation


def withdraw_graduation(artisan: User, graduation_id: int) -> None:
    """The artisan takes back a claim or graduation; its certificate file is deleted too.

    Raises NotFound.
    """
    graduation = own_graduation(artisan, graduation_id)
    key = graduation.certificate_key
    db.session.execute(
        sa.update(AccessLogEntry).where(AccessLogEntry.graduation_id == graduation.id)
        .values(graduation_id=None)
    )
    db.session.delete(graduation)
    commit()
    if key:
        storage().delete(key)


# --- what officers look at, and the access log ----------------------------------------------

def log_access(actor: User, program: TrainingProgram, action: str, graduation: Graduation | None = None):
    """Flushes (never commits) an audit row when the program is or ever was held in a
    correctional facility."""
    if program.is_sensitive:
        db.session.add(AccessLogEntry(officer=actor, program=program, action=action,
                                      graduation_id=graduation.id if graduation else None))


def view_program_graduates(actor: User, slug: str) -> tuple[TrainingProgram, list[Graduation]]:
    """An officer's list of a program's graduates and claims (logged for sensitive programs).

    Raises NotFound.
    """
    program = program_for_officer(actor, slug)
    log_access(actor, program, "view_graduates")
    commit()
    graduates = db.session.scalars(
        sa.select(Graduation).filter_by(program_id=program.id)
        .order_by(Graduation.status, Graduation.created_at.desc())
    ).all()
    return program, graduates


def view_claims_queue(actor: User) -> list[Graduation]:
    """Claims waiting for the actor's organization (all claims for an admin)."""
    query = (
        sa.select(Graduation).join(Graduation.program)
        .where(Graduation.status == GraduationStatus.CLAIMED.value)
        .order_by(Graduation.created_at)
    )
    if not actor.has_role(Role.ADMIN.value):
        query = query.where(TrainingProgram.organization_id == actor.organization_id)
    sensitive = [
        {"officer_id": actor.id, "program_id": claim.program_id, "graduation_id": claim.id,
         "action": "view_claim", "created_at": utcnow()}
        for claim in db.session.scalars(query).all() if claim.program.is_sensitive
    ]
    if sensitive:  # one multi-row INSERT, however long the queue
        db.session.execute(sa.insert(AccessLogEntry), sensitive)
    commit()
    # The commit expired every row; one fresh query beats reloading each claim in the template.
    return db.session.scalars(query).all()


def view_claim(actor: User, graduation_id: int) -> Graduation:
    """One claim, for deciding it. Raises NotFound."""
    graduation = _graduation_for_officer(actor, graduation_id)
    log_access(actor, graduation.program, "view_claim", graduation)
    commit()
    return graduation


@dataclass
class CertificateFile:
    data: bytes
    content_type: str
    filename: str


def read_certificate(actor: User, graduation_id: int) -> CertificateFile:
    """The uploaded certificate, for its artisan or an officer of the program. Raises NotFound."""
    graduation = db.session.get(Graduation, graduation_id)
    if graduation is None or not graduation.certificate_key:
        raise NotFound(_("Certificate not found."))
    if graduation.artisan_id != actor.id:
        if not can_manage_program(actor, graduation.program):
            raise NotFound(_("Certificate not found."))
        log_access(actor, graduation.program, "view_certificate", graduation)
        commit()
    extension = graduation.certificate_key.rsplit(".", 1)[-1]
    return CertificateFile(
        storage().read(graduation.certificate_key), graduation.certificate_content_type,
        f"certificate-{graduation.id}.{extension}",
    )

