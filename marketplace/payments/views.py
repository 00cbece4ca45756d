"""Pages for paying an order (card or bank transfer) and the admin's bank-transfer check."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import InvalidTransition
from marketplace.core.security import is_safe_redirect
from marketplace.payments import services

bp = Blueprint("payments", __name__)


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
