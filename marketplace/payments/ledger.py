"""The sellers' ledger: append-only entries whose sum, per shop, is what the platform owes.

Commission is PLATFORM_COMMISSION_PERCENT of a ShopOrder's items (shipping passes through to
the seller, who pays the courier), rounded down to the whole rupiah, so rounding always falls
in the seller's favour. After a refund the commission is computed again on the items still
kept and the difference returned, so a fully refunded sale leaves exactly zero commission.
"""
from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import sqlalchemy as sa
from flask import current_app

from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry, LedgerKind


def commission_on(items_amount: int) -> int:
    """The platform's share of ITEMS_AMOUNT rupiah, rounded down."""
    percent = Decimal(str(current_app.config.get("PLATFORM_COMMISSION_PERCENT", "5")))
    return int((Decimal(items_amount) * percent / 100).to_integral_value(rounding=ROUND_FLOOR))


def record_sales(order) -> None:
    """A sale and its commission for each ShopOrder of a just-paid ORDER. Flushes only; the
    partial unique index on (shop_order_id, kind) refuses a second sale for the same part."""
    for shop_order in order.shop_orders:
        db.session.add(LedgerEntry(shop_id=shop_order.shop_id, kind=LedgerKind.SALE.value,
                                   amount=shop_order.items_total + shop_order.shipping_fee,
                                   shop_order_id=shop_order.id))
        commission = commission_on(shop_order.items_total)
        if commission:
            db.session.add(LedgerEntry(shop_id=shop_order.shop_id, kind=LedgerKind.COMMISSION.value,
                                       amount=-commission, shop_order_id=shop_order.id))
    db.session.flush()


def shop_balance_total(shop_id: int) -> int:
    """What the platform owes SHOP_ID's owner right now: the sum of its entries."""
    return int(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.shop_id == shop_id)))
