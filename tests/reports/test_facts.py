"""The sale facts follow every payment, refund and cancellation, whether the periodic job or a
report's own catch-up writes them, and always agree with the live definition of a sale."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.payments import refunds
from marketplace.reports import facts, jobs, sales, services
from marketplace.reports.models import SaleFact
from tests.reports import world

EVERYTHING = services.ReportFilters()


def _bimtek_sales(world_) -> int:
    return services.program_dashboard(world_.officer, "bimtek-diy-2026", EVERYTHING).report.totals.sales


def _fact_rows() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(
        sa.select(*SaleFact.__table__.columns).order_by(SaleFact.order_item_id)).all()]


def test_a_refund_after_the_last_refresh_shows_in_the_next_report(impact_world):
    assert _bimtek_sales(impact_world) == 450_000
    o2 = impact_world.o2
    refunds.refund_order(impact_world.admin, o2.id, scope="items", items={o2.shop_orders[0].items[0].id: 1},
                         reason="Kain kedua juga rusak")
    assert _bimtek_sales(impact_world) == 250_000


def test_a_new_sale_and_a_cancelled_parcel_show_in_the_next_report(impact_world):
    order = world._paid(impact_world.tas, datetime(2026, 4, 2, 3, 0, tzinfo=timezone.utc), province="Bali",
                        city="Denpasar")
    assert _bimtek_sales(impact_world) == 500_000
    orders.seller_cancel(impact_world.budi, order.shop_orders[0].id, reason="Benang habis")
    assert _bimtek_sales(impact_world) == 450_000


def test_the_periodic_job_writes_the_facts_of_a_new_sale(impact_world):
    order = world._paid(impact_world.kain, datetime(2026, 4, 2, 3, 0, tzinfo=timezone.utc))
    item = order.shop_orders[0].items[0]
    assert db.session.get(SaleFact, item.id) is None
    jobs.refresh_sale_facts_job()
    fact = db.session.get(SaleFact, item.id)
    assert (fact.seller_id, fact.amount, fact.units, fact.month, fact.technique, fact.counted) == (
        impact_world.ani.id, 200_000, 1, "2026-04", "tulis", 1)
    assert fact.commission == 10_000  # 5 % of the parcel's items, on its first (only) item


def test_a_catch_up_writes_exactly_what_a_full_rebuild_writes(impact_world):
    o2 = impact_world.o2
    refunds.refund_order(impact_world.admin, o2.id, scope="items", items={o2.shop_orders[0].items[0].id: 1},
                         reason="Kain kedua juga rusak")
    world._paid(impact_world.tas, datetime(2026, 4, 2, 3, 0, tzinfo=timezone.utc))
    facts.refresh_sale_facts()
    caught_up = _fact_rows()
    # o1, o2, o3, o5, o7 and the new one; o4 cancelled, o6 unpaid.
    assert facts.refresh_sale_facts(full=True) == len(caught_up) == 6
    assert _fact_rows() == caught_up


def test_facts_add_up_to_the_live_sales(impact_world):
    lines = sales.sale_lines()
    live = db.session.execute(sa.select(sa.func.sum(lines.c.amount), sa.func.sum(lines.c.units))).one()
    stored = db.session.execute(sa.select(sa.func.sum(SaleFact.amount), sa.func.sum(SaleFact.units))).one()
    # o1 200,000 + o2 200,000 net + o3 50,000 + o5 100,000 + o7 200,000; o4 cancelled, o6 unpaid
    assert tuple(live) == tuple(stored) == (750_000, 5)
