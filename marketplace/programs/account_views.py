"""Pages where programs make accounts: registering with a roster code, and admins' officer list.

Routes on the programs blueprint, kept apart from views.py.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import apply_form_errors, select_choices
from marketplace.core.i18n import SESSION_LOCALE_KEY
from marketplace.extensions import db
from marketplace.programs import enrollment, officers, rosters
from marketplace.programs.account_forms import InvitationRegistrationForm, OfficerForm
from marketplace.programs.limits import invitation_limits
from marketplace.programs.models import Organization
from marketplace.programs.views import bp


def _registration_mailed():
    # The words of accounts' registration page: the same answer whether or not the email is taken.
    flash(_("Almost done: we have sent a message to your email. Follow its link to finish."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/register/invitation", methods=["GET", "POST"])
@invitation_limits
def register_with_invitation():
    if current_user.is_authenticated:
        return redirect(url_for("programs.my_graduations"))
    form = InvitationRegistrationForm()
    if request.method == "GET" and request.args.get("code"):
        form.invitation_code.data = request.args["code"][:20]
    if form.validate_on_submit():
        try:
            enrollment.register_with_invitation(
                email=form.email.data, name=form.name.data, password=form.password.data,
                locale=session.get(SESSION_LOCALE_KEY, "id"), code=form.invitation_code.data,
            )
        except ValidationFailed as error:
            g.invitation_code_failed = isinstance(error, rosters.InvitationCodeInvalid)
            apply_form_errors(form, error)
        else:
            return _registration_mailed()
    return render_template("programs/register_invitation.html", form=form)


@bp.route("/admin/officers", methods=["GET", "POST"])
@roles_required(Role.ADMIN.value)
def admin_officers():
    organizations = db.session.scalars(sa.select(Organization).order_by(Organization.name)).all()
    form = OfficerForm()
    form.organization.choices = select_choices(
        [("", _("Choose an organization"))] + [(o.slug, o.name) for o in organizations]
    )
    if form.validate_on_submit():
        try:
            officer = officers.invite_officer(
                email=form.email.data, name=form.name.data,
                organization_slug=form.organization.data, invited_by=current_user,
            )
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            flash(_("Officer account created for %(email)s; they were mailed a link to set a password.",
                    email=officer.email), "success")
            return redirect(url_for("programs.admin_officers"))
    return render_template("admin/officers.html", form=form,
                           officers=db.session.scalars(officers.officers()).all())
