"""Shipping zones, fees by weight, each shop's rates (defaults and its own), and the seller's page
and API for them: owner only, field errors on bad input, nothing half-written."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.regions import PROVINCES
from marketplace.orders import shipping
from marketplace.orders.models import ShippingRate, Zone
from marketplace.orders.shipping import DEFAULT_RATES, Rate
from tests import factories
from tests.conftest import csrf_token, login
from tests.test_numeric_inputs import BAD_JSON, BAD_TEXT

PAGE = "/dashboard/shipping"
API = "/api/v1/shipping-rates"


@pytest.fixture
def shop():
    """A shop in Palembang, South Sumatra."""
    return factories.make_shop(name="Batik Sari", slug="batik-sari", city="Kota Palembang",
                               province="Sumatera Selatan")


@pytest.fixture
def seller(app, shop):
    """The shop's owner, signed in."""
    client = app.test_client()
    assert login(client, shop.owner.email).status_code == 302
    client.user = shop.owner
    return client


def to(province: str, city: str = "Somewhere", country: str = "ID") -> dict:
    return {"country": country, "province": province, "city": city}


def stored_rates(db) -> list:
    db.session.expire_all()
    return db.session.execute(sa.select(ShippingRate.shop_id, ShippingRate.zone, ShippingRate.offered,
                                        ShippingRate.base_fee, ShippingRate.per_kg_fee)
                              .order_by(ShippingRate.shop_id, ShippingRate.zone)).all()


# --- zones -----------------------------------------------------------------------------------------

def test_every_province_belongs_to_an_island_group():
    assert set(shipping.ISLAND_GROUPS) == set(PROVINCES)
    assert set(shipping.ISLAND_GROUPS.values()) == set(shipping.ISLAND_GROUP_LABELS)
    assert shipping.ISLAND_GROUPS["Kepulauan Riau"] == shipping.ISLAND_GROUPS["Aceh"] == "sumatra"
    assert shipping.ISLAND_GROUPS["Bali"] == shipping.ISLAND_GROUPS["DKI Jakarta"] == "java_bali"
    assert shipping.ISLAND_GROUPS["Gorontalo"] == "sulawesi"
    assert shipping.ISLAND_GROUPS["Nusa Tenggara Timur"] == "nusa_tenggara"
    assert shipping.ISLAND_GROUPS["Papua Selatan"] == shipping.ISLAND_GROUPS["Maluku Utara"] == "maluku_papua"


@pytest.mark.parametrize("address, zone", [
    (to("Sumatera Selatan", "Palembang"), Zone.SAME_CITY),
    (to("Sumatera Selatan", "Kota Palembang"), Zone.SAME_CITY),
    (to("Sumatera Selatan", "  kota  PALEMBANG "), Zone.SAME_CITY),
    (to("Sumatera Selatan", "Kabupaten Ogan Ilir"), Zone.SAME_PROVINCE),
    (to("Sumatera Selatan", ""), Zone.SAME_PROVINCE),
    (to("Lampung", "Kota Bandar Lampung"), Zone.SAME_ISLAND_GROUP),
    (to("Kepulauan Bangka Belitung", "Kota Pangkalpinang"), Zone.SAME_ISLAND_GROUP),
    (to("Jambi", "Palembang"), Zone.SAME_ISLAND_GROUP),  # a namesake in another province is not the same city
    (to("Jawa Barat", "Kota Bandung"), Zone.DOMESTIC),
    (to("Papua", "Kota Jayapura"), Zone.DOMESTIC),
    (to("", "Kuala Lumpur", "MY"), Zone.INTERNATIONAL),
    (to("Sumatera Selatan", "Palembang", "SG"), Zone.INTERNATIONAL),
])
def test_zone_of_a_parcel_from_palembang(shop, address, zone):
    assert shipping.zone_for(shop, address) is zone


def test_zone_of_an_order_and_of_a_shop_in_a_regency(shop):
    order = SimpleNamespace(country="ID", province="Sumatera Selatan", city="Palembang")
    assert shipping.zone_for(shop, order) is Zone.SAME_CITY
    regency_shop = factories.make_shop(city="Kab. Bantul", province="DI Yogyakarta")
    assert shipping.zone_for(regency_shop, to("DI Yogyakarta", "Kabupaten Bantul")) is Zone.SAME_CITY
    assert shipping.zone_for(regency_shop, to("DI Yogyakarta", "Kota Yogyakarta")) is Zone.SAME_PROVINCE
    assert shipping.zone_for(regency_shop, to("Bali", "Denpasar")) is Zone.SAME_ISLAND_GROUP
    # "Kotabaru" is a regency's name, not "Kota Baru".
    kotabaru = factories.make_shop(city="Kabupaten Kotabaru", province="Kalimantan Selatan")
    assert shipping.zone_for(kotabaru, to("Kalimantan Selatan", "Kotabaru")) is Zone.SAME_CITY
    assert shipping.zone_for(kotabaru, to("Kalimantan Selatan", "Baru")) is Zone.SAME_PROVINCE


# --- fees ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("weight_g, kilograms", [(1, 1), (999, 1), (1000, 1), (1001, 2), (2000, 2), (2500, 3)])
def test_every_started_kilogram_is_charged(weight_g, kilograms):
    rate = Rate(Zone.DOMESTIC, True, 30_000, 20_000)
    assert shipping.shipping_fee(rate, weight_g) == 30_000 + 20_000 * kilograms


def test_a_new_shop_has_the_default_rates_and_abroad_is_off(shop):
    assert shipping.rates_for(shop.id) == DEFAULT_RATES
    assert list(shipping.rates_for(shop.id)) == list(Zone)
    assert not DEFAULT_RATES[Zone.INTERNATIONAL].offered
    assert all(DEFAULT_RATES[zone].offered for zone in Zone if zone is not Zone.INTERNATIONAL)
    # nearer is never dearer
    fees = [shipping.shipping_fee(DEFAULT_RATES[zone], 1500) for zone in list(Zone)[:4]]
    assert fees == sorted(fees)


def test_saved_rates_override_the_defaults_of_their_zones_only(shop, db):
    other = factories.make_shop()
    shipping.set_shipping_rates(shop.owner, {"same_city": {"base_fee": 0, "per_kg_fee": 2_000}})
    rates = shipping.rates_for(shop.id)
    assert rates[Zone.SAME_CITY] == Rate(Zone.SAME_CITY, True, 0, 2_000)
    assert {zone: rate for zone, rate in rates.items() if zone is not Zone.SAME_CITY} == \
        {zone: rate for zone, rate in DEFAULT_RATES.items() if zone is not Zone.SAME_CITY}
    assert shipping.rates_for(other.id) == DEFAULT_RATES

    shipping.set_shipping_rates(shop.owner, {Zone.SAME_CITY: {"base_fee": 5_000, "per_kg_fee": 2_000}})
    assert stored_rates(db) == [(shop.id, "same_city", True, 5_000, 2_000)]


def test_quote_charges_the_zone_and_the_weight(shop):
    assert shipping.quote(shop, to("Sumatera Selatan", "Palembang"), 1200) == (Zone.SAME_CITY, 10_000 + 2 * 5_000)
    assert shipping.quote(shop, to("Jawa Tengah", "Kota Pekalongan"), 300) == (Zone.DOMESTIC, 30_000 + 20_000)


def test_abroad_is_refused_naming_the_shop_until_the_seller_offers_it(shop):
    abroad = to("", "Kuala Lumpur", "MY")
    with pytest.raises(ValidationFailed) as refused:
        shipping.quote(shop, abroad, 500)
    assert "Batik Sari" in refused.value.message
    assert refused.value.errors == {"country": [refused.value.message]}

    shipping.set_shipping_rates(shop.owner, {"international": {"offered": True, "base_fee": 150_000,
                                                               "per_kg_fee": 300_000}})
    assert shipping.quote(shop, abroad, 2100) == (Zone.INTERNATIONAL, 150_000 + 3 * 300_000)


def test_a_switched_off_zone_in_indonesia_is_refused_too(shop, db):
    db.session.add(ShippingRate(shop_id=shop.id, zone="domestic", offered=False, base_fee=0, per_kg_fee=0))
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        shipping.quote(shop, to("Bali", "Denpasar"), 500)
    assert "Batik Sari" in refused.value.message and "country" in refused.value.errors


def test_estimate_knows_the_province_only(shop):
    assert shipping.estimate(shop, "Sumatera Selatan", "ID", 800) == (Zone.SAME_PROVINCE, 15_000 + 8_000)
    assert shipping.estimate(shop, "Riau", "id", 800) == (Zone.SAME_ISLAND_GROUP, 20_000 + 12_000)
    assert shipping.estimate(shop, "Bali", "ID", 1001) == (Zone.DOMESTIC, 30_000 + 2 * 20_000)
    assert shipping.estimate(shop, None, "NL", 800) == (Zone.INTERNATIONAL, None)
    with pytest.raises(ValidationFailed) as refused:
        shipping.estimate(shop, "Atlantis", "ID", 800)
    assert "province" in refused.value.errors
    for country in ("", "XX"):
        with pytest.raises(ValidationFailed) as refused:
            shipping.estimate(shop, "Bali", country, 800)
        assert "country" in refused.value.errors


# --- the service ----------------------------------------------------------------------------------

@pytest.mark.parametrize("zone, spec, field", [
    ("same_city", {"offered": False, "base_fee": 1, "per_kg_fee": 1}, "offered"),
    ("domestic", {"offered": False, "base_fee": 1, "per_kg_fee": 1}, "offered"),
    ("same_city", {"base_fee": -1, "per_kg_fee": 1}, "base_fee"),
    ("same_city", {"base_fee": 10_000_001, "per_kg_fee": 1}, "base_fee"),
    ("same_city", {"base_fee": 1, "per_kg_fee": 1.5}, "per_kg_fee"),
    ("same_city", {"base_fee": 1, "per_kg_fee": True}, "per_kg_fee"),
    ("international", {"offered": "no", "base_fee": 1, "per_kg_fee": 1}, "offered"),
    ("international", {"offered": False}, "base_fee"),
])
def test_bad_rates_name_the_zone_and_field_and_write_nothing(shop, db, zone, spec, field):
    good = {"same_province": {"base_fee": 1, "per_kg_fee": 1}}
    with pytest.raises(ValidationFailed) as refused:
        shipping.set_shipping_rates(shop.owner, {**good, zone: spec})
    assert field in refused.value.errors["rates"][zone]
    assert stored_rates(db) == []


def test_an_unknown_zone_is_refused(shop, db):
    with pytest.raises(ValidationFailed):
        shipping.set_shipping_rates(shop.owner, {"moon": {"base_fee": 1, "per_kg_fee": 1}})
    assert stored_rates(db) == []


def test_an_artisan_without_a_shop_has_no_rates_to_set(db):
    with pytest.raises(NotFound):
        shipping.set_shipping_rates(factories.make_artisan(), {"same_city": {"base_fee": 1, "per_kg_fee": 1}})
    assert stored_rates(db) == []


# --- the seller's page -------------------------------------------------------------------------------

def form_of(rates: dict | None = None, **changes) -> dict:
    data = {}
    for zone, rate in (rates or DEFAULT_RATES).items():
        data[f"{zone.value}-base_fee"] = str(rate.base_fee)
        data[f"{zone.value}-per_kg_fee"] = str(rate.per_kg_fee)
    return data | changes


def test_seller_sees_the_defaults_and_saves_rates_typed_as_rupiah(seller, shop, db):
    page = seller.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="same_city-base_fee" required type="text" value="10000"' in html
    assert 'name="international-offered"' in html and 'name="domestic-offered"' not in html
    assert "Sumatera" in html  # the island group the zone stands for
    assert 'href="/dashboard/shop"' in html  # handling days live in the shop settings

    response = seller.post(PAGE, data=form_of(**{
        "csrf_token": csrf_token(seller, PAGE), "same_city-base_fee": "Rp 7.500", "same_city-per_kg_fee": "0",
        "international-offered": "y", "international-base_fee": "200.000", "international-per_kg_fee": "350000",
    }))
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    assert "Ongkos kirim disimpan." in seller.get(PAGE).get_data(as_text=True)
    rates = shipping.rates_for(shop.id)
    assert rates[Zone.SAME_CITY] == Rate(Zone.SAME_CITY, True, 7_500, 0)
    assert rates[Zone.INTERNATIONAL] == Rate(Zone.INTERNATIONAL, True, 200_000, 350_000)
    assert rates[Zone.DOMESTIC] == DEFAULT_RATES[Zone.DOMESTIC]

    # Unticking the box stops shipping abroad.
    seller.post(PAGE, data=form_of(rates, csrf_token=csrf_token(seller, PAGE)))
    assert not shipping.rates_for(shop.id)[Zone.INTERNATIONAL].offered
    assert shipping.rates_for(shop.id)[Zone.SAME_CITY] == Rate(Zone.SAME_CITY, True, 7_500, 0)


def test_bad_fees_are_shown_on_their_fields_and_nothing_is_saved(seller, shop, db):
    token = csrf_token(seller, PAGE)
    for field in ("same_city-base_fee", "domestic-per_kg_fee", "international-base_fee"):
        for sent in [*BAD_TEXT, "", "10000001"]:
            response = seller.post(PAGE, data=form_of(csrf_token=token, **{field: sent}))
            assert response.status_code == 200, f"{field}={sent!r}"
            assert f'id="{field}-error"' in response.get_data(as_text=True), f"{field}={sent!r}"
    assert stored_rates(db) == []


def test_the_page_is_csrf_checked(seller, db):
    assert seller.post(PAGE, data=form_of()).status_code == 400
    assert stored_rates(db) == []


def test_another_artisan_saves_their_own_rates_never_this_shops(app, shop, db):
    other_shop = factories.make_shop(city="Kota Pekalongan", province="Jawa Tengah")
    other = app.test_client()
    login(other, other_shop.owner.email)
    response = other.post(PAGE, data=form_of(**{"csrf_token": csrf_token(other, PAGE), "same_city-base_fee": "1"}))
    assert response.status_code == 302
    assert shipping.rates_for(shop.id) == DEFAULT_RATES
    assert shipping.rates_for(other_shop.id)[Zone.SAME_CITY].base_fee == 1


def test_who_may_open_the_page(app, client, buyer_client, artisan_client, db):
    assert client.get(PAGE).status_code == 302  # to sign in
    assert buyer_client.get(PAGE).status_code == 403
    no_shop = artisan_client.get(PAGE)
    assert no_shop.status_code == 302 and no_shop.headers["Location"].endswith("/dashboard/shop")
    assert stored_rates(db) == []


def test_the_sellers_menu_links_to_the_page(seller, buyer_client):
    assert f'href="{PAGE}"' in seller.get("/").get_data(as_text=True)
    assert f'href="{PAGE}"' not in buyer_client.get("/").get_data(as_text=True)


def test_the_page_speaks_english_too(seller):
    from tests.conftest import use_language

    use_language(seller, "en", PAGE)
    html = seller.get(PAGE).get_data(as_text=True)
    assert "Shipping rates" in html and "I ship abroad" in html and "Buyers in Kota Palembang." in html


# --- the API --------------------------------------------------------------------------------------

def test_api_answers_the_sellers_rates_and_saves_new_ones(client, shop, db):
    headers = factories.bearer(shop.owner)
    got = client.get(API, headers=headers)
    assert got.status_code == 200
    body = got.get_json()
    assert body["shop"] == "batik-sari" and body["handling_days"] == 2
    assert [rate["zone"] for rate in body["rates"]] == [zone.value for zone in Zone]
    assert body["rates"][0] == {"zone": "same_city", "offered": True, "base_fee": 10_000, "per_kg_fee": 5_000}

    put = client.put(API, headers=headers, json={"rates": [
        {"zone": "same_city", "base_fee": 8_000, "per_kg_fee": 4_000},
        {"zone": "international", "offered": True, "base_fee": 120_000, "per_kg_fee": 300_000},
    ]})
    assert put.status_code == 200, put.get_json()
    rates = {rate["zone"]: rate for rate in put.get_json()["rates"]}
    assert rates["same_city"] == {"zone": "same_city", "offered": True, "base_fee": 8_000, "per_kg_fee": 4_000}
    assert rates["international"]["offered"] is True
    assert rates["domestic"]["base_fee"] == DEFAULT_RATES[Zone.DOMESTIC].base_fee
    assert shipping.rates_for(shop.id)[Zone.INTERNATIONAL] == Rate(Zone.INTERNATIONAL, True, 120_000, 300_000)
    assert client.get(f"/api/v1/shops/{shop.slug}/shipping-rates").get_json()["rates"] == put.get_json()["rates"]


@pytest.mark.parametrize("body", [
    {"rates": [{"zone": "same_city", "offered": False, "base_fee": 1, "per_kg_fee": 1}]},
    {"rates": [{"zone": "same_city", "base_fee": -1, "per_kg_fee": 1}]},
    {"rates": [{"zone": "moon", "base_fee": 1, "per_kg_fee": 1}]},
    {"rates": [{"zone": "same_city", "base_fee": 1}]},
    {"rates": [{"zone": "same_city", "base_fee": 1, "per_kg_fee": 1},
               {"zone": "same_city", "base_fee": 2, "per_kg_fee": 2}]},
    {"rates": []},
    {"rates": "cheap"},
    {},
])
def test_bad_rates_over_the_api_are_422_with_field_errors(client, shop, db, body):
    response = client.put(API, headers=factories.bearer(shop.owner), json=body)
    assert response.status_code == 422, response.get_json()
    assert "rates" in response.get_json()["errors"]
    assert stored_rates(db) == []


def test_api_refuses_every_bad_fee(client, shop, db):
    headers = factories.bearer(shop.owner)
    for field in ("base_fee", "per_kg_fee"):
        for sent in [*BAD_JSON, None, 10_000_001]:
            rate = {"zone": "domestic", "base_fee": 1, "per_kg_fee": 1, field: sent}
            response = client.put(API, headers=headers, json={"rates": [rate]})
            assert response.status_code == 422, f"{field}={sent!r}"
    assert stored_rates(db) == []


def test_api_owner_only(client, shop, db):
    other_shop = factories.make_shop()
    body = {"rates": [{"zone": "same_city", "base_fee": 1, "per_kg_fee": 1}]}
    assert client.put(API, headers=factories.bearer(other_shop.owner), json=body).status_code == 200
    assert shipping.rates_for(shop.id) == DEFAULT_RATES

    assert client.get(API).status_code == 401
    assert client.put(API, json=body).status_code == 401
    buyer = factories.make_user(roles=["buyer"])
    assert client.get(API, headers=factories.bearer(buyer)).status_code == 403
    assert client.put(API, headers=factories.bearer(buyer), json=body).status_code == 403
    shopless = factories.make_artisan()
    assert client.get(API, headers=factories.bearer(shopless)).status_code == 404
    assert client.put(API, headers=factories.bearer(shopless), json=body).status_code == 404
    assert stored_rates(db) == [(other_shop.id, "same_city", True, 1, 1)]


def test_public_rates_of_open_shops_only(client, shop, db):
    assert client.get("/api/v1/shops/batik-sari/shipping-rates").status_code == 200
    assert client.get("/api/v1/shops/nobody/shipping-rates").status_code == 404
    shop.status = "suspended"
    db.session.commit()
    assert client.get("/api/v1/shops/batik-sari/shipping-rates").status_code == 404


def test_the_api_is_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/shipping-rates"])
    assert "get" in paths["/api/v1/shops/{slug}/shipping-rates"]


def test_the_services_refusals_land_on_their_zones_fields(app, shop):
    from marketplace.orders.shipping_views import ShippingRatesForm

    with pytest.raises(ValidationFailed) as refused:
        shipping.set_shipping_rates(shop.owner, {"domestic": {"offered": False, "base_fee": 1, "per_kg_fee": -1}})
    with app.test_request_context(PAGE):
        form = ShippingRatesForm(meta={"csrf": False})
        form.show_errors(refused.value)
        assert form.domestic["per_kg_fee"].errors and not form.domestic["base_fee"].errors
        # The row has no on/off box: the refusal goes on top, naming the zone.
        assert len(form.form_errors) == 1 and form.form_errors[0].startswith("Wilayah Indonesia lainnya: ")
