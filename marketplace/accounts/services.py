"""Account use cases. Each public function is one thing a person does and commits once."""
from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from marketplace.accounts.models import ROLE_VALUES, ApiToken, Role, User
from marketplace.core.times import utcnow
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.jobs import job
from marketplace.core.mail import queue_mail
from marketplace.core.transaction import atomic, commit
from marketplace.core.urls import external_url
from marketplace.extensions import db

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "cnt_"
RESET_SALT = "password-reset"
CONFIRM_SALT = "email-confirm"


class InvalidResetToken(ValidationFailed):
    code = "invalid_reset_token"


class InvalidConfirmToken(ValidationFailed):
    code = "invalid_confirm_token"


class EmailNotConfirmed(ValidationFailed):
    code = "email_not_confirmed"


def _check_password_rules(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field=field
        )


def _check_roles(roles) -> None:
    unknown = set(roles) - set(ROLE_VALUES)
    if unknown:
        raise ValidationFailed(_("Unknown role: %(role)s", role=", ".join(sorted(unknown))), field="role")


def add_user(
    *, email: str, roles, name: str = "", password: str | None = None, locale: str = "id",
) -> User:
    """Flushes (the caller commits): a new confirmed account, for operators, admins and programs.

    Without a password the account has none until its owner follows a reset link.
    Raises ValidationFailed (email taken, unknown role, weak password).
    """
    email = User.normalize_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise ValidationFailed(_("An account with this email already exists."), field="email")
    _check_roles(roles)
    user = User(email=email, name=name.strip() or email.split("@")[0], locale=locale)
    if password is None:
        user.password_hash = None  # must set one through a reset link before signing in
    else:
        _check_password_rules(password)
        user.set_password(password)
    for role in roles:
        user.add_role(role)
    db.session.add(user)
    db.session.flush()
    return user


def begin_registration(*, email: str, name: str, password: str, roles, locale: str) -> User | None:
    """Flushes (the caller commits): self-registration that says nothing about who is registered.

    A free email gets an unconfirmed account and a mail with a link to confirm it; a taken
    email gets no account, and its owner is mailed that someone tried to register with it.
    Both cases hash the password and write one mail, so they take about the same time.
    Returns the new account, or None when the email was taken. Raises ValidationFailed
    (weak password, unknown role).
    """
    _check_password_rules(password)
    email = User.normalize_email(email)
    password_hash = User.hash_password(password)  # in both cases: the time must not tell them apart
    owner = db.session.scalar(User.by_email(email))
    if owner is not None:
        queue_mail(
            owner.email, "accounts/mail/registration_attempt_subject.txt",
            "accounts/mail/registration_attempt.txt", locale=owner.locale, user=owner,
            login_link=external_url("accounts.login"),
            reset_link=external_url("accounts.request_password_reset"),
        )
        return None
    _check_roles(roles)
    user = User(email=email, name=name.strip() or email.split("@")[0], locale=locale,
                password_hash=password_hash, is_email_confirmed=False)
    for role in roles:
        user.add_role(role)
    db.session.add(user)
    db.session.flush()
    queue_mail(
        user.email, "accounts/mail/confirm_email_subject.txt", "accounts/mail/confirm_email.txt",
        locale=user.locale, user=user,
        link=external_url("accounts.confirm_email", token=_confirm_serializer().dumps({"uid": user.id})),
        days=max(1, current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 86400),
    )
    return user


def register_user(*, email: str, name: str, password: str, makes_batik: bool, locale: str) -> None:
    """Self-registration: a buyer, and also an artisan when they make batik.

    Answers the same whether or not the email is taken (see begin_registration): the person
    finishes by following the link mailed to them. Raises ValidationFailed (weak password).
    """
    roles = [Role.BUYER.value] + ([Role.ARTISAN.value] if makes_batik else [])
    with atomic():
        begin_registration(email=email, name=name, password=password, roles=roles, locale=locale)


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def confirm_email(token: str) -> User:
    """Confirm a self-registered account from its mailed link; the link works once.

    Raises InvalidConfirmToken (forged, expired or already used).
    """
    try:
        data = _confirm_serializer().loads(token, max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    except SignatureExpired:
        raise InvalidConfirmToken(_("This link has expired. Register again to get a new one.")) from None
    except BadSignature:
        raise InvalidConfirmToken(_("This link is not valid.")) from None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.is_email_confirmed or not user.is_active:
        raise InvalidConfirmToken(_("This link was already used. Sign in instead."))
    user.is_email_confirmed = True
    commit()
    return user


@functools.cache
def _dummy_password_hash() -> str:
    return User.hash_password(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """The active, confirmed user with this email and password, or None.

    Unknown, inactive and password-less accounts check the password against a dummy hash,
    so the answer takes as long as for a real account and the time tells nobody who is
    registered. Raises EmailNotConfirmed when the password is right but the account was
    never confirmed.
    """
    user = db.session.scalar(User.by_email(email))
    if user is None or not user.is_active or not user.password_hash:
        check_password_hash(_dummy_password_hash(), password or "")
        return None
    if not user.check_password(password):
        return None
    if not user.is_email_confirmed:
        raise EmailNotConfirmed(_("Confirm your email first: follow the link we mailed you."))
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Raises ValidationFailed when the current password is wrong or the new one too weak."""
    if not user.check_password(current_password):
        raise ValidationFailed(_("Your current password is not correct."), field="current_password")
    _check_password_rules(new_password, field="new_password")
    user.set_password(new_password)
    commit()


def set_locale(user: User, locale: str) -> None:
    """Remember a signed-in person's interface language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(_("Unknown language."), field="locale")
    user.locale = locale
    commit()


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_password_reset_token(user: User) -> str:
    # The password fingerprint makes the token single-use: once the password
    # changes, the fingerprint no longer matches.
    return _reset_serializer().dumps({"uid": user.id, "fp": user.password_fingerprint()})


def queue_password_link(user: User, template: str) -> None:
    """Flushes (the caller commits): mail USER a link to choose a password."""
    queue_mail(
        user.email, f"{template}_subject.txt", f"{template}.txt", locale=user.locale,
        user=user, link=external_url("accounts.reset_password", token=make_password_reset_token(user)),
        hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600,
    )


def request_password_reset(email: str) -> None:
    """Ask for a reset link by mail; says nothing about whether the account exists.

    The request only enqueues a job with the email, the same work either way, so neither the
    answer nor its time tells who is registered; the job looks the account up and mails it.
    """
    _mail_password_reset(User.normalize_email(email))


@job()
def _mail_password_reset(email: str) -> None:
    user = db.session.scalar(User.by_email(email))
    if user is not None and user.is_active:
        queue_password_link(user, "accounts/mail/password_reset")
        commit()


def user_for_reset_token(token: str) -> User:
    """Raises InvalidResetToken when the token is forged, expired or already used."""
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise InvalidResetToken(_("This reset link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise InvalidResetToken(_("This reset link is not valid.")) from None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.password_fingerprint() != data.get("fp"):
        raise InvalidResetToken(_("This reset link was already used. Ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link. Raises InvalidResetToken, ValidationFailed."""
    user = user_for_reset_token(token)
    _check_password_rules(new_password)
    user.set_password(new_password)
    user.is_email_confirmed = True  # the link reached its mailbox: that confirms it too
    commit()
    return user


@dataclass
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def create_api_token(user: User, name: str = "") -> IssuedToken:
    """A new personal API token; only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=(name or "").strip()[:80] or "API",
        token_hash=ApiToken.hash_token(secret), prefix=secret[: len(TOKEN_PREFIX) + 4],
    )
    db.session.add(token)
    commit()
    return IssuedToken(token, secret)


def revoke_api_token(user: User, token_id: int) -> None:
    """Raises NotFound when the token is not the user's."""
    token = db.session.scalar(sa.select(ApiToken).filter_by(id=token_id, user_id=user.id))
    if token is None:
        raise NotFound(_("Token not found."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        commit()


def user_for_api_token(secret: str) -> User | None:
    """The active owner of a valid, unrevoked token, or None."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        sa.select(ApiToken).filter_by(token_hash=ApiToken.hash_token(secret), revoked_at=None)
    )
    if token is None or not token.user.is_active:
        return None
    return token.user
