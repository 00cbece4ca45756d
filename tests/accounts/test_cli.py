"""`flask users create` and `flask tokens create`."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.models import User
from tests.conftest import login

PASSWORD = "operator chosen 1"


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def find_user(db, email):
    db.session.expire_all()
    return db.session.scalar(User.by_email(email))


def user_count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_users_create_makes_an_officer_of_an_organization(app, db, make_organization):
    organization = make_organization(slug="disperin-sumsel")
    result = run(app, "users", "create", "Dessy@Sumsel.test", "--role", "officer",
                 "--org", "disperin-sumsel", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "dessy@sumsel.test" in result.output
    user = find_user(db, "dessy@sumsel.test")
    assert user.roles == {"officer"}
    assert user.organization_id == organization.id
    # The account signs in on the website with the given password.
    client = app.test_client()
    assert login(client, "dessy@sumsel.test", PASSWORD).status_code == 302
    assert client.get("/organization").status_code == 200


def test_users_create_takes_several_roles(app, db):
    result = run(app, "users", "create", "sari@canting.test", "--role", "buyer", "--role", "artisan",
                 "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert find_user(db, "sari@canting.test").roles == {"buyer", "artisan"}


def test_an_officer_without_org_is_an_error(app, db):
    result = run(app, "users", "create", "o@canting.test", "--role", "officer", "--password", PASSWORD)
    assert result.exit_code != 0
    assert "organization" in result.output
    assert "Traceback" not in result.output
    assert user_count(db) == 0


def test_an_unknown_org_is_an_error(app, db):
    result = run(app, "users", "create", "o@canting.test", "--role", "officer", "--org", "nope",
                 "--password", PASSWORD)
    assert result.exit_code != 0
    assert "organization" in result.output
    assert user_count(db) == 0


def test_an_unknown_role_is_refused(app, db):
    result = run(app, "users", "create", "o@canting.test", "--role", "superuser")
    assert result.exit_code != 0
    assert user_count(db) == 0


def test_an_email_that_exists_is_an_error(app, db, make_user):
    make_user(email="sari@canting.test")
    result = run(app, "users", "create", "SARI@canting.test", "--role", "admin", "--password", PASSWORD)
    assert result.exit_code != 0
    assert "email" in result.output
    assert user_count(db) == 1
    assert find_user(db, "sari@canting.test").roles == {"buyer"}


def test_an_account_created_without_password_cannot_sign_in_yet(app, db):
    result = run(app, "users", "create", "admin@canting.test", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert find_user(db, "admin@canting.test").password_hash is None
    assert login(app.test_client(), "admin@canting.test", PASSWORD).status_code == 200


def test_tokens_create_prints_a_working_token(app, make_user):
    user = make_user(email="sari@canting.test", roles=["buyer", "artisan"])
    result = run(app, "tokens", "create", "Sari@Canting.test", "--name", "stock sync")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("cnt_")
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["id"] == user.id
    assert response.get_json()["email"] == "sari@canting.test"


def test_tokens_create_for_an_unknown_email_is_an_error(app):
    result = run(app, "tokens", "create", "nobody@canting.test")
    assert result.exit_code != 0
    assert "nobody@canting.test" in result.output
    assert "cnt_" not in result.output
