"""Links that leave the site (in mail) are built from PUBLIC_BASE_URL, never from the request.

A request's Host header is whatever the client sent; a reset link built from it would point
at the sender's site. These links also have to be built by jobs, which have no request.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_host(base_url: str) -> str:
    """The host name (without port) of a configured public URL."""
    return urlsplit(base_url).hostname or ""


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ENDPOINT on the configured public site."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https",
    )
    return adapter.build(endpoint, values, force_external=True)
