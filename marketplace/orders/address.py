"""The shipping address: one set of rules (clean_address) behind the checkout form and the API.

ShippingAddressForm (HTML) and ShippingAddressSchema (JSON) only read the fields; both hand them
to clean_address, which checks and normalises them, so a rule cannot differ between the two.
Cleaning a cleaned address changes nothing, so a service may clean again what a boundary cleaned.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import marshmallow as ma
from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from text_unidecode import unidecode
from wtforms import SelectField, StringField, TelField, TextAreaField

from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import CantingForm, apply_form_errors, select_choices
from marketplace.core.regions import PROVINCES
from marketplace.orders.models import Order

HOME_COUNTRY = "ID"
ADDRESS_FIELDS = ("recipient_name", "phone", "street", "city", "province", "postal_code", "country")
# As long as the Order's columns hold.
MAX_LENGTHS = {name: Order.__table__.c[name].type.length for name in ADDRESS_FIELDS}

# CLDR's two-letter regions, less those that are no ISO 3166-1 country: what is left is the 249
# officially assigned codes.
_NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
COUNTRY_CODES = frozenset(code for code in Locale("en").territories
                          if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES)
_PROVINCE_BY_KEY = {province.casefold(): province for province in PROVINCES}


def country_choices() -> list:
    """Every country, named in the visitor's language: Indonesia first, then the rest by name."""
    names = get_locale().territories
    others = sorted((code for code in COUNTRY_CODES if code != HOME_COUNTRY),
                    key=lambda code: unidecode(names.get(code, code)).casefold())
    return select_choices([(code, names.get(code, code)) for code in [HOME_COUNTRY, *others]])


def normalise_phone(text: str) -> str | None:
    """The number in international form (+62 for Indonesia), or None when it is no phone number.

    Indonesian numbers come as 0812 3456 7890, 62812…, +62 812… or +62 0812…; any other country's
    need + (or 00) and its country code: +60 12-345 6789.
    """
    compact = re.sub(r"[\s\-.()/]", "", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    international = compact.startswith("+")
    digits = compact[1:] if international else compact
    if not digits.isdigit():
        return None
    if digits.startswith("62"):
        national = digits[2:]
    elif international:
        return "+" + digits if digits[0] != "0" and 8 <= len(digits) <= 15 else None
    elif digits.startswith("0"):
        national = digits
    else:
        return None
    national = national.removeprefix("0")  # the trunk zero Indonesians write after +62 too
    return "+62" + national if re.fullmatch(r"[1-9][0-9]{7,11}", national) else None


def _text(value) -> str:
    """VALUE as one line: runs of spaces and line breaks become one space."""
    return " ".join(str(value or "").split())


def clean_address(data: Mapping) -> dict:
    """The shipping address in DATA, checked and normalised: a dict of ADDRESS_FIELDS.

    The country is an ISO 3166-1 code; an address in Indonesia needs one of its provinces and a
    five-digit postal code, one abroad may leave both empty (the form's province list is
    Indonesia's). Phones are stored as +<country code><number>. Raises ValidationFailed with
    an error for every field that is wrong.
    """
    values = {name: _text(data.get(name)) for name in ADDRESS_FIELDS}
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, [message])  # the first problem of a field is the one to fix

    required = {"recipient_name": _("Enter the recipient's name."), "phone": _("Enter a phone number."),
                "street": _("Enter the street address."), "city": _("Enter the regency or city."),
                "country": _("Choose a country.")}
    for name, message in required.items():
        if not values[name]:
            refuse(name, message)
    for name, value in values.items():
        if name == "country":  # checked against the list of codes below
            continue
        if len(value) > MAX_LENGTHS[name]:
            refuse(name, _("Use at most %(max)d characters.", max=MAX_LENGTHS[name]))
        elif any(unicodedata.category(char) == "Cc" for char in value):
            refuse(name, _("Remove the control characters."))

    country = values["country"].upper()
    if country and country not in COUNTRY_CODES:
        refuse("country", _("Choose a country."))
    values["country"] = country

    if values["phone"]:
        phone = normalise_phone(values["phone"])
        if phone is None:
            refuse("phone", _("Enter a phone number such as 0812 3456 7890, or +60 12 345 6789 abroad."))
        else:
            values["phone"] = phone

    province = _PROVINCE_BY_KEY.get(values["province"].casefold())
    postal_code = values["postal_code"].upper()
    if country == HOME_COUNTRY:
        postal_code = postal_code.replace(" ", "")
        if province is None:
            refuse("province", _("Choose a province of Indonesia."))
        else:
            values["province"] = province
        if not re.fullmatch(r"[1-9][0-9]{4}", postal_code):
            refuse("postal_code", _("Enter the five-digit postal code."))
    elif country:
        if province is not None:
            refuse("province", _("A province of Indonesia is only for an address in Indonesia."))
        if postal_code and not re.fullmatch(r"[A-Z0-9][A-Z0-9 -]{1,15}", postal_code):
            refuse("postal_code", _("Enter the postal code with letters, digits, spaces and hyphens only."))
    if "postal_code" not in errors:
        values["postal_code"] = postal_code

    if errors:
        raise ValidationFailed(_("Check the shipping address."), errors=errors)
    return values


class ShippingAddressSchema(ma.Schema):
    """A shipping address in a request; loading it returns clean_address's dict, and its errors
    are clean_address's field errors."""

    recipient_name = ma.fields.String(required=True, metadata={"minLength": 1, "maxLength": MAX_LENGTHS["recipient_name"]})
    phone = ma.fields.String(required=True, metadata={
        "minLength": 1, "maxLength": MAX_LENGTHS["phone"],
        "description": "Indonesian (0812…, 62812…, +62812…) or +<country code>…; answered as +62812…"})
    street = ma.fields.String(required=True, metadata={"minLength": 1, "maxLength": MAX_LENGTHS["street"]})
    city = ma.fields.String(required=True, metadata={
        "minLength": 1, "maxLength": MAX_LENGTHS["city"], "description": "Regency or city (kabupaten/kota)"})
    province = ma.fields.String(load_default="", metadata={
        "maxLength": MAX_LENGTHS["province"],
        "description": "For country ID one of Indonesia's provinces (as GET /api/v1/products' `province`); "
                       "abroad the state or region, or empty"})
    postal_code = ma.fields.String(load_default="", metadata={
        "maxLength": MAX_LENGTHS["postal_code"], "description": "Five digits in Indonesia; may be empty abroad"})
    country = ma.fields.String(required=True, metadata={
        "minLength": 2, "maxLength": 2, "description": "ISO 3166-1 alpha-2 code, e.g. ID"})

    @ma.post_load
    def clean(self, data, **kwargs):
        try:
            return clean_address(data)
        except ValidationFailed as error:
            raise ma.ValidationError(error.errors) from None


class ShippingAddressForm(CantingForm):
    """The address fields of a checkout page. After validate(), `cleaned` holds clean_address's
    dict; its refusals are shown on their fields."""

    recipient_name = StringField(_l("Recipient's name"), render_kw={
        "autocomplete": "shipping name", "maxlength": MAX_LENGTHS["recipient_name"]})
    phone = TelField(_l("Phone number"), description=_l("For the courier, e.g. 0812 3456 7890 (abroad: +60 12 345 6789)."),
                     render_kw={"autocomplete": "shipping tel", "maxlength": MAX_LENGTHS["phone"]})
    street = TextAreaField(_l("Street address"), description=_l("Street and house number, RT/RW, village and district."),
                           render_kw={"autocomplete": "shipping street-address", "rows": 2,
                                      "maxlength": MAX_LENGTHS["street"]})
    city = StringField(_l("Regency or city"), render_kw={
        "autocomplete": "shipping address-level2", "maxlength": MAX_LENGTHS["city"]})
    province = SelectField(_l("Province"), choices=select_choices([("", "—")] + [(p, p) for p in PROVINCES]),
                           description=_l("Outside Indonesia leave it empty and add the state or region to the city."),
                           render_kw={"autocomplete": "shipping address-level1"})
    postal_code = StringField(_l("Postal code"), render_kw={
        "autocomplete": "shipping postal-code", "maxlength": MAX_LENGTHS["postal_code"]})
    country = SelectField(_l("Country"), default=HOME_COUNTRY, render_kw={"autocomplete": "shipping country"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()  # named in the visitor's language
        self.cleaned: dict | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.cleaned = clean_address({name: self[name].data for name in ADDRESS_FIELDS})
        except ValidationFailed as error:
            apply_form_errors(self, error)
            return False
        return True
