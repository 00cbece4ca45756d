"""Who may do what: the one place role checks live, for pages and for the API."""
from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import WWWAuthenticate

from marketplace.extensions import login_manager


def roles_required(*roles: str):
    """Pages: anonymous visitors are sent to sign in; signed-in users without a role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def api_user():
    """The user behind the request's bearer token, or None. Session cookies are ignored on the API,
    which is why the API can be exempt from CSRF."""
    if "api_user" not in g:
        from marketplace.accounts.services import user_for_api_token

        token = bearer_token()
        g.api_user = user_for_api_token(token) if token else None
    return g.api_user


def token_required(*roles: str):
    """API: 401 without a valid token, 403 when the token's user lacks every listed role."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = api_user()
            if user is None:
                abort(401, description=_("A valid bearer token is required."),
                      www_authenticate=WWWAuthenticate("bearer"))
            if roles and not user.has_role(*roles):
                abort(403, description=_("Your account may not use this endpoint."))
            return view(*args, **kwargs)

        return wrapped

    return decorator
