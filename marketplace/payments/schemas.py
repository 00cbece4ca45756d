"""JSON shapes of the payments API."""
import marshmallow as ma

from marketplace.core.fields import UtcDateTime


class PaymentIntentOut(ma.Schema):
    """What Stripe.js needs to confirm the order's PaymentIntent."""
    payment_intent_id = ma.fields.String(required=True)
    client_secret = ma.fields.String(required=True, allow_none=True)
    amount = ma.fields.Integer(required=True, metadata={"description": "Whole rupiah (Stripe shows it in hundredths)."})
    currency = ma.fields.String(required=True)


class BankTransferOut(ma.Schema):
    """Where and how much to transfer; the unique amount identifies the order on the statement."""
    amount = ma.fields.Integer(required=True, metadata={"description": "Order total plus the unique code, in rupiah."})
    unique_code = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    expires_at = UtcDateTime(required=True)
    bank = ma.fields.String(required=True)
    account_number = ma.fields.String(required=True)
    account_holder = ma.fields.String(required=True)


class ConfirmTransferIn(ma.Schema):
    bank_reference = ma.fields.String(load_default="", validate=ma.validate.Length(max=120), metadata={
        "description": "The bank statement's reference for the transfer, kept with the payment."})


class PaymentOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    order_id = ma.fields.Integer(required=True)
    method = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    amount = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    succeeded_at = UtcDateTime(allow_none=True)
