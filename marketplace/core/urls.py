"""Links that leave the site (in mail) are built from PUBLIC_BASE_URL, never from the request.

A request's Host header is whatever the client sent; a reset link built from it would point
at the sender's site. These links also have to be built by jobs, which have no request.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import get_host
from werkzeug.wrappers import Response


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


def refuse_untrusted_hosts(wsgi_app, trusted_hosts: list[str]):
    """WSGI middleware: a plain 400 for a request whose Host is not one of TRUSTED_HOSTS."""
    def middleware(environ, start_response):
        try:
            get_host(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"),
                     (environ.get("SERVER_NAME", ""), int(environ.get("SERVER_PORT") or 80)),
                     trusted_hosts)
        except SecurityError:
            return Response("Unknown host.", status=400, mimetype="text/plain")(environ, start_response)
        return wsgi_app(environ, start_response)

    return middleware
