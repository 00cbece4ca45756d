"""Officers' impact dashboards (a program, or an organization's programs together), their CSV
and printable versions, and the public impact page a program's organization may publish."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.forms import select_choices
from marketplace.core.spreadsheet import DELIMITERS
from marketplace.programs import services as programs
from marketplace.reports import exports, labels, services
from marketplace.core.times import local_today
from marketplace.reports.forms import ReportFilterForm

bp = Blueprint("reports-programs", __name__)


@bp.context_processor
def report_helpers():
    return {"labels": labels, "minimum": services.PUBLIC_MINIMUM_SELLERS, "today": local_today()}

OFFICER_OR_ADMIN = (Role.OFFICER.value, Role.ADMIN.value)
DASHBOARDS = {"programs": services.program_dashboard, "organizations": services.organization_dashboard}
REPORT_KINDS = "any(programs, organizations):kind"
FILTER_KEYS = ("since", "until", "cohort")


def _valid(field):
    return field.data if field.data and not field.errors else None


def _filters() -> tuple[ReportFilterForm, services.ReportFilters]:
    """The filter form read from the query string; its errors are shown beside the fields and
    the other filters still apply. A report opened without any filter shows the last twelve
    months, this one included (a submitted form with empty dates shows every month)."""
    args = request.args
    if not any(key in args for key in FILTER_KEYS):
        since, until = services.last_twelve_months()
        args = {**args, "since": since.isoformat(), "until": until.isoformat()}
    form = ReportFilterForm(MultiDict(args))
    form.validate()
    return form, services.ReportFilters(since=_valid(form.since), until=_valid(form.until),
                                        cohort=_valid(form.cohort))


def _dashboard(kind: str, slug: str, **options):
    form, filters = _filters()
    dashboard = DASHBOARDS[kind](current_user, slug, filters, **options)
    form.cohort.choices = select_choices(
        [("", _("Every cohort"))] + [(key, _("%(cohort)s (%(count)d graduates)", cohort=key, count=count))
                                     for key, count in dashboard.cohorts])
    return form, dashboard


def _filter_args(form: ReportFilterForm) -> dict:
    """The filters as the page shows them, for its CSV and printable links."""
    return {key: form[key].raw_data[0] for key in FILTER_KEYS if form[key].raw_data and form[key].raw_data[0]}


@bp.route("/officer/reports")
@roles_required(*OFFICER_OR_ADMIN)
def my_reports():
    """An officer's way in: their organization's dashboard. Admins start from the overview."""
    if current_user.has_role(Role.ADMIN.value) and current_user.organization is None:
        return redirect(url_for("reports_admin.overview"))
    organization = services.own_organization(current_user)
    return redirect(url_for(".dashboard", kind="organizations", slug=organization.slug))


@bp.route(f"/officer/reports/<{REPORT_KINDS}>/<slug>")
@roles_required(*OFFICER_OR_ADMIN)
def dashboard(kind: str, slug: str):
    form, report = _dashboard(kind, slug)
    return render_template("reports/dashboard.html", kind=kind, form=form, dashboard=report,
                           filter_args=_filter_args(form), delimiters=DELIMITERS)


@bp.route(f"/officer/reports/<{REPORT_KINDS}>/<slug>/print")
@roles_required(*OFFICER_OR_ADMIN)
def printable(kind: str, slug: str):
    _form, report = _dashboard(kind, slug)
    return render_template("reports/printable.html", kind=kind, dashboard=report)


def _csv_response(lines, filename: str) -> Response:
    return Response(lines, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _delimiter() -> str:
    return DELIMITERS.get(request.args.get("sep", "comma"), ",")


@bp.route(f"/officer/reports/<{REPORT_KINDS}>/<slug>/graduates.csv")
@roles_required(*OFFICER_OR_ADMIN)
def graduates_csv(kind: str, slug: str):
    _form, report = _dashboard(kind, slug, action="export_report")
    return _csv_response(exports.graduate_lines(report.graduates or [], delimiter=_delimiter()),
                         f"canting-{slug}-graduates.csv")


@bp.route(f"/officer/reports/<{REPORT_KINDS}>/<slug>/monthly.csv")
@roles_required(*OFFICER_OR_ADMIN)
def monthly_csv(kind: str, slug: str):
    _form, report = _dashboard(kind, slug, with_graduates=False)
    return _csv_response(exports.monthly_lines(report.report.monthly, delimiter=_delimiter()),
                         f"canting-{slug}-monthly.csv")


@bp.route("/officer/reports/programs/<slug>/impact-page", methods=["POST"])
@roles_required(*OFFICER_OR_ADMIN)
def impact_page(slug: str):
    public = request.form.get("public") == "1"
    programs.set_impact_page(current_user, slug, public=public)
    flash(_("The impact page is public.") if public else _("The impact page is no longer public."), "success")
    return redirect(url_for(".dashboard", kind="programs", slug=slug))


@bp.route("/programs/<slug>/impact")
def public_impact(slug: str):
    impact = services.public_impact(slug)
    return render_template("reports/public_impact.html", impact=impact)
