"""Security headers (Flask-Talisman), no caching of personal pages, and safe redirects."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request

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


def init_security_headers(app: Flask) -> None:
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


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site relative paths: '/account', never '//evil.example' or 'https://…'."""
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") and "\\" not in target
