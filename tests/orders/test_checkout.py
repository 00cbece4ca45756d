"""Checkout: one order split per shop, totals, shipping by zone and weight, stock held, or nothing."""
from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_mailman import EmailMessage

from marketplace.catalog.models import Variant
from marketplace.core import mail as outbox_mail
from marketplace.core.errors import OutOfStock, ValidationFailed
from marketplace.core.models import OutboxMail
from marketplace.core.times import utcnow
from marketplace.orders import services
from marketplace.orders.models import Order, OrderItem, ShopOrder
from tests import factories
from tests.orders.conftest import ADDRESS, rated_shop, variant_of


def place(items, buyer=None, email="tamu@example.test", key=None, **address):
    return services.place_order(
        buyer, items=[{"variant_id": v.id, "quantity": q} for v, q in items],
        shipping_address={**ADDRESS, **address}, email=None if buyer else email, idempotency_key=key,
    )


def counts(db):
    db.session.expire_all()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Order, ShopOrder, OrderItem))


def stock_of(db, variant):
    db.session.expire_all()
    return db.session.get(Variant, variant.id).stock


def test_a_cart_from_two_shops_becomes_one_order_with_a_shop_order_each(db):
    tulis = variant_of(rated_shop(name="Batik Muara Enim"), price=100_000, stock=5, weight_g=400, title="Kain Tulis")
    cushion = variant_of(rated_shop(name="Jumputan Palembang"), price=250_000, stock=2, weight_g=1_200,
                         title="Sarung Bantal")
    order = place([(tulis, 2), (cushion, 1)]).order

    assert order.number.startswith("CNT-") and len(order.number) == 13
    assert order.status == "pending_payment" and order.email == "tamu@example.test"
    by_shop = {so.shop.name: so for so in order.shop_orders}
    # Jakarta is outside the shops' island group: the domestic rate, per started kilogram.
    assert by_shop["Batik Muara Enim"].weight_g == 800
    assert by_shop["Batik Muara Enim"].shipping_fee == 32_000 + 19_000  # 800 g: one started kg
    assert by_shop["Jumputan Palembang"].shipping_fee == 32_000 + 2 * 19_000  # 1 200 g: two
    assert [(i.title, i.variant_name, i.unit_price, i.quantity) for i in by_shop["Batik Muara Enim"].items] == [
        ("Kain Tulis", "Satu ukuran", 100_000, 2)]
    assert order.items_total == 450_000
    assert order.shipping_total == 51_000 + 70_000
    assert order.total == 571_000 == sum(so.items_total + so.shipping_fee for so in order.shop_orders)
    assert stock_of(db, tulis) == 3 and stock_of(db, cushion) == 1


@pytest.mark.parametrize("address, zone, fee", [
    ({"city": "Palembang", "province": "Sumatera Selatan", "postal_code": "30111"}, "same_city", 9_000 + 4_000),
    ({"city": "Kabupaten Muara Enim", "province": "Sumatera Selatan", "postal_code": "31311"},
     "same_province", 14_000 + 6_000),
    ({"city": "Kota Medan", "province": "Sumatera Utara", "postal_code": "20111"},
     "same_island_group", 21_000 + 11_000),
    ({"city": "Makassar", "province": "Sulawesi Selatan", "postal_code": "90111"}, "domestic", 32_000 + 19_000),
    ({"city": "Kuala Lumpur", "province": "Wilayah Persekutuan", "postal_code": "50088", "country": "MY",
      "phone": "+60312345678"}, "international", 250_000 + 150_000),
])
def test_shipping_is_priced_by_the_zone_of_the_address(db, address, zone, fee):
    variant = variant_of(weight_g=900)
    [shop_order] = place([(variant, 1)], **address).order.shop_orders
    assert (shop_order.shipping_zone, shop_order.shipping_fee) == (zone, fee)


def test_a_shop_that_does_not_ship_abroad_refuses_a_foreign_address_and_nothing_is_held(db):
    variant = variant_of(rated_shop(ships_abroad=False, name="Batik Lokal"), stock=3)
    with pytest.raises(ValidationFailed) as refused:
        place([(variant, 1)], city="Singapore", province="", postal_code="018989", country="SG",
              phone="+6561234567")
    assert refused.value.field == "country" and "Batik Lokal" in refused.value.message
    assert counts(db) == (0, 0, 0) and stock_of(db, variant) == 3


def test_out_of_stock_names_the_item_and_changes_nothing(db, outbox):
    plenty = variant_of(stock=10, title="Selendang Sutra")
    last_one = variant_of(stock=1, title="Kain Kawung")
    with pytest.raises(OutOfStock) as refused:
        place([(plenty, 2), (last_one, 2)])
    assert "Kain Kawung" in refused.value.message and "1" in refused.value.message
    assert counts(db) == (0, 0, 0)
    assert stock_of(db, plenty) == 10 and stock_of(db, last_one) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0 and outbox == []


def test_an_unavailable_item_is_refused(db):
    variant = variant_of()
    variant.archived_at = utcnow()
    db.session.commit()
    with pytest.raises(ValidationFailed):
        place([(variant, 1)])
    assert counts(db) == (0, 0, 0)


def test_the_same_idempotency_key_returns_the_first_order(db):
    variant = variant_of(stock=5)
    first = place([(variant, 1)], key="checkout-0001")
    again = place([(variant, 1)], key="checkout-0001")
    assert first.created and not again.created
    assert again.order.id == first.order.id
    assert counts(db)[0] == 1 and stock_of(db, variant) == 4
    other_buyer = place([(variant, 1)], email="lain@example.test", key="checkout-0001")
    assert other_buyer.created and other_buyer.order.id != first.order.id  # keys are per buyer


def test_an_order_unpaid_after_its_window_expires_and_its_stock_returns(db, outbox):
    variant = variant_of(stock=1)
    order = place([(variant, 1)]).order
    assert stock_of(db, variant) == 0
    assert services.expire_unpaid_orders() == 0  # still within the window

    order.payment_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert services.expire_unpaid_orders() == 1
    db.session.expire_all()
    assert order.status == "cancelled" and [so.status for so in order.shop_orders] == ["cancelled"]
    assert stock_of(db, variant) == 1
    assert services.expire_unpaid_orders() == 0  # never twice
    assert any("CNT-" in m.subject and m.to == ["tamu@example.test"] for m in outbox)


def test_an_expired_hold_never_blocks_the_next_buyer(db):
    variant = variant_of(stock=1)
    held = place([(variant, 1)]).order
    held.payment_due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    second = place([(variant, 1)], email="kedua@example.test").order  # no job has run meanwhile
    db.session.expire_all()
    assert held.status == "cancelled" and second.status == "pending_payment"
    assert stock_of(db, variant) == 0


def test_made_to_order_fills_places_up_to_its_cap_and_ships_after_its_lead_time(db):
    shop = rated_shop(handling_days=2)
    made = variant_of(shop, made_to_order=True, lead_time_days=21, cap=2, title="Kain Tulis Pesanan")
    ready = variant_of(shop, stock=4, title="Selendang")
    order = place([(made, 2), (ready, 1)]).order
    [shop_order] = order.shop_orders
    assert shop_order.lead_days == 21  # the slowest item decides
    assert shop_order.ship_by == services.local_today() + timedelta(days=21)
    db.session.refresh(made)
    assert made.made_to_order_open == 2 and made.stock == 0

    with pytest.raises(OutOfStock):
        place([(made, 1)], email="lain@example.test")

    factories.pay_order(order)
    seller = shop.owner
    services.ship_shop_order(seller, shop_order.id, courier="jne", tracking_number="JNE1234567890")
    db.session.refresh(made)
    assert made.made_to_order_open == 0  # shipped: the maker takes new orders again
    assert stock_of(db, ready) == 3


def test_a_shop_with_only_ready_stock_ships_within_its_handling_days(db):
    variant = variant_of(rated_shop(handling_days=3))
    [shop_order] = place([(variant, 1)]).order.shop_orders
    assert shop_order.lead_days == 3


def test_order_mail_is_written_with_the_order_and_reaches_buyer_and_each_seller(db, outbox):
    first, second = rated_shop(), rated_shop()
    order = place([(variant_of(first), 1), (variant_of(second), 1)]).order
    recipients = sorted(m.to[0] for m in outbox)
    assert recipients == sorted(["tamu@example.test", first.owner.email, second.owner.email])
    buyer_mail = next(m for m in outbox if m.to == ["tamu@example.test"])
    assert order.number in buyer_mail.subject and services.guest_token(order) in buyer_mail.body
    assert buyer_mail.subject.startswith("Pesanan")  # a guest who checked out in Indonesian


def test_order_mail_speaks_the_buyers_language(db, outbox):
    buyer = factories.make_user(locale="en")
    order = place([(variant_of(), 1)], buyer=buyer).order
    [mail] = [m for m in outbox if m.to == [buyer.email]]
    assert mail.subject == f"Order {order.number} received: waiting for payment"
    assert f"/orders/{order.number}" in mail.body


def test_order_mail_survives_a_mail_server_outage(db, outbox, monkeypatch):
    def smtp_down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMessage, "send", smtp_down)
    order = place([(variant_of(), 1)]).order  # the order is placed all the same
    assert outbox == []
    pending = db.session.scalars(sa.select(OutboxMail)).all()
    assert len(pending) == 2 and all(row.attempts == 1 and not row.is_sent for row in pending)

    monkeypatch.undo()
    assert outbox_mail.send_pending_mail(now=utcnow() + timedelta(minutes=2)) == 2
    assert any(order.number in m.subject for m in outbox)


def test_a_signed_in_buyer_orders_under_their_account_and_their_cart_lines_go(db):
    from marketplace.orders import cart

    buyer = factories.make_user(email="pembeli@example.test", locale="en")
    variant = variant_of(stock=3)
    cart.add_to_cart(buyer, None, variant.id, 2)
    order = place([(variant, 2)], buyer=buyer).order
    assert order.buyer_id == buyer.id and order.email == "pembeli@example.test" and order.locale == "en"
    assert order.guest_token_hash is None
    assert cart.view_cart(buyer).is_empty


def test_a_guest_needs_a_valid_email(db):
    with pytest.raises(ValidationFailed) as refused:
        place([(variant_of(), 1)], email="not-an-email")
    assert refused.value.field == "email"
    assert counts(db) == (0, 0, 0)
