"""Account use cases. Each public function is one thing a person does and commits once."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marketplace.accounts.models import ROLE_VALUES, ApiToken, Role, User, utcnow
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.mail import send_mail
from marketplace.core.transaction import commit
from marketplace.extensions import db

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "cnt_"
RESET_SALT = "password-reset"


class InvalidResetToken(ValidationFailed):
    code = "invalid_reset_token"


def _ensure_email_free(email: str) -> None:
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise ValidationFailed(_("An account with this email already exists."), field="email")


def _check_password_rules(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field=field
        )


def _new_user(email: str, name: str, password: str | None, roles, locale: str) -> User:
    email = User.normalize_email(email)
    _ensure_email_free(email)
    unknown = set(roles) - set(ROLE_VALUES)
    if unknown:
        raise ValidationFailed(_("Unknown role: %(role)s", role=", ".join(sorted(unknown))), field="role")
    user = User(email=email, name=name.strip() or email.split("@")[0], locale=locale)
    if password is None:
        user.password_hash = None  # must set one through a reset link before signing in
    else:
        _check_password_rules(password)
        user.set_password(password)
    for role in roles:
        user.add_role(role)
    db.session.add(user)
    return user


def register_user(
    *, email: str, name: str, password: str, makes_batik: bool, locale: str,
    invitation_code: str | None = None,
) -> User:
    """Self-registration: a buyer, and also an artisan when they make batik.

    With a roster invitation code the account is an artisan whose graduation is already
    verified; account and graduation are written together or not at all.
    Raises ValidationFailed (email taken, weak password, invalid or used code).
    """
    from marketplace.programs.rosters import redeem_invitation

    roles = [Role.BUYER.value] + ([Role.ARTISAN.value] if makes_batik or invitation_code else [])
    try:
        user = _new_user(email, name, password, roles, locale)
        if invitation_code:
            redeem_invitation(user, invitation_code)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return user


def create_user(
    *, email: str, roles, name: str = "", password: str | None = None,
    organization_slug: str | None = None, locale: str = "id",
) -> User:
    """Operator or admin creates an account; officers must name their organization.

    Raises ValidationFailed (email taken, unknown role, missing or unknown organization).
    """
    from marketplace.programs.models import Organization

    try:
        user = _new_user(email, name, password, roles, locale)
        if Role.OFFICER.value in user.roles or organization_slug:
            if not organization_slug:
                raise ValidationFailed(_("An officer must belong to an organization."), field="organization")
            organization = db.session.scalar(sa.select(Organization).filter_by(slug=organization_slug))
            if organization is None:
                raise ValidationFailed(_("No organization with this slug."), field="organization")
            user.organization = organization
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return user


def invite_officer(*, email: str, name: str, organization_slug: str, invited_by: User) -> User:
    """Admin creates an officer account; the officer sets a password through the mailed link.

    Raises ValidationFailed.
    """
    user = create_user(
        email=email, name=name, roles=[Role.OFFICER.value], organization_slug=organization_slug,
        locale=invited_by.locale,
    )
    _mail_password_link(user, "accounts/mail/officer_invite")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = db.session.scalar(User.by_email(email))
    if user is None or not user.is_active or not user.check_password(password):
        return None
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


def _mail_password_link(user: User, template: str) -> None:
    token = make_password_reset_token(user)
    link = url_for("accounts.reset_password", token=token, _external=True)
    send_mail(
        user.email, f"{template}_subject.txt", f"{template}.txt", locale=user.locale,
        user=user, link=link, hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600,
    )


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way (no account probing)."""
    user = db.session.scalar(User.by_email(email))
    if user is not None and user.is_active:
        _mail_password_link(user, "accounts/mail/password_reset")


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
