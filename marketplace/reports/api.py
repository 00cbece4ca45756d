"""JSON API of the impact reports: the figures of the dashboard, for officers' own tools."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from marketplace.accounts.models import Role
from marketplace.accounts.policy import api_user, token_required
from marketplace.core.blueprints import Blueprint
from marketplace.payments.gateway import CURRENCY
from marketplace.reports import services
from marketplace.reports.schemas import ProgramReportOut, ReportQuery

blp = Blueprint("reports-api", __name__, url_prefix="/api/v1", description="Program impact reports")
BEARER = [{"bearerAuth": []}]


@blp.route("/reports/programs/<slug>")
class ProgramReport(MethodView):
    @token_required(Role.OFFICER.value, Role.ADMIN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, ProgramReportOut)
    @blp.alt_response(404, description="No such program, or not of your organization")
    def get(self, args, slug: str):
        """A program's impact: what its verified graduates sold after graduating.

        The same figures as the officer's dashboard, for paid orders net of refunds (cancelled
        ones left out), with days and months in Asia/Jakarta time. The per-graduate rows are
        logged in the access log for programs held in a correctional facility, and withheld
        from admins for those programs."""
        cohort = args["batch"].isoformat() if args["batch"] else (str(args["cohort"]) if args["cohort"] else None)
        filters = services.ReportFilters(since=args["since"], until=args["until"], cohort=cohort)
        dashboard = services.program_dashboard(api_user(), slug, filters)
        report, program = dashboard.report, dashboard.program
        return {
            "program": program.slug, "title": program.title, "organization": dashboard.organization.slug,
            "currency": CURRENCY, "time_zone": current_app.config["BABEL_DEFAULT_TIMEZONE"],
            "since": args["since"], "until": args["until"], "cohort": cohort,
            "funnel": report.funnel, "first_sales": report.first_sales, "totals": report.totals,
            "monthly": report.monthly, "buyers": report.buyers, "techniques": report.techniques,
            "categories": report.categories, "motifs": report.motifs,
            "graduates": None if dashboard.withheld else dashboard.graduates,
        }
