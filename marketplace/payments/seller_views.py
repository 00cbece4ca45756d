"""Pages of the sellers' money: the balance with every ledger entry, the bank details, and the
admin's payout batches."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import CantingError, NotFound
from marketplace.core.forms import CantingForm, apply_form_errors, select_choices
from marketplace.core.pagination import paginate
from marketplace.orders.models import ShopOrderStatus
from marketplace.orders.services import status_label
from marketplace.payments import ledger, payouts
from marketplace.payments.models import LedgerKind
from marketplace.payments.payout_accounts import (
    bank_choices, bank_name, mask, own_shop, payout_account_of, save_payout_account,
)

bp = Blueprint("payments-seller", __name__)
ENTRIES_PER_PAGE = 50
BATCHES_PER_PAGE = 50
ORDER_KINDS = {LedgerKind.SALE.value, LedgerKind.COMMISSION.value, LedgerKind.REFUND.value,
               LedgerKind.COMMISSION_RETURN.value}


@bp.after_request
def _no_store(response):
    # Balances and bank details are private: neither the browser nor a proxy keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_number() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) <= 100_000 else 1


# --- seller --------------------------------------------------------------------------------

class BankAccountForm(CantingForm):
    """Shape only; the bank list, the digits and the lengths are the service's to check."""

    bank_code = SelectField(_l("Bank"), validate_choice=False)
    account_number = StringField(_l("Account number"), validators=[Length(max=60)],
                                 description=_l("Digits only; spaces and dashes are ignored."),
                                 render_kw={"inputmode": "numeric", "autocomplete": "off"})
    holder_name = StringField(_l("Account holder's name"), validators=[Length(max=200)],
                              description=_l("As the bank shows it; a transfer to another name may be refused."),
                              render_kw={"autocomplete": "off"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bank_code.choices = select_choices([("", _("Choose your bank")), *bank_choices()])


@bp.get("/dashboard/balance")
@roles_required(Role.ARTISAN.value)
def balance():
    try:
        shop = own_shop(current_user)
    except NotFound:
        flash(_("Open your shop first."), "info")
        return redirect(url_for("catalog.my_shop"))
    body, _headers = paginate(ledger.entries_query(shop.id), _page_number(), ENTRIES_PER_PAGE)
    return render_template("payments/balance.html", shop=shop, balance=ledger.shop_balance(shop.id),
                           account=payout_account_of(shop.id), entries=body["items"], meta=body["meta"],
                           kind_label=ledger.kind_label, order_kinds=ORDER_KINDS, bank_name=bank_name, mask=mask,
                           status_label=status_label, pending_statuses=ledger.PENDING_SHOP_ORDER_STATUSES,
                           delivered=ShopOrderStatus.DELIVERED.value)


@bp.route("/dashboard/balance/bank-account", methods=["GET", "POST"])
@roles_required(Role.ARTISAN.value)
def bank_account():
    try:
        shop = own_shop(current_user)
    except NotFound:
        flash(_("Open your shop first."), "info")
        return redirect(url_for("catalog.my_shop"))
    account = payout_account_of(shop.id)
    # Never put the full number back in the page: the form starts empty and shows it masked.
    form = BankAccountForm(data={"bank_code": account.bank_code if account else "",
                                 "holder_name": account.holder_name if account else ""})
    if form.validate_on_submit():
        try:
            save_payout_account(current_user, bank_code=form.bank_code.data, account_number=form.account_number.data,
                                holder_name=form.holder_name.data)
        except CantingError as error:
            apply_form_errors(form, error)
        else:
            flash(_("Bank details saved. Payouts go to this account from now on."), "success")
            return redirect(url_for("payments-seller.balance"))
    return render_template("payments/bank_account.html", form=form, shop=shop, account=account,
                           bank_name=bank_name, mask=mask)


# --- admin ---------------------------------------------------------------------------------

class MarkPaidForm(CantingForm):
    confirm = BooleanField(_l("The bank has made every transfer of this batch"),
                           validators=[DataRequired(_l("Tick the box to confirm the bank has made the transfers."))])


@bp.get("/admin/payouts")
@roles_required(Role.ADMIN.value)
def admin_payouts():
    body, _headers = paginate(payouts.batches_query(), _page_number(), BATCHES_PER_PAGE)
    return render_template("payments/admin_payouts.html", batches=body["items"], meta=body["meta"],
                           plan=payouts.plan_payouts(current_user), create_form=CantingForm(), bank_name=bank_name)


@bp.post("/admin/payouts")
@roles_required(Role.ADMIN.value)
def admin_create_batch():
    if not CantingForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("payments-seller.admin_payouts"))
    try:
        batch = payouts.create_payout_batch(current_user)
    except CantingError as error:
        flash(error.message, "error")
        return redirect(url_for("payments-seller.admin_payouts"))
    flash(_("Payout batch %(id)d created. Download its CSV for the bank's bulk transfer.", id=batch.id), "success")
    return redirect(url_for("payments-seller.admin_batch", batch_id=batch.id))


@bp.get("/admin/payouts/<int:batch_id>")
@roles_required(Role.ADMIN.value)
def admin_batch(batch_id: int):
    batch = payouts.batch_for(current_user, batch_id)
    return render_template("payments/admin_batch.html", batch=batch, form=MarkPaidForm(), bank_name=bank_name,
                           reference=payouts.payout_reference)


@bp.get("/admin/payouts/<int:batch_id>/payouts.csv")
@roles_required(Role.ADMIN.value)
def admin_batch_csv(batch_id: int):
    text = payouts.payout_batch_csv(current_user, batch_id)
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="canting-payouts-{batch_id}.csv"'})


@bp.post("/admin/payouts/<int:batch_id>/paid")
@roles_required(Role.ADMIN.value)
def admin_mark_paid(batch_id: int):
    batch = payouts.batch_for(current_user, batch_id)
    form = MarkPaidForm()
    if not form.validate_on_submit():
        return render_template("payments/admin_batch.html", batch=batch, form=form, bank_name=bank_name,
                               reference=payouts.payout_reference), 422
    try:
        payouts.mark_batch_paid(current_user, batch_id)
    except CantingError as error:
        flash(error.message, "error")
    else:
        flash(_("Batch %(id)d is marked paid; the payouts are in the sellers' ledgers and each seller was mailed.",
                id=batch_id), "success")
    return redirect(url_for("payments-seller.admin_batch", batch_id=batch_id))
