"""Shops (and, with the catalogue, their products)."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import utcnow
from marketplace.extensions import db


class ShopStatus(str, enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Shop(db.Model):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    story: Mapped[str] = mapped_column(sa.Text, default="")
    photo_key: Mapped[str | None] = mapped_column(sa.String(200))
    city: Mapped[str] = mapped_column(sa.String(120))
    province: Mapped[str] = mapped_column(sa.String(64), index=True)
    shipping_origin: Mapped[str] = mapped_column(sa.String(255), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=ShopStatus.ACTIVE.value,
                                        server_default=ShopStatus.ACTIVE.value)
    suspended_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    owner = relationship("User", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("status IN ('active', 'suspended')", name="status_known"),
    )

    @property
    def is_public(self) -> bool:
        return self.status == ShopStatus.ACTIVE.value

    @classmethod
    def public(cls):
        return sa.select(cls).where(cls.status == ShopStatus.ACTIVE.value)
