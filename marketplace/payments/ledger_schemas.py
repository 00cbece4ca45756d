"""JSON shapes of the sellers' balance, ledger and bank details, and the admin's payout batches."""
import marshmallow as ma

from marketplace.core.fields import UtcDateTime
from marketplace.core.pagination import PageQuery
from marketplace.payments.models import LedgerKind, PayoutBatchStatus


class PayoutAccountIn(ma.Schema):
    """Where payouts go; every field is checked by the server (422 names the field)."""
    bank_code = ma.fields.String(required=True, validate=ma.validate.Length(max=20), metadata={
        "description": "The bank's three-digit clearing code (kode bank), e.g. 014 for BCA, 008 for Mandiri."})
    account_number = ma.fields.String(required=True, validate=ma.validate.Length(max=60), metadata={
        "description": "6 to 20 digits; spaces and dashes are ignored."})
    holder_name = ma.fields.String(required=True, validate=ma.validate.Length(max=200), metadata={
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


class LedgerQuery(PageQuery):
    pass


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
