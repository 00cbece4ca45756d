"""Pages for signing up, in and out, the account page, password reset and admin officer accounts."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import services
from marketplace.accounts.forms import (
    ApiTokenForm, ConfirmForm, LanguageForm, LoginForm, OfficerForm, PasswordChangeForm,
    PasswordResetForm, PasswordResetRequestForm, RegistrationForm,
)
from marketplace.accounts.models import ROLE_LABELS, Role, User, UserRole
from marketplace.accounts.policy import roles_required
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import apply_form_errors, select_choices
from marketplace.core.i18n import SESSION_LOCALE_KEY
from marketplace.core.security import is_safe_redirect
from marketplace.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _login_account_key() -> str:
    return "login-account:" + User.normalize_email(request.form.get("email", ""))


def _failed_login(response) -> bool:
    # Only failed attempts count towards the limit: success redirects.
    return request.method == "POST" and response.status_code == 200


def _redirect_next(default: str):
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_redirect(target) else default)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key, deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            session.pop(SESSION_LOCALE_KEY, None)  # the account's language wins after sign-in
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return _redirect_next(url_for("accounts.account"))
        form.form_errors.append(_("Email or password is not correct."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if ConfirmForm().validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("catalog.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = RegistrationForm()
    if request.method == "GET" and request.args.get("code"):
        form.invitation_code.data = request.args["code"][:20]
        form.makes_batik.data = True
    if form.validate_on_submit():
        try:
            user = services.register_user(
                email=form.email.data, name=form.name.data, password=form.password.data,
                makes_batik=form.makes_batik.data, locale=session.get(SESSION_LOCALE_KEY, "id"),
                invitation_code=(form.invitation_code.data or "").strip() or None,
            )
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            login_user(user)
            flash(_("Welcome to Canting, %(name)s.", name=user.name), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/register.html", form=form)


@bp.route("/account")
@login_required
def account():
    return render_template(
        "accounts/account.html", token_form=ApiTokenForm(), confirm_form=ConfirmForm(),
        new_token=session.pop("new_api_token", None), role_labels=ROLE_LABELS,
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/password_change.html", form=form)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = ApiTokenForm()
    if form.validate_on_submit():
        issued = services.create_api_token(current_user, form.name.data)
        # Shown once on the next page, then gone: only the hash is stored.
        session["new_api_token"] = issued.secret
        flash(_("Copy your new token now; it will not be shown again."), "warning")
    else:
        flash(_("The token could not be created."), "error")
    return redirect(url_for("accounts.account") + "#tokens")


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if ConfirmForm().validate_on_submit():
        services.revoke_api_token(current_user, token_id)
        flash(_("The token has been revoked."), "info")
    return redirect(url_for("accounts.account") + "#tokens")


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def request_password_reset():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If an account uses this email, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/password_reset_request.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except services.InvalidResetToken as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.request_password_reset"))
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            flash(_("Your password has been set. You can sign in now."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/password_reset.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session[SESSION_LOCALE_KEY] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user, form.locale.data)
    return _redirect_next(url_for("catalog.home"))


@bp.route("/admin/officers", methods=["GET", "POST"])
@roles_required(Role.ADMIN.value)
def admin_officers():
    from marketplace.programs.models import Organization

    organizations = db.session.scalars(sa.select(Organization).order_by(Organization.name)).all()
    form = OfficerForm()
    form.organization.choices = select_choices(
        [("", _("Choose an organization"))] + [(o.slug, o.name) for o in organizations]
    )
    if form.validate_on_submit():
        try:
            officer = services.invite_officer(
                email=form.email.data, name=form.name.data,
                organization_slug=form.organization.data, invited_by=current_user,
            )
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            flash(_("Officer account created for %(email)s; they were mailed a link to set a password.",
                    email=officer.email), "success")
            return redirect(url_for("accounts.admin_officers"))
    officers = db.session.scalars(
        sa.select(User).where(User.role_rows.any(UserRole.role == Role.OFFICER.value)).order_by(User.name)
    ).all()
    return render_template("admin/officers.html", form=form, officers=officers)
