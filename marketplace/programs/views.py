"""Program pages: the public catalogue, the artisan's graduations, officers' work, admin audit."""
from __future__ import annotations

import io

from flask import (
    Blueprint, Response, abort, flash, g, redirect, render_template, request, send_file, stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from marketplace.accounts.forms import ConfirmForm
from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import CantingError, ValidationFailed
from marketplace.core.forms import apply_form_errors, select_choices
from marketplace.core.pagination import CursorError, cursor_url
from marketplace.extensions import db
from marketplace.programs import access_log as access_logs
from marketplace.programs import queries, rosters, services
from marketplace.programs.limits import invitation_limits
from marketplace.programs.forms import (
    AccessLogFilterForm, ClaimForm, ConfirmShownForm, OrganizationForm, ProgramForm, RedeemForm,
    RejectForm, RosterForm, VisibilityForm,
)
from marketplace.programs.models import ACCESS_ACTION_LABELS, Graduation, TrainingProgram

bp = Blueprint("programs", __name__)
OFFICER_OR_ADMIN = (Role.OFFICER.value, Role.ADMIN.value)


# --- public ----------------------------------------------------------------------------

@bp.route("/programs")
def program_list():
    programs = db.session.scalars(queries.programs_newest_first()).all()
    return render_template("programs/list.html", programs=programs)


@bp.route("/programs/<slug>")
def program_detail(slug: str):
    program = db.session.scalar(TrainingProgram.by_slug(slug))
    if program is None:
        abort(404)
    # The shops of its graduates are the catalogue's page (catalog.program_shops), linked from here.
    return render_template("programs/detail.html", program=program)


# --- the artisan's graduations -------------------------------------------------------------

def _claim_form() -> ClaimForm:
    form = ClaimForm()
    programs = db.session.scalars(queries.programs_newest_first()).all()
    form.program.choices = select_choices([("", _("Choose a program"))] + [
        (p.slug, f"{p.title} ({p.start_date.year})") for p in programs
    ])
    return form


@bp.route("/dashboard/graduations", methods=["GET", "POST"])
@roles_required(Role.ARTISAN.value)
def my_graduations():
    form = _claim_form()
    if form.validate_on_submit():
        upload = form.certificate.data
        try:
            services.claim_graduation(
                current_user, program_slug=form.program.data,
                certificate_number=form.certificate_number.data, graduated_on=form.graduated_on.data,
                certificate_file=upload.stream if upload and upload.filename else None,
            )
        except CantingError as error:
            apply_form_errors(form, error)
        else:
            flash(_("Your claim was sent to the program's officers."), "success")
            return redirect(url_for("programs.my_graduations"))
    graduations = db.session.scalars(Graduation.of_artisan(current_user.id)).all()
    return render_template(
        "programs/my_graduations.html", form=form, graduations=graduations,
        redeem_form=RedeemForm(), visibility_form=VisibilityForm(),
    )


@bp.route("/dashboard/graduations/redeem", methods=["POST"])
@roles_required(Role.ARTISAN.value, Role.BUYER.value)
@invitation_limits
def redeem_code():
    form = RedeemForm()
    if form.validate_on_submit():
        try:
            graduation = rosters.redeem_invitation_code(current_user, form.code.data)
        except ValidationFailed as error:
            g.invitation_code_failed = isinstance(error, rosters.InvitationCodeInvalid)
            flash(error.message, "error")
        else:
            flash(_("%(program)s is now on your account, verified.", program=graduation.program.title), "success")
    else:
        flash(_("Enter the invitation code."), "error")
    return redirect(url_for("programs.my_graduations"))


@bp.route("/dashboard/graduations/<int:graduation_id>/visibility", methods=["POST"])
@roles_required(Role.ARTISAN.value)
def set_visibility(graduation_id: int):
    form = VisibilityForm()
    if form.validate_on_submit():
        try:
            graduation = services.set_graduation_visibility(
                current_user, graduation_id, public=form.public.data == "1"
            )
        except ValidationFailed:
            # A correctional-facility program: first show what buyers would see, then ask.
            return redirect(url_for("programs.confirm_shown", graduation_id=graduation_id))
        if graduation.public:
            flash(_("Buyers can now see %(program)s on your shop once it is verified.",
                    program=graduation.program.title), "success")
        else:
            flash(_("%(program)s is hidden from buyers.", program=graduation.program.title), "info")
    return redirect(url_for("programs.my_graduations"))


@bp.route("/dashboard/graduations/<int:graduation_id>/show", methods=["GET", "POST"])
@roles_required(Role.ARTISAN.value)
def confirm_shown(graduation_id: int):
    graduation = services.own_graduation(current_user, graduation_id)
    if graduation.public or not graduation.program.is_sensitive:
        return redirect(url_for("programs.my_graduations"))
    form = ConfirmShownForm()
    if form.validate_on_submit():
        services.set_graduation_visibility(current_user, graduation_id, public=True,
                                           confirm_correctional_facility_shown=True)
        flash(_("Buyers can now see %(program)s on your shop once it is verified.",
                program=graduation.program.title), "success")
        return redirect(url_for("programs.my_graduations"))
    return render_template("programs/confirm_shown.html", graduation=graduation, program=graduation.program,
                           form=form)


@bp.route("/dashboard/graduations/<int:graduation_id>/withdraw", methods=["POST"])
@roles_required(Role.ARTISAN.value)
def withdraw(graduation_id: int):
    if ConfirmForm().validate_on_submit():
        services.withdraw_graduation(current_user, graduation_id)
        flash(_("Withdrawn. Any certificate you uploaded has been deleted."), "info")
    return redirect(url_for("programs.my_graduations"))


@bp.route("/graduations/<int:graduation_id>/certificate")
@roles_required()
def certificate(graduation_id: int):
    document = services.read_certificate(current_user, graduation_id)
    return send_file(io.BytesIO(document.data), mimetype=document.content_type,
                     download_name=document.filename, as_attachment=False)


# --- officers ------------------------------------------------------------------------------

@bp.route("/organization")
@roles_required(Role.OFFICER.value)
def my_organization():
    organization = current_user.organization
    if organization is None:
        abort(404)
    programs = db.session.scalars(queries.programs_of(organization.id)).all()
    return render_template("programs/my_organization.html", organization=organization, programs=programs)


@bp.route("/officer/claims")
@roles_required(*OFFICER_OR_ADMIN)
def claims_queue():
    return render_template("programs/claims_queue.html", claims=services.view_claims_queue(current_user))


@bp.route("/officer/claims/<int:graduation_id>", methods=["GET", "POST"])
@roles_required(*OFFICER_OR_ADMIN)
def claim_detail(graduation_id: int):
    reject_form = RejectForm()
    if request.method == "POST":
        decision = request.form.get("decision")
        try:
            if decision == "verify" and ConfirmForm().validate_on_submit():
                services.verify_graduation(current_user, graduation_id)
                flash(_("Verified. The artisan has been told."), "success")
                return redirect(url_for("programs.claims_queue"))
            if decision == "reject" and reject_form.validate_on_submit():
                services.reject_graduation(current_user, graduation_id, reason=reject_form.reason.data)
                flash(_("Rejected. The artisan has been told why."), "info")
                return redirect(url_for("programs.claims_queue"))
        except services.InvalidTransition as error:
            flash(error.message, "error")
            return redirect(url_for("programs.claims_queue"))
    claim = services.view_claim(current_user, graduation_id)
    return render_template("programs/claim_detail.html", claim=claim, reject_form=reject_form,
                           confirm_form=ConfirmForm())


@bp.route("/officer/programs/new", methods=["GET", "POST"])
@roles_required(Role.OFFICER.value)
def program_new():
    form = ProgramForm()
    if form.validate_on_submit():
        try:
            program = services.create_program(current_user, **form.service_values())
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            flash(_("Program %(title)s added.", title=program.title), "success")
            return redirect(url_for("programs.program_detail", slug=program.slug))
    return render_template("programs/program_form.html", form=form, program=None)


@bp.route("/officer/programs/<slug>/edit", methods=["GET", "POST"])
@roles_required(*OFFICER_OR_ADMIN)
def program_edit(slug: str):
    program = services.program_for_officer(current_user, slug)
    form = ProgramForm(obj=program)
    is_admin = current_user.has_role(Role.ADMIN.value)
    if not is_admin:
        # Only an admin changes the correctional-facility setting (see services.update_program).
        del form.held_in_correctional_facility
    if request.method == "GET":
        form.partners.data = "\n".join(program.partners)
    if form.validate_on_submit():
        try:
            services.update_program(current_user, slug, **form.service_values())
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            flash(_("Program saved."), "success")
            return redirect(url_for("programs.program_detail", slug=slug))
    edits = services.program_edits(current_user, slug) if is_admin else None
    return render_template("programs/program_form.html", form=form, program=program, edits=edits)


@bp.route("/officer/programs/<slug>/graduates")
@roles_required(*OFFICER_OR_ADMIN)
def program_graduates(slug: str):
    program, graduates = services.view_program_graduates(current_user, slug)
    return render_template("programs/graduates.html", program=program, graduates=graduates)


@bp.route("/officer/programs/<slug>/roster", methods=["GET", "POST"])
@roles_required(*OFFICER_OR_ADMIN)
def roster_upload(slug: str):
    program = services.program_for_officer(current_user, slug)
    form = RosterForm()
    problems = []
    if form.validate_on_submit():
        try:
            invitations = rosters.import_roster(current_user, slug, form.roster.data.stream)
        except rosters.RosterInvalid as error:
            problems = error.problems
            form.form_errors.append(error.message)
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            flash(ngettext("%(num)d invitation created.", "%(num)d invitations created.", len(invitations)), "success")
            return redirect(url_for("programs.invitations", slug=slug))
    return render_template("programs/roster.html", program=program, form=form, problems=problems)


@bp.route("/officer/programs/<slug>/invitations")
@roles_required(*OFFICER_OR_ADMIN)
def invitations(slug: str):
    program, invitations = rosters.invitations_of(current_user, slug)
    return render_template("programs/invitations.html", program=program, invitations=invitations)


# --- admin -----------------------------------------------------------------------------------

@bp.route("/admin/organizations", methods=["GET", "POST"])
@roles_required(Role.ADMIN.value)
def admin_organizations():
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            organization = services.create_organization(
                name=form.name.data, slug=form.slug.data, kind=form.kind.data, province=form.province.data
            )
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            flash(_("Organization %(name)s created.", name=organization.name), "success")
            return redirect(url_for("programs.admin_organizations"))
    organizations = db.session.scalars(queries.organizations_by_name()).all()
    return render_template("admin/organizations.html", form=form, organizations=organizations)


def _valid_data(field):
    """A filter field's value, or None when it is empty or was not understood."""
    return field.data if field.data and not field.errors else None


def _access_log_filters() -> tuple[AccessLogFilterForm, access_logs.AccessLogFilters]:
    """The filter form read from the query string, and the filters of its valid fields."""
    form = AccessLogFilterForm(request.args)
    form.officer.choices = select_choices([("", _("Every officer"))] + [
        (str(user.id), f"{user.name} ({user.email})") for user in access_logs.officers_in_log()
    ])
    form.program.choices = select_choices([("", _("Every program"))] + [
        (str(program.id), program.title) for program in access_logs.programs_in_log()
    ])
    form.validate()  # errors are shown beside their fields; the other filters still apply
    officer, program = _valid_data(form.officer), _valid_data(form.program)
    filters = access_logs.AccessLogFilters(
        officer_id=int(officer) if officer else None, program_id=int(program) if program else None,
        since=_valid_data(form.since), until=_valid_data(form.until),
    )
    return form, filters


@bp.route("/admin/access-log")
@roles_required(Role.ADMIN.value)
def access_log():
    form, filters = _access_log_filters()
    position = None
    if request.args.get("cursor"):
        try:
            position = access_logs.read_cursor(request.args["cursor"])
        except CursorError:
            position = None  # a link this server did not make: show the newest rows
    page = access_logs.access_log_page(filters, position)
    filter_args = {k: v for k, v in request.args.items() if k != "cursor" and v}
    return render_template(
        "admin/access_log.html", entries=page.entries, access_actions=ACCESS_ACTION_LABELS, form=form,
        next_url=cursor_url("programs.access_log", page.next_cursor),
        prev_url=cursor_url("programs.access_log", page.prev_cursor),
        csv_url=url_for("programs.access_log_csv", **filter_args),
    )


@bp.route("/admin/access-log.csv")
@roles_required(Role.ADMIN.value)
def access_log_csv():
    _form, filters = _access_log_filters()
    return Response(
        stream_with_context(access_logs.csv_lines(filters)), mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="canting-access-log.csv"'},
    )
