"""JSON API for refunds: an admin refunds an order; the buyer and admins list its refunds."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.accounts.policy import api_user, token_required
from marketplace.core.blueprints import Blueprint
from marketplace.payments import refunds
from marketplace.payments.refund_schemas import RefundIn, RefundOut

blp = Blueprint("payments-refunds-api", __name__, url_prefix="/api/v1", description="Refunds")
BEARER = [{"bearerAuth": []}]


@blp.route("/orders/<int:order_id>/refunds")
class OrderRefunds(MethodView):
    @token_required()
    @blp.doc(security=BEARER)
    @blp.response(200, RefundOut(many=True))
    def get(self, order_id):
        """The order's refunds, oldest first (the buyer's own order, any order for an admin)"""
        _order, found = refunds.refunds_for(api_user(), order_id)
        return found

    @token_required(Role.ADMIN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(RefundIn)
    @blp.response(201, RefundOut)
    def post(self, data, order_id):
        """Admin: give money back from the order's payment.

        Never more than was paid: each item's quantity at most what is left of it, a parcel's
        shipping once. A card refund goes to Stripe (its status may stay pending until Stripe
        reports); a bank-transfer refund is made by hand and recorded as succeeded."""
        refund = refunds.refund_order(
            api_user(), order_id, scope=data["scope"], shop_order_id=data["shop_order_id"],
            items=_quantities(data["items"]),
            include_shipping=data["include_shipping"], restock=data["restock"], reason=data["reason"])
        return refund, 201, {"Location": url_for("payments-refunds-api.OrderRefunds", order_id=order_id)}


def _quantities(items: list[dict]) -> dict[int, int]:
    """{order item id: quantity}; an item named twice counts with both quantities."""
    wanted: dict[int, int] = {}
    for item in items:
        wanted[item["order_item_id"]] = wanted.get(item["order_item_id"], 0) + item["quantity"]
    return wanted
