"""The rules of a parcel's life that the buyer and the seller see: when it counts as late, who
is mailed, which parcels the jobs touch, the seller's list order, the cancellation kept on the
order, and the words of each refusal."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext

from marketplace.core.errors import InvalidTransition, NotFound, ValidationFailed
from marketplace.core.times import utcnow
from marketplace.orders import services
from marketplace.orders.models import Order, ShopOrder
from tests import factories
from tests.orders.conftest import ADDRESS, rated_shop, variant_of


def place(*variants, email="tamu@example.test"):
    return services.place_order(None, items=[{"variant_id": v.id, "quantity": 1} for v in variants],
                                shipping_address=ADDRESS, email=email).order


def paid_parcel(shop, email="tamu@example.test") -> ShopOrder:
    order = place(variant_of(shop), email=email)
    factories.pay_order(order)
    return fresh(ShopOrder, order.shop_orders[0].id)


def fresh(model, id_):
    from marketplace.extensions import db

    db.session.expire_all()
    return db.session.get(model, id_)


def ship_by(shop_order: ShopOrder, days_from_today: int) -> ShopOrder:
    from marketplace.extensions import db

    shop_order.ship_by = services.local_today() + timedelta(days=days_from_today)
    db.session.commit()
    return shop_order


def indonesian(msgid: str, **values) -> str:
    """MSGID as an Indonesian buyer or seller reads it (checked to be translated)."""
    with force_locale("id"):
        text = gettext(msgid, **values)
    assert text != msgid % values if values else text != msgid
    return text


def mails_to(outbox, address) -> list:
    return [m for m in outbox if m.to == [address]]


# --- late parcels ------------------------------------------------------------------------------

def test_a_parcel_is_late_only_the_day_after_its_ship_by_date(db, outbox):
    shop = rated_shop()
    parcel = ship_by(paid_parcel(shop), 0)  # due today
    assert not services.is_late(parcel)
    assert services.flag_late_shipments() == 0
    with pytest.raises(InvalidTransition):
        services.buyer_cancel(fresh(Order, parcel.order_id), parcel.id)

    parcel = ship_by(fresh(ShopOrder, parcel.id), -1)  # was due yesterday
    assert services.is_late(parcel)
    assert services.flag_late_shipments() == 1


def test_late_notices_reach_seller_and_buyer_once_and_the_buyers_cancel_reaches_both(db, outbox):
    shop = rated_shop()
    parcel = ship_by(paid_parcel(shop), -1)
    seller, buyer = shop.owner.email, "tamu@example.test"
    before = (len(mails_to(outbox, seller)), len(mails_to(outbox, buyer)))
    assert services.flag_late_shipments() == 1
    assert (len(mails_to(outbox, seller)), len(mails_to(outbox, buyer))) == (before[0] + 1, before[1] + 1)
    number = fresh(Order, parcel.order_id).number
    assert number in mails_to(outbox, seller)[-1].subject and number in mails_to(outbox, buyer)[-1].subject

    services.buyer_cancel(fresh(Order, parcel.order_id), parcel.id)
    # The cancellation, then the refund that payments makes of the paid parcel, to both.
    assert (len(mails_to(outbox, seller)), len(mails_to(outbox, buyer))) == (before[0] + 3, before[1] + 3)
    reason = indonesian("Cancelled by the buyer: not shipped by the ship-by date.")
    assert fresh(ShopOrder, parcel.id).cancel_reason == reason
    assert reason in mails_to(outbox, buyer)[-2].body and reason in mails_to(outbox, seller)[-2].body


def test_only_open_parcels_past_their_date_are_flagged_late(db, outbox):
    shop = rated_shop()
    shipped = paid_parcel(shop)
    services.ship_shop_order(shop.owner, shipped.id, courier="jne", tracking_number="JNE1234567890")
    cancelled = paid_parcel(shop, email="kedua@example.test")
    services.seller_cancel(shop.owner, cancelled.id, reason="Kainnya rusak.")
    on_time = ship_by(paid_parcel(shop, email="ketiga@example.test"), 1)
    for parcel in (shipped, cancelled):
        ship_by(fresh(ShopOrder, parcel.id), -3)
    assert services.flag_late_shipments() == 0
    assert [fresh(ShopOrder, p.id).late_notified_at for p in (shipped, cancelled, on_time)] == [None, None, None]


def test_the_auto_complete_job_leaves_delivered_parcels_alone(db, app):
    shop = rated_shop()
    long_ago = utcnow() - timedelta(days=app.config["ORDER_AUTO_COMPLETE_DAYS"] + 5)
    delivered, shipped = paid_parcel(shop), paid_parcel(shop, email="kedua@example.test")
    for parcel in (delivered, shipped):
        services.ship_shop_order(shop.owner, parcel.id, courier="jne", tracking_number="JNE1234567890")
    services.confirm_delivery(fresh(Order, delivered.order_id), delivered.id)
    for parcel in (delivered, shipped):
        fresh(ShopOrder, parcel.id).shipped_at = long_ago
    db.session.commit()
    assert services.auto_complete_delivered() == 1
    assert fresh(ShopOrder, shipped.id).status == "delivered"
    assert fresh(ShopOrder, shipped.id).delivered_at is not None


def test_the_shipping_mail_names_the_order_and_the_tracking_number(db, outbox):
    shop = rated_shop(name="Batik Sari")
    parcel = paid_parcel(shop)
    services.ship_shop_order(shop.owner, parcel.id, courier="jne", tracking_number="jne 1234 5678 90")
    mail = mails_to(outbox, "tamu@example.test")[-1]
    number = fresh(Order, parcel.order_id).number
    assert number in mail.subject and number in mail.body and "JNE1234567890" in mail.body
    assert fresh(ShopOrder, parcel.id).tracking_number == "JNE1234567890"


# --- the seller's list -------------------------------------------------------------------------

def test_the_sellers_list_puts_open_parcels_first_by_ship_by_then_the_rest_newest_first(db):
    shop = rated_shop()
    done_first = paid_parcel(shop)
    services.seller_cancel(shop.owner, done_first.id, reason="Habis.")
    due_later = ship_by(paid_parcel(shop, email="b@example.test"), 5)
    done_second = paid_parcel(shop, email="c@example.test")
    services.ship_shop_order(shop.owner, done_second.id, courier="jne", tracking_number="JNE1234567890")
    due_sooner = ship_by(paid_parcel(shop, email="d@example.test"), 2)
    for parcel, minutes_ago in ((done_first, 40), (due_later, 30), (done_second, 20), (due_sooner, 10)):
        fresh(ShopOrder, parcel.id).created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    assert [so.id for so in services.shop_orders_of(shop.owner)] == [
        due_sooner.id, due_later.id, done_second.id, done_first.id]


# --- what an ended order keeps ----------------------------------------------------------------

def test_an_order_whose_parcels_are_all_cancelled_keeps_when_and_why(db, outbox):
    shop = rated_shop()
    parcel = paid_parcel(shop)
    services.seller_cancel(shop.owner, parcel.id, reason="Kainnya rusak terkena air.")
    order = fresh(Order, parcel.order_id)
    assert order.status == "cancelled" and order.cancelled_at is not None
    assert order.cancel_reason == "Kainnya rusak terkena air."
    assert order.paid_at is not None
    refund = indonesian("The amount for these items and their shipping will be refunded.")
    # The cancellation's mail (payments' refund mail follows it).
    assert refund in mails_to(outbox, "tamu@example.test")[-2].body


def test_a_buyer_who_cancels_before_paying_sees_why_on_each_parcel(db):
    order = place(variant_of(rated_shop()), variant_of(rated_shop(name="Batik Lain")))
    services.buyer_cancel(order)
    order = fresh(Order, order.id)
    reason = indonesian("Cancelled by the buyer before payment.")
    assert [so.cancel_reason for so in order.shop_orders] == [reason, reason]
    assert order.cancel_reason == reason and order.paid_at is None


# --- the words of each refusal -----------------------------------------------------------------

def _refusals(shop, parcel, order):
    seller = shop.owner
    return [
        (lambda: services.ship_shop_order(seller, parcel.id, courier="kurir-lain", tracking_number="JNE1234567890"),
         ValidationFailed, {"courier": [indonesian("Choose the courier.")]}),
        (lambda: services.ship_shop_order(seller, parcel.id, courier="jne", tracking_number="JNE 12"),
         ValidationFailed, {"tracking_number": [indonesian(
             "Enter the tracking number from the courier's receipt (6 to 40 letters and digits).")]}),
        (lambda: services.seller_cancel(seller, parcel.id, reason="   "),
         ValidationFailed, {"reason": [indonesian("Tell the buyer why you cancel.")]}),
        (lambda: services.buyer_cancel(order),
         InvalidTransition, indonesian("A paid order can only be cancelled per shop, once it is late.")),
        (lambda: services.buyer_cancel(order, parcel.id),
         InvalidTransition, indonesian("You can cancel this parcel once it is past its ship-by date.")),
        (lambda: services.buyer_cancel(order, parcel.id + 1000), NotFound, indonesian("Order not found.")),
        (lambda: services.confirm_delivery(order, parcel.id + 1000), NotFound, indonesian("Order not found.")),
        (lambda: services.confirm_delivery(order, parcel.id), InvalidTransition, indonesian(
            "This order is %(current)s and cannot become %(new)s.",
            current=indonesian("paid"), new=indonesian("delivered"))),
    ]


@pytest.mark.parametrize("case", range(8))
def test_each_refusal_says_what_is_wrong_in_the_users_language_and_changes_nothing(db, case):
    shop = rated_shop()
    parcel = paid_parcel(shop)
    order = fresh(Order, parcel.order_id)
    action, kind, expected = _refusals(shop, parcel, order)[case]
    with pytest.raises(kind) as refused:
        action()
    if isinstance(expected, dict):
        assert refused.value.errors == expected
    else:
        assert refused.value.message == expected
    assert fresh(ShopOrder, parcel.id).status == "paid" and fresh(Order, order.id).status == "paid"


@pytest.mark.parametrize("status, label", [
    ("pending_payment", "awaiting payment"), ("awaiting_payment", "awaiting payment"), ("paid", "paid"),
    ("processing", "being prepared"), ("shipped", "shipped"), ("delivered", "delivered"),
    ("completed", "completed"), ("cancelled", "cancelled"),
])
def test_every_status_has_its_words(app, status, label):
    with app.test_request_context(), force_locale("id"):
        assert services.status_label(status) == indonesian(label)
    with app.test_request_context(), force_locale("en"):
        assert services.status_label(status) == label
        assert services.status_label("refunded") == "refunded"  # a status added later shows as stored


def test_the_buyers_order_list_shows_status_words(app, db):
    from tests.orders.conftest import signed_in

    buyer = factories.make_user()
    services.place_order(buyer, items=[{"variant_id": variant_of().id, "quantity": 1}], shipping_address=ADDRESS)
    page = signed_in(app, buyer).get("/orders").get_data(as_text=True)
    assert '<span class="status status-order-pending_payment">awaiting payment</span>' in page


# --- the expiry job ------------------------------------------------------------------------------

def test_the_expiry_job_never_cancels_an_order_paid_after_its_window(db, outbox):
    variant = variant_of(stock=2)
    paid, unpaid = place(variant), place(variant, email="kedua@example.test")
    factories.pay_order(paid)
    for order in (paid, unpaid):
        fresh(Order, order.id).payment_due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert services.expire_unpaid_orders() == 1
    assert (fresh(Order, paid.id).status, fresh(Order, unpaid.id).status) == ("paid", "cancelled")
    assert [so.status for so in fresh(Order, paid.id).shop_orders] == ["paid"]
    reason = indonesian("No payment was received within the payment window.")  # the guest's language
    assert [so.cancel_reason for so in fresh(Order, unpaid.id).shop_orders] == [reason]
    assert fresh(Order, unpaid.id).cancel_reason == reason
    assert fresh(type(variant), variant.id).stock == 1  # only the unpaid order's unit came back


def test_the_expiry_job_counts_every_order_it_expires(db):
    variant = variant_of(stock=3)
    orders = [place(variant, email=f"pembeli{i}@example.test") for i in range(3)]
    for order in orders[:2]:
        fresh(Order, order.id).payment_due_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert services.expire_unpaid_orders() == 2
    assert [fresh(Order, o.id).status for o in orders] == ["cancelled", "cancelled", "pending_payment"]
