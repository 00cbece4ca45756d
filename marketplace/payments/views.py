"""Pages for paying an order (card or bank transfer) and the admin's bank-transfer check.

Each buyer page has two addresses: the signed-in buyer's (/orders/<number>/pay…) and the guest's
secret link (/orders/guest/<token>/pay…), found through the orders domain's own lookups.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import CantingError, InvalidTransition
from marketplace.core.security import CONTENT_SECURITY_POLICY, is_safe_redirect, referrer_policy
from marketplace.extensions import talisman
from marketplace.orders import services as orders
from marketplace.orders.models import OrderStatus
from marketplace.payments import gateway as gateways
from marketplace.payments import services
from marketplace.payments.models import PaymentMethod, PaymentStatus

bp = Blueprint("payments", __name__)
bp.add_app_template_global(services.order_payment_summary, "order_payment_summary")

# The payment page alone may load Stripe.js and its frames (the Payment Element); every other
# page keeps the site's policy, which allows no third-party origin at all.
STRIPE_ORIGINS = ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"]
PAYMENT_PAGE_CSP = {
    **CONTENT_SECURITY_POLICY,
    "script-src": ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"],
    "frame-src": STRIPE_ORIGINS,
    "connect-src": ["'self'", "https://api.stripe.com"],
}


class _Buyer:
    """Where one buyer's pages live: the signed-in order pages or the guest's secret link."""

    def __init__(self, number: str | None, token: str | None):
        self.number, self.token = number, token
        self.order = (orders.order_for_guest_token(token) if token
                      else orders.order_for_number(current_user, number))

    def url(self, endpoint: str, **values) -> str:
        if self.token:
            return url_for(f"payments.guest_{endpoint}", token=self.token, **values)
        return url_for(f"payments.{endpoint}", number=self.order.number, **values)

    def order_url(self) -> str:
        if self.token:
            return url_for("orders.guest_order", token=self.token)
        return url_for("orders.order_detail", number=self.order.number)


def _buyer_routes(rule: str, endpoint: str, methods=("GET",)):
    """Register VIEW at the signed-in buyer's RULE and at the guest's."""
    def decorator(view):
        bp.add_url_rule(f"/orders/<number>{rule}", endpoint, login_required(view), methods=list(methods))
        bp.add_url_rule(f"/orders/guest/<token>{rule}", f"guest_{endpoint}", referrer_policy("no-referrer")(view),
                        methods=list(methods))
        return view
    return decorator


@talisman(content_security_policy=PAYMENT_PAGE_CSP)
def pay(number=None, token=None):
    buyer = _Buyer(number, token)
    order = buyer.order
    if order.status != OrderStatus.PENDING_PAYMENT.value:
        if order.status != OrderStatus.CANCELLED.value:
            flash(_("This order is paid."), "success")
        return redirect(buyer.order_url())
    card = services.latest_payment(order, PaymentMethod.CARD.value)
    transfer = services.latest_payment(order, PaymentMethod.BANK_TRANSFER.value)
    if transfer is not None and transfer.status != PaymentStatus.PENDING.value:
        transfer = None
    stripe_js = None
    if gateways.card_payments_enabled() and not gateways.offline_test_mode():
        try:
            card = services.start_card_payment(order)
            stripe_js = {"key": current_app.config["STRIPE_PUBLISHABLE_KEY"],
                         "secret": services.client_secret(card), "return_url": buyer.url("pay_return", _external=True)}
        except CantingError as error:
            flash(error.message, "error")
    response = current_app.make_response(render_template(
        "payments/pay.html", order=order, buyer=buyer, card=card, transfer=transfer, stripe_js=stripe_js,
        methods=services.payment_methods(), offline=gateways.offline_test_mode(),
        decline_reason=services.decline_reason(card) if card is not None else "",
        test_cards={"succeeds": gateways.TEST_CARD_SUCCEEDS, "declined": gateways.TEST_CARD_DECLINED},
        bank=_bank_details(), guest=bool(token)))
    response.headers["Cache-Control"] = "no-store"
    return response


_buyer_routes("/pay", "pay")(pay)


def _bank_details() -> dict:
    config = current_app.config
    return {"bank": config["BANK_TRANSFER_BANK"], "account": config["BANK_TRANSFER_ACCOUNT"],
            "holder": config["BANK_TRANSFER_HOLDER"]}


def pay_test_card(number=None, token=None):
    buyer = _Buyer(number, token)
    try:
        services.pay_with_test_card(buyer.order, request.form.get("payment_method", ""))
    except CantingError as error:
        flash(error.message, "error")
        return redirect(buyer.url("pay"))
    return redirect(buyer.url("pay_return"))


_buyer_routes("/pay/test-card", "pay_test_card", methods=("POST",))(pay_test_card)


def pay_bank_transfer(number=None, token=None):
    buyer = _Buyer(number, token)
    try:
        services.start_bank_transfer(buyer.order)
    except CantingError as error:
        flash(error.message, "error")
    return redirect(buyer.url("pay") + "#bank-transfer")


_buyer_routes("/pay/bank-transfer", "pay_bank_transfer", methods=("POST",))(pay_bank_transfer)


def pay_return(number=None, token=None):
    """Back from paying by card: ask Stripe, never the browser, how the payment stands."""
    buyer = _Buyer(number, token)
    try:
        payment = services.check_card_payment(buyer.order)
    except CantingError as error:
        flash(error.message, "error")
        payment = services.latest_payment(buyer.order, PaymentMethod.CARD.value)
    if payment is not None and payment.status == PaymentStatus.SUCCEEDED.value:
        flash(_("Payment received. Thank you! The shops have been told to prepare your order."), "success")
        return redirect(buyer.order_url())
    if payment is None or payment.status in (PaymentStatus.FAILED.value, PaymentStatus.CANCELLED.value):
        return redirect(buyer.url("pay"))  # which shows why the last attempt failed
    response = current_app.make_response(render_template("payments/pay_pending.html", order=buyer.order,
                                                         check_url=buyer.url("pay_return"), guest=bool(token)))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Refresh"] = "3"
    return response


_buyer_routes("/pay/return", "pay_return")(pay_return)


# --- admin ---------------------------------------------------------------------------------

@bp.get("/admin/payments/transfers")
@roles_required(Role.ADMIN.value)
def admin_transfers():
    return render_template("payments/admin_transfers.html", transfers=services.open_bank_transfers(),
                           bank=_bank_details())


@bp.post("/admin/orders/<int:order_id>/mark-paid")
@roles_required(Role.ADMIN.value)
def admin_confirm_transfer(order_id: int):
    try:
        payment = services.confirm_bank_transfer(current_user, order_id,
                                                 bank_reference=request.form.get("bank_reference", ""))
    except InvalidTransition as error:
        flash(error.message, "error")
    else:
        flash(_("Order %(number)s is marked paid; the shops have been told to ship.",
                number=payment.order.number), "success")
    back = request.form.get("next")
    return redirect(back if is_safe_redirect(back) else url_for("orders.admin_orders"))
