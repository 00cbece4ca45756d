"""Each way checkout refuses, with the words and the field the buyer sees, and nothing written."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from marketplace.core.errors import ValidationFailed
from marketplace.orders import services
from marketplace.orders.models import Order
from tests.orders.conftest import ADDRESS, variant_of


def indonesian(msgid: str, **values) -> str:
    with force_locale("id"):
        text = gettext(msgid, **values)
    assert text != (msgid % values if values else msgid)  # translated
    return text


def quantity_words():
    return indonesian("Choose a quantity from 1 to %(max)d.", max=99)


def cases(variant):
    item = {"variant_id": variant.id, "quantity": 1}
    return {
        "empty cart": ({"items": []}, "items", lambda: indonesian("Your cart is empty.")),
        "not a list": ({"items": item}, "items", lambda: indonesian("Your cart is empty.")),
        "too many lines": ({"items": [{"variant_id": i, "quantity": 1} for i in range(1, 52)]}, "items",
                           lambda: indonesian("At most %(n)d different items per order.", n=50)),
        "item not an object": ({"items": [variant.id]}, "items", lambda: indonesian("Each item needs a variant.")),
        "no variant": ({"items": [{"quantity": 1}]}, "items", lambda: indonesian("Each item needs a variant.")),
        "variant as text": ({"items": [{"variant_id": str(variant.id), "quantity": 1}]}, "items",
                            lambda: indonesian("Each item needs a variant.")),
        "variant as boolean": ({"items": [{"variant_id": True, "quantity": 1}]}, "items",
                               lambda: indonesian("Each item needs a variant.")),
        "zero": ({"items": [{**item, "quantity": 0}]}, "items", quantity_words),
        "boolean quantity": ({"items": [{**item, "quantity": True}]}, "items", quantity_words),
        "over the maximum in two lines": ({"items": [{**item, "quantity": 60}, {**item, "quantity": 40}]}, "items",
                                          quantity_words),
        "withdrawn": ({"items": [{"variant_id": variant.id + 1000, "quantity": 1}]}, "items",
                      lambda: indonesian("An item in your cart is no longer for sale; remove it and try again.")),
        "bad email": ({"email": "tamu@example"}, "email",
                      lambda: indonesian("Enter the email address we send your order to.")),
        "bad idempotency key": ({"idempotency_key": "short"}, "idempotency_key",
                                lambda: indonesian("The Idempotency-Key must be 8 to 200 letters, digits or - _ : .")),
    }


@pytest.mark.parametrize("case", list(cases(type("V", (), {"id": 1})())))
def test_checkout_refuses_with_the_words_and_field_the_buyer_sees(db, case):
    variant = variant_of(stock=200)
    values, field, words = cases(variant)[case]
    arguments = {"items": [{"variant_id": variant.id, "quantity": 1}], "shipping_address": ADDRESS,
                 "email": "tamu@example.test", **values}
    with pytest.raises(ValidationFailed) as refused:
        services.place_order(None, **arguments)
    assert refused.value.errors == {field: [words()]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_exactly_the_maximum_quantity_and_lines_are_accepted(db):
    variants = [variant_of(stock=99) for _ in range(50)]
    items = [{"variant_id": v.id, "quantity": 1} for v in variants[1:]] + [
        {"variant_id": variants[0].id, "quantity": 50}, {"variant_id": variants[0].id, "quantity": 49}]
    with pytest.raises(ValidationFailed):  # 51 lines, even if two name the same variant
        services.place_order(None, items=items, shipping_address=ADDRESS, email="tamu@example.test")
    items = [{"variant_id": v.id, "quantity": 1} for v in variants[1:]] + [
        {"variant_id": variants[0].id, "quantity": 99}]
    order = services.place_order(None, items=items, shipping_address=ADDRESS, email="tamu@example.test").order
    assert sum(item.quantity for so in order.shop_orders for item in so.items) == 99 + 49


def test_an_email_address_of_254_characters_is_the_longest_accepted(db):
    variant = variant_of(stock=5)
    longest = "a" * 64 + "@" + "b" * 181 + ".example"  # 254 characters
    assert len(longest) == 254
    items = [{"variant_id": variant.id, "quantity": 1}]
    assert services.place_order(None, items=items, shipping_address=ADDRESS, email=longest).order.email == longest
    with pytest.raises(ValidationFailed) as refused:
        services.place_order(None, items=items, shipping_address=ADDRESS, email="a" + longest)
    assert set(refused.value.errors) == {"email"}


def test_a_guest_using_a_buyers_email_and_idempotency_key_gets_an_order_of_their_own(db):
    from tests import factories

    buyer = factories.make_user()
    variant = variant_of(stock=5)
    items = [{"variant_id": variant.id, "quantity": 1}]
    mine = services.place_order(buyer, items=items, shipping_address=ADDRESS, idempotency_key="retry-0001").order
    guest = services.place_order(None, items=items, shipping_address=ADDRESS, email=buyer.email,
                                 idempotency_key="retry-0001")
    assert guest.created and guest.order.id != mine.id and guest.order.buyer_id is None
