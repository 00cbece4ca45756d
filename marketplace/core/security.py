"""Security headers (Flask-Talisman), no caching of personal pages, and safe redirects."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, request

from marketplace.extensions import talisman

# No inline script anywhere: every script is a file under /static.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Pages that show personal data (officers' graduate lists, claims and invitations, the admin's
# access log, the artisan's dashboard and certificates, accounts): no copy is kept by the browser
# or any proxy, so neither the back button on a shared computer nor a cache serves them again.
NO_STORE_PREFIXES = (
    "/officer/", "/admin/", "/dashboard/", "/account", "/organization", "/graduations/", "/password/",
)


def no_store_personal_pages(response):
    if request.path.startswith(NO_STORE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    return response


def referrer_policy(policy: str):
    """A view whose URL holds a secret (a guest's order link) sends its own Referrer-Policy,
    e.g. "no-referrer", so that no link followed from the page carries the secret away."""

    def decorator(view):
        view.referrer_policy = policy
        return view

    return decorator


def _view_referrer_policy(response):
    view = current_app.view_functions.get(request.endpoint or "")
    policy = getattr(view, "referrer_policy", None)
    if policy:
        response.headers["Referrer-Policy"] = policy
    return response


def init_security_headers(app: Flask) -> None:
    # Registered before Talisman: after-request functions run last-registered first, so this one
    # runs after Talisman has set the site-wide Referrer-Policy, and may replace it.
    app.after_request(_view_referrer_policy)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["SESSION_COOKIE_SECURE"],
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
    )
    app.after_request(no_store_personal_pages)


MAX_REDIRECT_LENGTH = 2000


def is_safe_redirect(target: str | None) -> bool:
    """Whether TARGET, a `next` or other redirect target read from a request, may be redirected to.

    The one check for every such target: a path on this site, '/account' or '/products?q=kawung',
    starting with a single '/', with no scheme or host ('https://…', '//evil.example'), no
    backslash ('/\\evil.example', which browsers read as '//'), and no control, format or line
    separator characters (a newline would split the Location header, and browsers drop tabs and
    newlines, so that '/', a tab and '/evil.example' become '//evil.example'). Percent-encoded
    forms ('%0A', '%5C', '%2F%2F') are decoded and checked too.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_REDIRECT_LENGTH:
        return False
    decoded, previous = target, None
    while decoded != previous:  # '%250A' is '%0A' once decoded
        decoded, previous = unquote(decoded), decoded
    for text in (target, decoded):
        if not text.startswith("/") or text.startswith("//") or "\\" in text:
            return False
        if any(_is_unsafe_character(character) for character in text):
            return False
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return False
    return True


def _is_unsafe_character(character: str) -> bool:
    # Cc control, Cf format (e.g. zero-width, bidi overrides), Zl/Zp line and paragraph separators,
    # Zs spaces other than the plain one, Cs/Co/Cn surrogates, private use and unassigned.
    category = unicodedata.category(character)
    return category[0] == "C" or category in ("Zl", "Zp") or (category == "Zs" and character != " ")
