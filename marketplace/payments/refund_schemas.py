"""JSON shapes of the refunds API."""
import marshmallow as ma

from marketplace.core.fields import UtcDateTime, WholeNumber
from marketplace.core.numbers import DATABASE_ID_RANGE
from marketplace.payments.refunds import MAX_REASON, RefundScope


class RefundItemIn(ma.Schema):
    order_item_id = WholeNumber(required=True, validate=DATABASE_ID_RANGE.schema_validator())
    quantity = WholeNumber(required=True, validate=ma.validate.Range(min=1, max=100_000))


class RefundIn(ma.Schema):
    """What to give back. Amounts are never sent: they follow from the items and shipping chosen."""
    scope = ma.fields.String(required=True, validate=ma.validate.OneOf([s.value for s in RefundScope]), metadata={
        "description": "order: everything not yet refunded; shop_order: one parcel's remaining items and its "
                       "shipping; items: the ITEMS given."})
    shop_order_id = WholeNumber(load_default=None, validate=DATABASE_ID_RANGE.schema_validator(),
                                metadata={"description": "The parcel, for scope shop_order."})
    items = ma.fields.List(ma.fields.Nested(RefundItemIn), load_default=list, validate=ma.validate.Length(max=200),
                           metadata={"description": "For scope items."})
    include_shipping = ma.fields.Boolean(load_default=False, metadata={
        "description": "Scope items: also refund the shipping of the parcels the items are in."})
    restock = ma.fields.Boolean(load_default=False, metadata={"description": "Put the refunded items back in stock."})
    reason = ma.fields.String(required=True, validate=[
        ma.validate.Length(min=1, max=MAX_REASON), ma.validate.Regexp(r"\S", error="Say why the money is given back.")],
        metadata={
        "description": "Mailed to the buyer and the sellers."})

    @ma.validates_schema
    def _scope_needs(self, data, **kwargs):
        if data.get("scope") == RefundScope.SHOP_ORDER.value and not data.get("shop_order_id"):
            raise ma.ValidationError("Required for scope shop_order.", "shop_order_id")
        if data.get("scope") == RefundScope.ITEMS.value:
            if not data.get("items"):
                raise ma.ValidationError("Required for scope items.", "items")


# What _scope_needs checks, stated in the OpenAPI document too, so that a client (or schemathesis)
# reading the schema knows which fields each scope requires.
SCOPE_RULES = [
    {"properties": {"scope": {"enum": [RefundScope.ORDER.value]}}},
    {"properties": {"scope": {"enum": [RefundScope.SHOP_ORDER.value]},
                    "shop_order_id": {"type": "integer", "minimum": 1}}, "required": ["shop_order_id"]},
    {"properties": {"scope": {"enum": [RefundScope.ITEMS.value]}, "items": {"type": "array", "minItems": 1}},
     "required": ["items"]},
]


def document_scope_rules(spec) -> None:
    """Add SCOPE_RULES to RefundIn's component of the API's OpenAPI SPEC (after registration)."""
    spec.components.schemas["RefundIn"]["oneOf"] = SCOPE_RULES


class RefundLineOut(ma.Schema):
    shop_order_id = ma.fields.Integer(required=True)
    order_item_id = ma.fields.Integer(allow_none=True, metadata={"description": "None: the parcel's shipping."})
    quantity = ma.fields.Integer(required=True)
    amount = ma.fields.Integer(required=True)


class RefundOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    order_id = ma.fields.Integer(required=True)
    amount = ma.fields.Integer(required=True, metadata={"description": "Whole rupiah."})
    status = ma.fields.String(required=True, metadata={"description": "pending, succeeded or failed"})
    reason = ma.fields.String(required=True)
    restock = ma.fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)
    settled_at = UtcDateTime(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(RefundLineOut), required=True)
