"""What checkout may take from the catalogue: only listed variants of active shops, only the units
of the variant ordered, never from a variant archived meanwhile; how a refusal names the item;
and which made-to-order places a cancellation frees."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.catalog import stock
from marketplace.catalog.models import Variant
from marketplace.core.errors import OutOfStock, ValidationFailed
from marketplace.core.times import utcnow
from marketplace.orders import cart, services
from marketplace.orders.models import Order
from tests import factories
from tests.orders.conftest import ADDRESS, rated_shop, variant_of


def place(items, email="tamu@example.test"):
    return services.place_order(None, items=[{"variant_id": v.id, "quantity": q} for v, q in items],
                                shipping_address=ADDRESS, email=email).order


def held(db, variant) -> tuple[int, int]:
    """(stock, made-to-order places taken) of VARIANT as stored."""
    db.session.expire_all()
    stored = db.session.get(Variant, variant.id)
    return stored.stock, stored.made_to_order_open


def order_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order))


def _draft(variant):
    variant.product.status = "draft"


def _archived(variant):
    variant.product.status = "archived"


def _suspended(variant):
    variant.product.shop.status = "suspended"


@pytest.mark.parametrize("withdraw", [_draft, _archived, _suspended], ids=["draft", "archived", "shop suspended"])
def test_a_product_taken_off_sale_cannot_be_ordered_or_added_to_a_cart(db, withdraw):
    variant = variant_of(stock=5)
    guest_cart = {}
    cart.add_to_cart(None, guest_cart, variant.id, 1)  # still for sale: it goes in
    withdraw(variant)
    db.session.commit()

    with pytest.raises(ValidationFailed) as refused:
        place([(variant, 1)])
    assert refused.value.errors == {"items": [refused.value.message]}
    assert order_count(db) == 0 and held(db, variant) == (5, 0)
    with pytest.raises(ValidationFailed):
        cart.add_to_cart(None, guest_cart, variant.id, 1)
    view = cart.view_cart(None, guest_cart)
    assert view.shops == [] and [line.variant_id for line in view.gone] == [variant.id]


def test_an_order_takes_places_only_from_the_made_to_order_variant_it_names(db):
    shop = rated_shop()
    ordered = variant_of(shop, made_to_order=True, cap=3, title="Kain Tulis Pesanan")
    other = variant_of(shop, made_to_order=True, cap=3, title="Selendang Pesanan")
    elsewhere = variant_of(made_to_order=True, cap=3, title="Sarung Pesanan")
    place([(ordered, 2)])
    assert held(db, ordered) == (0, 2)
    assert held(db, other) == (0, 0) and held(db, elsewhere) == (0, 0)


@pytest.mark.parametrize("made_to_order", [False, True], ids=["ready stock", "made to order"])
def test_a_variant_archived_while_the_buyer_checks_out_is_not_taken(db, monkeypatch, made_to_order):
    """The seller removes the size between checkout's read of the catalogue and its hold."""
    variant = variant_of(stock=3, made_to_order=made_to_order, cap=3)
    read_catalogue = stock.purchasable_variants

    def read_then_archive(variant_ids):
        found = read_catalogue(variant_ids)
        db.session.execute(sa.update(Variant).where(Variant.id == variant.id).values(archived_at=utcnow()))
        return found

    monkeypatch.setattr(stock, "purchasable_variants", read_then_archive)
    with pytest.raises(OutOfStock):
        place([(variant, 1)])
    assert order_count(db) == 0
    assert held(db, variant) == ((0, 0) if made_to_order else (3, 0))


def test_out_of_stock_in_the_api_is_a_field_error_on_items_naming_the_product(client, db):
    """In Indonesian, the language of a guest who asked for none."""
    variant = variant_of(stock=1, title="Kain Sidomukti")
    response = client.post("/api/v1/orders", json={
        "items": [{"variant_id": variant.id, "quantity": 2}], "shipping_address": ADDRESS,
        "email": "tamu@example.test"})
    assert response.status_code == 409
    assert response.json["message"] == "Hanya tersisa 1 untuk “Kain Sidomukti”."
    assert response.json["errors"] == {"items": ["Hanya tersisa 1 untuk “Kain Sidomukti”."]}


def test_out_of_stock_names_the_size_when_the_product_has_several(db):
    product = factories.make_product(rated_shop(), title="Kemeja Parang", variants=[
        {"name": "M", "stock": 4}, {"name": "L", "stock": 1}])
    large = product.variants[1]
    with pytest.raises(OutOfStock) as refused:
        place([(large, 2)])
    assert refused.value.message == "Hanya tersisa 1 untuk “Kemeja Parang” (L)."
    assert held(db, large) == (1, 0) and held(db, product.variants[0]) == (4, 0)


def test_cancelling_one_order_frees_only_its_own_made_to_order_places(db):
    variant = variant_of(made_to_order=True, cap=3, title="Kain Tulis Pesanan")
    first = place([(variant, 1)])
    place([(variant, 2)], email="kedua@example.test")
    assert held(db, variant) == (0, 3)
    services.buyer_cancel(first)
    assert held(db, variant) == (0, 2)
    place([(variant, 1)], email="ketiga@example.test")  # the freed place can be ordered again
    assert held(db, variant) == (0, 3)


def test_an_expired_made_to_order_hold_frees_its_places_and_adds_no_stock(db):
    variant = variant_of(made_to_order=True, cap=2, title="Kain Tulis Pesanan")
    order = place([(variant, 2)])
    order.payment_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert services.expire_unpaid_orders() == 1
    assert held(db, variant) == (0, 0)
