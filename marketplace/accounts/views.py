"""Pages for signing up, in and out, the account page and password reset."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import services
from marketplace.accounts.forms import (
    ApiTokenForm, ConfirmForm, LanguageForm, LoginForm, PasswordChangeForm,
    PasswordResetForm, PasswordResetRequestForm, RegistrationForm,
)
from marketplace.accounts.models import ROLE_LABELS, User
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import apply_form_errors
from marketplace.core.i18n import SESSION_LOCALE_KEY
from marketplace.core.security import is_safe_redirect
from marketplace.extensions import limiter

bp = Blueprint("accounts", __name__)


def _login_account_key() -> str:
    # The account *and* the address: an attacker's failures lock only the attacker's address
    # out of that account, never the owner elsewhere (docs/decisions.md, "Sign-in limits").
    return f"login-account:{User.normalize_email(request.form.get('email', ''))}:{get_remote_address()}"


def _login_account_all_addresses_key() -> str:
    return "login-account-all:" + User.normalize_email(request.form.get("email", ""))


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
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_ALL_ADDRESSES"], methods=["POST"],
               key_func=_login_account_all_addresses_key, deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.EmailNotConfirmed as error:
            form.form_errors.append(error.message)
            return render_template("accounts/login.html", form=form)
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
    if request.method == "GET" and request.args.get("code"):
        # Links in invitation mails sent before the invitation page existed.
        return redirect(url_for("programs.register_with_invitation", code=request.args["code"][:20]))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            services.register_user(
                email=form.email.data, name=form.name.data, password=form.password.data,
                makes_batik=form.makes_batik.data, locale=session.get(SESSION_LOCALE_KEY, "id"),
            )
        except ValidationFailed as error:
            apply_form_errors(form, error)
        else:
            return registration_mailed()
    return render_template("accounts/register.html", form=form)


def registration_mailed():
    """The one answer to a registration, whether or not the email already had an account."""
    flash(_("Almost done: we have sent a message to your email. Follow its link to finish."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    # A button, not the GET itself: mail scanners open links, and must not use up this one.
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = services.confirm_email(token)
        except services.InvalidConfirmToken as error:
            flash(error.message, "error")
            return redirect(url_for("accounts.login"))
        login_user(user)
        session.pop(SESSION_LOCALE_KEY, None)
        flash(_("Welcome to Canting, %(name)s.", name=user.name), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/confirm_email.html", form=form, token=token)


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
