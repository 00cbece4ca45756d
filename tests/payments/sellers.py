"""Helpers for the sellers' money tests: parcels sold and moved the way buyers and sellers do."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.payments.models import LedgerEntry
from tests import factories


def sell(shop, price: int = 100_000, *, ship: bool = False, deliver: bool = False, cancel: bool = False):
    """A paid order of one new product of SHOP at PRICE (the sale is in the ledger), its parcel
    then shipped, delivered or cancelled by the seller. Returns its ShopOrder."""
    product = factories.make_product(shop, price=price, stock=5)
    order = factories.make_order(None, [product], paid=True)
    shop_order = order.shop_orders[0]
    if ship or deliver:
        orders.ship_shop_order(shop.owner, shop_order.id, courier="jne", tracking_number="JNE00012345")
    if deliver:
        orders.confirm_delivery(order, shop_order.id)
    if cancel:
        orders.seller_cancel(shop.owner, shop_order.id, reason="Kain rusak saat dijemur")
    db.session.expire_all()
    return db.session.get(type(shop_order), shop_order.id)


def net(shop_order) -> int:
    """What the seller keeps of SHOP_ORDER: items and shipping, less the commission."""
    return sum(db.session.scalars(sa.select(LedgerEntry.amount).where(LedgerEntry.shop_order_id == shop_order.id)))


def entries_sum(shop_id: int) -> int:
    return sum(db.session.scalars(sa.select(LedgerEntry.amount).where(LedgerEntry.shop_id == shop_id)))


def with_account(shop, bank_code: str = "014", account_number: str = "1234567890", holder_name: str = "Nurul Aini"):
    """SHOP with bank details saved through the service."""
    from marketplace.payments.payout_accounts import save_payout_account

    return save_payout_account(shop.owner, bank_code=bank_code, account_number=account_number,
                               holder_name=holder_name)
