"""Refund rules that mutation testing found unchecked: restocking every line of a refund, the
sweep that refunds cancelled paid parcels later, what the buyer's refund mail says, and when a
card refund counts as settled."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.catalog.models import Variant
from marketplace.core.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.payments.refunds import MoreThanLeftToRefund
from marketplace.core.i18n import format_rupiah
from marketplace.core.models import OutboxMail
from marketplace.core.times import utcnow
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order, ShopOrder
from marketplace.orders.shipping import OPTIONAL_ZONES, Zone, set_shipping_rates
from marketplace.payments import gateway, refunds, services
from marketplace.payments.gateway import TEST_CARD_SUCCEEDS
from marketplace.payments.models import LedgerEntry, Payment, Refund
from tests import factories

CARD_TEXT = "It goes back to the card you paid with; your bank may take 5 to 10 working days to show it."
TRANSFER_TEXT = "We transfer it back to the bank account you paid from; reply to this mail if it has changed."


@pytest.fixture
def admin(db):
    return factories.make_user("admin-refund-rules@canting.test", roles=["admin"])


def variant(product) -> Variant:
    db.session.expire_all()
    return db.session.get(Variant, product.variants[0].id)


def card_paid(products, *, quantity=1, email="tamu@example.test") -> Order:
    order = factories.make_order(None, products, quantity=quantity, email=email)
    assert services.pay_with_test_card(order, TEST_CARD_SUCCEEDS).status == "succeeded"
    db.session.expire_all()
    return db.session.get(Order, order.id)


def translated(text: str, locale: str = "id") -> str:
    with force_locale(locale):
        return _(text)


# --- restocking ----------------------------------------------------------------------------

def test_restocking_a_whole_two_shop_order_puts_back_the_items_of_every_parcel(db, admin):
    first, second = (factories.make_product(factories.make_shop(name=name), price=80_000, stock=3)
                     for name in ("Batik Awal", "Batik Akhir"))
    order = factories.make_order(None, [first, second], paid=True)
    assert (variant(first).stock, variant(second).stock) == (2, 2)
    refunds.refund_order(admin, order.id, scope="order", restock=True, reason="Gudang terbakar")
    assert (variant(first).stock, variant(second).stock) == (3, 3)


def test_restocking_a_returned_shipped_parcel_puts_ready_cloth_back_and_leaves_made_to_order_alone(db, admin):
    shop = factories.make_shop()
    made = factories.make_product(shop, title="Pesanan", price=300_000, made_to_order=True, made_to_order_cap=5)
    ready = factories.make_product(shop, title="Siap", price=100_000, stock=2)
    order = factories.make_order(None, [made, ready], paid=True)
    (shop_order,) = order.shop_orders
    assert [item.made_to_order for item in shop_order.items] == [True, False]
    orders.ship_shop_order(shop.owner, shop_order.id, courier="jne", tracking_number="JNE00012345")
    assert (variant(made).made_to_order_open, variant(ready).stock) == (0, 1)  # shipping freed the place
    refunds.refund_order(admin, order.id, scope="shop_order", shop_order_id=shop_order.id, restock=True,
                         reason="Dikembalikan pembeli")
    assert (variant(made).made_to_order_open, variant(made).stock, variant(ready).stock) == (0, 0, 2)


def test_restocking_an_unshipped_made_to_order_piece_frees_its_place_under_the_cap(db, admin):
    made = factories.make_product(price=250_000, made_to_order=True, made_to_order_cap=5)
    order = factories.make_order(None, [made], quantity=2, paid=True)
    assert variant(made).made_to_order_open == 2
    item = order.shop_orders[0].items[0]
    refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, restock=True, reason="Batal satu")
    assert (variant(made).made_to_order_open, variant(made).stock, variant(made).available) == (1, 0, 4)


# --- what the buyer reads ------------------------------------------------------------------

def buyer_mail(email: str) -> OutboxMail:
    db.session.expire_all()
    (mail,) = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == email)
                                 .where(OutboxMail.subject.contains("Rp"))).all()
    return mail


def test_a_card_refund_is_settled_at_once_and_its_mail_says_it_goes_back_to_the_card(
        db, stripe_app, admin, outbox):
    order = card_paid([factories.make_product(price=95_000)], email="kartu@example.test")
    refund = refunds.refund_order(admin, order.id, scope="order", reason="Tidak jadi")
    assert refund.status == "succeeded" and refund.settled_at is not None
    mail = buyer_mail("kartu@example.test")
    assert order.number in mail.subject and "Tidak jadi" in mail.body
    assert translated(CARD_TEXT) in mail.body and translated(TRANSFER_TEXT) not in mail.body
    assert orders.order_link(order) in mail.body


def test_a_bank_transfer_refund_mail_says_it_goes_back_to_the_bank_account(db, admin, outbox):
    order = factories.make_order(None, [factories.make_product(price=95_000)], email="transfer@example.test",
                                 paid=True)
    refunds.refund_order(admin, order.id, scope="order", reason="Tidak jadi")
    mail = buyer_mail("transfer@example.test")
    assert translated(TRANSFER_TEXT) in mail.body and translated(CARD_TEXT) not in mail.body
    assert orders.order_link(order) in mail.body


def test_a_late_card_payment_is_given_back_with_a_mail_that_says_why_and_where(db, stripe_app, outbox):
    order = factories.make_order(None, [factories.make_product(price=130_000)], email="telat@example.test")
    payment = services.start_card_payment(order)
    db.session.execute(sa.update(Order).where(Order.id == order.id).values(payment_due_at=utcnow() - timedelta(1)))
    db.session.commit()
    assert orders.expire_unpaid_orders() == 1
    gateway.gateway().confirm_with_test_method(payment.provider_ref, TEST_CARD_SUCCEEDS)
    db.session.expire_all()
    services.check_card_payment(db.session.get(Order, order.id))
    db.session.expire_all()
    (refund,) = db.session.get(Payment, payment.id).refunds
    why = translated("Your card payment arrived after the order had expired or had been paid another way.")
    assert refund.reason == why and refund.status == "succeeded" and refund.restock is False
    mail = buyer_mail("telat@example.test")
    assert order.number in mail.subject and order.number in mail.body and why in mail.body
    assert translated(CARD_TEXT) in mail.body and translated(TRANSFER_TEXT) not in mail.body
    assert orders.order_link(db.session.get(Order, order.id)) in mail.body


# --- cancelled paid parcels ----------------------------------------------------------------

def test_the_sweep_refunds_recently_cancelled_paid_parcels_that_stripe_could_not_refund_at_once(
        db, stripe_app, monkeypatch):
    first, second, old, kept = (card_paid([factories.make_product(factories.make_shop(), price=price)])
                                for price in (70_000, 80_000, 90_000, 100_000))
    reachable = stripe_app.config["STRIPE_API_BASE"]
    monkeypatch.setitem(stripe_app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    for order, reason in ((first, "Kain habis"), (second, "Penjahit sakit"), (old, "Pewarna habis")):
        parcel = order.shop_orders[0]
        orders.seller_cancel(parcel.shop.owner, parcel.id, reason=reason)  # its refund fails: logged
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 0
    db.session.execute(sa.update(ShopOrder).where(ShopOrder.id == old.shop_orders[0].id)
                       .values(cancelled_at=utcnow() - timedelta(days=refunds.SWEEP_DAYS + 1)))
    db.session.commit()
    monkeypatch.setitem(stripe_app.config, "STRIPE_API_BASE", reachable)

    assert refunds.refund_cancelled_parcels() == 2
    db.session.expire_all()
    made = {refund.order_id: refund for refund in db.session.scalars(sa.select(Refund))}
    assert set(made) == {first.id, second.id}
    assert [(made[o.id].amount, made[o.id].reason, made[o.id].status) for o in (first, second)] == [
        (first.total, "Kain habis", "succeeded"), (second.total, "Penjahit sakit", "succeeded")]
    # Nothing is left to give back: neither the sweep nor a direct call refunds them again.
    assert refunds.refund_cancelled_parcels() == 0
    assert refunds.refund_cancelled_shop_order(first.shop_orders[0].id, "Lagi") is None
    # A paid parcel that is not cancelled is never refunded by the platform.
    assert refunds.refund_cancelled_shop_order(kept.shop_orders[0].id, "Bukan batal") is None
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 2
    assert sum(db.session.scalars(sa.select(LedgerEntry.amount).where(
        LedgerEntry.shop_order_id == kept.shop_orders[0].id))) > 0


def test_the_sweep_refunds_the_only_paid_order_of_the_day(db, stripe_app, monkeypatch):
    order = card_paid([factories.make_product(price=60_000)])
    parcel = order.shop_orders[0]
    reachable = stripe_app.config["STRIPE_API_BASE"]
    monkeypatch.setitem(stripe_app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    orders.seller_cancel(parcel.shop.owner, parcel.id, reason="Kain habis")
    monkeypatch.setitem(stripe_app.config, "STRIPE_API_BASE", reachable)
    assert refunds.refund_cancelled_parcels() == 1
    assert [(r.order_id, r.amount) for r in db.session.scalars(sa.select(Refund))] == [(order.id, order.total)]


# --- refusals ------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field", "message"), [
    ({"reason": "   "}, "reason", "Say why the money is given back; the buyer and the seller read it."),
    ({"reason": None}, "reason", "Say why the money is given back; the buyer and the seller read it."),
    ({"reason": "x" * 501}, "reason", "Keep the reason under 500 characters."),
    ({"scope": "semua"}, "scope", "Choose what to refund."),
])
def test_a_refused_refund_says_why_in_the_admins_language(db, admin, change, field, message):
    order = factories.make_order(None, [factories.make_product(price=50_000)], paid=True)
    with pytest.raises(ValidationFailed) as refused:
        refunds.refund_order(admin, order.id, **{"scope": "order", "reason": "Rusak", **change})
    expected = _("Keep the reason under %(max)d characters.", max=500) if "500" in message else _(message)
    assert (refused.value.field, refused.value.message) == (field, expected)
    assert expected != message  # Indonesian, not the English source
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 0


def test_a_reason_of_exactly_500_characters_is_kept_whole(db, admin):
    order = factories.make_order(None, [factories.make_product(price=50_000)], paid=True)
    refund = refunds.refund_order(admin, order.id, scope="order", reason="r" * 500)
    assert refund.reason == "r" * 500


def test_an_order_that_does_not_exist_is_not_found_in_words(db, admin):
    with pytest.raises(NotFound) as missing:
        refunds.refund_order(admin, 987_654, scope="order", reason="Rusak")
    assert missing.value.message == _("Order not found.") != "Order not found."


def test_stripe_refusing_a_refund_tells_the_admin_nothing_was_refunded(db, stripe_app, admin, monkeypatch):
    order = card_paid([factories.make_product(price=50_000)])
    monkeypatch.setitem(stripe_app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    with pytest.raises(refunds.RefundUnavailable) as refused:
        refunds.refund_order(admin, order.id, scope="order", reason="Rusak")
    assert refused.value.message == _("The card processor did not take the refund; nothing was refunded. "
                                      "Please try again.")
    assert "Please" not in refused.value.message


# --- what the sellers read -----------------------------------------------------------------

def test_only_the_sellers_whose_parcel_is_refunded_are_mailed_with_their_part(db, admin, outbox):
    first_seller = factories.make_artisan(email="pertama@example.test")
    second_seller = factories.make_artisan(email="kedua@example.test")
    first = factories.make_product(factories.make_shop(first_seller, name="Batik A"), title="Kain Parang", price=80_000)
    second = factories.make_product(factories.make_shop(second_seller, name="Batik B"), title="Kain Kawung",
                                    price=120_000)
    order = factories.make_order(None, [first, second], paid=True)
    parcel = next(so for so in order.shop_orders if so.shop.owner_id == second_seller.id)
    outbox.clear()
    refund = refunds.refund_order(admin, order.id, scope="shop_order", shop_order_id=parcel.id, reason="Hilang")
    to = {mail.to[0]: mail for mail in outbox}
    assert set(to) == {order.email, "kedua@example.test"}
    mail = to["kedua@example.test"]
    assert refund.amount == parcel.total
    with force_locale(second_seller.locale):
        amount = format_rupiah(parcel.total)
        item_amount = format_rupiah(120_000)
    assert order.number in mail.subject and amount in mail.subject and amount in mail.body
    assert order.number in mail.body and "Kain Kawung" in mail.body and item_amount in mail.body
    assert f"/dashboard/orders/{parcel.id}" in mail.body


@pytest.mark.parametrize(("items", "message"), [
    ("zero", "Enter how many of at least one item to refund."),
    ("missing", "Item %(id)s is not part of this order."),
    ("negative", "Enter a whole number of items."),
    ("text", "Enter a whole number of items."),
])
def test_a_refused_choice_of_items_says_why(db, admin, items, message):
    order = factories.make_order(None, [factories.make_product(price=50_000, stock=3)], quantity=2, paid=True)
    item_id = order.shop_orders[0].items[0].id
    chosen = {"zero": {item_id: 0}, "missing": {item_id + 1000: 1}, "negative": {item_id: -1},
              "text": {item_id: "2"}}[items]
    with pytest.raises((ValidationFailed, NotFound)) as refused:
        refunds.refund_order(admin, order.id, scope="items", items=chosen, reason="Rusak")
    expected = _(message, id=item_id + 1000) if "%(id)s" in message else _(message)
    assert (refused.value.field, refused.value.message) == ("items", expected)
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 0


def test_another_orders_parcel_is_refused_in_words(db, admin):
    order = factories.make_order(None, [factories.make_product(price=50_000)], paid=True)
    other = factories.make_order(None, [factories.make_product(price=50_000)], paid=True)
    with pytest.raises(NotFound) as refused:
        refunds.refund_order(admin, order.id, scope="shop_order", shop_order_id=other.shop_orders[0].id,
                             reason="Rusak")
    assert (refused.value.field, refused.value.message) == ("shop_order_id", _("Choose one of this order's parcels."))


def test_an_item_chosen_with_none_of_it_is_left_out_of_the_refund(db, admin):
    shop = factories.make_shop()
    first, second = (factories.make_product(shop, price=price, stock=2) for price in (40_000, 60_000))
    order = factories.make_order(None, [first, second], paid=True)
    a, b = order.shop_orders[0].items
    refund = refunds.refund_order(admin, order.id, scope="items", items={a.id: 0, b.id: 1}, reason="Satu saja")
    assert refund.amount == b.unit_price
    assert [(line.order_item_id, line.quantity) for line in refund.lines] == [(b.id, 1)]


def test_more_of_an_item_than_is_left_is_refused_naming_the_item_and_the_counts(db, admin):
    order = factories.make_order(None, [factories.make_product(title="Kain Sogan", price=50_000, stock=3)],
                                 quantity=2, paid=True)
    item = order.shop_orders[0].items[0]
    refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, reason="Satu")
    with pytest.raises(MoreThanLeftToRefund) as refused:
        refunds.refund_order(admin, order.id, scope="items", items={item.id: 2}, reason="Dua lagi")
    assert (refused.value.field, refused.value.message) == ("items", _(
        "Only %(left)d of “%(title)s” can still be refunded (%(bought)d bought).", left=1, title="Kain Sogan",
        bought=2))


def test_items_of_two_parcels_with_shipping_give_back_each_parcels_fee_once(db, admin):
    free = factories.make_shop(name="A Gratis Ongkir")
    set_shipping_rates(free.owner, {zone.value: {"base_fee": 0, "per_kg_fee": 0}
                                    for zone in Zone if zone not in OPTIONAL_ZONES})
    paid_shipping = factories.make_shop(name="B Berbayar")
    order = factories.make_order(None, [factories.make_product(free, price=40_000),
                                        factories.make_product(paid_shipping, price=60_000)], paid=True)
    first, second = order.shop_orders
    assert (first.shop_id, first.shipping_fee) == (free.id, 0) and second.shipping_fee > 0
    items = {so.items[0].id: 1 for so in order.shop_orders}
    refund = refunds.refund_order(admin, order.id, scope="items", items=items, include_shipping=True,
                                  reason="Keduanya rusak")
    assert refund.amount == 40_000 + 60_000 + second.shipping_fee == order.total
    assert sorted((line.shop_order_id, line.order_item_id is None, line.amount) for line in refund.lines) == [
        (first.id, False, 40_000), (second.id, False, 60_000), (second.id, True, second.shipping_fee)]


def test_shipping_refunded_already_is_refused_naming_the_shop(db, admin):
    shop = factories.make_shop(name="Batik Lasem")
    order = factories.make_order(None, [factories.make_product(shop, price=50_000, stock=3)], quantity=2, paid=True)
    item = order.shop_orders[0].items[0]
    refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, include_shipping=True, reason="Satu")
    with pytest.raises(MoreThanLeftToRefund) as refused:
        refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, include_shipping=True,
                             reason="Dua")
    assert (refused.value.field, refused.value.message) == ("include_shipping", _(
        "The shipping of %(shop)s's parcel has already been refunded.", shop="Batik Lasem"))


def test_a_bank_transfers_unique_code_is_given_back_once_with_the_rest_of_the_order(db, admin):
    order = factories.make_order(None, [factories.make_product(price=50_000, stock=3)], quantity=2)
    transfer = services.start_bank_transfer(order)
    payment = factories.pay_order(order)
    item = order.shop_orders[0].items[0]
    first = refunds.refund_order(admin, order.id, scope="items", items={item.id: 1}, reason="Satu rusak")
    assert first.amount == 50_000
    rest = refunds.refund_order(admin, order.id, scope="order", reason="Semua dikembalikan")
    assert rest.amount == 50_000 + order.shop_orders[0].shipping_fee + transfer.unique_code
    assert first.amount + rest.amount == payment.amount
    with pytest.raises(MoreThanLeftToRefund) as refused:
        refunds.refund_order(admin, order.id, scope="order", reason="Lagi")
    assert (refused.value.field, refused.value.message) == ("scope", _("Nothing is left to refund in this choice."))


def test_an_order_paid_by_card_after_a_declined_attempt_can_be_refunded(db, stripe_app, admin):
    order = factories.make_order(None, [factories.make_product(price=85_000)])
    declined = services.pay_with_test_card(order, gateway.TEST_CARD_DECLINED)
    assert declined.status == "failed"
    paid = services.pay_with_test_card(db.session.get(Order, order.id), TEST_CARD_SUCCEEDS)
    assert paid.status == "succeeded" and paid.id != declined.id
    refund = refunds.refund_order(admin, order.id, scope="order", reason="Tidak jadi")
    assert (refund.payment_id, refund.amount, refund.status) == (paid.id, order.total, "succeeded")


def test_an_unpaid_order_cannot_be_refunded_and_the_admin_is_told_why(db, admin):
    order = factories.make_order(None, [factories.make_product(price=50_000)])
    with pytest.raises(InvalidTransition) as refused:
        refunds.refund_order(admin, order.id, scope="order", reason="Rusak")
    assert refused.value.message == _("This order has no received payment to refund.") != (
        "This order has no received payment to refund.")
