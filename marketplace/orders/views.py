"""Pages of the cart, the checkout, the buyer's orders, the seller's order queue and packing
slips, and the admin's order list.

A guest's cart is a dict in the session (cart.py's `guest_cart`); a signed-in buyer's is stored,
and the guest's joins it at sign-in (merge_cart_at_sign_in).
"""
from __future__ import annotations

from flask import (
    Blueprint, current_app, flash, has_request_context, redirect, render_template, request, session, url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, user_logged_in
from sqlalchemy.exc import SQLAlchemyError

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import CantingError, InvalidTransition, OutOfStock, ValidationFailed
from marketplace.core.forms import apply_form_errors
from marketplace.core.pagination import paginate
from marketplace.core.i18n import format_moment, format_rupiah
from marketplace.core.security import is_safe_redirect, referrer_policy
from marketplace.orders import cart, queries, review, services, shipping
from marketplace.orders.address import ADDRESS_FIELDS
from marketplace.orders.forms import (
    AddToCartForm, CartQuantityForm, CheckoutForm, SellerCancelForm, ShipForm, StatusFilterForm,
)
from marketplace.orders.models import OrderStatus, ShopOrderStatus

bp = Blueprint("orders", __name__)
SESSION_CART_KEY = "cart"


@bp.record_once
def _connect_signals(state) -> None:
    user_logged_in.connect(merge_cart_at_sign_in, sender=state.app)


def merge_cart_at_sign_in(app, user, **_extra) -> None:
    """What a guest put in the cart before signing in joins the account's cart."""
    cart.merge_guest_cart(user, session.get(SESSION_CART_KEY))
    session.modified = True


@bp.after_request
def _no_store(response):
    # Carts, addresses and orders are personal: neither the browser nor a proxy keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def _cart_context() -> dict:
    if not has_request_context():  # a mail rendered by a service or a job: no visitor, no cart
        return {}
    return {"cart_count": _cart_count(), "add_to_cart_form": add_to_cart_form}


@bp.app_template_filter("country_name")
def country_name(code: str) -> str:
    """A country's name in the visitor's language, from its ISO code."""
    return get_locale().territories.get(code, code)


def _cart_count() -> int | None:
    try:
        return cart.cart_count(_buyer(), session.get(SESSION_CART_KEY))
    except SQLAlchemyError:
        # An error page must still render when the database is what failed: no count then.
        current_app.logger.warning("Cart count unavailable", exc_info=True)
        return None


def _buyer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _cart_to_change():
    """(buyer, guest cart) for a cart service that changes the cart."""
    buyer = _buyer()
    if buyer is not None:
        return buyer, None
    session.modified = True  # the nested dict changes, which the session cannot see
    return None, session.setdefault(SESSION_CART_KEY, {})


# --- add to cart (the product page) ---------------------------------------------------------

def add_to_cart_form(product) -> AddToCartForm:
    """The product page's form: each live variant with its price and when it can ship."""
    form = AddToCartForm(formdata=None)
    choices = []
    for variant in product.live_variants:
        units = variant.available
        price = format_rupiah(variant.effective_price)
        # The same words as the catalogue's list of sizes (shown there while nothing can be bought).
        if variant.made_to_order:
            when = (ngettext("Made to order: ships about %(num)d day after payment",
                             "Made to order: ships about %(num)d days after payment", variant.lead_time_days)
                    if units else _("Fully booked for now"))
        else:
            when = _("Ready stock: %(num)s", num=units) if units else _("Sold out")
        choices.append((variant.id, f"{variant.name} · {price} · {when}", units > 0))
    form.set_variants(choices)
    return form


@bp.post("/cart/add")
def add_to_cart():
    form = AddToCartForm()
    back = form.next.data if is_safe_redirect(form.next.data) else url_for("orders.cart_page")
    if not form.validate():
        flash(_("Choose a variant and a quantity from 1 to %(max)d.", max=cart.MAX_QUANTITY), "error")
        return redirect(back)
    try:
        in_cart = cart.add_to_cart(*_cart_to_change(), form.variant_id.data, form.quantity.data)
    except CantingError as error:  # not for sale any more, too few left, a bad quantity
        flash(error.message, "error")
    else:
        flash(_("Added to your cart (%(count)d of this item in it now).", count=in_cart), "success")
    return redirect(back)


# --- the cart -------------------------------------------------------------------------------

@bp.get("/cart")
def cart_page():
    buyer = _buyer()
    view = cart.view_cart(buyer, session.get(SESSION_CART_KEY))
    destination = queries.last_order_of(buyer) if buyer is not None else None
    return render_template("orders/cart.html", view=view, destination=destination,
                           estimate=review.estimate_cart(view, destination), reasons=attention_reasons(view),
                           max_quantity=cart.MAX_QUANTITY)


def attention_reasons(view: cart.CartView) -> list[str]:
    """Why the cart cannot go to checkout yet, one sentence per kind of problem."""
    reasons = []
    if any(line.price_changed for line in view.lines):
        reasons.append(_("A price changed since you added the item: accept the new price or remove it."))
    if any(line.short for line in view.lines):
        reasons.append(_("Fewer units are left than you chose: lower the quantity or remove the item."))
    if view.gone:
        reasons.append(_("An item is no longer available: remove it."))
    return reasons


@bp.post("/cart/<int:variant_id>")
def cart_quantity(variant_id: int):
    form = CartQuantityForm()
    if not form.validate():
        flash(_("Choose a quantity from 0 to %(max)d.", max=cart.MAX_QUANTITY), "error")
        return redirect(url_for("orders.cart_page"))
    try:
        cart.set_cart_quantity(*_cart_to_change(), variant_id, form.quantity.data)
    except CantingError as error:
        flash(error.message, "error")
    else:
        flash(_("Cart updated.") if form.quantity.data else _("Removed from your cart."), "success")
    return redirect(url_for("orders.cart_page"))


@bp.post("/cart/<int:variant_id>/remove")
def cart_remove(variant_id: int):
    cart.remove_from_cart(*_cart_to_change(), variant_id)
    flash(_("Removed from your cart."), "success")
    return redirect(url_for("orders.cart_page"))


# --- checkout -------------------------------------------------------------------------------

@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    """Address (and a guest's email) → each shop's shipping and the total → "Place order".

    The order is placed only when the totals are those the buyer last saw on this page; if the
    address or a price changed meanwhile, the page shows the new totals first.
    """
    buyer = _buyer()
    view = cart.view_cart(buyer, session.get(SESSION_CART_KEY))
    form = CheckoutForm.for_buyer(buyer is not None, **_prefill(buyer))
    placing = request.form.get("action") == "place"
    if placing and view.is_empty:
        return _place(form, buyer)  # a repeated "Place order" after the cart was emptied
    if view.is_empty:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("orders.cart_page"))
    if view.needs_attention:
        flash(_("Some items in your cart need your attention first."), "error")
        return redirect(url_for("orders.cart_page"))
    quote = None
    if form.validate_on_submit():
        quote = review.review_cart(view, form.cleaned)
        if placing and quote.can_place and form.reviewed.data == quote.digest:
            return _place(form, buyer, view)
        if placing and quote.can_place:
            flash(_("The shipping or a price has changed: check the totals, then place the order."), "warning")
        form.reviewed.data = quote.digest
    return _checkout_page(form, view, quote)


def _checkout_page(form: CheckoutForm, view: cart.CartView, quote: review.Review | None):
    return render_template("orders/checkout.html", form=form, view=view, quote=quote, zone_labels=shipping.ZONE_LABELS)


def _prefill(buyer) -> dict:
    """A signed-in buyer's form starts from their last order's address."""
    if request.method != "GET" or buyer is None:
        return {}
    last = queries.last_order_of(buyer)
    if last is None:
        return {"data": {"recipient_name": buyer.name}}
    return {"data": {name: getattr(last, name) for name in ADDRESS_FIELDS}}


def _place(form: CheckoutForm, buyer, view: cart.CartView | None = None):
    items = [{"variant_id": line.variant_id, "quantity": line.quantity} for line in (view.lines if view else [])]
    address = form.cleaned or {name: form[name].data for name in ADDRESS_FIELDS}
    try:
        placed = services.place_order(
            buyer, items=items, shipping_address=address,
            email=form.email.data if buyer is None else None,
            idempotency_key=form.idempotency_key.data, locale=str(get_locale()),
        )
    except OutOfStock as error:
        flash(error.message + " " + _("Nothing was ordered; please check your cart."), "error")
        return redirect(url_for("orders.cart_page"))
    except ValidationFailed as error:
        if "items" in (error.errors or {}):
            flash(error.message, "error")
            return redirect(url_for("orders.cart_page"))
        apply_form_errors(form, error)
        return _checkout_page(form, view or cart.CartView([], []), None)
    order = placed.order
    if placed.created:
        flash(_("Thank you! Order %(number)s is placed. Please pay by %(time)s.", number=order.number,
                time=format_moment(order.payment_due_at)), "success")
    if buyer is not None:
        return redirect(url_for("payments.pay", number=order.number))
    session[SESSION_CART_KEY] = {}
    return redirect(url_for("payments.guest_pay", token=services.guest_token(order)))


# --- the buyer's orders ---------------------------------------------------------------------

@bp.get("/orders")
@login_required
def order_list():
    return render_template("orders/order_list.html", orders=services.orders_of(current_user),
                           status_label=services.status_label)


@bp.get("/orders/<number>")
@login_required
def order_detail(number):
    order = services.order_for_number(current_user, number)
    return _order_page(order, lambda **kw: url_for("orders.order_action", number=order.number, **kw),
                       pay_url=url_for("payments.pay", number=order.number))


@bp.get("/orders/guest/<token>")
@referrer_policy("no-referrer")
def guest_order(token):
    order = services.order_for_guest_token(token)
    response = current_app.make_response(
        _order_page(order, lambda **kw: url_for("orders.guest_order_action", token=token, **kw), guest=True,
                    pay_url=url_for("payments.guest_pay", token=token)))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _order_page(order, action_url, guest: bool = False, pay_url: str | None = None):
    return render_template("orders/order.html", order=order, action_url=action_url, guest=guest, pay_url=pay_url,
                           is_late=services.is_late, status_label=services.status_label)


@bp.post("/orders/<number>/cancel")
@bp.post("/orders/<number>/parcels/<int:shop_order_id>/<any(cancel, delivered):action>")
@login_required
def order_action(number, shop_order_id=None, action="cancel"):
    order = services.order_for_number(current_user, number)
    _buyer_action(order, shop_order_id, action)
    return redirect(url_for("orders.order_detail", number=order.number))


@bp.post("/orders/guest/<token>/cancel")
@bp.post("/orders/guest/<token>/parcels/<int:shop_order_id>/<any(cancel, delivered):action>")
@referrer_policy("no-referrer")
def guest_order_action(token, shop_order_id=None, action="cancel"):
    order = services.order_for_guest_token(token)
    _buyer_action(order, shop_order_id, action)
    return redirect(url_for("orders.guest_order", token=token))


def _buyer_action(order, shop_order_id: int | None, action: str) -> None:
    """Cancel the whole order or one parcel, or confirm a parcel's delivery; a refused change
    is a message on the order page."""
    try:
        if action == "delivered":
            shop_order = services.confirm_delivery(order, shop_order_id)
            flash(_("Thank you: the parcel from %(shop)s is marked delivered.", shop=shop_order.shop.name), "success")
        elif shop_order_id is None:
            services.buyer_cancel(order)
            flash(_("Order %(number)s is cancelled.", number=order.number), "success")
        else:
            services.buyer_cancel(order, shop_order_id)
            flash(_("The parcel is cancelled; its amount will be refunded."), "success")
    except InvalidTransition as error:
        flash(error.message, "error")


# --- the seller's orders --------------------------------------------------------------------

def _status_filter(statuses) -> tuple[StatusFilterForm, str | None]:
    form = StatusFilterForm({s.value: services.status_label(s.value) for s in statuses}, formdata=request.args)
    return form, (form.status.data or None) if form.validate() else None


@bp.get("/dashboard/orders")
@roles_required(Role.ARTISAN.value)
def seller_orders():
    filter_form, status = _status_filter(ShopOrderStatus)
    return render_template("orders/seller_orders.html", shop_orders=services.shop_orders_of(current_user, status),
                           filter_form=filter_form, is_late=services.is_late, status_label=services.status_label)


@bp.get("/dashboard/orders/<int:shop_order_id>")
@roles_required(Role.ARTISAN.value)
def seller_order(shop_order_id: int):
    return _seller_order_page(services.shop_order_for_seller(current_user, shop_order_id))


def _seller_order_page(shop_order, ship_form: ShipForm | None = None, cancel_form: SellerCancelForm | None = None):
    return render_template(
        "orders/seller_order.html", shop_order=shop_order, order=shop_order.order,
        ship_form=ship_form or ShipForm(formdata=None), cancel_form=cancel_form or SellerCancelForm(formdata=None),
        is_late=services.is_late(shop_order), status_label=services.status_label,
    )


@bp.post("/dashboard/orders/<int:shop_order_id>/processing")
@roles_required(Role.ARTISAN.value)
def seller_processing(shop_order_id: int):
    try:
        services.mark_processing(current_user, shop_order_id)
    except InvalidTransition as error:
        flash(error.message, "error")
    else:
        flash(_("Marked as being prepared."), "success")
    return redirect(url_for("orders.seller_order", shop_order_id=shop_order_id))


def _seller_form_action(shop_order_id: int, form, act, form_name: str):
    """Run ACT (a service call returning the success message) for a seller's form on the order
    page: a refused move is flashed, field errors go back on the form, success is flashed."""
    if form.validate():
        try:
            message = act()
        except InvalidTransition as error:
            flash(error.message, "error")
            return redirect(url_for("orders.seller_order", shop_order_id=shop_order_id))
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            flash(message, "success")
            return redirect(url_for("orders.seller_order", shop_order_id=shop_order_id))
    return _seller_order_page(services.shop_order_for_seller(current_user, shop_order_id), **{form_name: form})


@bp.post("/dashboard/orders/<int:shop_order_id>/ship")
@roles_required(Role.ARTISAN.value)
def seller_ship(shop_order_id: int):
    form = ShipForm()

    def ship():
        shop_order = services.ship_shop_order(current_user, shop_order_id, courier=form.courier.data,
                                              tracking_number=form.tracking_number.data)
        return _("Shipped with %(courier)s, tracking number %(number)s. We have mailed the buyer.",
                 courier=shop_order.courier_label, number=shop_order.tracking_number)

    return _seller_form_action(shop_order_id, form, ship, "ship_form")


@bp.post("/dashboard/orders/<int:shop_order_id>/cancel")
@roles_required(Role.ARTISAN.value)
def seller_cancel(shop_order_id: int):
    form = SellerCancelForm()

    def cancel():
        services.seller_cancel(current_user, shop_order_id, reason=form.reason.data)
        return _("Cancelled. The items are back in your stock and the buyer has been told why.")

    return _seller_form_action(shop_order_id, form, cancel, "cancel_form")


@bp.get("/dashboard/orders/<int:shop_order_id>/packing-slip")
@roles_required(Role.ARTISAN.value)
def packing_slip(shop_order_id: int):
    size = "a6" if request.args.get("size") == "a6" else "a4"
    return render_template("orders/packing_slip.html", shop_order=services.shop_order_for_seller(current_user, shop_order_id),
                           size=size)


# --- the admin's order list -----------------------------------------------------------------

ADMIN_PER_PAGE = 50


@bp.get("/admin/orders")
@roles_required(Role.ADMIN.value)
def admin_orders():
    filter_form, status = _status_filter(OrderStatus)
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) <= 100_000 else 1
    body, _headers = paginate(queries.orders_newest_first(status), page, ADMIN_PER_PAGE)
    return render_template("orders/admin_orders.html", orders=body["items"], meta=body["meta"], status=status,
                           filter_form=filter_form, status_label=services.status_label)
