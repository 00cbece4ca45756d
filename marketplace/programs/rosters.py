"""Roster import and invitations.

An officer uploads the CSV list of a program's graduates. The whole file is checked first; one
bad row means nothing is imported and every problem is listed by row. Good files become
invitations with single-use codes; registering (or redeeming) with a code yields a graduation
that is already verified.
"""
from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from marketplace.accounts.models import Role, User
from marketplace.core.times import utcnow
from marketplace.core.errors import ValidationFailed
from marketplace.core.mail import queue_mail
from marketplace.core.uploads import read_capped
from marketplace.core.transaction import atomic, commit
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.programs.models import Graduation, GraduationStatus, Invitation
from marketplace.programs.services import default_public, log_access, program_for_officer

MAX_ROWS = 2000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off paper
# Header names we accept, in English and Indonesian, mapped to our fields.
COLUMNS = {
    "name": "name", "nama": "name",
    "email": "email", "surel": "email",
    "phone": "phone", "telepon": "phone", "hp": "phone", "no_hp": "phone",
    "certificate_number": "certificate_number", "nomor_sertifikat": "certificate_number",
    "no_sertifikat": "certificate_number",
    "graduated_on": "graduated_on", "tanggal_lulus": "graduated_on",
}
REQUIRED = ("name", "certificate_number", "graduated_on")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}[0-9]$")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


COLUMN_LABELS = {
    "file": _l("file"), "header": _l("header row"), "name": _l("name"), "email": _l("email"),
    "phone": _l("phone"), "certificate_number": _l("certificate number"),
    "graduated_on": _l("graduation date"),
}


@dataclass
class RosterProblem:
    row: int  # the line in the file, header = 1
    field: str
    message: str

    @property
    def column_label(self):
        return COLUMN_LABELS.get(self.field, self.field)


class RosterInvalid(ValidationFailed):
    code = "roster_invalid"

    def __init__(self, problems: list[RosterProblem]):
        super().__init__(
            ngettext("The roster has %(num)d problem; nothing was imported.",
                     "The roster has %(num)d problems; nothing was imported.", len(problems)),
            errors={"roster": [f"{p.row}: {p.field}: {p.message}" for p in problems]},
        )
        self.problems = problems


def _parse_date(value: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _read_rows(data: bytes) -> tuple[list[str], list[dict]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterInvalid([RosterProblem(1, "file", _("Save the file as CSV in UTF-8."))]) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = [row for row in reader]
    if not rows:
        raise RosterInvalid([RosterProblem(1, "file", _("The file is empty."))])
    header = [COLUMNS.get(h.strip().lower().replace(" ", "_"), h.strip()) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing or not ({"email", "phone"} & set(header)):
        need = missing + ([] if {"email", "phone"} & set(header) else ["email/phone"])
        raise RosterInvalid([RosterProblem(1, "header", _("Missing columns: %(cols)s", cols=", ".join(need)))])
    records = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        records.append({"_row": line_no, **{header[i]: (row[i].strip() if i < len(row) else "") for i in range(len(header))}})
    return header, records


def _check_record(record: dict, program, seen_certificates: dict, seen_emails: dict, existing: set) -> tuple[dict, list[RosterProblem]]:
    row, problems, clean = record["_row"], [], {}
    name = record.get("name", "")
    if not name:
        problems.append(RosterProblem(row, "name", _("Name is missing.")))
    clean["name"] = name[:120]
    email, phone = record.get("email", ""), record.get("phone", "")
    if not email and not phone:
        problems.append(RosterProblem(row, "email", _("Give an email or a phone number.")))
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(RosterProblem(row, "email", _("Not a valid email address.")))
        else:
            if email in seen_emails:
                problems.append(RosterProblem(row, "email", _("Same email as row %(row)d.", row=seen_emails[email])))
            seen_emails.setdefault(email, row)
    if phone and not PHONE_RE.match(phone):
        problems.append(RosterProblem(row, "phone", _("Not a valid phone number.")))
    clean["email"], clean["phone"] = email or None, phone or None
    number = record.get("certificate_number", "")
    if not number:
        problems.append(RosterProblem(row, "certificate_number", _("Certificate number is missing.")))
    elif number in seen_certificates:
        problems.append(RosterProblem(row, "certificate_number",
                                      _("Same certificate number as row %(row)d.", row=seen_certificates[number])))
    elif number in existing:
        problems.append(RosterProblem(row, "certificate_number",
                                      _("This certificate number was already imported for this program.")))
    seen_certificates.setdefault(number, row)
    clean["certificate_number"] = number[:80]
    graduated_on = _parse_date(record.get("graduated_on", ""))
    if graduated_on is None:
        problems.append(RosterProblem(row, "graduated_on", _("Use a date like 2024-09-07 or 07/09/2024.")))
    elif graduated_on < program.start_date or graduated_on > date.today():
        problems.append(RosterProblem(row, "graduated_on",
                                      _("The date must be between the program's start and today.")))
    clean["graduated_on"] = graduated_on
    return clean, problems


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def import_roster(actor: User, program_slug: str, stream) -> list[Invitation]:
    """Turn a CSV roster into invitations, all rows or none. For a correctional-facility program
    the import is recorded in the access log, like a look at its graduate list.

    Raises NotFound (not the actor's program), RosterInvalid (every problem, by row).
    """
    program = program_for_officer(actor, program_slug)
    data = read_capped(stream, current_app.config["ROSTER_MAX_BYTES"], field="roster")
    _header, records = _read_rows(data)  # not "_": that is gettext
    if not records:
        raise RosterInvalid([RosterProblem(2, "file", _("The roster has no rows."))])
    if len(records) > MAX_ROWS:
        raise RosterInvalid([RosterProblem(MAX_ROWS + 2, "file", _("At most %(n)d rows per file.", n=MAX_ROWS))])
    existing = set(db.session.scalars(
        sa.select(Invitation.certificate_number).filter_by(program_id=program.id)
    ))
    existing |= set(db.session.scalars(
        sa.select(Graduation.certificate_number).filter_by(program_id=program.id)
    ))
    seen_certificates, seen_emails, problems, cleaned = {}, {}, [], []
    for record in records:
        clean, row_problems = _check_record(record, program, seen_certificates, seen_emails, existing)
        problems += row_problems
        cleaned.append(clean)
    if problems:
        raise RosterInvalid(problems)
    invitations = [
        Invitation(program=program, code=_new_code(), created_by=actor, **clean) for clean in cleaned
    ]
    db.session.add_all(invitations)
    log_access(actor, program, "import_roster")
    db.session.flush()  # the codes, for the mails written in the same transaction
    for invitation in invitations:
        if invitation.email:
            queue_mail(
                invitation.email, "programs/mail/invitation_subject.txt", "programs/mail/invitation.txt",
                locale="id", invitation=invitation,
                link=external_url("programs.register_with_invitation", code=invitation.code),
            )
    commit()
    return invitations


def invitations_of(actor: User, program_slug: str):
    """The program and its invitations, newest first, for printing (the look is logged for a
    correctional-facility program). Raises NotFound."""
    program = program_for_officer(actor, program_slug)
    log_access(actor, program, "view_invitations")
    commit()
    invitations = db.session.scalars(
        sa.select(Invitation).filter_by(program_id=program.id).order_by(Invitation.created_at.desc(), Invitation.id)
    ).all()
    return program, invitations


class InvitationCodeInvalid(ValidationFailed):
    """An unknown and a used code get one message, so guessing codes tells nothing."""

    code = "invitation_code_invalid"

    def __init__(self, field: str = "invitation_code"):
        super().__init__(_("This invitation code is not valid or has already been used."), field=field)


def normalize_code(code: str) -> str:
    raw = re.sub(r"[^A-Z0-9]", "", (code or "").upper())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def redeem_invitation(user: User, code: str, *, field: str = "invitation_code") -> Graduation:
    """Flushes (the caller commits): mark the code used and record a verified graduation.

    One guarded UPDATE claims the code, so two people racing for it cannot both win.
    Raises ValidationFailed (unknown or used code, program already on the account).
    """
    invitation = db.session.scalar(sa.select(Invitation).filter_by(code=normalize_code(code)))
    if invitation is None:
        raise InvitationCodeInvalid(field=field)
    if user.id is None:
        db.session.flush()
    claimed = db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow(), used_by_id=user.id)
    ).rowcount
    if claimed != 1:  # the same answer as an unknown code: guessing learns nothing
        raise InvitationCodeInvalid(field=field)
    already = db.session.scalar(
        sa.select(Graduation.id).filter_by(artisan_id=user.id, program_id=invitation.program_id)
    )
    if already is not None:
        raise ValidationFailed(_("This program is already on your account."), field=field)
    user.add_role(Role.ARTISAN.value)
    graduation = Graduation(
        artisan=user, program=invitation.program, status=GraduationStatus.VERIFIED.value,
        certificate_number=invitation.certificate_number, graduated_on=invitation.graduated_on,
        public=default_public(invitation.program), source="roster",
        decided_by_id=invitation.created_by_id, decided_at=utcnow(),
    )
    db.session.add(graduation)
    db.session.flush()
    return graduation


def redeem_invitation_code(user: User, code: str) -> Graduation:
    """A signed-in person enters a code from their program's roster. Raises ValidationFailed."""
    with atomic():
        graduation = redeem_invitation(user, code)
    return graduation
