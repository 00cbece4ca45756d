"""The demo's sales history (marketplace/demo_sales.py): on a fresh `flask seed-demo` every report
has something to show, and every row is one the app itself could have written."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.catalog.models import Product, Shop
from marketplace.core.regions import PROVINCES
from marketplace.core.times import as_utc, utcnow
from marketplace.demo import DEMO_PASSWORD, PROGRAMS
from marketplace.demo_buyers import PLACES
from marketplace.demo_rows import local_day
from marketplace.demo_sales import HISTORY_KEY, LEBARAN, history_window
from marketplace.orders import services as order_services
from marketplace.orders import shipping
from marketplace.orders.models import Order
from marketplace.payments.ledger import commission_on
from marketplace.payments.models import LedgerEntry, Payment, PayoutBatch, Refund
from marketplace.programs.models import TrainingProgram
from marketplace.reports.metrics import ReportScope, impact_report
from tests.conftest import login
from tests.test_demo import seed


def history(db) -> list[Order]:
    return db.session.scalars(sa.select(Order).where(Order.idempotency_key.contains(HISTORY_KEY))
                              .order_by(Order.id)).all()


def demo_report(db):
    ids = tuple(db.session.scalars(sa.select(TrainingProgram.id).where(
        TrainingProgram.slug.in_([spec["slug"] for spec in PROGRAMS]))))
    return impact_report(ReportScope(program_ids=ids))


def month_key(day: date, back: int) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def daily_rate(paid_days: list[date], first: date, last: date) -> float:
    return sum(first <= day <= last for day in paid_days) / ((last - first).days + 1)


def test_the_demo_graduates_sell_in_every_month_of_the_last_year_through_the_seasons(app, db):
    seed(app)
    report = demo_report(db)

    # Sales in each of the twelve Jakarta months before this one (this one may be hours old).
    today = local_day(utcnow())
    months = {row.month: row for row in report.monthly}
    for back in range(1, 13):
        assert months[month_key(today, back)].orders > 0, month_key(today, back)
        assert months[month_key(today, back)].sales > 0

    # A funnel that narrows at every step, and first sales after varied delays.
    funnel = report.funnel
    assert funnel.graduates > funnel.with_shop > funnel.with_active_listing > funnel.with_first_sale > 0
    within = [share.count for share in report.first_sales.within]
    assert 0 < within[0] < within[1] < within[2] < funnel.with_first_sale
    assert report.first_sales.median_days > 30

    # Buyers mostly from outside the artisans' provinces, all over Indonesia and abroad.
    buyers = report.buyers
    assert buyers.outside_home_province > 0.6 * buyers.sales
    assert 0 < buyers.abroad < 0.2 * buyers.sales and len(buyers.by_country) >= 3
    assert len(buyers.by_province) >= 20 and len(buyers.by_island_group) >= 5
    assert {row.key for row in report.techniques} >= {"tulis", "cap", "jumputan"}
    assert {row.key for row in report.categories} == {"cloth", "clothing", "accessory", "home_decor"}
    assert len(report.motifs) >= 10

    # The weeks of Ramadan before Lebaran and those before Hari Batik Nasional sell more than an
    # average day of the last year.
    window = history_window(utcnow())
    paid_days = [local_day(as_utc(order.paid_at)) for order in history(db) if order.paid_at is not None]
    average = daily_rate(paid_days, window, today)
    lebaran = max(day for day in LEBARAN.values() if day - timedelta(days=4) <= today)
    assert daily_rate(paid_days, lebaran - timedelta(days=35), lebaran - timedelta(days=4)) > 1.3 * average
    batik_day = max(date(year, 10, 2) for year in (today.year - 1, today.year) if date(year, 10, 2) <= today)
    assert daily_rate(paid_days, batik_day - timedelta(days=21), batik_day) > 1.3 * average


def test_every_history_row_is_one_the_app_could_have_written(app, db):
    seed(app)
    now = utcnow()
    orders = history(db)
    payments = {p.order_id: p for p in db.session.scalars(sa.select(Payment).where(Payment.status == "succeeded"))}
    entries = Counter()
    for entry in db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.shop_order_id.is_not(None))):
        entries[entry.shop_order_id, entry.kind] += entry.amount
    products = {p.id: p for p in db.session.scalars(sa.select(Product))}
    shops = {s.id: s for s in db.session.scalars(sa.select(Shop))}
    seen = Counter()

    for order in orders:
        parcels = order.shop_orders
        assert order.items_total == sum(so.items_total for so in parcels)
        assert order.shipping_total == sum(so.shipping_fee for so in parcels)
        assert order.province in PROVINCES if order.country == "ID" else order.province == ""
        placed = as_utc(order.created_at)
        assert placed <= as_utc(order.paid_at or order.created_at) <= as_utc(order.payment_due_at)
        for so in parcels:
            shop = shops[so.shop_id]
            assert so.items_total == sum(item.line_total for item in so.items)
            assert so.weight_g == sum(item.weight_g * item.quantity for item in so.items)
            zone = shipping.zone_for(shop, order)
            assert so.shipping_zone == zone.value
            assert so.shipping_fee == shipping.shipping_fee(shipping.rates_for(shop.id)[zone], so.weight_g)
            assert as_utc(shop.created_at) < placed
            assert all(as_utc(products[item.product_id].created_at) < placed for item in so.items)
            assert not any(item.made_to_order for item in so.items)
            times = [as_utc(t) for t in (so.created_at, so.shipped_at, so.delivered_at) if t is not None]
            assert times == sorted(times) and times[-1] <= as_utc(so.updated_at) <= now
            if so.status in ("shipped", "delivered"):
                assert so.courier and so.tracking_number and so.shipped_at
            if so.status == "cancelled":
                assert so.cancelled_at and so.cancel_reason
            if order.paid_at is not None:
                assert so.ship_by == local_day(as_utc(order.paid_at)) + timedelta(days=so.lead_days)
                assert entries[so.id, "sale"] == so.items_total + so.shipping_fee
                assert entries[so.id, "commission"] == -commission_on(so.items_total)
            seen["parcel " + so.status] += 1
        statuses = {so.status for so in parcels}
        if order.paid_at is None:  # expired unpaid: no payment, nothing in the ledger
            assert order.status == "cancelled" and statuses == {"cancelled"} and order.id not in payments
            seen["expired"] += 1
            continue
        payment = payments[order.id]
        assert payment.amount == order.total + (payment.unique_code or 0)
        assert as_utc(payment.succeeded_at) == as_utc(order.paid_at)
        assert (payment.method == "card") == (payment.provider_ref is not None)
        seen[payment.method] += 1
        if statuses == {"cancelled"}:
            assert order.status == "cancelled"
        elif statuses <= {"cancelled", "delivered"}:
            assert order.status == "completed" and order.completed_at
        else:
            assert order.status == "paid"
        seen["abroad" if order.country != "ID" else "home"] += 1

    refunds = db.session.scalars(sa.select(Refund).where(Refund.order_id.in_([o.id for o in orders]))).all()
    for refund in refunds:
        assert refund.status == "succeeded" and refund.amount == sum(line.amount for line in refund.lines)
        parcel_total = {so.id: so.total for so in refund.payment.order.shop_orders}[refund.lines[0].shop_order_id]
        seen["partial refund" if refund.amount < parcel_total else "full refund"] += 1
        cancelled = refund.lines[0].shop_order_id in {so.id for so in refund.payment.order.shop_orders
                                                      if so.status == "cancelled"}
        assert (refund.created_by_id is None) == cancelled  # the platform refunds a cancelled parcel itself
    assert all(seen[kind] for kind in ("expired", "card", "bank_transfer", "abroad", "partial refund", "full refund",
                                       "parcel cancelled", "parcel delivered", "parcel shipped"))
    assert seen["card"] > 2 * seen["bank_transfer"]
    assert db.session.scalar(sa.select(sa.func.count(PayoutBatch.id)).where(PayoutBatch.status == "paid")) >= 10


def test_the_history_shows_on_the_pages_of_sellers_buyers_and_the_admin(app, db):
    seed(app)
    guest = next(order for order in history(db) if order.buyer_id is None and order.paid_at is not None)
    page = app.test_client().get(f"/orders/guest/{order_services.guest_token(guest)}")
    assert page.status_code == 200 and guest.number in page.get_data(as_text=True)

    seller = app.test_client()
    assert login(seller, "nurul@canting.test", DEMO_PASSWORD).status_code == 302
    assert seller.get("/dashboard/orders").status_code == 200
    assert seller.get("/dashboard/balance").status_code == 200
    buyer = app.test_client()
    assert login(buyer, "buyer@canting.test", DEMO_PASSWORD).status_code == 302
    mine = buyer.get("/orders").get_data(as_text=True)
    assert sum(order.number in mine for order in history(db) if order.email == "buyer@canting.test") >= 1
    admin = app.test_client()
    assert login(admin, "admin@canting.test", DEMO_PASSWORD).status_code == 302
    assert admin.get("/admin/payouts").status_code == 200
    refunded = db.session.scalars(sa.select(Refund).where(Refund.created_by_id.is_not(None))).first()
    assert admin.get(f"/admin/orders/{refunded.order_id}/refunds").status_code == 200


def test_buyers_come_from_every_province_spelt_as_the_app_spells_it():
    assert set(PLACES) == set(PROVINCES)
    assert all(len(code) == 5 and code.isdigit() for places, _weight in PLACES.values() for _city, code in places)
