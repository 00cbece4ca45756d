"""Program pages: the public catalogue, the artisan's graduations, officers' work, admin audit."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from marketplace.accounts.forms import ConfirmForm
from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import CantingError, ValidationFailed
from marketplace.core.forms import apply_form_errors, select_choices
from marketplace.extensions import db
from marketplace.programs import queries, rosters, services
from marketplace.programs.limits import invitation_limits
from marketplace.programs.forms import (
    ClaimForm, OrganizationForm, ProgramForm, RedeemForm, RejectForm, RosterForm, VisibilityForm,
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
    shops = db.session.scalars(queries.graduate_shops(program.id)).all()
    return render_template("programs/detail.html", program=program, shops=shops)


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
        graduation = services.set_graduation_visibility(
            current_user, graduation_id, public=form.public.data == "1"
        )
        if graduation.public:
            flash(_("Buyers can now see %(program)s on your shop once it is verified.",
                    program=graduation.program.title), "success")
        else:
            flash(_("%(program)s is hidden from buyers.", program=graduation.program.title), "info")
    return redirect(url_for("programs.my_graduations"))


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
    response = send_file(io.BytesIO(document.data), mimetype=document.content_type,
                         download_name=document.filename, as_attachment=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


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
    return render_template("programs/program_form.html", form=form, program=program)


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


@bp.route("/admin/access-log")
@roles_required(Role.ADMIN.value)
def access_log():
    return render_template("admin/access_log.html", entries=services.access_log(),
                           access_actions=ACCESS_ACTION_LABELS)
