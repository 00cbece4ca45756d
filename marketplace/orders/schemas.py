"""JSON shapes of the orders API."""
import marshmallow as ma

from marketplace.core.fields import UtcDateTime, WholeNumber
from marketplace.core.numbers import DATABASE_ID_RANGE
from marketplace.orders.address import ShippingAddressSchema
from marketplace.orders.cart import MAX_QUANTITY
from marketplace.core.pagination import PageQuery
from marketplace.orders.models import COURIERS, ShopOrderStatus


class OrderItemIn(ma.Schema):
    class Meta:
        # A client that sends a price (or anything else) is not refused, and never believed:
        # prices are read from the catalogue.
        unknown = ma.EXCLUDE

    variant_id = WholeNumber(required=True, validate=DATABASE_ID_RANGE.schema_validator())
    quantity = WholeNumber(required=True, validate=ma.validate.Range(min=1, max=MAX_QUANTITY))


class OrderIn(ma.Schema):
    """A checkout. Prices are never sent: the server reads them from the catalogue."""
    items = ma.fields.List(ma.fields.Nested(OrderItemIn), required=True, validate=ma.validate.Length(min=1, max=50))
    shipping_address = ma.fields.Nested(ShippingAddressSchema, required=True)
    email = ma.fields.Email(metadata={"description": "Required for a guest (no bearer token)."})
    locale = ma.fields.String(load_default="id", validate=ma.validate.OneOf(["id", "en"]), metadata={
        "description": "A guest's language for the order mail (a signed-in buyer's account language wins)."})


class OrderItemOut(ma.Schema):
    variant_id = ma.fields.Integer(required=True)
    product_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    variant_name = ma.fields.String(required=True)
    unit_price = ma.fields.Integer(required=True)
    quantity = ma.fields.Integer(required=True)
    line_total = ma.fields.Integer(required=True)
    made_to_order = ma.fields.Boolean(required=True)


class ShopOrderOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    shop = ma.fields.Function(lambda so: {"name": so.shop.name, "slug": so.shop.slug}, required=True)
    status = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(OrderItemOut), required=True)
    items_total = ma.fields.Integer(required=True)
    shipping_fee = ma.fields.Integer(required=True)
    shipping_zone = ma.fields.String(required=True)
    weight_g = ma.fields.Integer(required=True)
    ship_by = ma.fields.Date(required=True)
    courier = ma.fields.String(allow_none=True)
    tracking_number = ma.fields.String(allow_none=True)
    shipped_at = UtcDateTime(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)


class AddressOut(ma.Schema):
    recipient_name = ma.fields.String()
    phone = ma.fields.String()
    street = ma.fields.String()
    city = ma.fields.String()
    province = ma.fields.String()
    postal_code = ma.fields.String()
    country = ma.fields.String()


class OrderOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    items_total = ma.fields.Integer(required=True)
    shipping_total = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    currency = ma.fields.Constant("IDR")
    created_at = UtcDateTime(required=True)
    payment_due_at = UtcDateTime(required=True)
    paid_at = UtcDateTime(allow_none=True)
    shipping_address = ma.fields.Function(lambda order: AddressOut().dump(order), required=True)
    shop_orders = ma.fields.List(ma.fields.Nested(ShopOrderOut), required=True)


class ShipIn(ma.Schema):
    courier = ma.fields.String(required=True, validate=ma.validate.OneOf(COURIERS))
    tracking_number = ma.fields.String(required=True, validate=ma.validate.Length(min=6, max=60))


class CancelIn(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class ShopOrderQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in ShopOrderStatus]))
