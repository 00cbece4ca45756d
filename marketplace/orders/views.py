"""Pages of the cart, checkout, the buyer's orders and the seller's order queue.

(The lead's placeholder: routes named as the mails link to them; helper "v" builds the pages.)
"""
from flask import Blueprint, abort
from flask_login import login_required

bp = Blueprint("orders", __name__)


@bp.get("/orders/<number>")
@login_required
def order_detail(number):
    abort(404)


@bp.get("/orders/guest/<token>")
def guest_order(token):
    abort(404)


@bp.get("/dashboard/orders/<int:shop_order_id>")
@login_required
def seller_order(shop_order_id):
    abort(404)
