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
