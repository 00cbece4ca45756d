"""The admin's overview of the whole platform: sales by month, sellers, programs, payouts owed."""
from __future__ import annotations

from flask import Blueprint, render_template

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.reports.platform import platform_overview

bp = Blueprint("reports_admin", __name__)


@bp.get("/admin/reports")
@roles_required(Role.ADMIN.value)
def overview():
    return render_template("reports/admin_overview.html", overview=platform_overview())
