"""JSON API for paying orders (a PaymentIntent, a bank transfer) and the admin's transfer check."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.accounts.policy import api_user, token_required
from marketplace.core.blueprints import Blueprint
from marketplace.orders import services as orders
from marketplace.payments import services
from marketplace.payments.schemas import BankTransferOut, ConfirmTransferIn, PaymentIntentOut, PaymentOut

blp = Blueprint("payments-api", __name__, url_prefix="/api/v1", description="Paying orders")
BEARER = [{"bearerAuth": []}]


@blp.route("/orders/<int:order_id>/payment")
class OrderPayment(MethodView):
    @token_required()
    @blp.doc(security=BEARER)
    @blp.response(200, PaymentIntentOut)
    def post(self, order_id):
        """Pay your order by card: creates its Stripe PaymentIntent, or returns the open one.

        Confirm it with Stripe.js and the `client_secret`; the order becomes paid when Stripe
        reports the payment (webhook), never on the client's word."""
        payment = services.start_card_payment(orders.order_for(api_user(), order_id))
        return {"payment_intent_id": payment.provider_ref, "client_secret": services.client_secret(payment),
                "amount": payment.amount, "currency": payment.currency}


@blp.route("/orders/<int:order_id>/bank-transfer")
class OrderBankTransfer(MethodView):
    @token_required()
    @blp.doc(security=BEARER)
    @blp.response(200, BankTransferOut)
    def post(self, order_id):
        """Pay your order by bank transfer: the account and the unique amount to send, and until when"""
        payment = services.start_bank_transfer(orders.order_for(api_user(), order_id))
        return transfer_instructions(payment)


def transfer_instructions(payment) -> dict:
    config = current_app.config
    return {"amount": payment.amount, "unique_code": payment.unique_code, "currency": payment.currency,
            "expires_at": payment.expires_at, "bank": config["BANK_TRANSFER_BANK"],
            "account_number": config["BANK_TRANSFER_ACCOUNT"], "account_holder": config["BANK_TRANSFER_HOLDER"]}


@blp.route("/orders/<int:order_id>/mark-paid")
class OrderMarkPaid(MethodView):
    @token_required(Role.ADMIN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ConfirmTransferIn)
    @blp.response(200, PaymentOut)
    def post(self, data, order_id):
        """Admin: the order's bank transfer arrived; the order becomes paid"""
        return services.confirm_bank_transfer(api_user(), order_id, bank_reference=data["bank_reference"])
