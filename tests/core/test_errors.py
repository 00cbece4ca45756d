"""One error handler: JSON under /api/, a friendly page everywhere else."""
from __future__ import annotations

import pytest

from marketplace.core.errors import ValidationFailed

ERROR_KEYS = {"code", "status", "message", "errors"}


def assert_error_page(response, status):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'class="error-page"' in page
    assert f'<p class="error-code">{status}</p>' in page


def test_an_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == 404
    assert body["status"] == "Not Found"
    assert body["errors"]


def test_an_unknown_page_is_a_friendly_html_404(client):
    assert_error_page(client.get("/no-such-page"), 404)


def test_the_404_page_speaks_the_visitors_language(client):
    page = client.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Halaman tidak ditemukan" in page


def test_a_wrong_method_under_the_api_answers_json_405(client):
    response = client.post("/api/v1/me")
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert set(response.get_json()) == ERROR_KEYS
    assert "GET" in response.headers["Allow"]


def test_a_wrong_method_on_a_page_is_an_html_page(client):
    assert_error_page(client.delete("/login"), 405)


@pytest.fixture
def crashing_app(make_app):
    """An app with routes that fail the way real code might."""
    app = make_app("testing")

    @app.route("/boom")
    @app.route("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    @app.route("/api/v1/invalid")
    def invalid():
        raise ValidationFailed("Price must be at least 1.", field="price")

    return app


def test_an_unexpected_error_under_the_api_answers_json_500(crashing_app):
    response = crashing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == 500
    assert "secret internal detail" not in response.get_data(as_text=True)


def test_an_unexpected_error_on_a_page_is_the_friendly_500_page(crashing_app):
    response = crashing_app.test_client().get("/boom")
    assert_error_page(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)


def test_a_domain_error_under_the_api_answers_422_with_field_errors(crashing_app):
    response = crashing_app.test_client().get("/api/v1/invalid")
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"] == {"price": ["Price must be at least 1."]}
    assert body["message"] == "Price must be at least 1."


def test_malformed_json_body_is_a_400_with_the_body_named(client, make_user):
    from marketplace.accounts.services import create_api_token

    user = make_user(roles=["buyer", "artisan"])
    token = create_api_token(user, "t").secret
    response = client.post("/api/v1/graduations", data="{not json",
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["Invalid JSON body."]}


def test_id_beyond_integer_range_is_not_found_not_a_crash(client):
    response = client.get("/api/v1/graduations/99999999999999999999")
    assert response.status_code == 404
    assert response.is_json


@pytest.fixture
def blueprint_app(make_app):
    """An app with a JSON blueprint outside /api/ (as a payment webhook will be) and an HTML one."""
    from flask import Blueprint, abort
    from werkzeug.exceptions import NotFound

    from marketplace.core.errors import register_json_blueprint
    from marketplace.extensions import csrf

    app = make_app("testing")
    hooks = Blueprint("test-hooks", __name__, url_prefix="/hooks")

    @hooks.route("/missing", methods=["POST"])
    def hook_missing():
        raise NotFound()

    @hooks.route("/unsigned", methods=["POST"])
    def hook_unsigned():
        abort(400, description="Signature missing.")

    @hooks.route("/invalid", methods=["POST"])
    def hook_invalid():
        raise ValidationFailed("Unknown event type.", field="type")

    @hooks.route("/boom", methods=["POST"])
    def hook_boom():
        raise RuntimeError("secret internal detail")

    pages = Blueprint("test-pages", __name__)

    @pages.route("/page/missing")
    @pages.route("/api/v1/an-html-page")  # the blueprint decides, not the path
    def page_missing():
        raise NotFound()

    csrf.exempt(hooks)  # signed by the sender, as a webhook is
    app.register_blueprint(hooks)
    register_json_blueprint(app, hooks)
    app.register_blueprint(pages)
    return app


@pytest.mark.parametrize("method,path,status", [
    ("post", "/hooks/missing", 404), ("post", "/hooks/unsigned", 400), ("post", "/hooks/invalid", 422),
    ("post", "/hooks/boom", 500),
    ("get", "/hooks/missing", 405),  # a wrong method matches no route: the blueprint's prefix decides
    ("post", "/hooks/no-such-hook", 404),
])
def test_a_json_blueprint_outside_the_api_answers_json(blueprint_app, method, path, status):
    response = getattr(blueprint_app.test_client(), method)(path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) - {"reason"} == ERROR_KEYS and body["code"] == status
    assert ("reason" in body) == (path == "/hooks/invalid")  # a domain rule names itself
    assert "secret internal detail" not in response.get_data(as_text=True)
    if path == "/hooks/invalid":
        assert body["errors"] == {"type": ["Unknown event type."]}
    if path == "/hooks/unsigned":
        assert body["message"] == "Signature missing."


@pytest.mark.parametrize("path", ["/page/missing", "/api/v1/an-html-page"])
def test_an_html_blueprint_answers_an_error_page(blueprint_app, path):
    assert_error_page(blueprint_app.test_client().get(path), 404)


def test_an_unknown_api_path_still_answers_json_beside_other_blueprints(blueprint_app):
    response = blueprint_app.test_client().get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.mimetype == "application/json"


def test_every_api_route_belongs_to_a_json_blueprint(app):
    """A new API blueprint that is not registered as JSON would answer its errors with HTML."""
    from marketplace.core.errors import JSON_BLUEPRINTS

    json_blueprints = app.extensions[JSON_BLUEPRINTS]
    html_pages = {"core.api_docs", "core.api_docs_asset"}  # the interactive docs are a page
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint not in html_pages:
            assert rule.endpoint.rpartition(".")[0] in json_blueprints, rule.rule
