"""Public product photos, served from storage with long cache headers.

Only keys of the shape the image pipeline writes (``products/<32 hex>.jpg`` or ``shops/…``, ``.webp`` or
``.png``) are served; every other key is a 404 before storage is touched, so uploaded
certificates (``certificates/``) and paths such as ``products/../certificates/x.pdf`` can never
be reached here. A key names one file forever (a new photo gets a new random key), hence
``immutable``.

Photo responses never carry the session cookie nor ``Vary: Cookie`` (see
``PhotosWithoutSession``): otherwise Flask-Login's per-request look at the session would make
browsers and CDNs keep a copy per visitor and drop it whenever the session cookie changes.

When S3-compatible storage replaces the local folder, set MEDIA_BASE_URL (e.g. the bucket's CDN
address) and ``media_url`` points there instead of at this route.
"""
from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, abort, current_app, request, url_for
from flask.sessions import SecureCookieSessionInterface

from marketplace.core.storage import storage

bp = Blueprint("media", __name__)

PUBLIC_KEY = re.compile(r"(?:products|shops)/[0-9a-f]{32}\.(jpg|png|webp)")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
CACHE_CONTROL = "public, max-age=31536000, immutable"


@bp.get("/media/<path:key>")
def media(key: str):
    """A stored product or shop photo (endpoint ``media.media``); 404 for anything else."""
    match = PUBLIC_KEY.fullmatch(key)
    if match is None:
        abort(404)
    try:
        data = storage().read(key)
    except (FileNotFoundError, IsADirectoryError, ValueError):
        abort(404)
    response = Response(data, mimetype=CONTENT_TYPES[match.group(1)])
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.add_etag()
    return response.make_conditional(request)


def media_url(key: str | None, external: bool = False) -> str:
    """The public address of a stored product photo ("" when there is none); EXTERNAL gives an
    absolute URL (API answers, Open Graph tags). With MEDIA_BASE_URL set it is always absolute."""
    if not key:
        return ""
    base = current_app.config.get("MEDIA_BASE_URL")
    if base:
        return f"{base.rstrip('/')}/{key}"
    return url_for("media.media", key=key, _external=external)


class PhotosWithoutSession(SecureCookieSessionInterface):
    """The cookie session, except that photo responses never save it (the photo view never
    writes to it), so they stay identical for every visitor: no Set-Cookie, no Vary: Cookie."""

    def save_session(self, app, session, response) -> None:
        if request.blueprint == bp.name:
            return
        super().save_session(app, session, response)


def register_media(app: Flask) -> None:
    """Make ``media_url(key)`` available in every template, and keep photo responses free of
    the session (only when the app uses Flask's own cookie session)."""
    app.add_template_global(media_url, "media_url")
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = PhotosWithoutSession()
