"""What counts as a sale, in SQL, once for every report.

A sale is an order item whose order has been paid (paid_at set) and whose shop's part was not
cancelled. It belongs to the month of the payment in the platform's zone. Its amount is the
unit price times the quantity less what succeeded refunds gave back for that item; its units
are the quantity less the refunded quantity. Refunded shipping (refund lines without an item)
is not a sale's concern. An order counts for a shop when its net amount there is above zero.
A seller's earnings are the net sales less the net commission (the ledger's commission entries
of those parts with the commission returned on refunds).

Each function returns a subquery to join or aggregate further; FILTERS are conditions on
ShopOrder (`ShopOrder.shop_id == 7`) that narrow every table read to the same parts.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from marketplace.orders.models import Order, OrderItem, ShopOrder, ShopOrderStatus
from marketplace.payments.models import LedgerEntry, LedgerKind, Refund, RefundLine, RefundStatus
from marketplace.reports.local_time import local_month

COMMISSION_KINDS = (LedgerKind.COMMISSION.value, LedgerKind.COMMISSION_RETURN.value)


def refunded_items(*filters) -> sa.Subquery:
    """Per order item: `amount` and `quantity` given back by succeeded refunds."""
    return (
        sa.select(RefundLine.order_item_id,
                  sa.func.sum(RefundLine.amount).label("amount"),
                  sa.func.sum(RefundLine.quantity).label("quantity"))
        .join(Refund, Refund.id == RefundLine.refund_id)
        .join(ShopOrder, ShopOrder.id == RefundLine.shop_order_id)
        .where(Refund.status == RefundStatus.SUCCEEDED.value, RefundLine.order_item_id.is_not(None), *filters)
        .group_by(RefundLine.order_item_id)
        .subquery("refunded_items")
    )


def sale_lines(*filters, paid_from: datetime | None = None, paid_before: datetime | None = None) -> sa.Subquery:
    """One row per item sold: order_item_id, order_id, shop_order_id, shop_id, product_id,
    paid_at, month ('YYYY-MM'), the buyer's country and province, amount and units (net of
    refunds). PAID_FROM and PAID_BEFORE (UTC) bound the payment time, so the scan can use the
    index on orders.paid_at."""
    refunded = refunded_items(*filters)
    window = []
    if paid_from is not None:
        window.append(Order.paid_at >= paid_from)
    if paid_before is not None:
        window.append(Order.paid_at < paid_before)
    return (
        sa.select(
            OrderItem.id.label("order_item_id"), Order.id.label("order_id"), ShopOrder.id.label("shop_order_id"),
            ShopOrder.shop_id,
            OrderItem.product_id, Order.paid_at, local_month(Order.paid_at).label("month"),
            Order.country.label("buyer_country"), Order.province.label("buyer_province"),
            (OrderItem.unit_price * OrderItem.quantity - sa.func.coalesce(refunded.c.amount, 0)).label("amount"),
            (OrderItem.quantity - sa.func.coalesce(refunded.c.quantity, 0)).label("units"),
        )
        .select_from(OrderItem)
        .join(ShopOrder, ShopOrder.id == OrderItem.shop_order_id)
        .join(Order, Order.id == ShopOrder.order_id)
        .outerjoin(refunded, refunded.c.order_item_id == OrderItem.id)
        .where(Order.paid_at.is_not(None), ShopOrder.status != ShopOrderStatus.CANCELLED.value, *window, *filters)
        .subquery("sale_lines")
    )


def net_commissions(*filters) -> sa.Subquery:
    """Per shop order: `commission`, the platform's net share as a ledger amount (zero or
    negative: the commission taken, plus what refunds returned)."""
    return (
        sa.select(LedgerEntry.shop_order_id, sa.func.sum(LedgerEntry.amount).label("commission"))
        .join(ShopOrder, ShopOrder.id == LedgerEntry.shop_order_id)
        .where(LedgerEntry.kind.in_(COMMISSION_KINDS), *filters)
        .group_by(LedgerEntry.shop_order_id)
        .subquery("net_commissions")
    )


def shop_order_sales(lines: sa.Subquery, commissions: sa.Subquery) -> sa.Subquery:
    """Per shop order of LINES: order_id, shop_id, month, amount, units, earnings and `counted`
    (1 when the order counts for the shop, its net amount being above zero, else 0)."""
    amount = sa.func.sum(lines.c.amount)
    per_part = (
        sa.select(lines.c.shop_order_id, lines.c.order_id, lines.c.shop_id, lines.c.month,
                  amount.label("amount"), sa.func.sum(lines.c.units).label("units"))
        .group_by(lines.c.shop_order_id, lines.c.order_id, lines.c.shop_id, lines.c.month)
        .subquery("per_part")
    )
    return (
        sa.select(per_part, sa.case((per_part.c.amount > 0, 1), else_=0).label("counted"),
                  (per_part.c.amount + sa.func.coalesce(commissions.c.commission, 0)).label("earnings"))
        .outerjoin(commissions, commissions.c.shop_order_id == per_part.c.shop_order_id)
        .subquery("shop_order_sales")
    )


def counted_orders(lines: sa.Subquery):
    """How many orders of LINES count: those with something left after refunds (an order's lines
    are never negative, so one line above zero is enough)."""
    return sa.func.count(sa.distinct(sa.case((lines.c.amount > 0, lines.c.order_id))))
