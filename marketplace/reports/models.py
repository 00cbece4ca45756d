"""The reports' own tables: sale lines kept ready for the impact reports."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db


class SaleFact(db.Model):
    """One item sold, as reports/sales.py defines a sale, written out with everything a report
    groups or filters by: so a program's dashboard reads one narrow table instead of joining
    orders, parcels, items, refunds, products and shops for 100,000 orders at every look.

    Kept up to date by reports/facts.py from the parcels that changed (paid, refunded,
    cancelled); a parcel that stops being a sale (cancelled) has no rows. The parcel's net
    commission, and whether it counts as an order, sit on the row of its first item, so sums over
    whole parcels are exact.
    """

    __tablename__ = "sale_facts"

    order_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("order_items.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    shop_order_id: Mapped[int] = mapped_column(index=True)
    order_id: Mapped[int] = mapped_column()
    shop_id: Mapped[int] = mapped_column()
    seller_id: Mapped[int] = mapped_column()  # the shop's owner: graduates join on it
    product_id: Mapped[int] = mapped_column()
    paid_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    paid_on: Mapped[date] = mapped_column(sa.Date)  # Asia/Jakarta
    month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM, Asia/Jakarta
    buyer_country: Mapped[str] = mapped_column(sa.String(2))
    buyer_province: Mapped[str] = mapped_column(sa.String(120))
    technique: Mapped[str] = mapped_column(sa.String(16))
    category: Mapped[str] = mapped_column(sa.String(16))
    motif_key: Mapped[str] = mapped_column(sa.String(80))
    motif: Mapped[str] = mapped_column(sa.String(80))
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # net of succeeded refunds
    units: Mapped[int] = mapped_column()
    commission: Mapped[int] = mapped_column(sa.BigInteger)  # the parcel's, on its first item; else 0
    # 1 on the first item of a parcel that has something left after refunds: summing it counts
    # orders as each shop received them, with no DISTINCT over 100,000 rows.
    counted: Mapped[int] = mapped_column(sa.SmallInteger)

    __table_args__ = (sa.Index("ix_sale_facts_seller_paid", "seller_id", "paid_at"),)


class FactsRefresh(db.Model):
    """How far the sale facts are up to date: changes after REFRESHED_THROUGH are not in yet."""

    __tablename__ = "facts_refreshes"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    refreshed_through: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
