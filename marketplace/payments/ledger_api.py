"""JSON API for the sellers' balance, ledger entries and bank details, and the admin's payouts."""
from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.accounts.policy import api_user, token_required
from marketplace.core.blueprints import Blueprint
from marketplace.core.pagination import PageQuery, page_envelope, paginate
from marketplace.payments import ledger, payouts
from marketplace.payments.gateway import CURRENCY
from marketplace.payments.ledger_schemas import (
    BalanceOut, LedgerEntryOut, PayoutAccountIn, PayoutAccountOut, PayoutBatchOut,
)
from marketplace.payments.payout_accounts import (
    BANKS, bank_name, mask, own_shop, payout_account_of, save_payout_account,
)

blp = Blueprint("ledger-api", __name__, url_prefix="/api/v1",
                description="Sellers' balances, ledger and bank details; payouts")
BEARER = [{"bearerAuth": []}]


def account_out(account) -> dict | None:
    if account is None:
        return None
    return {"bank_code": account.bank_code, "bank_name": bank_name(account.bank_code),
            "account_number_masked": mask(account.account_number), "holder_name": account.holder_name}


def entry_out(entry) -> dict:
    shop_order = entry.shop_order
    return {"id": entry.id, "kind": entry.kind, "amount": entry.amount, "shop_order_id": entry.shop_order_id,
            "order_number": shop_order.order.number if shop_order else None, "created_at": entry.created_at}


def batch_out(batch) -> dict:
    return {"id": batch.id, "status": batch.status, "created_at": batch.created_at, "paid_at": batch.paid_at,
            "total": batch.total, "payouts": [
                {"id": p.id, "shop_id": p.shop_id, "shop_name": p.shop.name, "amount": p.amount,
                 "bank_code": p.bank_code, "bank_name": bank_name(p.bank_code), "account_number": p.account_number,
                 "holder_name": p.holder_name, "reference": payouts.payout_reference(p)}
                for p in batch.payouts]}


BankOut = ma.Schema.from_dict({"code": ma.fields.String(required=True), "name": ma.fields.String(required=True)},
                              name="BankOut")


@blp.route("/seller/banks")
class Banks(MethodView):
    @blp.response(200, BankOut(many=True))
    def get(self):
        """The banks a payout can go to, with the codes PUT /seller/payout-account takes"""
        return sorted(({"code": b.code, "name": b.name} for b in BANKS.values()), key=lambda b: b["name"].lower())


@blp.route("/seller/balance")
class SellerBalance(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.response(200, BalanceOut)
    def get(self):
        """Your shop's balance: available (delivered), pending (on its way), paid out, and the bank account"""
        shop = own_shop(api_user())
        balance = ledger.shop_balance(shop.id)
        return {"available": balance.available, "pending": balance.pending, "paid_out": balance.paid_out,
                "total": balance.total, "currency": CURRENCY, "payout_account": account_out(payout_account_of(shop.id))}


@blp.route("/seller/ledger")
class SellerLedger(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_envelope(LedgerEntryOut, "LedgerEntryPage"))
    def get(self, args):
        """Every entry of your shop's ledger, the newest first: sales, commission, refunds, payouts.

        The sum of all entries is your balance's `total`."""
        shop = own_shop(api_user())
        body, headers = paginate(ledger.entries_query(shop.id), args["page"], args["per_page"])
        body["items"] = [entry_out(entry) for entry in body["items"]]
        return body, 200, headers


@blp.route("/seller/payout-account")
class SellerPayoutAccount(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(PayoutAccountIn)
    @blp.response(200, PayoutAccountOut)
    def put(self, data):
        """Set or change the bank account your payouts go to.

        409 while a payout to the current account is with the bank (until it is marked paid)."""
        account = save_payout_account(api_user(), bank_code=data["bank_code"], account_number=data["account_number"],
                                      holder_name=data["holder_name"])
        return account_out(account)


@blp.route("/admin/payout-batches")
class PayoutBatches(MethodView):
    @token_required(Role.ADMIN.value)
    @blp.doc(security=BEARER)
    @blp.response(201, PayoutBatchOut)
    def post(self):
        """Admin: a batch paying each shop its available balance (at least PAYOUT_MINIMUM, with bank details,
        not in another open batch). 409 when no shop is eligible, or another batch took them first."""
        batch = payouts.create_payout_batch(api_user())
        return batch_out(batch), 201, {"Location": url_for("ledger-api.PayoutBatchById", batch_id=batch.id)}


@blp.route("/admin/payout-batches/<int:batch_id>")
class PayoutBatchById(MethodView):
    @token_required(Role.ADMIN.value)
    @blp.doc(security=BEARER)
    @blp.response(200, PayoutBatchOut)
    def get(self, batch_id):
        """Admin: a payout batch with its payouts and bank details"""
        return batch_out(payouts.batch_for(api_user(), batch_id))


@blp.route("/admin/payout-batches/<int:batch_id>/paid")
class PayoutBatchPaid(MethodView):
    @token_required(Role.ADMIN.value)
    @blp.doc(security=BEARER)
    @blp.response(200, PayoutBatchOut)
    def post(self, batch_id):
        """Admin: the bank made the batch's transfers; the payouts enter the sellers' ledgers (409 if already paid)"""
        return batch_out(payouts.mark_batch_paid(api_user(), batch_id))
