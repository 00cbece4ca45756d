"""The admin's refund page of an order: the payment, what was refunded so far, and the form
to refund more. The form checks shape; what may be refunded is the service's to decide."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.forms import CantingForm, apply_form_errors, select_choices
from marketplace.core.i18n import format_rupiah
from marketplace.orders import services as orders
from marketplace.payments import refunds
from marketplace.payments.refunds import MAX_REASON, RefundScope, RefundUnavailable

bp = Blueprint("payments-refunds", __name__)

MAX_ITEM_QUANTITY = 100_000


class RefundForm(CantingForm):
    scope = RadioField(_l("What to refund"), choices=select_choices([
        (RefundScope.ORDER.value, _l("Everything not yet refunded")),
        (RefundScope.SHOP_ORDER.value, _l("One parcel: its remaining items and its shipping")),
        (RefundScope.ITEMS.value, _l("The items and quantities chosen below")),
    ]), default=RefundScope.ITEMS.value, validators=[InputRequired()])
    shop_order_id = SelectField(_l("Parcel"), coerce=int, validate_choice=False, validators=[Optional()],
                                description=_l("Used when refunding one parcel."))
    include_shipping = BooleanField(_l("Also refund the shipping of the chosen items' parcels"))
    restock = BooleanField(_l("Put the refunded items back in stock"),
                           description=_l("For items the buyer sent back unused. A cancelled parcel's stock is back already."))
    reason = TextAreaField(_l("Reason"), description=_l("The buyer and the seller read this in their mail."),
                           validators=[DataRequired(), Length(max=MAX_REASON)], render_kw={"rows": 3})


def _quantity_field(item_id: int) -> str:
    return f"quantity-{item_id}"


def _chosen_items(order) -> tuple[dict[int, int], list[str]]:
    """The quantities typed per item ({order_item_id: quantity}, blanks and 0 left out), and
    the problems with what was typed."""
    chosen, problems = {}, []
    for shop_order in order.shop_orders:
        for item in shop_order.items:
            text = (request.form.get(_quantity_field(item.id)) or "").strip()
            if not text:
                continue
            if not text.isdigit() or int(text) > MAX_ITEM_QUANTITY:
                problems.append(_("Enter a whole number of “%(title)s” to refund.", title=item.title))
            elif int(text):
                chosen[item.id] = int(text)
    return chosen, problems


def _page(order, form: RefundForm, status: int = 200):
    payment = refunds.succeeded_payment(order)
    left = refunds.refundable(order, payment) if payment else None
    form.shop_order_id.choices = select_choices(
        [(so.id, f"{so.shop.name} · {orders.status_label(so.status)}") for so in order.shop_orders])
    typed = {key: value for key, value in request.form.items() if key.startswith("quantity-")}
    return render_template("payments/admin_refunds.html", order=order, payment=payment, left=left, form=form,
                           refunds=refunds.refunds_of(order), typed=typed, quantity_field=_quantity_field,
                           status_label=orders.status_label), status


@bp.get("/admin/orders/<int:order_id>/refunds")
@roles_required(Role.ADMIN.value)
def admin_refunds(order_id: int):
    return _page(orders.order_for(current_user, order_id), RefundForm(formdata=None))


@bp.post("/admin/orders/<int:order_id>/refunds")
@roles_required(Role.ADMIN.value)
def admin_refund(order_id: int):
    order = orders.order_for(current_user, order_id)
    form = RefundForm()
    form.shop_order_id.choices = select_choices([(so.id, so.shop.name) for so in order.shop_orders])
    items, problems = _chosen_items(order)
    if form.validate() and not problems:
        try:
            refund = refunds.refund_order(
                current_user, order.id, scope=form.scope.data, shop_order_id=form.shop_order_id.data,
                items=items, include_shipping=form.include_shipping.data, restock=form.restock.data,
                reason=form.reason.data)
        except (ValidationFailed, NotFound, Conflict, RefundUnavailable) as error:
            apply_form_errors(form, error)
        else:
            if refund.payment.method == "bank_transfer":
                flash(_("Refund of %(amount)s recorded. Transfer it to the buyer from the platform's bank account now.",
                        amount=format_rupiah(refund.amount)), "success")
            elif refund.status == "failed":
                flash(_("The card processor refused the refund of %(amount)s.", amount=format_rupiah(refund.amount)),
                      "error")
            else:
                flash(_("Refund of %(amount)s sent to the card processor; the buyer and sellers have been mailed.",
                        amount=format_rupiah(refund.amount)), "success")
            return redirect(url_for("payments-refunds.admin_refunds", order_id=order.id))
    form.form_errors.extend(problems)
    return _page(order, form, 422)
