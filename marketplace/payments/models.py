"""Payments, the provider events we have processed, refunds, the sellers' ledger and payouts.

Money is whole rupiah (BigInteger) in every column; Stripe's hundredths exist only inside
payments/gateway.py. The ledger is append-only: a correction is a new entry, never an edit.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.times import utcnow
from marketplace.extensions import db


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class PaymentMethod(str, enum.Enum):
    CARD = "card"                    # Stripe PaymentIntent
    BANK_TRANSFER = "bank_transfer"  # to the platform's account, confirmed by an admin


class PaymentStatus(str, enum.Enum):
    PENDING = "pending"        # waiting for the buyer (or the bank transfer to arrive)
    SUCCEEDED = "succeeded"
    FAILED = "failed"          # the last attempt was declined; the buyer may try again
    CANCELLED = "cancelled"    # replaced by another attempt, or the order expired
    # Taken by Stripe for an order that could no longer take it (expired, or paid another way
    # meanwhile), and refunded in full at once.
    RETURNED = "returned"


class Payment(db.Model):
    """One attempt to pay an order: a Stripe PaymentIntent, or a bank transfer with its
    unique amount. An order has at most one succeeded payment (a partial unique index)."""
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    method: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default=PaymentStatus.PENDING.value)
    # The PaymentIntent id for a card payment.
    provider_ref: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    # What the buyer pays: the order's total, plus the unique code for a bank transfer.
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default="idr")
    unique_code: Mapped[int | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Stripe's decline code (card_declined, insufficient_funds, …) and its English message.
    failure_code: Mapped[str | None] = mapped_column(sa.String(64))
    failure_message: Mapped[str | None] = mapped_column(sa.String(500))
    # Bank transfer: the admin who matched it and the bank's reference they typed.
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    bank_reference: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    order = relationship("Order", lazy="joined")
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id", lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint(_in("method", PaymentMethod), name="method_known"),
        sa.CheckConstraint(_in("status", PaymentStatus), name="status_known"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.Index("uq_payments_one_succeeded_per_order", "order_id", unique=True,
                 sqlite_where=sa.text("status = 'succeeded'"),
                 postgresql_where=sa.text("status = 'succeeded'")),
        # One open PaymentIntent per order: a retry after a decline cancels the old one first.
        sa.Index("uq_payments_one_open_card_per_order", "order_id", unique=True,
                 sqlite_where=sa.text("method = 'card' AND status = 'pending'"),
                 postgresql_where=sa.text("method = 'card' AND status = 'pending'")),
        # Two open bank transfers never ask for the same amount: the amount is how the admin
        # matches the bank statement's line to the order.
        sa.Index("uq_payments_open_transfer_amount", "amount", unique=True,
                 sqlite_where=sa.text("method = 'bank_transfer' AND status = 'pending'"),
                 postgresql_where=sa.text("method = 'bank_transfer' AND status = 'pending'")),
    )

    @property
    def refunded_amount(self) -> int:
        return sum(r.amount for r in self.refunds if r.status != RefundStatus.FAILED.value)

    @property
    def refundable_amount(self) -> int:
        if self.status not in (PaymentStatus.SUCCEEDED.value, PaymentStatus.RETURNED.value):
            return 0
        return self.amount - self.refunded_amount


class PaymentEvent(db.Model):
    """A provider event we have processed; its id is stored once, so a replay changes nothing."""
    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(20), default="stripe")
    event_id: Mapped[str] = mapped_column(sa.String(255))
    type: Mapped[str] = mapped_column(sa.String(80))
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("provider", "event_id", name="uq_payment_events_provider_event"),)


class RefundStatus(str, enum.Enum):
    PENDING = "pending"      # asked of Stripe, not yet settled; counts against what is refundable
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Refund(db.Model):
    """Money given back from one payment: whole order, one shop's part, or chosen items, each
    line charged to the shop it came from."""
    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(20), default=RefundStatus.PENDING.value)
    provider_ref: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    restock: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    payment: Mapped[Payment] = relationship(back_populates="refunds")
    lines: Mapped[list[RefundLine]] = relationship(back_populates="refund", cascade="all, delete-orphan",
                                                   order_by="RefundLine.id", lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint(_in("status", RefundStatus), name="status_known"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
    )


class RefundLine(db.Model):
    """What a refund gives back for one shop's part: QUANTITY of an item, or (no item) shipping.
    The platform's part of a bank transfer's unique code has no shop and no line."""
    __tablename__ = "refund_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(sa.ForeignKey("refunds.id", ondelete="CASCADE"), index=True)
    shop_order_id: Mapped[int] = mapped_column(sa.ForeignKey("shop_orders.id", ondelete="RESTRICT"), index=True)
    order_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_items.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(default=0)
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    refund: Mapped[Refund] = relationship(back_populates="lines")

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("quantity >= 0", name="quantity_nonnegative"),
    )


class LedgerKind(str, enum.Enum):
    SALE = "sale"                      # + items and shipping of a paid ShopOrder
    COMMISSION = "commission"          # - the platform's share of the sale's items
    REFUND = "refund"                  # - what was given back to the buyer from this shop's part
    COMMISSION_RETURN = "commission_return"  # + the platform's share of the refunded items
    PAYOUT = "payout"                  # - a bank transfer to the seller


class LedgerEntry(db.Model):
    """A movement of a shop's balance. Append-only; the sum of a shop's entries is what the
    platform owes its owner."""
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # signed: + owed to the seller
    shop_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shop_orders.id", ondelete="RESTRICT"), index=True)
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id", ondelete="RESTRICT"))
    payout_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payouts.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    shop_order = relationship("ShopOrder", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(_in("kind", LedgerKind), name="kind_known"),
        sa.CheckConstraint("amount <> 0", name="amount_nonzero"),
        # One sale and one commission per ShopOrder, whatever races write them.
        sa.Index("uq_ledger_one_sale_per_shop_order", "shop_order_id", "kind", unique=True,
                 sqlite_where=sa.text("kind IN ('sale', 'commission')"),
                 postgresql_where=sa.text("kind IN ('sale', 'commission')")),
        sa.Index("ix_ledger_entries_shop_created", "shop_id", "created_at"),
        # The reports' refresh looks for sales and refunds entered since its last run.
        sa.Index("ix_ledger_entries_created_at", "created_at"),
    )


class PayoutAccount(db.Model):
    """Where a shop's money goes: an Indonesian bank account, checked when entered."""
    __tablename__ = "payout_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="CASCADE"), unique=True)
    bank_code: Mapped[str] = mapped_column(sa.String(20))
    account_number: Mapped[str] = mapped_column(sa.String(34))
    holder_name: Mapped[str] = mapped_column(sa.String(120))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    @property
    def masked_number(self) -> str:
        return "•••• " + self.account_number[-4:]


class PayoutBatchStatus(str, enum.Enum):
    EXPORTED = "exported"  # the CSV went to the bank; no money has moved in the ledger yet
    PAID = "paid"


class PayoutBatch(db.Model):
    """One bulk transfer run by an admin: a payout per shop whose available balance was over
    PAYOUT_MINIMUM."""
    __tablename__ = "payout_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=PayoutBatchStatus.EXPORTED.value)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    payouts: Mapped[list[Payout]] = relationship(back_populates="batch", order_by="Payout.id", lazy="selectin")

    __table_args__ = (sa.CheckConstraint(_in("status", PayoutBatchStatus), name="status_known"),)

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.payouts)


class Payout(db.Model):
    """A transfer to one shop in a batch, with the bank details as they were when exported."""
    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("payout_batches.id", ondelete="RESTRICT"), index=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    bank_code: Mapped[str] = mapped_column(sa.String(20))
    account_number: Mapped[str] = mapped_column(sa.String(34))
    holder_name: Mapped[str] = mapped_column(sa.String(120))
    # Copied from the batch's status so one shop cannot sit in two open batches (index below).
    is_open: Mapped[bool] = mapped_column(default=True)

    batch: Mapped[PayoutBatch] = relationship(back_populates="payouts")
    shop = relationship("Shop", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.Index("uq_payouts_one_open_per_shop", "shop_id", unique=True,
                 sqlite_where=sa.text("is_open"), postgresql_where=sa.text("is_open")),
    )
