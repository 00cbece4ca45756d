"""`flask seed-demo` loads the founding programs once, however often it runs."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.demo import DEMO_PASSWORD
from marketplace.demo_sales import HISTORY_KEY
from marketplace.catalog.models import Product, ProductImage, Shop, Variant
from marketplace.core.times import as_utc, utcnow
from marketplace.orders import services as order_services
from marketplace.orders.models import Order, OrderItem, ShippingRate, ShopOrder
from marketplace.programs.models import Graduation, Organization, TrainingProgram
from tests.conftest import login


def counts(db) -> dict[str, int]:
    """Rows of each kind; orders apart from the sales history's (demo_sales.py), whose number
    depends on the day of seeding."""
    found = {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
             for model in (Organization, TrainingProgram, User, Shop, Graduation, Product, ProductImage,
                           ShippingRate)}
    found["Order"] = db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(not_history()))
    found["ShopOrder"] = db.session.scalar(sa.select(sa.func.count()).select_from(ShopOrder).join(Order)
                                           .where(not_history()))
    return found


def not_history():
    """The demo's orders in every state (DEMO_ORDERS), not those of its sales history."""
    return sa.or_(Order.idempotency_key.is_(None), ~Order.idempotency_key.contains(HISTORY_KEY))


def seed(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def program(db, slug) -> TrainingProgram:
    return db.session.scalars(sa.select(TrainingProgram).filter_by(slug=slug)).one()


def test_seeding_twice_creates_nothing_the_second_time(app, db):
    first = seed(app)
    assert "Created: 4 organizations, 4 programs, 22 users" in first and " 7 orders" in first
    after_first = counts(db)
    assert after_first == {"Organization": 4, "TrainingProgram": 4, "User": 22, "Shop": 13, "Graduation": 16,
                           "Product": 100, "ProductImage": 96, "Order": 7, "ShopOrder": 9, "ShippingRate": 65}
    history = db.session.scalar(sa.select(sa.func.count(Order.id)))
    assert history > 500

    second = seed(app)
    assert "Created: 0 organizations, 0 programs, 0 users" in second and " 0 orders" in second
    assert "0 sales_history_orders" in second
    assert counts(db) == after_first
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == history

    # The printed demo logins work (the password was not reset by the second run).
    assert "admin@canting.test" in second and DEMO_PASSWORD in second
    client = app.test_client()
    assert login(client, "admin@canting.test", DEMO_PASSWORD).status_code == 302
    assert client.get("/admin/organizations").status_code == 200


def test_the_seed_programs_are_the_reported_ones(app, db):
    seed(app)

    cipinang = program(db, "wub-ikm-batik-cipinang-2024")
    assert cipinang.organization.slug == "kemenperin-ikma"
    assert cipinang.held_in_correctional_facility is True
    assert (cipinang.start_date, cipinang.end_date) == (date(2024, 9, 3), date(2024, 9, 7))
    assert cipinang.participant_count == 25
    assert cipinang.venue == "Lembaga Pemasyarakatan Kelas I Cipinang"
    assert sorted(cipinang.techniques) == ["cap", "tulis"]

    muara_enim = program(db, "bimtek-diversifikasi-sandang-muara-enim-2021")
    assert muara_enim.organization.slug == "disperin-sumsel"
    assert muara_enim.kind == "bimtek"
    assert (muara_enim.start_date, muara_enim.end_date) == (date(2021, 6, 3), date(2021, 6, 3))
    assert muara_enim.participant_count == 15
    assert muara_enim.venue.startswith("Rumah Batik Serasan")
    assert muara_enim.held_in_correctional_facility is False

    kaltim = program(db, "coaching-pengembangan-motif-batik-kaltim-2022")
    assert kaltim.organization.slug == "bi-kaltim"
    assert kaltim.organization.kind == "bank"
    assert kaltim.start_date == date(2022, 9, 27)
    assert kaltim.city == "Kota Samarinda"
    assert kaltim.participant_count == 14

    banyuasin = program(db, "pelatihan-batik-banyuasin-kolaborasi-jumputan-2024")
    assert banyuasin.organization.slug == "dekranasda-banyuasin"
    assert banyuasin.start_date == date(2024, 2, 27)
    assert banyuasin.venue.startswith("Galeri Wong Kito")
    assert banyuasin.city == "Kota Palembang"
    assert banyuasin.techniques == ["jumputan"]

    # Visitors see them on the program pages, dated the Indonesian way.
    visitor = app.test_client()
    html = visitor.get("/programs/bimtek-diversifikasi-sandang-muara-enim-2021").get_data(as_text=True)
    assert "Bimbingan Teknis Diversifikasi Sandang bagi IKM Batik Muara Enim" in html
    assert "3 Juni 2021" in html
    assert "27 September 2022" in visitor.get("/programs/coaching-pengembangan-motif-batik-kaltim-2022").get_data(as_text=True)


def test_the_demo_officer_of_the_ministry_sees_the_cipinang_program(app):
    seed(app)
    client = app.test_client()
    assert login(client, "officer.ikma@canting.test", DEMO_PASSWORD).status_code == 302
    html = client.get("/organization").get_data(as_text=True)
    assert "Penumbuhan dan Pengembangan Wirausaha Baru IKM Batik" in html
    assert "Coaching Program Pengembangan Motif Batik Kaltim" not in html


def test_demo_cipinang_graduates_one_opted_in_one_not(app, db, client):
    seed(app)
    cipinang = program(db, "wub-ikm-batik-cipinang-2024")
    graduations = db.session.scalars(sa.select(Graduation).filter_by(program_id=cipinang.id)).all()
    assert {(g.artisan.email, g.status, g.public) for g in graduations} == {
        ("sari@canting.test", "verified", True),
        ("rahmat@canting.test", "verified", False),
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Graduation).filter_by(status="claimed")) >= 1

    shown = client.get("/shops/batik-sari").get_data(as_text=True)
    assert cipinang.title in shown
    hidden = client.get("/shops/rahmat-batik-tulis").get_data(as_text=True)
    assert cipinang.title not in hidden
    assert "lapas" not in hidden.lower() and "pemasyarakatan" not in hidden.lower()
    program_page = client.get("/programs/wub-ikm-batik-cipinang-2024/shops").get_data(as_text=True)
    assert "Batik Sari" in program_page and "Rahmat Batik Tulis" not in program_page


def test_seed_demo_refuses_to_run_in_production(make_app, db):
    """Finding 11: seed-demo created admin@canting.test with the published password in production."""
    import secrets

    production = make_app("production", SECRET_KEY=secrets.token_urlsafe(36),
                          PUBLIC_BASE_URL="https://canting.example")
    with production.app_context():  # the command runs in the current app, as `flask` would
        result = production.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "Refusing to load demo data in production" in result.output
    assert "Traceback" not in result.output
    db.session.expire_all()
    assert set(counts(db).values()) == {0}


def test_demo_orders_are_in_every_state_across_shops_and_buyers(app, db):
    seed(app)
    orders = db.session.scalars(sa.select(Order).where(not_history()).order_by(Order.created_at)).all()
    shop_orders = [so for order in orders for so in order.shop_orders]

    assert {order.status for order in orders} == {"pending_payment", "paid", "completed", "cancelled"}
    assert {so.status for so in shop_orders} == {"awaiting_payment", "paid", "processing", "shipped",
                                                 "delivered", "cancelled"}
    assert len({so.shop_id for so in shop_orders}) == 5
    assert len({order.email for order in orders}) >= 5
    assert any(len(order.shop_orders) == 2 and {so.status for so in order.shop_orders} == {"shipped", "processing"}
               for order in orders)

    shipped = [so for so in shop_orders if so.status in ("shipped", "delivered")]
    assert shipped and all(so.courier and so.tracking_number and so.shipped_at for so in shipped)
    delivered = next(so for so in shop_orders if so.status == "delivered")
    assert delivered.order.status == "completed" and delivered.order.completed_at is not None
    by_seller = next(order for order in orders if order.status == "cancelled" and order.paid_at is not None)
    assert "cacat warna" in by_seller.shop_orders[0].cancel_reason
    expired = next(order for order in orders if order.status == "cancelled" and order.paid_at is None)
    assert expired.cancel_reason == "Pembayaran tidak diterima dalam batas waktu pembayaran."
    assert expired.buyer_id is None
    pending = next(order for order in orders if order.status == "pending_payment")
    assert as_utc(pending.payment_due_at) > utcnow()  # still open to pay after the seed

    # The guest who paid can open their order from the secret link alone.
    guest = next(order for order in orders if order.buyer_id is None and order.status == "paid")
    assert guest.email == "dewi.anggraini@example.com"
    assert order_services.order_for_guest_token(order_services.guest_token(guest)).id == guest.id

    # A made-to-order cloth (21 days, three at a time) holds one of its places while it is being made.
    made = db.session.scalars(sa.select(OrderItem).filter_by(made_to_order=True)).one()
    assert made.lead_time_days == 21 and made.shop_order.status == "processing"
    assert made.shop_order.shipping_zone == "international"
    variant = db.session.get(Variant, made.variant_id)
    assert (variant.made_to_order, variant.made_to_order_cap, variant.made_to_order_open) == (True, 3, 1)
    assert (made.shop_order.ship_by - made.shop_order.order.paid_at.date()).days in (20, 21, 22)

    # Stock moved with the orders: the expired guest's two cushion covers are back on the shelf.
    cushion = expired.shop_orders[0].items[0]
    assert db.session.get(Variant, cushion.variant_id).stock == 8

    # Times follow one another as the steps happened, in the past.
    for order in orders:
        assert order.created_at <= (order.paid_at or order.created_at) <= order.payment_due_at
        for so in order.shop_orders:
            assert so.created_at <= (so.shipped_at or so.created_at) <= (so.delivered_at or so.updated_at)


def test_the_demo_books_balance_and_show_every_kind_of_payment_page(app, db):
    from marketplace.payments import reconcile
    from marketplace.payments.models import LedgerEntry, Payment, PayoutAccount

    seed(app)
    # Every paid demo order went through the admin's transfer check: sales, commission, and the
    # seller's cancellation refunded, each dated with its order's step; the sales history's
    # refunds and monthly payouts add up with them.
    assert reconcile.ledger_differences() == []
    kinds = set(db.session.scalars(sa.select(LedgerEntry.kind)))
    assert kinds == {"sale", "commission", "refund", "commission_return", "payout"}
    waiting = db.session.scalars(sa.select(Payment).filter_by(status="pending")).all()
    assert len(waiting) == 1 and waiting[0].method == "bank_transfer" and waiting[0].order.status == "pending_payment"
    assert db.session.scalar(sa.select(sa.func.count(PayoutAccount.id))) == 4
    for entry in db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.kind == "sale")):
        assert abs((as_utc(entry.created_at) - as_utc(entry.shop_order.order.paid_at)).total_seconds()) < 1
