"""Platform-wide figures for the admin: sales, orders, sellers, programs, graduates, payouts owed.

A sale is an order item whose order has been paid (`paid_at` set) and whose shop's part was not
cancelled. Its amount is unit price × quantity less the succeeded refund lines of that item, so
the figures are net of refunds; a refund still pending or failed has given nothing back yet.
Shipping is not a sale: it passes through to the courier. A sale counts in the month (Asia/Jakarta)
its order was paid, and a later refund lowers that month, not the month of the refund, so each
month shows what its orders finally brought in.

All of it is SQL aggregation on both databases; Python only fills in the months without sales.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from marketplace.catalog.models import Shop
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry
from marketplace.programs.models import Graduation, GraduationStatus, Organization, TrainingProgram
from marketplace.reports import sales
from marketplace.core.times import day_start, local_today
from marketplace.reports.local_time import local_month

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    sales: int = 0
    orders: int = 0


@dataclass(frozen=True)
class PlatformOverview:
    sales: int  # rupiah, all time
    orders: int  # paid orders with at least one part not cancelled
    shops: int
    shops_with_sale: int  # shops whose sales, net of refunds, are above zero
    programs: int
    organizations: int
    verified_graduates: int  # artisans with at least one verified graduation
    payouts_owed: int  # rupiah: the sum of the shops' positive ledger balances
    shops_owed: int
    months: list[MonthFigures] = field(default_factory=list)  # oldest first, the current month last


def _month_starts(today: date, count: int) -> list[date]:
    """The first days of the COUNT months up to TODAY's, oldest first."""
    index = today.year * 12 + today.month - 1
    return [date((index - back) // 12, (index - back) % 12 + 1, 1) for back in range(count - 1, -1, -1)]


def sales_by_month(count: int = MONTHS_SHOWN) -> list[MonthFigures]:
    """Net sales and paid orders in each of the last COUNT months (Jakarta time), oldest first,
    months without a sale included as zeros. One query."""
    starts = _month_starts(local_today(), count)
    lines = sales.sale_lines()
    month = local_month(lines.c.paid_at).label("month")
    rows = db.session.execute(
        sa.select(month, sa.func.sum(lines.c.amount).label("sales"),
                  sales.counted_orders(lines).label("orders"))
        .where(lines.c.paid_at >= day_start(starts[0]))
        .group_by(month)).all()
    found = {row.month: row for row in rows}
    figures = []
    for start in starts:
        row = found.get(f"{start:%Y-%m}")
        figures.append(MonthFigures(start, int(row.sales), int(row.orders)) if row else MonthFigures(start))
    return figures


def _count(model, *where) -> sa.ScalarSelect:
    return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()


def platform_overview() -> PlatformOverview:
    """Every figure of the admin's overview, in four queries whatever the number of orders."""
    lines = sales.sale_lines()
    total_sales, orders = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(lines.c.amount), 0), sales.counted_orders(lines))
    ).one()

    selling = (sa.select(lines.c.shop_id).group_by(lines.c.shop_id)
               .having(sa.func.sum(lines.c.amount) > 0).subquery("selling"))
    verified = (sa.select(sa.func.count(sa.distinct(Graduation.artisan_id)))
                .where(Graduation.status == GraduationStatus.VERIFIED.value).scalar_subquery())
    counts = db.session.execute(sa.select(
        _count(Shop).label("shops"),
        sa.select(sa.func.count()).select_from(selling).scalar_subquery().label("shops_with_sale"),
        _count(TrainingProgram).label("programs"),
        _count(Organization).label("organizations"),
        verified.label("verified_graduates"),
    )).one()

    # The sum of a shop's entries is what the platform owes it (payments/ledger.py); a shop whose
    # refunds came after its payout may owe the platform instead, which no payout covers.
    balances = (sa.select(sa.func.sum(LedgerEntry.amount).label("balance")).group_by(LedgerEntry.shop_id)
                .having(sa.func.sum(LedgerEntry.amount) > 0).subquery("balances"))
    owed, shops_owed = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(balances.c.balance), 0), sa.func.count())).one()

    return PlatformOverview(
        sales=int(total_sales), orders=int(orders), shops=counts.shops, shops_with_sale=counts.shops_with_sale,
        programs=counts.programs, organizations=counts.organizations,
        verified_graduates=counts.verified_graduates, payouts_owed=int(owed), shops_owed=int(shops_owed),
        months=sales_by_month(),
    )
