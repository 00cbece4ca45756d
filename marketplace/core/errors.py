"""Domain errors and the one place that turns any error into an HTTP answer.

Services raise CantingError subclasses; routes of a JSON blueprint (the API, a payment
webhook: see register_json_blueprint) answer JSON ``{"code", "status", "message", "errors"}`` (and, for a domain rule,
``"reason"``: its CantingError code)
and every other route answers a friendly page in the visitor's language.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError


class CantingError(Exception):
    """A rule of the domain was broken; carries its HTTP status and field errors."""

    code = "error"
    http_status = 400

    def __init__(self, message: str | None = None, *, field: str | None = None, errors=None):
        super().__init__(message or self.code)
        self.message = message or self.code
        self.field = field
        self.errors = errors or ({field: [self.message]} if field else None)


class NotFound(CantingError):
    code = "not_found"
    http_status = 404


class Forbidden(CantingError):
    code = "forbidden"
    http_status = 403


class ValidationFailed(CantingError):
    code = "validation_failed"
    http_status = 422


class Conflict(CantingError):
    code = "conflict"
    http_status = 409


class InvalidTransition(Conflict):
    """A state change that the thing's table of allowed transitions refuses."""
    code = "invalid_transition"


class OutOfStock(Conflict):
    """Fewer units are left (or a made-to-order cap has fewer places) than were asked for."""
    code = "out_of_stock"


ERROR_TITLES = {
    400: _l("We could not process this request"),
    401: _l("Please sign in first"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This method is not supported here"),
    413: _l("The file is too large"),
    422: _l("The data is not valid"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
ERROR_HINTS = {
    400: _l("Check what you entered and try again. If the form was open for a long time, reload the page."),
    403: _l("If you think this is a mistake, contact the Canting team."),
    404: _l("The address may be mistyped, or the page has moved."),
    413: _l("Upload a smaller file."),
    429: _l("To protect accounts, wait a few minutes before trying again."),
    500: _l("We have logged the problem. Please try again in a moment."),
}


JSON_BLUEPRINTS = "canting.json_blueprints"  # app.extensions key: {blueprint name: url prefix}
# A URL that matches no route (or a route of the app itself) has no blueprint to ask: under
# these prefixes it still gets JSON.
JSON_PATH_PREFIXES = ("/api/",)


def register_json_blueprint(app: Flask, blueprint: Blueprint) -> None:
    """Errors raised in BLUEPRINT's routes answer JSON, whatever their URL (an API, a webhook);
    so does an unknown URL or a wrong method under its url_prefix."""
    app.extensions.setdefault(JSON_BLUEPRINTS, {})[blueprint.name] = blueprint.url_prefix


def wants_json() -> bool:
    """Whether the error of this request is answered in JSON: chosen by the blueprint of the
    route, or for a URL that matched no route of a blueprint, by its path."""
    registry = current_app.extensions.get(JSON_BLUEPRINTS, {})
    if request.blueprint is not None:
        return any(name in registry for name in request.blueprints)
    prefixes = JSON_PATH_PREFIXES + tuple(prefix.rstrip("/") + "/" for prefix in registry.values() if prefix)
    return request.path.startswith(prefixes)


def _json_error(status: int, name: str, message: str, errors=None, headers=None, reason: str | None = None):
    payload = {"code": status, "status": name, "message": message}
    if reason:  # which domain rule refused: two 409s (out_of_stock, invalid_transition) differ
        payload["reason"] = reason
    payload["errors"] = errors if errors else {"_error": [message]}
    return payload, status, headers or {}


def _page_error(status: int, headers=None):
    body = render_template(
        "errors/error.html",
        status=status,
        title=ERROR_TITLES.get(status, ERROR_TITLES[400]),
        hint=ERROR_HINTS.get(status, ""),
    )
    return body, status, headers or {}


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    headers = dict(error.get_headers())
    headers.pop("Content-Type", None)
    if wants_json():
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        if isinstance(errors, dict) and set(errors) <= {"json", "query", "form", "headers", "files", "path"}:
            # webargs nests field errors under the request location; callers want the fields.
            merged = {}
            for location, location_errors in errors.items():
                if isinstance(location_errors, dict):
                    merged.update(location_errors)
                else:  # e.g. {"json": ["Invalid JSON body."]}: the body itself is wrong
                    merged[location] = location_errors
            errors = merged
        headers.update(data.get("headers") or {})
        return _json_error(status, error.name, data.get("message") or error.description, errors, headers)
    return _page_error(status, headers)


def handle_canting_error(error: CantingError):
    if wants_json():
        from werkzeug.http import HTTP_STATUS_CODES

        return _json_error(error.http_status, HTTP_STATUS_CODES.get(error.http_status, "Error"),
                           str(error.message), error.errors, reason=error.code)
    return _page_error(error.http_status)


def handle_unexpected_error(error: Exception):
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return handle_http_exception(InternalServerError())


def register_errorhandlers(app: Flask) -> None:
    """Install the single error handler; replaces flask-smorest's JSON-for-everything one."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(CantingError, handle_canting_error)
    app.register_error_handler(Exception, handle_unexpected_error)
