"""Pages for officers (their organization) and admins (all organizations)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import apply_form_errors
from marketplace.extensions import db
from marketplace.programs import queries, services
from marketplace.programs.forms import OrganizationForm

bp = Blueprint("programs", __name__)


@bp.route("/organization")
@roles_required(Role.OFFICER.value)
def my_organization():
    organization = current_user.organization
    if organization is None:
        abort(404)
    programs = db.session.scalars(queries.programs_of(organization.id)).all()
    return render_template("programs/my_organization.html", organization=organization, programs=programs)


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
