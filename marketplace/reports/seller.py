"""Seller analytics: one shop's orders, sales, units and earnings by month, its best products
and how often their pages were seen, over the last twelve months in the platform's zone.

Every figure is aggregated by the database (reports/sales.py defines a sale); Python only adds
the months without sales so that a chart shows the gaps.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductViewDay, Shop
from marketplace.extensions import db
from marketplace.orders.models import ShopOrder
from marketplace.reports import sales
from marketplace.core.times import day_end, day_start, local_today
from marketplace.reports.local_time import date_month

MONTHS_SHOWN = 12
BEST_PRODUCTS = 10


@dataclass(frozen=True)
class MonthFigures:
    month: date  # the first day of the month
    orders: int = 0
    units: int = 0
    sales: int = 0
    earnings: int = 0
    views: int = 0


@dataclass(frozen=True)
class Totals:
    orders: int = 0
    units: int = 0
    sales: int = 0
    earnings: int = 0
    views: int = 0

    @property
    def average_order(self) -> int | None:
        """Net sales per counted order, in whole rupiah (None without orders)."""
        return self.sales // self.orders if self.orders else None


@dataclass(frozen=True)
class ProductFigures:
    product_id: int
    title: str
    slug: str
    units: int
    sales: int
    views: int
    conversion: float | None  # units sold per page view; None when the page was never counted


@dataclass(frozen=True)
class SellerReport:
    first_day: date
    last_day: date
    months: list[MonthFigures]
    totals: Totals
    best_products: list[ProductFigures]


def shop_of(artisan: User) -> Shop | None:
    return db.session.scalar(sa.select(Shop).where(Shop.owner_id == artisan.id))


def months_ending(last_day: date, count: int = MONTHS_SHOWN) -> list[date]:
    """The first days of the COUNT months up to and including LAST_DAY's, oldest first."""
    index = last_day.year * 12 + last_day.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def seller_report(shop_id: int, today: date | None = None) -> SellerReport:
    """SHOP_ID's figures for the twelve months up to TODAY (the platform's today by default)."""
    last_day = today or local_today()
    months = months_ending(last_day)
    first_day = months[0]
    window = {"paid_from": day_start(first_day), "paid_before": day_end(last_day)}
    return SellerReport(
        first_day=first_day, last_day=last_day,
        months=monthly_series(shop_id, months, last_day, **window),
        totals=totals(shop_id, first_day, last_day, **window),
        best_products=best_products(shop_id, first_day, last_day, **window),
    )


def _parts(shop_id: int, **window) -> sa.Subquery:
    mine = ShopOrder.shop_id == shop_id
    return sales.shop_order_sales(sales.sale_lines(mine, **window), sales.net_commissions(mine))


def _sums(parts: sa.Subquery) -> list:
    return [sa.func.coalesce(sa.func.sum(parts.c.counted), 0).label("orders"),
            sa.func.coalesce(sa.func.sum(parts.c.units), 0).label("units"),
            sa.func.coalesce(sa.func.sum(parts.c.amount), 0).label("sales"),
            sa.func.coalesce(sa.func.sum(parts.c.earnings), 0).label("earnings")]


def _views(shop_id: int, first_day: date, last_day: date) -> sa.Select:
    return (sa.select(sa.func.coalesce(sa.func.sum(ProductViewDay.views), 0).label("views"))
            .join(Product, Product.id == ProductViewDay.product_id)
            .where(Product.shop_id == shop_id, ProductViewDay.day >= first_day, ProductViewDay.day <= last_day))


def monthly_series(shop_id: int, months: list[date], last_day: date, **window) -> list[MonthFigures]:
    """One MonthFigures per month of MONTHS (first days), with zeros where nothing happened."""
    parts = _parts(shop_id, **window)
    sold = {row.month: row for row in db.session.execute(
        sa.select(parts.c.month, *_sums(parts)).group_by(parts.c.month))}
    month = date_month(ProductViewDay.day)
    seen = {row.month: int(row.views) for row in db.session.execute(
        _views(shop_id, months[0], last_day).add_columns(month.label("month")).group_by(month))}
    series = []
    for first in months:
        key = first.strftime("%Y-%m")
        row = sold.get(key)
        series.append(MonthFigures(
            month=first, views=seen.get(key, 0),
            **({name: int(getattr(row, name)) for name in ("orders", "units", "sales", "earnings")} if row else {}),
        ))
    return series


def totals(shop_id: int, first_day: date, last_day: date, **window) -> Totals:
    """SHOP_ID's figures summed over the window (one query for sales, one for views)."""
    parts = _parts(shop_id, **window)
    row = db.session.execute(sa.select(*_sums(parts))).one()
    views = db.session.scalar(_views(shop_id, first_day, last_day))
    return Totals(orders=int(row.orders), units=int(row.units), sales=int(row.sales), earnings=int(row.earnings),
                  views=int(views))


def best_products(shop_id: int, first_day: date, last_day: date, limit: int = BEST_PRODUCTS,
                  **window) -> list[ProductFigures]:
    """The LIMIT products with the highest net sales in the window, with their units, page views
    and units per view."""
    lines = sales.sale_lines(ShopOrder.shop_id == shop_id, **window)
    views = (sa.select(ProductViewDay.product_id, sa.func.sum(ProductViewDay.views).label("views"))
             .join(Product, Product.id == ProductViewDay.product_id)
             .where(Product.shop_id == shop_id, ProductViewDay.day >= first_day, ProductViewDay.day <= last_day)
             .group_by(ProductViewDay.product_id)
             .subquery("views"))
    sold = (sa.select(lines.c.product_id, sa.func.sum(lines.c.units).label("units"),
                      sa.func.sum(lines.c.amount).label("sales"))
            .group_by(lines.c.product_id)
            .having(sa.func.sum(lines.c.amount) > 0)
            .subquery("sold"))
    seen = sa.func.coalesce(views.c.views, 0)
    conversion = sa.case((seen > 0, sa.cast(sold.c.units, sa.Float) / seen), else_=None)
    rows = db.session.execute(
        sa.select(Product.id, Product.title, Product.slug, sold.c.units, sold.c.sales, seen.label("views"),
                  conversion.label("conversion"))
        .join(sold, sold.c.product_id == Product.id)
        .outerjoin(views, views.c.product_id == Product.id)
        .order_by(sold.c.sales.desc(), Product.id)
        .limit(limit)
    )
    return [ProductFigures(product_id=row.id, title=row.title, slug=row.slug, units=int(row.units),
                           sales=int(row.sales), views=int(row.views),
                           conversion=None if row.conversion is None else float(row.conversion))
            for row in rows]
