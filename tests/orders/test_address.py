"""The shipping address rules, the same through clean_address, the API schema and the HTML form."""
from __future__ import annotations

import marshmallow as ma
import pytest

from marketplace.core.errors import ValidationFailed
from marketplace.orders.address import (
    COUNTRY_CODES, ShippingAddressForm, ShippingAddressSchema, clean_address, normalise_phone,
)

GOOD = {"recipient_name": "Siti Aminah", "phone": "0812-3456-7890", "street": "Jl. Merdeka No. 5, RT 02/RW 03",
        "city": "Kota Palembang", "province": "Sumatera Selatan", "postal_code": "30137", "country": "ID"}
ABROAD = {"recipient_name": "Tan Mei Ling", "phone": "+60 12-345 6789", "street": "12 Jalan Ampang",
          "city": "Kuala Lumpur", "province": "", "postal_code": "50450", "country": "MY"}


def refused_fields(data) -> dict:
    with pytest.raises(ValidationFailed) as refused:
        clean_address(data)
    return refused.value.errors


def test_a_good_address_comes_back_normalised():
    cleaned = clean_address({**GOOD, "recipient_name": "  Siti   Aminah ", "street": "Jl. Merdeka No. 5\nRT 02/RW 03",
                             "province": "sumatera selatan", "postal_code": "301 37", "country": "id"})
    assert cleaned == {**GOOD, "phone": "+6281234567890", "street": "Jl. Merdeka No. 5 RT 02/RW 03"}
    assert clean_address(cleaned) == cleaned  # a service may clean what a boundary cleaned


@pytest.mark.parametrize("typed, stored", [
    ("0812 3456 7890", "+6281234567890"),
    ("081234567890", "+6281234567890"),
    ("62 812 3456 7890", "+6281234567890"),
    ("+62 812-3456-7890", "+6281234567890"),
    ("+62 (0)812 3456 789", "+628123456789"),
    ("(021) 555 1234", "+62215551234"),
    ("+60 12-345 6789", "+60123456789"),
    ("0044 20 7946 0958", "+442079460958"),
    ("+1 (415) 555-0100", "+14155550100"),
])
def test_good_phones_are_stored_in_international_form(typed, stored):
    assert normalise_phone(typed) == stored
    assert clean_address({**GOOD, "phone": typed})["phone"] == stored


@pytest.mark.parametrize("typed", [
    "12345", "0812", "0812 3456 7890 1234", "+0812345678", "5551234567", "+1 23", "phone me", "0812-ABCD-789",
    "+62 12", "+" + "1" * 16,
])
def test_bad_phones_are_refused(typed):
    assert normalise_phone(typed) is None
    assert list(refused_fields({**GOOD, "phone": typed})) == ["phone"]


@pytest.mark.parametrize("postal_code", ["", "1234", "123456", "01234", "ABCDE", "30-137"])
def test_an_indonesian_address_needs_a_five_digit_postal_code(postal_code):
    assert list(refused_fields({**GOOD, "postal_code": postal_code})) == ["postal_code"]


@pytest.mark.parametrize("province", ["", "California", "Sumsel", "Jakarta"])
def test_an_indonesian_address_needs_one_of_the_provinces(province):
    assert list(refused_fields({**GOOD, "province": province})) == ["province"]


def test_an_address_abroad_needs_no_indonesian_province_nor_postal_code():
    assert clean_address(ABROAD) == {**ABROAD, "phone": "+60123456789"}
    assert clean_address({**ABROAD, "province": "Selangor", "postal_code": ""})["province"] == "Selangor"
    london = clean_address({**ABROAD, "country": "gb", "city": "London", "postal_code": "sw1a 1aa",
                            "phone": "+44 20 7946 0958"})
    assert london["country"] == "GB" and london["postal_code"] == "SW1A 1AA"
    # The province list is Indonesia's: a province of it abroad is a slip.
    assert list(refused_fields({**ABROAD, "province": "Bali"})) == ["province"]
    assert list(refused_fields({**ABROAD, "postal_code": "50450!"})) == ["postal_code"]


@pytest.mark.parametrize("country", ["", "XX", "IDN", "EU", "Indonesia"])
def test_the_country_is_an_iso_code(country):
    assert "country" in refused_fields({**GOOD, "country": country})


def test_every_field_is_required_and_all_problems_are_named_at_once():
    errors = refused_fields({})
    assert set(errors) == {"recipient_name", "phone", "street", "city", "country"}
    assert all(len(messages) == 1 for messages in errors.values())
    assert set(refused_fields({"country": "ID"})) == {"recipient_name", "phone", "street", "city", "province",
                                                      "postal_code"}


def test_lengths_fit_the_order_columns_and_control_characters_are_refused():
    assert list(refused_fields({**GOOD, "recipient_name": "A" * 121})) == ["recipient_name"]
    assert clean_address({**GOOD, "recipient_name": "A" * 120})["recipient_name"] == "A" * 120
    assert list(refused_fields({**GOOD, "street": "x" * 301})) == ["street"]
    assert list(refused_fields({**GOOD, "city": "Palembang\x00"})) == ["city"]
    assert list(refused_fields({**ABROAD, "postal_code": "1" * 17})) == ["postal_code"]


def test_the_country_list_is_iso_3166():
    assert len(COUNTRY_CODES) == 249
    assert {"ID", "MY", "NL", "US", "TL"} <= COUNTRY_CODES


# --- the API schema -----------------------------------------------------------------------------

def test_schema_loads_the_cleaned_address():
    assert ShippingAddressSchema().load({**GOOD, "phone": "+62 812 3456 7890"}) == {**GOOD, "phone": "+6281234567890"}
    assert ShippingAddressSchema().load({k: v for k, v in ABROAD.items() if k not in ("province", "postal_code")}) \
        == {**ABROAD, "phone": "+60123456789", "postal_code": ""}


def test_schema_errors_are_field_errors_also_when_nested_in_a_checkout():
    class CheckoutIn(ma.Schema):
        shipping_address = ma.fields.Nested(ShippingAddressSchema, required=True)

    with pytest.raises(ma.ValidationError) as refused:
        CheckoutIn().load({"shipping_address": {**GOOD, "phone": "12345", "postal_code": "1"}})
    assert set(refused.value.messages["shipping_address"]) == {"phone", "postal_code"}
    with pytest.raises(ma.ValidationError) as missing:
        ShippingAddressSchema().load({"country": "ID"})
    assert {"recipient_name", "phone", "street", "city"} <= set(missing.value.messages)
    with pytest.raises(ma.ValidationError) as not_text:
        ShippingAddressSchema().load({**GOOD, "postal_code": 30137})
    assert "postal_code" in not_text.value.messages


# --- the HTML form -------------------------------------------------------------------------------

def address_form(app, data: dict, language: str = "id") -> ShippingAddressForm:
    # A fresh app context: the language is remembered in `g` for the rest of one.
    with app.app_context(), app.test_request_context("/", method="POST", data=data):
        from flask import session

        session["locale"] = language
        form = ShippingAddressForm(meta={"csrf": False})
        form.validate()
        form.choices_seen = [(choice.value, choice.label) for choice in form.country.choices]
        return form


def test_form_cleans_with_the_same_rules(app):
    form = address_form(app, GOOD)
    assert form.cleaned == {**GOOD, "phone": "+6281234567890"}
    bad = address_form(app, {**GOOD, "phone": "12345", "postal_code": "1"})
    assert bad.cleaned is None
    assert bad.phone.errors and bad.postal_code.errors and not bad.city.errors
    assert "Masukkan kode pos lima angka." in bad.postal_code.errors


def test_form_offers_an_address_abroad_with_translated_country_names(app):
    form = address_form(app, ABROAD)
    assert form.cleaned["country"] == "MY" and form.cleaned["province"] == ""
    assert form.choices_seen[0] == ("ID", "Indonesia")
    assert ("NL", "Belanda") in form.choices_seen and len(form.choices_seen) == 249
    english = address_form(app, ABROAD, language="en")
    assert ("NL", "Netherlands") in english.choices_seen
    unknown = address_form(app, {**ABROAD, "country": "XX", "province": "Atlantis"})
    assert unknown.country.errors and unknown.province.errors and unknown.cleaned is None
