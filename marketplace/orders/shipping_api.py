"""JSON API: a seller's shipping rates, and any open shop's for the storefront."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.accounts.models import Role
from marketplace.accounts.policy import api_user, token_required
from marketplace.catalog.models import Shop
from marketplace.core.blueprints import Blueprint
from marketplace.core.errors import NotFound
from marketplace.core.fields import WholeNumber
from marketplace.extensions import db
from marketplace.orders import shipping
from marketplace.orders.models import Zone

blp = Blueprint("shipping-api", __name__, url_prefix="/api/v1", description="Shipping rates")
BEARER = [{"bearerAuth": []}]
ZONES = [zone.value for zone in Zone]


class RateIn(ma.Schema):
    zone = ma.fields.String(required=True, validate=ma.validate.OneOf(ZONES))
    offered = ma.fields.Boolean(load_default=True, metadata={
        "description": "Only `international` may be false: every shop ships anywhere in Indonesia"})
    base_fee = WholeNumber(required=True, validate=shipping.FEE_RANGE.schema_validator(),
                           metadata={"description": "Rupiah per parcel"})
    per_kg_fee = WholeNumber(required=True, validate=shipping.FEE_RANGE.schema_validator(),
                             metadata={"description": "Rupiah for every started kilogram"})


class RatesIn(ma.Schema):
    rates = ma.fields.List(ma.fields.Nested(RateIn), required=True,
                           validate=ma.validate.Length(min=1, max=len(ZONES)),
                           metadata={"description": "Zones left out keep their rate"})

    @ma.validates_schema(skip_on_field_errors=True)
    def each_zone_once(self, data, **kwargs):
        zones = [rate["zone"] for rate in data["rates"]]
        if len(set(zones)) != len(zones):
            raise ma.ValidationError(_("Give each zone once."), field_name="rates")


class RateOut(ma.Schema):
    zone = ma.fields.String(required=True, attribute="zone.value", metadata={"enum": ZONES})
    offered = ma.fields.Boolean(required=True)
    base_fee = ma.fields.Integer(required=True)
    per_kg_fee = ma.fields.Integer(required=True)


class ShopRatesOut(ma.Schema):
    shop = ma.fields.String(required=True, attribute="shop.slug", metadata={"description": "The shop's slug"})
    handling_days = ma.fields.Integer(required=True, attribute="shop.handling_days", metadata={
        "description": "Working days from payment until ready stock leaves with the courier"})
    rates = ma.fields.List(ma.fields.Nested(RateOut), required=True, metadata={
        "description": "Every zone; a parcel costs base_fee + per_kg_fee × started kilograms"})


def rates_of(shop: Shop, rates: dict | None = None) -> dict:
    return {"shop": shop, "rates": list((rates or shipping.rates_for(shop.id)).values())}


@blp.route("/shipping-rates")
class MyShippingRates(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.response(200, ShopRatesOut)
    def get(self):
        """Your shop's shipping rates for every zone"""
        return rates_of(shipping.own_shop(api_user()))

    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(RatesIn)
    @blp.response(200, ShopRatesOut)
    def put(self, data):
        """Set your shop's rates for the zones given (same_city, same_province, same_island_group,
        domestic, international)"""
        rates = shipping.set_shipping_rates(
            api_user(), {rate.pop("zone"): rate for rate in data["rates"]})
        return rates_of(shipping.own_shop(api_user()), rates)


@blp.route("/shops/<slug>/shipping-rates")
class ShopShippingRates(MethodView):
    @blp.response(200, ShopRatesOut)
    def get(self, slug):
        """An open shop's shipping rates, for a buyer's estimate"""
        shop = db.session.scalar(Shop.public().where(Shop.slug == slug))
        if shop is None:
            raise NotFound(_("Shop not found."))
        return rates_of(shop)
