"""JSON API for checkout, orders and the sellers' fulfilment."""
from __future__ import annotations

from flask import abort, request, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate

from marketplace.accounts.models import Role
from marketplace.accounts.policy import api_user, bearer_token, token_required
from marketplace.core.blueprints import Blueprint
from marketplace.core.errors import ValidationFailed
from marketplace.core.pagination import page_envelope, paginate
from marketplace.orders import services
from marketplace.orders.schemas import CancelIn, OrderIn, OrderOut, ShipIn, ShopOrderOut, ShopOrderQuery

blp = Blueprint("orders-api", __name__, url_prefix="/api/v1", description="Checkout, orders and fulfilment")
BEARER = [{"bearerAuth": []}]


@blp.route("/orders")
class Orders(MethodView):
    @blp.doc(security=[{}, *BEARER], parameters=[{
        "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"},
        "description": "Repeat a checkout safely: the same key returns the first order.",
    }])
    @blp.arguments(OrderIn)
    @blp.response(201, OrderOut)
    @blp.alt_response(200, schema=OrderOut, description="An earlier order with the same Idempotency-Key")
    def post(self, data):
        """Check out: one order split into a shop order per shop, waiting for payment.

        With a bearer token the order is the token owner's; without one, `email` is required
        (a guest, who gets a secret link to the order by mail)."""
        buyer = api_user()
        if buyer is None and bearer_token():
            abort(401, description=_("A valid bearer token is required."), www_authenticate=WWWAuthenticate("bearer"))
        if buyer is None and not data.get("email"):
            raise ValidationFailed(_("Enter the email address we send your order to."), field="email")
        placed = services.place_order(
            buyer, items=data["items"], shipping_address=data["shipping_address"], email=data.get("email"),
            idempotency_key=request.headers.get("Idempotency-Key"),
            locale=data["locale"],
        )
        status = 201 if placed.created else 200
        return placed.order, status, {"Location": url_for("orders-api.OrderById", order_id=placed.order.id)}


@blp.route("/orders/<int:order_id>")
class OrderById(MethodView):
    @token_required()
    @blp.doc(security=BEARER)
    @blp.response(200, OrderOut)
    def get(self, order_id):
        """An order of yours (any order, for an admin)"""
        return services.order_for(api_user(), order_id)


@blp.route("/shop-orders")
class ShopOrders(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ShopOrderQuery, location="query")
    @blp.response(200, page_envelope(ShopOrderOut, "ShopOrderPage"))
    def get(self, args):
        """Your shop's orders, the most urgent first: paid and being prepared by ship-by date, then the rest"""
        body, headers = paginate(services.shop_orders_query(api_user(), args.get("status")),
                                 args["page"], args["per_page"])
        return body, 200, headers


@blp.route("/shop-orders/<int:shop_order_id>/processing")
class ShopOrderProcessing(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.response(200, ShopOrderOut)
    def post(self, shop_order_id):
        """Mark a paid order of your shop as being prepared"""
        return services.mark_processing(api_user(), shop_order_id)


@blp.route("/shop-orders/<int:shop_order_id>/ship")
class ShopOrderShip(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ShipIn)
    @blp.response(200, ShopOrderOut)
    def post(self, data, shop_order_id):
        """Ship a paid order of your shop with a courier and tracking number"""
        return services.ship_shop_order(api_user(), shop_order_id, **data)


@blp.route("/shop-orders/<int:shop_order_id>/cancel")
class ShopOrderCancel(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(CancelIn)
    @blp.response(200, ShopOrderOut)
    def post(self, data, shop_order_id):
        """Cancel your shop's part of an order before shipping, saying why (stock returns)"""
        return services.seller_cancel(api_user(), shop_order_id, reason=data["reason"])
