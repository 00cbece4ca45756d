"""Report pages: what artisans and program officers read of the platform's figures."""
from __future__ import annotations


from flask import Blueprint, render_template
from flask_babel import format_percent
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.reports import seller

bp = Blueprint("reports", __name__)


def format_conversion(ratio: float | None) -> str:
    return "–" if ratio is None else format_percent(ratio, "#,##0.0%")


# --- seller analytics ---------------------------------------------------------------------

@bp.get("/dashboard/analytics")
@roles_required(Role.ARTISAN.value)
def seller_analytics():
    """The artisan's own shop only: no shop is named in the address, so none other can be asked for."""
    shop = seller.shop_of(current_user)
    report = seller.seller_report(shop.id) if shop is not None else None
    return render_template("reports/seller_analytics.html", shop=shop, report=report,
                           format_conversion=format_conversion)
