"""Shipping: which zone a parcel travels to, what the shop charges for it, and the seller's rates.

Each shop prices five zones (orders/models.py Zone) as a base fee plus a fee per started
kilogram. A shop that never saved its rates uses DEFAULT_RATES; a saved row overrides its zone.
Checkout calls quote() per shop; the product page calls estimate(), which knows the buyer's
province but not their city.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.catalog.models import Shop
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.i18n import format_rupiah
from marketplace.core.numbers import IntRange
from marketplace.core.regions import PROVINCES
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.orders.address import COUNTRY_CODES, HOME_COUNTRY
from marketplace.orders.models import ShippingRate, Zone

# Whole rupiah. Rp 10 million per parcel or per kilogram is far above any courier's price, so a
# larger figure is a typing slip.
FEE_RANGE = IntRange(0, 10_000_000)

ISLAND_GROUP_LABELS = {
    "sumatra": _l("Sumatra"),
    "java_bali": _l("Java and Bali"),
    "kalimantan": _l("Kalimantan"),
    "sulawesi": _l("Sulawesi"),
    "nusa_tenggara": _l("Nusa Tenggara"),
    "maluku_papua": _l("Maluku and Papua"),
}
# Couriers price by these groups: a parcel that stays on one island group crosses no sea lane
# (or a short one, as Java to Bali or Sumatra to Bangka).
ISLAND_GROUPS = {
    "Aceh": "sumatra", "Sumatera Utara": "sumatra", "Sumatera Barat": "sumatra", "Riau": "sumatra",
    "Kepulauan Riau": "sumatra", "Jambi": "sumatra", "Bengkulu": "sumatra", "Sumatera Selatan": "sumatra",
    "Kepulauan Bangka Belitung": "sumatra", "Lampung": "sumatra",
    "Banten": "java_bali", "DKI Jakarta": "java_bali", "Jawa Barat": "java_bali", "Jawa Tengah": "java_bali",
    "DI Yogyakarta": "java_bali", "Jawa Timur": "java_bali", "Bali": "java_bali",
    "Nusa Tenggara Barat": "nusa_tenggara", "Nusa Tenggara Timur": "nusa_tenggara",
    "Kalimantan Barat": "kalimantan", "Kalimantan Tengah": "kalimantan", "Kalimantan Selatan": "kalimantan",
    "Kalimantan Timur": "kalimantan", "Kalimantan Utara": "kalimantan",
    "Sulawesi Utara": "sulawesi", "Gorontalo": "sulawesi", "Sulawesi Tengah": "sulawesi",
    "Sulawesi Barat": "sulawesi", "Sulawesi Selatan": "sulawesi", "Sulawesi Tenggara": "sulawesi",
    "Maluku": "maluku_papua", "Maluku Utara": "maluku_papua", "Papua": "maluku_papua",
    "Papua Barat": "maluku_papua", "Papua Barat Daya": "maluku_papua", "Papua Tengah": "maluku_papua",
    "Papua Pegunungan": "maluku_papua", "Papua Selatan": "maluku_papua",
}

ZONE_LABELS = {
    Zone.SAME_CITY: _l("Same regency or city"),
    Zone.SAME_PROVINCE: _l("Same province"),
    Zone.SAME_ISLAND_GROUP: _l("Same island group"),
    Zone.DOMESTIC: _l("Rest of Indonesia"),
    Zone.INTERNATIONAL: _l("Abroad"),
}


@dataclass(frozen=True)
class Rate:
    """What a shop charges for one zone: base_fee plus per_kg_fee for every started kilogram."""

    zone: Zone
    offered: bool
    base_fee: int
    per_kg_fee: int


# A new shop's rates: round figures of the order of regular courier services (1 kg costs
# Rp 15 000 in town, Rp 50 000 across Indonesia), for each seller to adjust. Abroad is off until
# the seller turns it on; its figures are only what the seller's form starts from.
DEFAULT_RATES = {
    Zone.SAME_CITY: Rate(Zone.SAME_CITY, True, 10_000, 5_000),
    Zone.SAME_PROVINCE: Rate(Zone.SAME_PROVINCE, True, 15_000, 8_000),
    Zone.SAME_ISLAND_GROUP: Rate(Zone.SAME_ISLAND_GROUP, True, 20_000, 12_000),
    Zone.DOMESTIC: Rate(Zone.DOMESTIC, True, 30_000, 20_000),
    Zone.INTERNATIONAL: Rate(Zone.INTERNATIONAL, False, 100_000, 250_000),
}
# Only shipping abroad may be switched off: every shop ships anywhere in Indonesia.
OPTIONAL_ZONES = frozenset({Zone.INTERNATIONAL})

# "Kota Kotabaru" and "Kabanjahe" keep their own "kota" and "kab": a prefix ends in a space or a dot.
_PLACE_PREFIX = re.compile(r"^(?:kota|kabupaten|kab\.|kab)(?:\s+|(?<=\.))(?:administrasi\s+|adm\.\s*)?")


def place_key(name: str | None) -> str:
    """A regency or city name as the same-city rule compares it: "Kota Palembang", "palembang"
    and "Kab. Pangkal Pinang" read as "palembang" and "pangkalpinang"."""
    text = (name or "").casefold().strip()
    return re.sub(r"\s+", "", _PLACE_PREFIX.sub("", text))


def _value(address, name: str) -> str:
    """ADDRESS's NAME, whether it is a mapping (a cleaned address) or an object (an Order)."""
    value = address.get(name) if isinstance(address, Mapping) else getattr(address, name, None)
    return (value or "").strip()


def _zone(shop: Shop, *, country: str, province: str, city: str | None) -> Zone:
    if country.upper() != HOME_COUNTRY:
        return Zone.INTERNATIONAL
    if province == shop.province:
        if city is not None and place_key(city) and place_key(city) == place_key(shop.city):
            return Zone.SAME_CITY
        return Zone.SAME_PROVINCE
    group = ISLAND_GROUPS.get(province)
    if group is not None and group == ISLAND_GROUPS.get(shop.province):
        return Zone.SAME_ISLAND_GROUP
    return Zone.DOMESTIC


def zone_for(shop: Shop, address) -> Zone:
    """The zone of a parcel from SHOP to ADDRESS (a cleaned address dict, or anything with
    country, province and city attributes, such as an Order)."""
    return _zone(shop, country=_value(address, "country"), province=_value(address, "province"),
                 city=_value(address, "city"))


def rates_for(shop_id: int) -> dict[Zone, Rate]:
    """The shop's rate for every zone, in Zone order: its saved rows, DEFAULT_RATES for the rest."""
    rows = db.session.scalars(sa.select(ShippingRate).where(ShippingRate.shop_id == shop_id)).all()
    saved = {Zone(row.zone): Rate(Zone(row.zone), row.offered, row.base_fee, row.per_kg_fee) for row in rows}
    return {zone: saved.get(zone, DEFAULT_RATES[zone]) for zone in Zone}


def charged_kilograms(weight_g: int) -> int:
    """Every started kilogram counts, and a parcel counts at least one: 1 g and 1000 g are 1 kg,
    1001 g is 2 kg."""
    return max(1, -(-weight_g // 1000))


def shipping_fee(rate: Rate, weight_g: int) -> int:
    """The fee in whole rupiah for a parcel of WEIGHT_G grams at RATE."""
    return rate.base_fee + rate.per_kg_fee * charged_kilograms(weight_g)


def _refusal(shop: Shop, zone: Zone) -> ValidationFailed:
    if zone is Zone.INTERNATIONAL:
        message = _("%(shop)s does not ship abroad.", shop=shop.name)
    else:
        message = _("%(shop)s does not ship to this address.", shop=shop.name)
    return ValidationFailed(message, field="country")


def quote(shop: Shop, address, weight_g: int) -> tuple[Zone, int]:
    """The zone and the fee of SHOP's parcel of WEIGHT_G grams to ADDRESS (a cleaned address).

    Raises ValidationFailed (field "country") when the shop does not ship to that zone.
    """
    zone = zone_for(shop, address)
    rate = rates_for(shop.id)[zone]
    if not rate.offered:
        raise _refusal(shop, zone)
    return zone, shipping_fee(rate, weight_g)


def estimate(shop: Shop, province: str | None, country: str, weight_g: int) -> tuple[Zone, int | None]:
    """The shipping a buyer can expect on a product page, where only their province (or country)
    is known: a buyer in the shop's province gets the same-province rate, never the same-city one.

    The fee is None when the shop does not ship to that zone. Raises ValidationFailed for an
    unknown country code, or for Indonesia without one of its provinces.
    """
    country = (country or "").strip().upper()
    province = (province or "").strip()
    if country not in COUNTRY_CODES:
        raise ValidationFailed(_("Choose a country."), field="country")
    if country == HOME_COUNTRY and province not in PROVINCES:
        raise ValidationFailed(_("Choose a province of Indonesia."), field="province")
    zone = _zone(shop, country=country, province=province, city=None)
    rate = rates_for(shop.id)[zone]
    return zone, shipping_fee(rate, weight_g) if rate.offered else None


def own_shop(artisan: User) -> Shop:
    """The artisan's shop. Raises NotFound when they have none."""
    shop = db.session.scalar(sa.select(Shop).where(Shop.owner_id == artisan.id))
    if shop is None:
        raise NotFound(_("You have no shop yet."))
    return shop


def _checked_rate(zone: Zone, spec: Mapping) -> tuple[Rate | None, dict]:
    errors: dict[str, list[str]] = {}
    offered = spec.get("offered", True)
    if not isinstance(offered, bool):
        errors["offered"] = [_("Say whether you ship to this zone.")]
    elif not offered and zone not in OPTIONAL_ZONES:
        errors["offered"] = [_("Every shop ships anywhere in Indonesia; only shipping abroad can be switched off.")]
    for name in ("base_fee", "per_kg_fee"):
        if spec.get(name) not in FEE_RANGE:
            errors[name] = [_("Enter a whole number of rupiah from %(min)s to %(max)s.",
                              min=format_rupiah(FEE_RANGE.minimum), max=format_rupiah(FEE_RANGE.maximum))]
    if errors:
        return None, errors
    return Rate(zone, offered, spec["base_fee"], spec["per_kg_fee"]), {}


def set_shipping_rates(artisan: User, rates: Mapping) -> dict[Zone, Rate]:
    """The artisan sets their own shop's rates. RATES maps a zone (Zone or its value) to
    {base_fee, per_kg_fee, offered}; offered may be left out (True) and only shipping abroad may
    be False. Zones left out keep their rate. Returns the shop's rates for every zone.

    Raises NotFound (no shop), ValidationFailed (errors under "rates" → zone → field),
    Conflict (the same rates saved twice at the same moment).
    """
    shop = own_shop(artisan)
    checked: dict[Zone, Rate] = {}
    errors: dict[str, dict] = {}
    for key, spec in rates.items():
        try:
            zone = Zone(key)
        except ValueError:
            raise ValidationFailed(_("Unknown shipping zone: %(zone)s.", zone=key), field="rates") from None
        rate, zone_errors = _checked_rate(zone, spec if isinstance(spec, Mapping) else {})
        if zone_errors:
            errors[zone.value] = zone_errors
        else:
            checked[zone] = rate
    if errors:
        raise ValidationFailed(_("Check the shipping rates."), errors={"rates": errors})

    rows = {row.zone: row for row in db.session.scalars(
        sa.select(ShippingRate).where(ShippingRate.shop_id == shop.id))}
    for zone, rate in checked.items():
        row = rows.get(zone.value)
        if row is None:
            row = ShippingRate(shop_id=shop.id, zone=zone.value)
            db.session.add(row)
        row.offered, row.base_fee, row.per_kg_fee = rate.offered, rate.base_fee, rate.per_kg_fee
    try:
        commit()
    except sa.exc.IntegrityError:
        # Two first saves at once both inserted the shop's row for a zone: the other one won.
        raise Conflict(_("Your rates were being saved twice at once. Reload the page and check them.")) from None
    return rates_for(shop.id)
