"""JSON shapes of the sellers' balance, ledger and bank details, and the admin's payout batches."""
import marshmallow as ma

from flask_babel import lazy_gettext as _l

from marketplace.core.fields import UtcDateTime
from marketplace.payments.models import LedgerKind, PayoutBatchStatus
from marketplace.payments.payout_accounts import BANKS, HOLDER_MAX, HOLDER_MIN


HOLDER_ERROR = _l("Enter the account holder's name as the bank shows it (%(min)d to %(max)d characters).",
                  min=HOLDER_MIN, max=HOLDER_MAX)


class PayoutAccountIn(ma.Schema):
    """Where payouts go. The schema states the service's own rules, so that what it documents as
    valid is accepted; the service checks them again (422 names the field)."""
    bank_code = ma.fields.String(required=True, validate=ma.validate.OneOf(
        sorted(BANKS), error=_l("Choose your bank from the list.")), metadata={
        "description": "The bank's three-digit clearing code (kode bank), e.g. 014 for BCA, 008 for Mandiri; "
                       "GET /api/v1/seller/banks lists them."})
    account_number = ma.fields.String(required=True, validate=ma.validate.Regexp(
        r"^[\s\-]*(?:[0-9][\s\-]*){6,20}$",
        error=_l("Enter the account number: 6 to 20 digits (spaces and dashes are ignored).")),
                                      metadata={"description": "6 to 20 digits; spaces and dashes are ignored."})
    holder_name = ma.fields.String(required=True, validate=[
        ma.validate.Length(max=HOLDER_MAX, error=HOLDER_ERROR),
        ma.validate.Regexp(r"^\s*(?:\S{3,}|\S+(?:\s+\S+)+)\s*$", error=HOLDER_ERROR)], metadata={
        "description": "The account holder's name as the bank shows it, 3 to 120 characters."})


class PayoutAccountOut(ma.Schema):
    bank_code = ma.fields.String(required=True)
    bank_name = ma.fields.String(required=True)
    account_number_masked = ma.fields.String(required=True, metadata={
        "description": "Only the last four digits; the full number is never sent back."})
    holder_name = ma.fields.String(required=True)


class BalanceOut(ma.Schema):
    """Whole rupiah. total (the sum of every ledger entry) = available + pending."""
    available = ma.fields.Integer(required=True, metadata={
        "description": "From delivered or cancelled parcels, less payouts: what the next payout sends."})
    pending = ma.fields.Integer(required=True, metadata={
        "description": "From parcels paid but not yet delivered."})
    paid_out = ma.fields.Integer(required=True, metadata={"description": "Sent to the bank account so far."})
    total = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    payout_account = ma.fields.Nested(PayoutAccountOut, required=True, allow_none=True)


class LedgerEntryOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf([k.value for k in LedgerKind]))
    amount = ma.fields.Integer(required=True, metadata={"description": "Signed rupiah: + owed to you, - taken."})
    shop_order_id = ma.fields.Integer(required=True, allow_none=True)
    order_number = ma.fields.String(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)


class PayoutOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    shop_id = ma.fields.Integer(required=True)
    shop_name = ma.fields.String(required=True)
    amount = ma.fields.Integer(required=True)
    bank_code = ma.fields.String(required=True)
    bank_name = ma.fields.String(required=True)
    account_number = ma.fields.String(required=True)
    holder_name = ma.fields.String(required=True)
    reference = ma.fields.String(required=True, metadata={"description": "Shown on the seller's statement."})


class PayoutBatchOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf([s.value for s in PayoutBatchStatus]),
                              metadata={"description": "exported: sent to the bank, not in the ledger yet; "
                                                       "paid: the payouts are in the sellers' ledgers."})
    created_at = UtcDateTime(required=True)
    paid_at = UtcDateTime(required=True, allow_none=True)
    total = ma.fields.Integer(required=True)
    payouts = ma.fields.List(ma.fields.Nested(PayoutOut), required=True)
