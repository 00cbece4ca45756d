"""Shipping rules that mutation testing of orders/shipping.py found untested: the words a seller or
buyer reads when a rate or an address is refused, a saved rate in a product page's estimate, and
city names written with or without their inner spaces."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.orders import shipping
from marketplace.extensions import db
from marketplace.orders.models import ShippingRate, Zone
from tests import factories

FEE_WORDS = "Enter a whole number of rupiah from Rp 0 to Rp 10,000,000."


@pytest.fixture
def shop(app):
    return factories.make_shop(name="Batik Sari", slug="batik-sari", city="Kota Pangkalpinang",
                               province="Kepulauan Bangka Belitung")


@pytest.fixture
def english(app):
    with force_locale("en"):
        yield


def refused(call, *args) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as raised:
        call(*args)
    return raised.value


def test_a_city_written_with_a_space_is_still_the_same_city(shop):
    to = {"country": "ID", "province": "Kepulauan Bangka Belitung", "city": "Pangkal  Pinang"}
    assert shipping.zone_for(shop, to) is Zone.SAME_CITY
    assert shipping.zone_for(shop, {**to, "city": "Kabupaten Bangka"}) is Zone.SAME_PROVINCE


def test_no_city_on_either_side_is_not_the_same_city(app):
    shop = factories.make_shop(city="", province="Bali")
    assert shipping.zone_for(shop, {"country": "ID", "province": "Bali", "city": ""}) is Zone.SAME_PROVINCE


def test_the_estimate_uses_the_shops_own_rates(shop):
    shipping.set_shipping_rates(shop.owner, {"same_province": {"base_fee": 7_000, "per_kg_fee": 1_000}})
    assert shipping.estimate(shop, "Kepulauan Bangka Belitung", "ID", 1500) == (Zone.SAME_PROVINCE, 9_000)


def test_a_refused_parcel_says_which_shop_and_why(shop, english):
    abroad = {"country": "MY", "province": "", "city": "Kuala Lumpur"}
    assert refused(shipping.quote, shop, abroad, 500).errors == {"country": ["Batik Sari does not ship abroad."]}
    shipping.set_shipping_rates(shop.owner, {"international": {"offered": True, "base_fee": 1, "per_kg_fee": 1}})
    db.session.add(ShippingRate(shop_id=shop.id, zone="domestic", offered=False, base_fee=0, per_kg_fee=0))
    db.session.commit()
    home = {"country": "ID", "province": "Bali", "city": "Denpasar"}
    assert refused(shipping.quote, shop, home, 500).errors == \
        {"country": ["Batik Sari does not ship to this address."]}


def test_the_estimate_asks_for_a_country_and_a_province(shop, english):
    assert refused(shipping.estimate, shop, "Bali", "XX", 500).errors == {"country": ["Choose a country."]}
    assert refused(shipping.estimate, shop, "Atlantis", "ID", 500).errors == \
        {"province": ["Choose a province of Indonesia."]}


def test_an_artisan_without_a_shop_is_told_so(app, english):
    with pytest.raises(NotFound) as raised:
        shipping.own_shop(factories.make_artisan())
    assert raised.value.message == "You have no shop yet."


def test_bad_rates_are_explained_per_zone_and_field(shop, english):
    error = refused(shipping.set_shipping_rates, shop.owner, {
        "same_city": {"offered": False, "base_fee": -1, "per_kg_fee": 1},
        "international": {"offered": "no", "base_fee": 1, "per_kg_fee": 10_000_001},
    })
    assert error.message == "Check the shipping rates."
    assert error.errors == {"rates": {
        "same_city": {
            "offered": ["Every shop ships anywhere in Indonesia; only shipping abroad can be switched off."],
            "base_fee": [FEE_WORDS]},
        "international": {"offered": ["Say whether you ship to this zone."], "per_kg_fee": [FEE_WORDS]},
    }}


def test_a_zone_that_is_not_an_object_is_a_field_error_not_a_crash(shop, english):
    error = refused(shipping.set_shipping_rates, shop.owner, {"same_city": 5})
    assert error.errors == {"rates": {"same_city": {"base_fee": [FEE_WORDS], "per_kg_fee": [FEE_WORDS]}}}


def test_an_unknown_zone_is_named(shop, english):
    error = refused(shipping.set_shipping_rates, shop.owner, {"moon": {"base_fee": 1, "per_kg_fee": 1}})
    assert error.errors == {"rates": ["Unknown shipping zone: moon."]}
