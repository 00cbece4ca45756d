"""Seller analytics: a shop's orders, units, sales and earnings by month in Jakarta time, its
best products and their page views, checked against figures worked out by hand; and product
page views counted in memory, written in one batch, never the owner's or a robot's.

The hand-built shop (commission 5 %), months counted back from this month M0:
  order 1  M2, last day 23:30 WIB   Kain A x2 (100.000)           sale 200.000, commission 10.000
  order 2  M1, first day 00:30 WIB  Kain B x1 (250.000) + Selendang C x3 (40.000), one C refunded
           (16.30 UTC on the day before: a UTC calendar would put it in M2)
                                     sale 330.000, units 3, commission 18.500 - 2.000 returned
  order 3  M1                       Kain A x1, the whole parcel refunded: no order, no sale
  order 4  M0                       Kain B x1, paid, then cancelled by the seller: left out
  order 5  M0                       Selendang C x2                sale 80.000, commission 4.000
  order 6  M0                       Kain A x1, never paid: left out
  order 7  13 months ago            Kain A x1: before the twelve months shown
  and another shop's paid order, which never shows here.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from marketplace.catalog import page_views
from marketplace.catalog.models import ProductViewDay
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.payments import refunds
from marketplace.reports import seller
from marketplace.core.times import local_today
from tests import factories
from tests.orders.conftest import signed_in

WIB = ZoneInfo("Asia/Jakarta")
ROBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def jakarta(day: date, hour: int, minute: int = 0) -> datetime:
    """HOUR:MINUTE on DAY in Jakarta, as the UTC time the database stores."""
    return datetime.combine(day, time(hour, minute), tzinfo=WIB).astimezone(timezone.utc)


def month_back(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def place(*lines) -> Order:
    """A guest's order of LINES ((product, quantity), ...), awaiting payment."""
    items = [{"variant_id": product.variants[0].id, "quantity": quantity} for product, quantity in lines]
    return orders.place_order(None, items=items, shipping_address=factories.SHIPPING_ADDRESS,
                              email="tamu@example.test").order


def paid(order: Order, admin, at: datetime) -> Order:
    """ORDER confirmed paid by ADMIN, its payment dated AT."""
    factories.pay_order(order, admin)
    db.session.execute(sa.update(Order).where(Order.id == order.id).values(paid_at=at))
    db.session.commit()
    return order


@pytest.fixture
def months():
    m0 = local_today().replace(day=1)
    return {"M0": m0, "M1": month_back(m0, 1), "M2": month_back(m0, 2), "M13": month_back(m0, 13)}


@pytest.fixture
def shop(app, months):
    artisan = factories.make_artisan(name="Bu Nurul")
    shop = factories.make_shop(artisan, name="Batik Nurul", slug="batik-nurul")
    kain_a = factories.make_product(shop, title="Kain A", price=100_000, stock=10)
    kain_b = factories.make_product(shop, title="Kain B", price=250_000, stock=5)
    selendang_c = factories.make_product(shop, title="Selendang C", price=40_000, stock=10)
    admin = factories.make_user("kasir@canting.test", roles=["admin"])
    m0, m1 = months["M0"], months["M1"]

    paid(place((kain_a, 2)), admin, jakarta(m1 - timedelta(days=1), 23, 30))
    second = paid(place((kain_b, 1), (selendang_c, 3)), admin, jakarta(m1, 0, 30))
    item_c = next(item for item in second.shop_orders[0].items if item.product_id == selendang_c.id)
    refunds.refund_order(admin, second.id, scope="items", items={item_c.id: 1}, reason="Satu selendang cacat")
    third = paid(place((kain_a, 1)), admin, jakarta(m1 + timedelta(days=9), 12))
    refunds.refund_order(admin, third.id, scope="shop_order", shop_order_id=third.shop_orders[0].id,
                         reason="Tidak sampai")
    fourth = paid(place((kain_b, 1)), admin, jakarta(m0, 9))
    orders.seller_cancel(artisan, fourth.shop_orders[0].id, reason="Kain rusak saat dijemur")
    paid(place((selendang_c, 2)), admin, jakarta(m0, 7))
    place((kain_a, 1))
    paid(place((kain_a, 1)), admin, jakarta(months["M13"] + timedelta(days=27), 12))
    paid(place((factories.make_product(title="Kain Orang Lain", price=500_000, stock=2), 1)), admin, jakarta(m1, 12))

    db.session.add_all([ProductViewDay(product_id=kain_a.id, day=m1 - timedelta(days=1), views=10),
                        ProductViewDay(product_id=kain_b.id, day=m1 + timedelta(days=4), views=4)])
    db.session.commit()
    shop.products_by_title = {"Kain A": kain_a, "Kain B": kain_b, "Selendang C": selendang_c}
    return shop


@pytest.fixture
def slow_flush(app, monkeypatch):
    """The production interval: views wait in memory."""
    monkeypatch.setitem(app.config, "PRODUCT_VIEWS_FLUSH_SECONDS", 60)


def product_path(product) -> str:
    return f"/products/{product.id}/{product.slug}"


def open_page(client, path: str, **kwargs):
    """GET PATH and close the response, as a server does once the page has gone out."""
    response = client.get(path, **kwargs)
    response.close()
    return response


def view_rows() -> dict[tuple[int, date], int]:
    db.session.expire_all()
    return {(row.product_id, row.day): row.views for row in db.session.scalars(sa.select(ProductViewDay))}


def three_buyer_views(app, shop, product) -> None:
    """Three buyers' views of PRODUCT, and views that do not count: the owner's, a robot's, a HEAD."""
    buyer = app.test_client()
    for _ in range(3):
        assert open_page(buyer, product_path(product)).status_code == 200
    owner = signed_in(app, shop.owner)
    for _ in range(2):
        assert open_page(owner, product_path(product)).status_code == 200
    assert open_page(buyer, product_path(product), headers={"User-Agent": ROBOT}).status_code == 200
    assert buyer.head(product_path(product)).status_code == 200


# --- the figures ------------------------------------------------------------------------------

EXPECTED_MONTHS = {  # month: (orders, units, sales, earnings, views)
    "M2": (1, 2, 200_000, 190_000, 10),
    "M1": (1, 3, 330_000, 313_500, 4),
    "M0": (1, 2, 80_000, 76_000, 3),
}
EXPECTED_TOTALS = {"orders": 3, "units": 7, "sales": 610_000, "earnings": 579_500, "views": 17,
                   "average_order": 203_333}
EXPECTED_BEST = [  # title, units, sales, views, units per view
    ("Kain B", 1, 250_000, 4, 0.25),
    ("Kain A", 2, 200_000, 13, 2 / 13),
    ("Selendang C", 4, 160_000, 0, None),
]


def expected_series(months) -> dict[str, tuple]:
    """Twelve months, oldest first, empty ones as zeros."""
    keys = {months[name].strftime("%Y-%m"): figures for name, figures in EXPECTED_MONTHS.items()}
    shown = [month_back(months["M0"], back).strftime("%Y-%m") for back in range(11, -1, -1)]
    return {key: keys.get(key, (0, 0, 0, 0, 0)) for key in shown}


def test_the_report_adds_up_to_the_hand_computed_figures(app, shop, months, slow_flush):
    three_buyer_views(app, shop, shop.products_by_title["Kain A"])
    page_views.flush_views()

    report = seller.seller_report(shop.id)

    assert report.first_day == month_back(months["M0"], 11) and report.last_day == local_today()
    assert {m.month.strftime("%Y-%m"): (m.orders, m.units, m.sales, m.earnings, m.views)
            for m in report.months} == expected_series(months)
    assert list(expected_series(months)) == [m.month.strftime("%Y-%m") for m in report.months]
    assert {name: getattr(report.totals, name) for name in EXPECTED_TOTALS} == EXPECTED_TOTALS
    assert [(p.title, p.units, p.sales, p.views, p.conversion) for p in report.best_products] == \
        [(title, units, sales, views, pytest.approx(ratio) if ratio else None)
         for title, units, sales, views, ratio in EXPECTED_BEST]


def test_the_last_evening_of_a_month_belongs_to_that_month(shop, months):
    """23:30 WIB on a month's last day is that month's; 00:30 WIB on the first is the new month's,
    though it is still the previous day in UTC."""
    by_month = {m.month: m for m in seller.seller_report(shop.id).months}
    assert by_month[months["M2"]].sales == 200_000
    assert by_month[months["M1"]].orders == 1 and by_month[months["M1"]].sales == 330_000


def cells(html: str, table_id: str) -> dict[str, list[str]]:
    """{row key (data-month or data-product): [data-value of each cell]} of the table TABLE_ID."""
    table = re.search(rf'<table id="{table_id}".*?</table>', html, re.S)
    assert table, f"no table {table_id}"
    rows = re.findall(r'<tr data-(?:month|product)="([^"]+)">(.*?)</tr>', table.group(0), re.S)
    return {key: re.findall(r'data-value="([^"]*)"', row) for key, row in rows}


def test_the_page_shows_the_same_figures(app, shop, months, slow_flush):
    three_buyer_views(app, shop, shop.products_by_title["Kain A"])
    page_views.flush_views()
    owner = signed_in(app, shop.owner)

    response = owner.get("/dashboard/analytics")

    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Sales analytics of Batik Nurul" in html
    assert 'href="/dashboard/analytics"' in html  # in the artisan's menu
    series = expected_series(months)
    assert cells(html, "sales-by-month") == {
        month: [str(v) for v in figures[:4]] for month, figures in series.items()}
    assert cells(html, "views-by-month") == {month: [str(figures[4])] for month, figures in series.items()}
    best = cells(html, "best-products")
    titles = {product.id: title for title, product in shop.products_by_title.items()}
    assert [(titles[int(key)], *values[:3]) for key, values in best.items()] == \
        [(title, str(units), str(sales), str(views)) for title, units, sales, views, _ratio in EXPECTED_BEST]
    assert float(best[str(shop.products_by_title["Kain B"].id)][3]) == 0.25
    assert best[str(shop.products_by_title["Selendang C"].id)][3] == ""
    for name, value in EXPECTED_TOTALS.items():
        assert f'data-name="{name}" data-value="{value}"' in html
    assert "Rp 610,000" in html and "Rp 579,500" in html and "25.0%" in html
    # Each trend has its chart, drawn from the table beside it.
    flat = " ".join(html.split())
    assert 'data-chart-table="sales-by-month" data-chart-columns="4,5"' in flat
    assert 'data-chart-table="views-by-month" data-chart-columns="2"' in flat
    assert '<th scope="col" class="num">Sales</th>' in html and "<caption" in html
    assert 'src="/static/js/report-charts.js"' in html


def test_another_artisan_sees_only_their_own_shop(app, shop):
    other = factories.make_artisan()
    factories.make_shop(other, name="Batik Lain", slug="batik-lain")

    html = signed_in(app, other).get("/dashboard/analytics").get_data(as_text=True)

    assert "Batik Lain" in html and "Batik Nurul" not in html
    assert all(values == ["0"] * 4 for values in cells(html, "sales-by-month").values())
    assert 'id="best-products"' not in html and "No sales in these 12 months yet." in html
    assert 'data-name="sales" data-value="0"' in html
    assert "Kain A" not in html


def test_only_artisans_open_the_page(app, client):
    assert client.get("/dashboard/analytics").status_code == 302  # to sign in
    buyer = signed_in(app, factories.make_user())
    assert buyer.get("/dashboard/analytics").status_code == 403


def test_an_artisan_without_a_shop_is_shown_how_to_open_one(app):
    response = signed_in(app, factories.make_artisan()).get("/dashboard/analytics")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/dashboard/shop"' in html and "Open your shop" in html
    assert "sales-by-month" not in html


# --- counting page views ---------------------------------------------------------------------

def test_views_wait_in_memory_until_the_flush_writes_them(app, slow_flush):
    product = factories.make_product(title="Kain Dilihat")
    shop = product.shop

    three_buyer_views(app, shop, product)
    assert view_rows() == {}  # nothing written while the page was served

    assert page_views.flush_views() == 3
    assert view_rows() == {(product.id, local_today()): 3}
    assert page_views.flush_views() == 0  # the tally was emptied

    buyer = app.test_client()
    for _ in range(2):
        open_page(buyer, product_path(product))
    page_views.flush_views()
    assert view_rows() == {(product.id, local_today()): 5}  # added to the day's count


def test_a_page_that_is_not_shown_is_not_counted(app, slow_flush):
    draft = factories.make_product(title="Kain Draf", status="draft")
    product = factories.make_product(title="Kain Dijual")
    buyer = app.test_client()
    assert open_page(buyer, product_path(draft)).status_code == 404
    assert open_page(buyer, f"/products/{product.id}").status_code == 301
    assert page_views.flush_views() == 0


def test_one_statement_writes_the_views_of_many_products(app, slow_flush, query_counter):
    products = [factories.make_product(title=f"Kain {n}") for n in range(3)]
    buyer = app.test_client()
    for product in products:
        open_page(buyer, product_path(product))

    with query_counter() as statements:
        assert page_views.flush_views() == 3

    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 1
    assert sorted(view_rows().values()) == [1, 1, 1]


def test_when_due_the_views_are_written_after_the_response_has_gone(app, monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCT_VIEWS_FLUSH_SECONDS", 0)
    product = factories.make_product(title="Kain Laris")
    buyer = app.test_client()

    response = buyer.get(product_path(product))
    assert response.status_code == 200 and "Kain Laris" in response.get_data(as_text=True)
    assert view_rows() == {}  # the page is out; the server has not closed it yet

    response.close()
    assert view_rows() == {(product.id, local_today()): 1}


def test_views_of_a_product_deleted_before_the_flush_are_dropped_and_the_rest_kept(app, slow_flush):
    kept, deleted = factories.make_product(title="Kain Tetap"), factories.make_product(title="Kain Dihapus")
    buyer = app.test_client()
    for product in (kept, deleted, kept):
        open_page(buyer, product_path(product))
    db.session.delete(deleted)
    db.session.commit()

    assert page_views.flush_views() == 2
    assert view_rows() == {(kept.id, local_today()): 2}


def test_views_that_could_not_be_written_wait_for_the_next_flush(app, slow_flush, monkeypatch):
    product = factories.make_product(title="Kain Sabar")
    open_page(app.test_client(), product_path(product))

    def database_away(counts):
        raise sa.exc.OperationalError("INSERT INTO product_view_days", {}, Exception("connection lost"))

    with monkeypatch.context() as patch:
        patch.setattr(page_views, "_write", database_away)
        assert page_views.flush_views() == 0
    assert view_rows() == {}

    assert page_views.flush_views() == 1
    assert view_rows() == {(product.id, local_today()): 1}
