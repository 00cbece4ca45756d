"""Accounts that belong to an organization: officers, created by operators and admins.

Organizations live in programs, so this is where an account gets one; accounts itself knows
no organization (it only offers `add_user`, which flushes).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.accounts.models import Role, User, UserRole
from marketplace.accounts.services import add_user, queue_password_link
from marketplace.core.errors import ValidationFailed
from marketplace.core.transaction import atomic
from marketplace.extensions import db
from marketplace.programs.models import Organization


def _add_user_with_organization(
    *, email: str, roles, name: str, password: str | None, organization_slug: str | None, locale: str,
) -> User:
    """Flushes. Raises ValidationFailed (email taken, unknown role, missing or unknown organization)."""
    user = add_user(email=email, roles=roles, name=name, password=password, locale=locale)
    if Role.OFFICER.value in user.roles or organization_slug:
        if not organization_slug:
            raise ValidationFailed(_("An officer must belong to an organization."), field="organization")
        organization = db.session.scalar(sa.select(Organization).filter_by(slug=organization_slug))
        if organization is None:
            raise ValidationFailed(_("No organization with this slug."), field="organization")
        user.organization = organization
    return user


def create_user(
    *, email: str, roles, name: str = "", password: str | None = None,
    organization_slug: str | None = None, locale: str = "id",
) -> User:
    """Operator (`flask users create`) creates an account; officers must name their organization.

    Raises ValidationFailed (email taken, unknown role, missing or unknown organization).
    """
    with atomic():
        user = _add_user_with_organization(
            email=email, roles=roles, name=name, password=password,
            organization_slug=organization_slug, locale=locale,
        )
    return user


def invite_officer(*, email: str, name: str, organization_slug: str, invited_by: User) -> User:
    """Admin creates an officer account; the officer sets a password through the mailed link.

    Account and mail are written together or not at all. Raises ValidationFailed.
    """
    with atomic():
        user = _add_user_with_organization(
            email=email, name=name, roles=[Role.OFFICER.value], password=None,
            organization_slug=organization_slug, locale=invited_by.locale,
        )
        queue_password_link(user, "accounts/mail/officer_invite")
    return user


def officers():
    """Every officer account, by name (a select())."""
    return sa.select(User).where(User.role_rows.any(UserRole.role == Role.OFFICER.value)).order_by(User.name)
