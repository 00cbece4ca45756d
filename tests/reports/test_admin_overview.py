"""The admin's platform overview: figures from a small hand-built market, worked out by hand.

The market (5 % commission, every parcel's shipping 10.000 by the shops' own rates):
- shop A sells 2 × 100.000 (order 1, paid 31 Jan 2026 at 23:30 in Jakarta), then refunds one;
  and 1 × 100.000 in order 2 (paid 1 Mar 2026 at 00:30 in Jakarta, 28 Feb in UTC);
- shop B's part of order 2 (70.000) is cancelled by the seller and refunded; its order 3
  (70.000, paid March 2025, before the last 12 months) has a refund still pending at the card
  processor, which has given nothing back yet;
- shop D's only sale (50.000, order 5) is refunded whole; shop C never sold and was overpaid
  (a balance of -10.000); order 4 was never paid.
Sales: A 100.000 + 100.000, B 70.000 = 270.000 from orders 1, 2 and 3 (order 5, refunded whole,
is paid but no longer counts).
Ledger: A 200.000 + 10.000 - 10.000 - 100.000 + 5.000 (order 1) + 100.000 + 10.000 - 5.000
(order 2) = 210.000; B 70.000 + 10.000 - 3.500 = 76.500 (its cancelled part nets to 0);
C -10.000 and D 0 are owed nothing: 286.500 owed to 2 shops.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order, ShippingRate, Zone
from marketplace.payments import refunds
from marketplace.payments.models import LedgerEntry, Refund, RefundLine
from marketplace.reports import platform
from tests import factories

TODAY = date(2026, 3, 15)


def _shop(name: str):
    shop = factories.make_shop(name=name)
    for zone in Zone:
        db.session.add(ShippingRate(shop_id=shop.id, zone=zone.value, offered=True, base_fee=10_000, per_kg_fee=0))
    db.session.commit()
    return shop


def _paid(products, quantity: int, paid_at: datetime) -> Order:
    order = factories.make_order(None, products, quantity=quantity, paid=True)
    order = db.session.get(Order, order.id)
    order.paid_at = paid_at
    db.session.commit()
    return order


@pytest.fixture
def market(monkeypatch):
    monkeypatch.setattr(platform, "local_today", lambda: TODAY)
    admin = factories.make_user("kasir@canting.test", roles=["admin"])
    a, b, c, d = _shop("Batik A"), _shop("Batik B"), _shop("Batik C"), _shop("Batik D")
    cloth_a = factories.make_product(a, price=100_000, stock=10)
    cloth_b = factories.make_product(b, price=70_000, stock=10)
    cloth_d = factories.make_product(d, price=50_000, stock=10)

    first = _paid([cloth_a], 2, datetime(2026, 1, 31, 16, 30, tzinfo=timezone.utc))
    refunds.refund_order(admin, first.id, scope="items", items={first.shop_orders[0].items[0].id: 1},
                         reason="One cloth arrived torn")

    second = _paid([cloth_a, cloth_b], 1, datetime(2026, 2, 28, 17, 30, tzinfo=timezone.utc))
    part_b = next(so for so in second.shop_orders if so.shop_id == b.id)
    orders.seller_cancel(b.owner, part_b.id, reason="Out of indigo")

    third = _paid([cloth_b], 1, datetime(2025, 3, 20, 3, 0, tzinfo=timezone.utc))
    item = third.shop_orders[0].items[0]
    db.session.add(Refund(payment_id=refunds.succeeded_payment(third).id, order_id=third.id, amount=70_000, status="pending",
                          reason="Asked of the card processor",
                          lines=[RefundLine(shop_order_id=item.shop_order_id, order_item_id=item.id, quantity=1,
                                            amount=70_000)]))
    db.session.add(LedgerEntry(shop_id=c.id, kind="payout", amount=-10_000))
    db.session.commit()

    factories.make_order(None, [cloth_a], quantity=1)  # never paid

    fifth = _paid([cloth_d], 1, datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc))
    refunds.refund_order(admin, fifth.id, scope="shop_order", shop_order_id=fifth.shop_orders[0].id,
                         reason="Wrong colour")

    organization = factories.make_organization()
    first_program = factories.make_program(organization)
    second_program = factories.make_program(factories.make_organization())
    factories.make_graduation(a.owner, first_program, status="verified")
    factories.make_graduation(a.owner, second_program, status="verified")
    factories.make_graduation(c.owner, second_program, status="verified")
    factories.make_graduation(b.owner, first_program, status="claimed")
    factories.make_graduation(d.owner, first_program, status="rejected")
    return admin


def test_the_overview_adds_up_the_hand_built_market(market):
    overview = platform.platform_overview()
    assert overview.sales == 270_000
    assert overview.orders == 3
    assert (overview.shops, overview.shops_with_sale) == (4, 2)
    assert (overview.programs, overview.organizations, overview.verified_graduates) == (2, 2, 2)
    assert (overview.payouts_owed, overview.shops_owed) == (286_500, 2)


def test_months_follow_jakarta_time_and_keep_the_refunds_in_the_month_of_the_sale(market):
    months = platform.platform_overview().months
    assert [m.month for m in months] == [date(2025, month, 1) for month in range(4, 13)] + [
        date(2026, month, 1) for month in (1, 2, 3)]
    by_month = {m.month: (m.sales, m.orders) for m in months if m.sales or m.orders}
    # Order 1 at 23:30 on 31 January in Jakarta is a January sale; order 2, paid on 28 February
    # in UTC, is already 1 March in Jakarta. Order 3 is older than the twelve months shown.
    assert by_month == {date(2026, 1, 1): (100_000, 1), date(2026, 3, 1): (100_000, 1)}


ROW = re.compile(r'<tr><th scope="row">([^<]+)</th>\s*<td class="num" data-value="(\d+)">([^<]+)</td>\s*'
                 r'<td class="num" data-value="(\d+)">')


def test_the_page_shows_the_figures_and_a_chart_of_its_table(market, admin_client):
    response = admin_client.get("/admin/reports")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Rp 270.000" in html and "Rp 286.500" in html  # Indonesian grouping, the default
    rows = [(label, int(sales), shown, int(count)) for label, sales, shown, count in ROW.findall(html)]
    assert len(rows) == 12
    assert rows[-3:] == [("Jan 2026", 100_000, "Rp 100.000", 1), ("Feb 2026", 0, "Rp 0", 0),
                         ("Mar 2026", 100_000, "Rp 100.000", 1)]
    assert 'data-chart-table="sales-by-month"' in html and 'id="sales-by-month"' in html
    assert 'aria-hidden="true"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/report-charts.js" in html
    assert 'href="/admin/reports"' in html  # the admin's menu links here


def test_an_empty_platform_shows_zeros(admin_client):
    overview = platform.platform_overview()
    assert (overview.sales, overview.orders, overview.payouts_owed, overview.shops_with_sale) == (0, 0, 0, 0)
    assert len(overview.months) == 12 and not any(m.sales or m.orders for m in overview.months)
    assert admin_client.get("/admin/reports").status_code == 200


def test_only_admins_see_the_overview(client, buyer_client, artisan_client, officer_client):
    for other in (buyer_client, artisan_client, officer_client):
        assert other.get("/admin/reports").status_code == 403
        assert 'href="/admin/reports"' not in other.get("/").get_data(as_text=True)
    anonymous = client.get("/admin/reports")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
