"""Shops (and, with the catalogue, their products)."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.core.times import utcnow
from marketplace.core.numbers import IntRange
from marketplace.extensions import db


class ShopStatus(str, enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Shop(db.Model):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    story: Mapped[str] = mapped_column(sa.Text, default="")
    photo_key: Mapped[str | None] = mapped_column(sa.String(200))
    city: Mapped[str] = mapped_column(sa.String(120))
    province: Mapped[str] = mapped_column(sa.String(64), index=True)
    shipping_origin: Mapped[str] = mapped_column(sa.String(255), default="")
    # Calendar days from payment to handing ready stock to the courier (the ship-by date).
    handling_days: Mapped[int] = mapped_column(default=2, server_default="2")
    status: Mapped[str] = mapped_column(sa.String(16), default=ShopStatus.ACTIVE.value,
                                        server_default=ShopStatus.ACTIVE.value)
    suspended_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    owner = relationship("User", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("status IN ('active', 'suspended')", name="status_known"),
    )

    @property
    def is_public(self) -> bool:
        return self.status == ShopStatus.ACTIVE.value

    @classmethod
    def public(cls):
        return sa.select(cls).where(cls.status == ShopStatus.ACTIVE.value)


class ProductStatus(str, enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


CATEGORIES = ("cloth", "clothing", "accessory", "home_decor", "other")
# `printing` is imitation batik (SNI 8184): listed, but never shown or filtered as batik.
TECHNIQUES = ("tulis", "cap", "kombinasi", "jumputan", "printing")
BATIK_TECHNIQUES = ("tulis", "cap", "kombinasi", "jumputan")
DYES = ("natural", "synthetic")
# The numbers a seller may enter, checked alike by the product form, the quick edit, the API
# schemas and the services (see core/numbers.py).
PRICE_RANGE = IntRange(1, 1_000_000_000)  # whole rupiah: Rp 1 billion is far above any cloth
PRICE_FILTER_RANGE = IntRange(0, PRICE_RANGE.maximum)  # the catalogue's min_price / max_price
STOCK_RANGE = IntRange(0, 1_000_000)
HANDLING_DAYS_RANGE = IntRange(0, 60)
LEAD_TIME_RANGE = IntRange(1, 365)  # days to make a made-to-order piece
MADE_TO_ORDER_CAP_RANGE = IntRange(1, 1_000)  # units a maker takes on at once
WEIGHT_RANGE = IntRange(1, 100_000)  # grams, packed
DIMENSION_RANGE = IntRange(1, 10_000)  # centimetres
# Suggested in the listing form before the catalogue has motifs of its own: classic motifs of
# Java's courts and coast and the regional ones of the programs' provinces.
KNOWN_MOTIFS = (
    "Kawung", "Parang Rusak", "Parang Barong", "Parang Klitik", "Truntum", "Sidomukti", "Sidoluhur",
    "Sido Asih", "Sekar Jagad", "Semen Rama", "Wahyu Tumurun", "Tambal", "Ceplok", "Lereng",
    "Mega Mendung", "Wadasan", "Tiga Negeri", "Buketan", "Lasem Latohan", "Jlamprang", "Gentongan",
    "Gajah Oling", "Kangkung Setingkes", "Pring Sedapur", "Kopi", "Durian", "Jumputan Pelangi",
    "Tampuk Manggis", "Pucuk Rebung", "Lawang Kori", "Ikan Belido", "Jembatan Ampera", "Enggang",
    "Shorea", "Sawat", "Liong", "Burung Hong",
)

CATEGORY_LABELS = {
    "cloth": _l("Batik cloth (kain)"), "clothing": _l("Clothing"), "accessory": _l("Accessories"),
    "home_decor": _l("Home decor"), "other": _l("Other"),
}
# Labels for the technique filter; "batik" stands for every real batik technique.
TECHNIQUE_FILTER_LABELS = {
    "batik": _l("All batik (no printing)"), "tulis": _l("Batik tulis"), "cap": _l("Batik cap"),
    "kombinasi": _l("Batik kombinasi"), "jumputan": _l("Jumputan"),
    "printing": _l("Printed textile (imitation batik)"),
}


def motif_key(motif: str | None) -> str:
    """A motif name as the motif filter matches it: "Mega  Mendung " finds "mega mendung"."""
    return " ".join((motif or "").split()).casefold()[:80]


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    slug: Mapped[str] = mapped_column(sa.String(180), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(16))
    technique: Mapped[str] = mapped_column(sa.String(16))
    motif: Mapped[str] = mapped_column(sa.String(80), default="")
    # The motif as the catalogue's motif filter compares it (see motif_key); kept by _keep_motif_key.
    motif_key: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    motif_story: Mapped[str] = mapped_column(sa.Text, default="")
    material: Mapped[str] = mapped_column(sa.String(80), default="")
    dye: Mapped[str | None] = mapped_column(sa.String(16))
    length_cm: Mapped[int | None] = mapped_column()
    width_cm: Mapped[int | None] = mapped_column()
    weight_g: Mapped[int] = mapped_column()
    price: Mapped[int] = mapped_column(sa.BigInteger)  # whole rupiah
    batikmark_number: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(16), default=ProductStatus.DRAFT.value,
                                        server_default=ProductStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship(lazy="joined")
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.position, Variant.id",
        lazy="selectin",
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan",
        order_by="ProductImage.position, ProductImage.id", lazy="selectin",
    )

    __table_args__ = (
        sa.CheckConstraint("price > 0", name="price_positive"),
        sa.CheckConstraint("weight_g > 0", name="weight_positive"),
        sa.CheckConstraint(f"category IN ({', '.join(repr(c) for c in CATEGORIES)})", name="category_known"),
        sa.CheckConstraint(f"technique IN ({', '.join(repr(t) for t in TECHNIQUES)})", name="technique_known"),
        sa.CheckConstraint("dye IS NULL OR dye IN ('natural', 'synthetic')", name="dye_known"),
        sa.CheckConstraint("status IN ('draft', 'active', 'archived')", name="status_known"),
        # Catalogue sorts, paged by keyset (catalog/listing.py): newest, and price (which also
        # covers the catalogue's count when a price range is given).
        sa.Index("ix_products_status_created", "status", "created_at", "id"),
        sa.Index("ix_products_status_price", "status", "price", "id", "shop_id", "category", "technique"),
        # Covering index for the catalogue's total: counting reads it instead of the product rows.
        sa.Index("ix_products_catalogue", "status", "shop_id", "category", "technique", "price"),
        sa.Index("ix_products_status_category", "status", "category"),
        sa.Index("ix_products_status_technique", "status", "technique"),
        sa.Index("ix_products_motif_key", "motif_key", "status"),
    )

    @validates("motif")
    def _keep_motif_key(self, _key, value):
        self.motif_key = motif_key(value)
        return value

    @property
    def is_batik(self) -> bool:
        return self.technique in BATIK_TECHNIQUES

    @property
    def total_stock(self) -> int:
        return sum(v.stock for v in self.variants if v.archived_at is None)

    @property
    def live_variants(self) -> list[Variant]:
        """The variants a buyer can choose (archived ones stay only for the orders that name them)."""
        return [v for v in self.variants if v.archived_at is None]

    @property
    def is_available(self) -> bool:
        """Whether a buyer can order some live variant now: ready stock or a made-to-order place."""
        return any(v.available > 0 for v in self.live_variants)


class Variant(db.Model):
    __tablename__ = "variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))
    stock: Mapped[int] = mapped_column(default=0)
    price: Mapped[int | None] = mapped_column(sa.BigInteger)
    position: Mapped[int] = mapped_column(default=0)
    # Made to order: no stock; the maker takes on at most made_to_order_cap units at once
    # (made_to_order_open counts the units of unshipped orders) and ships lead_time_days after
    # payment. Ready stock ships within the shop's handling_days.
    made_to_order: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    lead_time_days: Mapped[int | None] = mapped_column()
    made_to_order_cap: Mapped[int | None] = mapped_column()
    made_to_order_open: Mapped[int] = mapped_column(default=0, server_default="0")
    # A variant removed by its seller is archived, never deleted: orders point at it.
    archived_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    product: Mapped[Product] = relationship(back_populates="variants")

    __table_args__ = (
        sa.CheckConstraint("stock >= 0", name="stock_nonnegative"),
        sa.CheckConstraint("made_to_order_open >= 0", name="open_nonnegative"),
        sa.CheckConstraint("made_to_order_cap IS NULL OR made_to_order_open <= made_to_order_cap",
                           name="open_within_cap"),
        sa.CheckConstraint("NOT made_to_order OR (lead_time_days IS NOT NULL AND made_to_order_cap IS NOT NULL)",
                           name="made_to_order_terms"),
        # The catalogue's "in stock" filter reads stock from the index, not from the variant rows.
        sa.Index("ix_variants_product_stock", "product_id", "stock"),
        sa.CheckConstraint("price IS NULL OR price > 0", name="price_positive"),
    )

    @property
    def effective_price(self) -> int:
        return self.price if self.price is not None else self.product.price

    @hybrid_property
    def available(self) -> int:
        """Units a buyer can order now: the ready stock, or the places left under the made-to-order cap."""
        if self.made_to_order:
            return max((self.made_to_order_cap or 0) - self.made_to_order_open, 0)
        return self.stock

    @available.inplace.expression
    @classmethod
    def _available_expression(cls):
        return sa.case((cls.made_to_order, cls.made_to_order_cap - cls.made_to_order_open), else_=cls.stock)


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    display_key: Mapped[str] = mapped_column(sa.String(200))
    thumb_key: Mapped[str] = mapped_column(sa.String(200))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    product: Mapped[Product] = relationship(back_populates="images")


class ProductViewDay(db.Model):
    """How many times a product's page was opened on one day (Asia/Jakarta). Written in batches
    by catalog/page_views.py, never once per request."""

    __tablename__ = "product_view_days"

    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    views: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("views >= 0", name="views_nonnegative"),)
