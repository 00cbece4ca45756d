"""Shops in known places with known shipping rates, and products to check out."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.orders.models import ShippingRate, Zone
from tests import factories
from tests.conftest import csrf_token, login, use_language

# Rates every test shop gets, so that fees do not depend on the defaults of orders/shipping.py.
RATES = {
    Zone.SAME_CITY: (9_000, 4_000), Zone.SAME_PROVINCE: (14_000, 6_000),
    Zone.SAME_ISLAND_GROUP: (21_000, 11_000), Zone.DOMESTIC: (32_000, 19_000),
    Zone.INTERNATIONAL: (250_000, 150_000),
}

ADDRESS = {  # Jakarta: Java–Bali, far from the Palembang shops
    "recipient_name": "Sari Dewi", "phone": "081234567890", "street": "Jl. Kemang Raya 12",
    "city": "Jakarta Selatan", "province": "DKI Jakarta", "postal_code": "12730", "country": "ID",
}


def rated_shop(ships_abroad: bool = True, **overrides):
    """A Palembang shop (Sumatera Selatan) with the RATES above."""
    shop = factories.make_shop(**overrides)
    for zone, (base, per_kg) in RATES.items():
        db.session.add(ShippingRate(shop_id=shop.id, zone=zone.value, base_fee=base, per_kg_fee=per_kg,
                                    offered=ships_abroad or zone != Zone.INTERNATIONAL))
    db.session.commit()
    return shop


def variant_of(shop=None, *, price=100_000, stock=5, weight_g=400, made_to_order=False, lead_time_days=None,
               cap=None, title="Kain Batik Tulis"):
    """The single variant of a new active product of SHOP."""
    product = factories.make_product(shop or rated_shop(), title=title, price=price, stock=stock,
                                     weight_g=weight_g)
    variant = product.variants[0]
    if made_to_order:
        variant.made_to_order, variant.stock = True, 0
        variant.lead_time_days, variant.made_to_order_cap = lead_time_days or 21, cap or 3
    db.session.commit()
    return variant


@pytest.fixture
def shop():
    return rated_shop()


def signed_in(app, user):
    """A test client signed in as USER, reading the pages in English."""
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    use_language(client, "en")
    return client


def post_form(client, path: str, page: str, **data):
    """Submit a form of PAGE to PATH, with the CSRF token a browser would have found on PAGE."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})
