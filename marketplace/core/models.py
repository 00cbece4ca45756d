"""Tables that belong to no domain: the mail outbox."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.times import utcnow
from marketplace.extensions import db



class OutboxMail(db.Model):
    """A rendered mail, written in the transaction of the change that causes it.

    Pending while `sent_at` is empty. `next_attempt_at` is when a worker may try it next: a
    worker that takes it pushes that time forward (a lease, so two workers never send it twice
    and a crashed worker's mail is retried); a failure pushes it further (backoff).
    """

    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        # The sweep's query: pending mail that is due.
        sa.Index("ix_outbox_mails_pending", "sent_at", "next_attempt_at"),
    )

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
