"""The sellers' ledger: append-only entries whose sum, per shop, is what the platform owes.

Commission is PLATFORM_COMMISSION_PERCENT of a ShopOrder's items (shipping passes through to
the seller, who pays the courier), rounded down to the whole rupiah, so rounding always falls
in the seller's favour. After a refund the commission is computed again on the items still
kept and the difference returned, so a fully refunded sale leaves exactly zero commission.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.orders.models import ShopOrder, ShopOrderStatus
from marketplace.payments.models import LedgerEntry, LedgerKind, Refund, RefundLine, RefundStatus


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


# --- balances and the list of entries ----------------------------------------------------------
#
# An entry tied to a ShopOrder is pending while its parcel is on the way to the buyer (paid,
# being prepared, shipped): the buyer may still cancel it or ask for a refund. Once the parcel is
# delivered, or cancelled (its refund entries net the sale to what the seller keeps), the entry
# is available. Entries tied to no ShopOrder (payouts) count against what is available.

PENDING_SHOP_ORDER_STATUSES = (ShopOrderStatus.PAID.value, ShopOrderStatus.PROCESSING.value,
                               ShopOrderStatus.SHIPPED.value)

KIND_LABELS = {
    LedgerKind.SALE.value: _l("Sale"),
    LedgerKind.COMMISSION.value: _l("Platform commission"),
    LedgerKind.REFUND.value: _l("Refund to the buyer"),
    LedgerKind.COMMISSION_RETURN.value: _l("Commission returned"),
    LedgerKind.PAYOUT.value: _l("Payout to your bank"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class Balance:
    """What a shop is owed, split by whether the buyer may still take it back.

    total == the sum of the shop's entries == available + pending; paid_out is what payouts
    have sent so far (already subtracted from available)."""
    available: int = 0
    pending: int = 0
    paid_out: int = 0

    @property
    def total(self) -> int:
        return self.available + self.pending


def _balance_columns():
    amount = LedgerEntry.amount
    pending = sa.func.coalesce(sa.func.sum(sa.case(
        (ShopOrder.status.in_(PENDING_SHOP_ORDER_STATUSES), amount), else_=0)), 0)
    paid_out = sa.func.coalesce(sa.func.sum(sa.case(
        (LedgerEntry.kind == LedgerKind.PAYOUT.value, -amount), else_=0)), 0)
    total = sa.func.coalesce(sa.func.sum(amount), 0)
    return pending.label("pending"), paid_out.label("paid_out"), total.label("total")


def _balances_select() -> sa.Select:
    return (sa.select(LedgerEntry.shop_id, *_balance_columns())
            .select_from(LedgerEntry)
            .outerjoin(ShopOrder, ShopOrder.id == LedgerEntry.shop_order_id))


def _as_balance(row) -> Balance:
    pending, total = int(row.pending), int(row.total)
    return Balance(available=total - pending, pending=pending, paid_out=int(row.paid_out))


def shop_balance(shop_id: int) -> Balance:
    """SHOP_ID's available, pending and paid-out money, from one aggregate query."""
    row = db.session.execute(_balances_select().where(LedgerEntry.shop_id == shop_id)
                             .group_by(LedgerEntry.shop_id)).first()
    return _as_balance(row) if row is not None else Balance()


def shops_with_available(minimum: int) -> dict[int, Balance]:
    """{shop id: balance} of every shop whose available balance is at least MINIMUM (one query)."""
    pending, _paid_out, total = _balance_columns()
    rows = db.session.execute(_balances_select().group_by(LedgerEntry.shop_id)
                              .having(total - pending >= minimum).order_by(LedgerEntry.shop_id)).all()
    return {row.shop_id: _as_balance(row) for row in rows}


def entries_query(shop_id: int) -> sa.Select:
    """SHOP_ID's entries, newest first, with each entry's parcel and order (for paging)."""
    return (sa.select(LedgerEntry).where(LedgerEntry.shop_id == shop_id)
            .options(joinedload(LedgerEntry.shop_order).joinedload(ShopOrder.order))
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()))


def record_payout_entries(payouts) -> None:
    """A payout entry (minus the amount sent) for each of PAYOUTS. Flushes only."""
    for payout in payouts:
        db.session.add(LedgerEntry(shop_id=payout.shop_id, kind=LedgerKind.PAYOUT.value,
                                   amount=-payout.amount, payout_id=payout.id))
    db.session.flush()


# --- refunds ---------------------------------------------------------------------------------

def kept_items_amount(shop_order_id: int, items_total: int, *, excluding_refund_id: int | None = None) -> int:
    """What the buyer still keeps of a ShopOrder's items (ITEMS_TOTAL): the items less every
    refund line of an item that has not failed (leaving out EXCLUDING_REFUND_ID)."""
    query = (sa.select(sa.func.coalesce(sa.func.sum(RefundLine.amount), 0))
             .join(Refund, Refund.id == RefundLine.refund_id)
             .where(RefundLine.shop_order_id == shop_order_id, RefundLine.order_item_id.is_not(None),
                    Refund.status != RefundStatus.FAILED.value))
    if excluding_refund_id is not None:
        query = query.where(Refund.id != excluding_refund_id)
    return items_total - int(db.session.scalar(query))


def _refund_parts(refund):
    """REFUND's lines per ShopOrder: {shop_order: (all lines' amount, items' amount)}."""
    parts: dict[int, list[int]] = {}
    for line in refund.lines:
        total, items = parts.setdefault(line.shop_order_id, [0, 0])
        parts[line.shop_order_id] = [total + line.amount, items + (line.amount if line.order_item_id else 0)]
    return [(db.session.get(ShopOrder, shop_order_id), total, items)
            for shop_order_id, (total, items) in sorted(parts.items())]


def record_refund_entries(refund) -> None:
    """REFUND (flushed, not failed) gives money back: per ShopOrder it touches, a refund entry
    (-) of its lines, and the commission given back (+): the commission on the items kept
    before less that on the items kept after, so a fully refunded sale ends with none. Flushes."""
    for shop_order, total, items in _refund_parts(refund):
        before = kept_items_amount(shop_order.id, shop_order.items_total, excluding_refund_id=refund.id)
        _add_refund_pair(shop_order, refund, -total, commission_on(before) - commission_on(before - items))
    db.session.flush()


def reverse_refund_entries(refund) -> None:
    """REFUND failed after its entries were written (the money stayed with the platform): per
    ShopOrder, its refund entry back (+) and the commission on the items kept again (-), so
    the commission equals that on what the buyer now keeps. REFUND is already failed. Flushes."""
    for shop_order, total, items in _refund_parts(refund):
        after = kept_items_amount(shop_order.id, shop_order.items_total)
        _add_refund_pair(shop_order, refund, total, commission_on(after - items) - commission_on(after))
    db.session.flush()


def _add_refund_pair(shop_order, refund, refund_amount: int, commission_return: int) -> None:
    if refund_amount:
        db.session.add(LedgerEntry(shop_id=shop_order.shop_id, kind=LedgerKind.REFUND.value, amount=refund_amount,
                                   shop_order_id=shop_order.id, refund_id=refund.id))
    if commission_return:
        db.session.add(LedgerEntry(shop_id=shop_order.shop_id, kind=LedgerKind.COMMISSION_RETURN.value,
                                   amount=commission_return, shop_order_id=shop_order.id, refund_id=refund.id))
