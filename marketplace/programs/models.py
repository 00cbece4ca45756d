"""Organizations and the training programs they ran."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.core.times import utcnow
from marketplace.extensions import db


class OrganizationKind(str, enum.Enum):
    GOVERNMENT_OFFICE = "government_office"
    CRAFT_COUNCIL = "craft_council"
    BANK = "bank"
    MINISTRY = "ministry"
    FOUNDATION = "foundation"


ORGANIZATION_KIND_LABELS = {
    OrganizationKind.GOVERNMENT_OFFICE.value: _l("Government office"),
    OrganizationKind.CRAFT_COUNCIL.value: _l("Craft council"),
    OrganizationKind.BANK.value: _l("Bank"),
    OrganizationKind.MINISTRY.value: _l("Ministry"),
    OrganizationKind.FOUNDATION.value: _l("Foundation"),
}


class ProgramKind(str, enum.Enum):
    BIMTEK = "bimtek"
    COACHING_CLINIC = "coaching_clinic"
    WORKSHOP = "workshop"
    NEW_ENTREPRENEUR = "new_entrepreneur"


PROGRAM_KIND_LABELS = {
    ProgramKind.BIMTEK.value: _l("Technical training (bimtek)"),
    ProgramKind.COACHING_CLINIC.value: _l("Coaching clinic"),
    ProgramKind.WORKSHOP.value: _l("Workshop"),
    ProgramKind.NEW_ENTREPRENEUR.value: _l("New-entrepreneur program"),
}

TECHNIQUE_LABELS = {
    "tulis": _l("Batik tulis (hand-drawn)"),
    "cap": _l("Batik cap (stamped)"),
    "kombinasi": _l("Batik kombinasi (tulis and cap)"),
    "jumputan": _l("Jumputan (tie-dye)"),
    "printing": _l("Printed textile (imitation batik)"),
}


def _sql_in(values) -> str:
    return ", ".join(f"'{value.value}'" for value in values)


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    province: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    officers = relationship("User", back_populates="organization")
    programs: Mapped[list[TrainingProgram]] = relationship(
        back_populates="organization", order_by="TrainingProgram.start_date.desc()"
    )

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_sql_in(OrganizationKind)})", name="kind_known"),
    )

    @property
    def kind_label(self):
        return ORGANIZATION_KIND_LABELS.get(self.kind, self.kind)


class TrainingProgram(db.Model):
    __tablename__ = "training_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(32))
    partners: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    techniques: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    venue: Mapped[str] = mapped_column(sa.String(255))
    city: Mapped[str] = mapped_column(sa.String(120))
    province: Mapped[str] = mapped_column(sa.String(64), index=True)
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date] = mapped_column(sa.Date)
    participant_count: Mapped[int | None] = mapped_column()
    held_in_correctional_facility: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    # Set the first time the flag is on and never cleared: graduates of such a program keep the
    # protection (logged officer views, private new claims) even if the flag is switched off later.
    ever_held_in_correctional_facility: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    # The organization's choice to publish the program's impact page (aggregates over graduates
    # who show the program on their shop); off until an officer turns it on.
    impact_page_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="programs", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_sql_in(ProgramKind)})", name="kind_known"),
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint(
            "participant_count IS NULL OR participant_count >= 0", name="participants_nonnegative"
        ),
    )

    @property
    def kind_label(self):
        return PROGRAM_KIND_LABELS.get(self.kind, self.kind)

    @classmethod
    def by_slug(cls, slug: str):
        return sa.select(cls).where(cls.slug == slug)

    @property
    def technique_labels(self):
        return [TECHNIQUE_LABELS.get(t, t) for t in self.techniques]

    @validates("held_in_correctional_facility")
    def _remember_correctional_facility(self, _key, value):
        if value:
            self.ever_held_in_correctional_facility = True
        return value

    @property
    def is_sensitive(self) -> bool:
        """Held in a correctional facility now or at any time before: its graduates' privacy
        rules (access log, private by default) follow the program's history, not today's flag."""
        return bool(self.held_in_correctional_facility or self.ever_held_in_correctional_facility)

    @classmethod
    def sensitive(cls):
        """Programs whose graduates are protected (see is_sensitive), by title."""
        return sa.select(cls).where(sa.or_(
            cls.held_in_correctional_facility.is_(True), cls.ever_held_in_correctional_facility.is_(True)
        )).order_by(cls.title, cls.id)


class ProgramEdit(db.Model):
    """One saved change to a program's facts (or its creation): who, when, and each changed field
    as [old, new]. Written in the same transaction as the change; admins read it on the edit page."""

    __tablename__ = "program_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_programs.id", ondelete="CASCADE"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(16))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    program: Mapped[TrainingProgram] = relationship()
    editor = relationship("User", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("action IN ('create', 'update')", name="action_known"),
    )

    @classmethod
    def of_program(cls, program_id: int):
        return sa.select(cls).where(cls.program_id == program_id).order_by(cls.created_at.desc(), cls.id.desc())


class GraduationStatus(str, enum.Enum):
    CLAIMED = "claimed"
    VERIFIED = "verified"
    REJECTED = "rejected"


GRADUATION_STATUS_LABELS = {
    GraduationStatus.CLAIMED.value: _l("Waiting for verification"),
    GraduationStatus.VERIFIED.value: _l("Verified"),
    GraduationStatus.REJECTED.value: _l("Rejected"),
}

# The only moves a graduation can make; anything else raises InvalidTransition.
GRADUATION_TRANSITIONS = {
    GraduationStatus.CLAIMED.value: {GraduationStatus.VERIFIED.value, GraduationStatus.REJECTED.value},
    GraduationStatus.VERIFIED.value: set(),
    GraduationStatus.REJECTED.value: set(),
}


class Graduation(db.Model):
    """An artisan's graduation from a program: claimed by them or imported from a roster.

    `public` is the artisan's own choice whether buyers see it. It starts off for programs held
    in a correctional facility: such a graduation reveals a criminal record (UU PDP art. 4).
    """

    __tablename__ = "graduations"

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_programs.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(16), default=GraduationStatus.CLAIMED.value)
    certificate_number: Mapped[str] = mapped_column(sa.String(80))
    graduated_on: Mapped[date] = mapped_column(sa.Date)
    certificate_key: Mapped[str | None] = mapped_column(sa.String(200))
    certificate_content_type: Mapped[str | None] = mapped_column(sa.String(40))
    public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    source: Mapped[str] = mapped_column(sa.String(16), default="claim", server_default="claim")
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    # Officer lists and queues always show the artisan's name: load it with the row, not one query each.
    artisan = relationship("User", foreign_keys=[artisan_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    program: Mapped[TrainingProgram] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("artisan_id", "program_id", name="uq_graduations_artisan_program"),
        sa.CheckConstraint(
            f"status IN ({_sql_in(GraduationStatus)})", name="status_known"
        ),
        sa.CheckConstraint("source IN ('claim', 'roster')", name="source_known"),
        sa.Index("ix_graduations_program_status", "program_id", "status"),
    )

    @classmethod
    def of_artisan(cls, artisan_id: int):
        return sa.select(cls).where(cls.artisan_id == artisan_id).order_by(cls.created_at.desc())

    @property
    def status_label(self):
        return GRADUATION_STATUS_LABELS.get(self.status, self.status)

    @property
    def is_verified(self) -> bool:
        return self.status == GraduationStatus.VERIFIED.value

    @property
    def shows_badge(self) -> bool:
        return self.is_verified and self.public

    @property
    def badge_text(self):
        return _l("Graduate of %(program)s %(year)s", program=self.program.title,
                  year=self.graduated_on.year)

    def can_move_to(self, status: str) -> bool:
        return status in GRADUATION_TRANSITIONS.get(self.status, set())


class Invitation(db.Model):
    """A roster line: a single-use code that turns a registration into a verified graduation."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_programs.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    certificate_number: Mapped[str] = mapped_column(sa.String(80))
    graduated_on: Mapped[date] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    program: Mapped[TrainingProgram] = relationship(lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id])
    used_by = relationship("User", foreign_keys=[used_by_id])

    __table_args__ = (
        sa.UniqueConstraint("program_id", "certificate_number", name="uq_invitations_program_certificate"),
    )

    @property
    def is_used(self) -> bool:
        return self.used_at is not None


ACCESS_ACTION_LABELS = {
    "view_graduates": _l("Viewed the graduate list"),
    "view_claim": _l("Viewed a claim"),
    "view_certificate": _l("Opened a certificate"),
    "import_roster": _l("Imported a roster"),
    "view_invitations": _l("Viewed the invitation list"),
    "decide_refused": _l("Tried to decide an already decided claim"),
    "view_report": _l("Viewed the graduates in an impact report"),
    "export_report": _l("Exported the graduates in an impact report"),
    GraduationStatus.VERIFIED.value: _l("Verified a claim"),
    GraduationStatus.REJECTED.value: _l("Rejected a claim"),
}


class AccessLogEntry(db.Model):
    """An officer looked at graduates of a correctional-facility program; admins audit these."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("training_programs.id", ondelete="CASCADE"), index=True)
    graduation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("graduations.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)

    officer = relationship("User", lazy="joined")
    program: Mapped[TrainingProgram] = relationship(lazy="joined")
