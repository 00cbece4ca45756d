"""Registering with a roster invitation code: a programs use case built on accounts' registration."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.accounts.services import begin_registration
from marketplace.core.transaction import atomic
from marketplace.extensions import db
from marketplace.programs.models import Invitation
from marketplace.programs.rosters import InvitationCodeInvalid, normalize_code, redeem_invitation


def register_with_invitation(*, email: str, name: str, password: str, locale: str, code: str) -> None:
    """Create an artisan account whose graduation is verified at once by a roster code.

    The code is checked first (an unknown and a used code get the same answer). Then, as in
    plain registration, a free email gets an unconfirmed account, with the code redeemed in
    the same transaction, and a confirmation mail; a taken email gets a mail to its owner and
    the code stays unused (the owner can redeem it after signing in). The page answers alike
    in both cases. Raises ValidationFailed (weak password), InvitationCodeInvalid.
    """
    usable = db.session.scalar(
        sa.select(Invitation.id).filter_by(code=normalize_code(code), used_at=None)
    )
    if usable is None:
        raise InvitationCodeInvalid()
    with atomic():
        user = begin_registration(email=email, name=name, password=password, locale=locale,
                                  roles=[Role.BUYER.value, Role.ARTISAN.value])
        if user is not None:
            redeem_invitation(user, code)
