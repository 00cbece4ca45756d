"""Organizations and the training programs they ran."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import utcnow
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

    @property
    def technique_labels(self):
        return [TECHNIQUE_LABELS.get(t, t) for t in self.techniques]
