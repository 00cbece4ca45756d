"""The cart: a guest's lives in the session (a dict passed in), a signed-in buyer's in the
database; they merge at sign-in. Lines are shown with today's price and stock, and flagged
when the price changed, too few units are left, or the product left the catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog import stock
from marketplace.catalog.models import Shop, Variant
from marketplace.core.errors import NotFound, OutOfStock, ValidationFailed
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.orders.models import Cart, CartItem

MAX_QUANTITY = 99  # of one variant in one order


@dataclass
class CartLine:
    variant_id: int
    quantity: int
    price_seen: int
    variant: Variant | None  # None: gone from the catalogue (archived, draft, shop suspended)
    title: str = ""  # for a gone line, the product's last known title

    @property
    def available(self) -> bool:
        return self.variant is not None

    @property
    def unit_price(self) -> int:
        return self.variant.effective_price if self.variant else self.price_seen

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def price_changed(self) -> bool:
        return self.variant is not None and self.unit_price != self.price_seen

    @property
    def units_left(self) -> int:
        return self.variant.available if self.variant else 0

    @property
    def short(self) -> bool:
        """Fewer units left than the buyer wants (0 left: out of stock)."""
        return self.variant is not None and self.units_left < self.quantity

    @property
    def weight_g(self) -> int:
        return self.variant.product.weight_g * self.quantity if self.variant else 0


@dataclass
class CartShop:
    shop: Shop
    lines: list[CartLine] = field(default_factory=list)

    @property
    def items_total(self) -> int:
        return sum(line.line_total for line in self.lines if line.available)

    @property
    def weight_g(self) -> int:
        return sum(line.weight_g for line in self.lines)


@dataclass
class CartView:
    shops: list[CartShop]
    gone: list[CartLine]  # lines whose variant left the catalogue

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.shops for line in group.lines]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def items_total(self) -> int:
        return sum(group.items_total for group in self.shops)

    @property
    def needs_attention(self) -> bool:
        return bool(self.gone) or any(line.short or line.price_changed for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.shops and not self.gone


def _guest_lines(guest_cart: dict) -> dict[int, tuple[int, int]]:
    lines = {}
    for key, value in (guest_cart or {}).items():
        try:
            variant_id, quantity, price_seen = int(key), int(value[0]), int(value[1])
        except (TypeError, ValueError, IndexError):
            continue  # a cookie from an older version of the site
        if quantity > 0:
            lines[variant_id] = (min(quantity, MAX_QUANTITY), price_seen)
    return lines


def _stored_cart(user: User, create: bool = False) -> Cart | None:
    cart = db.session.scalar(sa.select(Cart).filter_by(user_id=user.id))
    if cart is None and create:
        cart = Cart(user_id=user.id)
        db.session.add(cart)
    return cart


def view_cart(buyer: User | None, guest_cart: dict | None = None) -> CartView:
    """The cart as the buyer should see it now: lines grouped by shop with today's prices and
    stock; lines whose product left the catalogue are listed apart."""
    if buyer is not None:
        cart = _stored_cart(buyer)
        raw = {item.variant_id: (item.quantity, item.price_seen) for item in (cart.items if cart else [])}
    else:
        raw = _guest_lines(guest_cart)
    variants = stock.purchasable_variants(raw)
    shops: dict[int, CartShop] = {}
    gone = []
    for variant_id, (quantity, price_seen) in raw.items():
        variant = variants.get(variant_id)
        line = CartLine(variant_id, quantity, price_seen, variant)
        if variant is None:
            line.title = _gone_title(variant_id)
            gone.append(line)
            continue
        shop = variant.product.shop
        shops.setdefault(shop.id, CartShop(shop)).lines.append(line)
    return CartView(sorted(shops.values(), key=lambda g: g.shop.name), gone)


def _gone_title(variant_id: int) -> str:
    variant = db.session.get(Variant, variant_id)
    return variant.product.title if variant else _("A product that was removed")


def cart_count(buyer: User | None, guest_cart: dict | None = None) -> int:
    """Units in the cart, for the header's cart icon (one query, no catalogue reads)."""
    if buyer is None:
        return sum(quantity for quantity, _price in _guest_lines(guest_cart).values())
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CartItem.quantity), 0)).join(Cart).where(Cart.user_id == buyer.id)
    ) or 0


def _checked_quantity(quantity) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(_("Choose a quantity from 1 to %(max)d.", max=MAX_QUANTITY), field="quantity")
    return quantity


def add_to_cart(buyer: User | None, guest_cart: dict | None, variant_id: int, quantity: int) -> int:
    """Put QUANTITY more units of a variant in the cart (the guest's session dict GUEST_CART
    when BUYER is None). Returns the quantity now in the cart.

    Raises ValidationFailed (unknown or unavailable variant, bad quantity), OutOfStock (fewer left).
    """
    quantity = _checked_quantity(quantity)
    variant = stock.purchasable_variants([variant_id]).get(variant_id)
    if variant is None:
        raise ValidationFailed(_("This product is not available."), field="variant_id")
    price = variant.effective_price
    if buyer is None:
        lines = _guest_lines(guest_cart)
        total = lines.get(variant_id, (0, price))[0] + quantity
    else:
        cart = _stored_cart(buyer, create=True)
        item = next((i for i in cart.items if i.variant_id == variant_id), None)
        total = (item.quantity if item else 0) + quantity
    total = min(total, MAX_QUANTITY)
    if variant.available < total:
        raise OutOfStock(_("Only %(count)d left of %(item)s.", count=variant.available,
                           item=variant.product.title), field="quantity")
    if buyer is None:
        guest_cart[str(variant_id)] = [total, price]
    else:
        if item is None:
            cart.items.append(CartItem(variant_id=variant_id, quantity=total, price_seen=price))
        else:
            item.quantity, item.price_seen = total, price
        commit()
    return total


def set_cart_quantity(buyer: User | None, guest_cart: dict | None, variant_id: int, quantity: int) -> None:
    """Change a line's quantity; 0 removes it. The price the buyer sees is refreshed too,
    so a flagged price change is accepted by touching the line."""
    if quantity == 0:
        remove_from_cart(buyer, guest_cart, variant_id)
        return
    quantity = _checked_quantity(quantity)
    variant = stock.purchasable_variants([variant_id]).get(variant_id)
    if variant is None:
        raise ValidationFailed(_("This product is not available."), field="variant_id")
    if variant.available < quantity:
        raise OutOfStock(_("Only %(count)d left of %(item)s.", count=variant.available,
                           item=variant.product.title), field="quantity")
    if buyer is None:
        if str(variant_id) not in guest_cart:
            raise NotFound(_("This product is not in your cart."))
        guest_cart[str(variant_id)] = [quantity, variant.effective_price]
        return
    cart = _stored_cart(buyer)
    item = next((i for i in (cart.items if cart else []) if i.variant_id == variant_id), None)
    if item is None:
        raise NotFound(_("This product is not in your cart."))
    item.quantity, item.price_seen = quantity, variant.effective_price
    commit()


def remove_from_cart(buyer: User | None, guest_cart: dict | None, variant_id: int) -> None:
    if buyer is None:
        guest_cart.pop(str(variant_id), None)
        return
    cart = _stored_cart(buyer)
    if cart is not None:
        db.session.execute(sa.delete(CartItem).where(CartItem.cart_id == cart.id, CartItem.variant_id == variant_id))
        commit()


def merge_guest_cart(buyer: User, guest_cart: dict | None) -> None:
    """At sign-in, the guest's session cart joins the buyer's stored cart: quantities of the
    same variant add up (capped at MAX_QUANTITY); the guest's price seen is kept for new lines."""
    lines = _guest_lines(guest_cart)
    if not lines:
        return
    cart = _stored_cart(buyer, create=True)
    existing = {item.variant_id: item for item in cart.items}
    known = set(db.session.scalars(sa.select(Variant.id).where(Variant.id.in_(lines))))
    for variant_id, (quantity, price_seen) in lines.items():
        if variant_id not in known:
            continue
        if variant_id in existing:
            existing[variant_id].quantity = min(existing[variant_id].quantity + quantity, MAX_QUANTITY)
        else:
            cart.items.append(CartItem(variant_id=variant_id, quantity=quantity, price_seen=price_seen))
    commit()
    guest_cart.clear()


def clear_ordered_lines(buyer: User, variant_ids) -> None:
    """Drop the lines just checked out from the buyer's stored cart (no commit: checkout's)."""
    cart = _stored_cart(buyer)
    if cart is not None:
        db.session.execute(sa.delete(CartItem).where(CartItem.cart_id == cart.id,
                                                     CartItem.variant_id.in_(list(variant_ids))))
