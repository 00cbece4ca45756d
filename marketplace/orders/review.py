"""What a buyer sees before paying: the cart quoted to an address, shop by shop.

Nothing here writes. The cart page shows a first idea of shipping; the checkout page shows each
shop's fee and ship-by date for the buyer's address and the grand total, and its digest lets the
checkout place an order only at the totals the buyer last saw. place_order computes the same
figures again from the database; these are for showing.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from marketplace.catalog.models import Shop
from marketplace.core.errors import ValidationFailed
from marketplace.orders import shipping
from marketplace.orders.cart import CartShop, CartView
from marketplace.orders.models import Order, Zone
from marketplace.orders.services import lead_days, local_today


@dataclass
class ShopQuote:
    group: CartShop
    zone: Zone | None
    fee: int | None  # None: the shop does not ship there (see refusal)
    refusal: str | None = None

    @property
    def shop(self) -> Shop:
        return self.group.shop

    @property
    def lead_days(self) -> int:
        return lead_days(self.shop, [line.variant for line in self.group.lines if line.available])

    @property
    def ship_by(self) -> date:
        """The ship-by date if the buyer pays today."""
        return local_today() + timedelta(days=self.lead_days)

    @property
    def total(self) -> int:
        return self.group.items_total + (self.fee or 0)


@dataclass
class Review:
    shops: list[ShopQuote]

    @property
    def items_total(self) -> int:
        return sum(quote.group.items_total for quote in self.shops)

    @property
    def shipping_total(self) -> int:
        return sum(quote.fee or 0 for quote in self.shops)

    @property
    def total(self) -> int:
        return self.items_total + self.shipping_total

    def of(self, shop_id: int) -> ShopQuote | None:
        return next((quote for quote in self.shops if quote.shop.id == shop_id), None)

    @property
    def can_place(self) -> bool:
        return bool(self.shops) and all(quote.fee is not None for quote in self.shops)

    @property
    def digest(self) -> str:
        """A fingerprint of every line, price and fee shown: equal digests, equal totals."""
        shown = [[quote.shop.id, quote.fee, sorted((line.variant_id, line.quantity, line.unit_price)
                                                   for line in quote.group.lines)] for quote in self.shops]
        return hashlib.sha256(json.dumps(shown).encode()).hexdigest()


def review_cart(view: CartView, address) -> Review:
    """Each shop's shipping of VIEW's lines to ADDRESS (a cleaned address, or an Order)."""
    quotes = []
    for group in view.shops:
        try:
            zone, fee = shipping.quote(group.shop, address, group.weight_g)
        except ValidationFailed as refused:
            quotes.append(ShopQuote(group, None, None, refused.message))
        else:
            quotes.append(ShopQuote(group, zone, fee))
    return Review(quotes)


def estimate_cart(view: CartView, destination: Order | None) -> Review:
    """Shipping on the cart page: to the buyer's last address when there is one, else each
    shop's same-province fee, the least a buyer outside the shop's own town pays ("from")."""
    if destination is not None:
        return review_cart(view, destination)
    quotes = []
    for group in view.shops:
        zone, fee = shipping.estimate(group.shop, group.shop.province, shipping.HOME_COUNTRY, group.weight_g)
        quotes.append(ShopQuote(group, zone, fee))
    return Review(quotes)
