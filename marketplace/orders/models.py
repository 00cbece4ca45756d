"""Carts, orders split per shop, their items, and each shop's shipping rates.

Money is whole rupiah (BigInteger). An Order is what the buyer pays once; each shop ships its
own parcel, so the order holds one ShopOrder per shop, with its items, shipping fee and
fulfilment. OrderItems copy the product's title, variant name and price at purchase time:
the seller may edit or archive the product afterwards.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.times import utcnow
from marketplace.extensions import db


class OrderStatus(str, enum.Enum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ShopOrderStatus(str, enum.Enum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"  # paid, the seller has not started on it yet
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class Zone(str, enum.Enum):
    """Where a parcel goes, seen from the shop: each has its own rate."""
    SAME_CITY = "same_city"
    SAME_PROVINCE = "same_province"
    SAME_ISLAND_GROUP = "same_island_group"
    DOMESTIC = "domestic"
    INTERNATIONAL = "international"


COURIER_LABELS = {
    "jne": "JNE", "jnt": "J&T Express", "sicepat": "SiCepat", "pos": "Pos Indonesia",
    "anteraja": "AnterAja", "other": _l("Other courier"),
}
COURIERS = tuple(COURIER_LABELS)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v.value if isinstance(v, enum.Enum) else v) for v in values)})"


class Cart(db.Model):
    """A signed-in buyer's stored cart (a guest's lives in the session until sign-in)."""
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    items: Mapped[list[CartItem]] = relationship(back_populates="cart", cascade="all, delete-orphan",
                                                 order_by="CartItem.id", lazy="selectin")


class CartItem(db.Model):
    __tablename__ = "cart_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(sa.ForeignKey("carts.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column()
    # The unit price the buyer saw when adding: a later change is flagged in the cart.
    price_seen: Mapped[int] = mapped_column(sa.BigInteger)
    added_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="items")

    __table_args__ = (
        sa.UniqueConstraint("cart_id", "variant_id", name="uq_cart_items_cart_variant"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class Order(db.Model):
    """What a buyer (an account, or a guest with an email) checks out and pays once."""
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)  # CNT-2612-7K4Q
    buyer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(8), default="id")
    # SHA-256 of the guest's secret link token; the token itself is only ever in the mail.
    guest_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # "<buyer scope>:<Idempotency-Key>": a repeated checkout with the same key returns this order.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(400), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=OrderStatus.PENDING_PAYMENT.value)

    recipient_name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str] = mapped_column(sa.String(32))
    street: Mapped[str] = mapped_column(sa.String(300))
    city: Mapped[str] = mapped_column(sa.String(120))
    province: Mapped[str] = mapped_column(sa.String(120))
    postal_code: Mapped[str] = mapped_column(sa.String(16))
    country: Mapped[str] = mapped_column(sa.String(2))

    items_total: Mapped[int] = mapped_column(sa.BigInteger)
    shipping_total: Mapped[int] = mapped_column(sa.BigInteger)
    total: Mapped[int] = mapped_column(sa.BigInteger)

    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    payment_due_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))

    buyer = relationship("User", lazy="joined")
    shop_orders: Mapped[list[ShopOrder]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="ShopOrder.id", lazy="selectin",
    )

    __table_args__ = (
        sa.CheckConstraint(_in("status", OrderStatus), name="status_known"),
        sa.CheckConstraint("total = items_total + shipping_total", name="total_adds_up"),
        sa.CheckConstraint("items_total > 0 AND shipping_total >= 0", name="amounts_positive"),
        # The expiry job's scan: unpaid orders by due time.
        sa.Index("ix_orders_status_due", "status", "payment_due_at"),
        # The impact reports' range scan: paid orders by payment time.
        sa.Index("ix_orders_paid_at", "paid_at"),
    )


class ShopOrder(db.Model):
    """One shop's part of an order: its items, its parcel, its fulfilment."""
    __tablename__ = "shop_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(sa.String(20), default=ShopOrderStatus.AWAITING_PAYMENT.value)

    items_total: Mapped[int] = mapped_column(sa.BigInteger)
    shipping_fee: Mapped[int] = mapped_column(sa.BigInteger)
    shipping_zone: Mapped[str] = mapped_column(sa.String(20))
    weight_g: Mapped[int] = mapped_column()
    # Calendar days from payment to handing the parcel to the courier: the longest of the shop's
    # handling days (ready stock) and the items' lead times (made to order).
    lead_days: Mapped[int] = mapped_column()
    ship_by: Mapped[date] = mapped_column(sa.Date)

    courier: Mapped[str | None] = mapped_column(sa.String(16))
    tracking_number: Mapped[str | None] = mapped_column(sa.String(64))
    shipped_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # When the late-shipment job told the seller (and the buyer that they may cancel).
    late_notified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="shop_orders")
    shop = relationship("Shop", lazy="joined")
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="shop_order", cascade="all, delete-orphan", order_by="OrderItem.id", lazy="selectin",
    )

    __table_args__ = (
        sa.CheckConstraint(_in("status", ShopOrderStatus), name="status_known"),
        sa.CheckConstraint(_in("shipping_zone", Zone), name="zone_known"),
        sa.CheckConstraint("courier IS NULL OR " + _in("courier", COURIERS), name="courier_known"),
        sa.CheckConstraint("items_total > 0 AND shipping_fee >= 0", name="amounts_positive"),
        # The seller's queue: a shop's orders by status, newest first.
        sa.Index("ix_shop_orders_shop_status", "shop_id", "status", "created_at"),
        sa.Index("ix_shop_orders_status_ship_by", "status", "ship_by"),
        # The reports' refresh looks for parcels changed since its last run.
        sa.Index("ix_shop_orders_updated_at", "updated_at"),
    )

    @property
    def total(self) -> int:
        return self.items_total + self.shipping_fee

    @property
    def courier_label(self) -> str:
        return str(COURIER_LABELS.get(self.courier or "", self.courier or ""))


class OrderItem(db.Model):
    """A line of a ShopOrder, with the product as it was when bought."""
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_order_id: Mapped[int] = mapped_column(sa.ForeignKey("shop_orders.id", ondelete="CASCADE"), index=True)
    # RESTRICT: a variant that an order names is archived by the catalogue, never deleted.
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("variants.id", ondelete="RESTRICT"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(sa.String(160))
    variant_name: Mapped[str] = mapped_column(sa.String(80))
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)
    quantity: Mapped[int] = mapped_column()
    weight_g: Mapped[int] = mapped_column()  # of one unit
    made_to_order: Mapped[bool] = mapped_column(default=False)
    lead_time_days: Mapped[int | None] = mapped_column()

    shop_order: Mapped[ShopOrder] = relationship(back_populates="items")

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price > 0", name="unit_price_positive"),
    )

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


class ShippingRate(db.Model):
    """A shop's price for one zone: base_fee plus per_kg_fee for every started kilogram.

    A shop without rows uses the defaults of orders/shipping.py; a zone whose row has
    offered=False is refused at checkout (e.g. no international shipping).
    """
    __tablename__ = "shipping_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="CASCADE"))
    zone: Mapped[str] = mapped_column(sa.String(20))
    offered: Mapped[bool] = mapped_column(default=True)
    base_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    per_kg_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    __table_args__ = (
        sa.UniqueConstraint("shop_id", "zone", name="uq_shipping_rates_shop_zone"),
        sa.CheckConstraint(_in("zone", Zone), name="zone_known"),
        sa.CheckConstraint("base_fee >= 0 AND per_kg_fee >= 0", name="fees_nonnegative"),
    )
