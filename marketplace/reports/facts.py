"""Keeping the sale facts (reports/models.py) up to date.

A parcel's facts change when it is paid (its sale enters the ledger), refunded (refund entries
enter the ledger, and the refund settles later), or cancelled (the parcel's row is updated).
`refresh_sale_facts` finds the parcels touched by any of these since the last refresh, with an
overlap for transactions that committed late, and writes their facts again from the live
definition of a sale (reports/sales.py), in one INSERT … SELECT, so facts and live figures can
never drift apart. The periodic job runs it every minute; every report runs it before reading
too, so a report is never behind, and the job keeps that catch-up small.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.catalog.models import Product, Shop
from marketplace.core.times import utcnow
from marketplace.extensions import db
from marketplace.orders.models import ShopOrder
from marketplace.payments.models import LedgerEntry, Refund, RefundLine
from marketplace.reports import sales
from marketplace.reports.local_time import local_day
from marketplace.reports.models import FactsRefresh, SaleFact

NAME = "sale_facts"
# A transaction that began before a refresh may commit after it with earlier timestamps; looking
# this far back again catches it. Writing a parcel's facts twice changes nothing.
OVERLAP = timedelta(minutes=10)


def _changed_parcels(since):
    """The ids of the parcels whose facts may have changed since SINCE."""
    return sa.union(
        sa.select(ShopOrder.id).where(ShopOrder.updated_at >= since),
        sa.select(LedgerEntry.shop_order_id).where(LedgerEntry.created_at >= since,
                                                   LedgerEntry.shop_order_id.is_not(None)),
        sa.select(RefundLine.shop_order_id).join(Refund, Refund.id == RefundLine.refund_id)
        .where(sa.or_(Refund.created_at >= since, Refund.settled_at >= since)),
    )


def _facts_of(*filters) -> sa.Select:
    lines = sales.sale_lines(*filters)
    commissions = sales.net_commissions(*filters)
    first_item = sa.func.row_number().over(partition_by=lines.c.shop_order_id, order_by=lines.c.order_item_id)
    parcel_amount = sa.func.sum(lines.c.amount).over(partition_by=lines.c.shop_order_id)
    ranked = (
        sa.select(lines, Shop.owner_id.label("seller_id"), local_day(lines.c.paid_at).label("paid_on"),
                  Product.technique, Product.category, Product.motif_key, Product.motif,
                  (-sa.func.coalesce(commissions.c.commission, 0)).label("parcel_commission"),
                  first_item.label("position"), parcel_amount.label("parcel_amount"))
        .join(Shop, Shop.id == lines.c.shop_id)
        .join(Product, Product.id == lines.c.product_id)
        .outerjoin(commissions, commissions.c.shop_order_id == lines.c.shop_order_id)
        .subquery("ranked_lines")
    )
    columns = [c for c in SaleFact.__table__.columns]
    values = {column.key: ranked.c[column.key] for column in columns if column.key not in ("commission", "counted")}
    values["commission"] = sa.case((ranked.c.position == 1, ranked.c.parcel_commission), else_=0)
    values["counted"] = sa.case((sa.and_(ranked.c.position == 1, ranked.c.parcel_amount > 0), 1), else_=0)
    return sa.select(*(values[column.key].label(column.key) for column in columns))


def refresh_sale_facts(*, full: bool = False) -> int:
    """Write again the facts of every parcel changed since the last refresh (all of them when
    FULL or never refreshed), in the caller's transaction (flushed, not committed). Returns how
    many fact rows the changed parcels have now."""
    state = db.session.scalar(sa.select(FactsRefresh).filter_by(name=NAME).with_for_update())
    if state is None:
        state = FactsRefresh(name=NAME)
        db.session.add(state)
    now = utcnow()
    if full or state.refreshed_through is None:
        db.session.execute(sa.delete(SaleFact))
        parcels = []
    else:
        changed = _changed_parcels(state.refreshed_through - OVERLAP).subquery("changed_parcels")
        parcels = [ShopOrder.id.in_(sa.select(changed.c[0]))]
        db.session.execute(sa.delete(SaleFact).where(SaleFact.shop_order_id.in_(sa.select(changed.c[0]))))
    query = _facts_of(*parcels)
    # SQLAlchemy keeps an INSERT's row count only when asked to.
    written = db.session.execute(
        sa.insert(SaleFact).from_select([c.key for c in SaleFact.__table__.columns], query)
        .execution_options(preserve_rowcount=True)
    ).rowcount
    state.refreshed_through = now
    db.session.flush()
    return written
