"""Limits on wrong invitation codes, per account and per address.

A code has 40 bits: without a limit it could be guessed. Only wrong codes count (a view sets
`g.invitation_code_failed`), so someone who types their own code is never slowed down.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from marketplace.accounts.models import User
from marketplace.extensions import limiter


def _code_failed(_response) -> bool:
    return bool(g.get("invitation_code_failed"))


def _account_key() -> str:
    if current_user.is_authenticated:
        return f"invitation-account:{current_user.id}"
    return "invitation-account:" + User.normalize_email(request.form.get("email", ""))


def _address_key() -> str:
    return "invitation-address:" + get_remote_address()


def invitation_limits(view):
    """Decorate a view that takes invitation codes."""
    view = limiter.limit(lambda: current_app.config["INVITATION_LIMIT_PER_ACCOUNT"], methods=["POST"],
                         key_func=_account_key, deduct_when=_code_failed)(view)
    return limiter.limit(lambda: current_app.config["INVITATION_LIMIT_PER_ADDRESS"], methods=["POST"],
                         key_func=_address_key, deduct_when=_code_failed)(view)
