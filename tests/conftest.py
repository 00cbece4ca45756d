"""Shared fixtures.

The schema is built once per session by running the Alembic migrations (so every
test also exercises them); each test then starts from empty tables. Set
TEST_DATABASE_URL to a PostgreSQL URL to run the same suite there.
"""
from __future__ import annotations

import os
import re
import socket
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from marketplace import create_app
from marketplace.catalog import page_views
from marketplace.extensions import db as _db
from marketplace.extensions import limiter
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def pytest_configure(config):
    config.addinivalue_line("filterwarnings", "error")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any connection leaving this machine fails the test."""
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in {"localhost", "::1"} or host.startswith("/")):
            raise RuntimeError(f"Tests may not reach the network ({address!r}).")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _drop_everything() -> None:
    # The search table of migration 0004 is no model, so drop_all() would not see it (and on
    # PostgreSQL it references products). Dropping an FTS5 table drops its shadow tables too.
    with _db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS product_search"))
    _db.drop_all()
    with _db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, hence its own `g` and database session, as
    under a real server. Without this, requests would reuse the test's app context and
    Flask-Login's cached `g._login_user` (or the API's `g.api_user`) would leak from one
    request into the next."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "MAIL_FILE_PATH": str(tmp_path_factory.mktemp("mail")),
        "UPLOAD_ROOT": str(tmp_path_factory.mktemp("uploads")),
        "SERVER_NAME": "localhost",
    })
    app.test_client_class = FreshContextClient
    with app.app_context():
        _drop_everything()
        upgrade()
    yield app
    with app.app_context():
        _db.session.remove()
        _drop_everything()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def db(app):
    """A clean database, rate limits and mailbox for every test."""
    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    # The locmem backend appends to the app's mail state, not to the Mail object.
    app.extensions["mailman"].outbox = []
    yield _db
    # The test client never closes a response as a server does, so views counted on product
    # pages stay in the process's tally: forget them with the rows they belonged to.
    page_views.tally(app).take()
    _db.session.rollback()
    _db.session.remove()
    with _db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM product_search"))  # not on the metadata
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())
    ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app, db):
    """Mails sent during the test (flask_mailman EmailMessage objects)."""
    return app.extensions["mailman"].outbox


@pytest.fixture
def make_app(app, tmp_path_factory):
    """Build another app (e.g. production config, or one with a throwaway route).

    create_app() re-binds the shared extension objects (flask-smorest Api, Talisman,
    Limiter, ...) to the new app; their state is put back afterwards so the session
    app behaves as before.
    """
    from marketplace import extensions
    from marketplace.core import jobs

    shared = [extensions.api, extensions.talisman, extensions.limiter, extensions.login_manager,
              extensions.mail, extensions.babel, extensions.csrf, extensions.migrate, jobs.huey]
    saved = [(extension, dict(vars(extension))) for extension in shared]
    saved_jobs_app = dict(jobs._bound)
    built = []

    def factory(config_name: str = "testing", **overrides):
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", app.config["SQLALCHEMY_DATABASE_URI"])
        # Production queues jobs in a SQLite file: keep it out of the repository.
        overrides.setdefault("HUEY_SQLITE_PATH", str(tmp_path_factory.mktemp("huey") / "huey.db"))
        other = create_app(config_name, overrides)
        built.append(other)
        return other

    yield factory
    for extension, state in saved:
        vars(extension).clear()
        vars(extension).update(state)
    jobs._bound.clear()
    jobs._bound.update(saved_jobs_app)
    for other in built:
        with other.app_context():
            for engine in _db.engines.values():
                engine.dispose()


class _FormReader(HTMLParser):
    """The fields a browser would send from the first form whose action is ACTION ("" for a form
    that posts to its own page): text, hidden and ticked boxes, chosen options, text areas."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.found = action, False, False
        self.fields: dict[str, list[str]] = {}
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = not self.found and attrs.get("action", "") == self.action
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            unticked = kind in ("checkbox", "radio") and "checked" not in attrs
            if not unticked and kind not in ("file", "submit"):
                self.fields.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields.setdefault(name, []).append("")

    def handle_data(self, data):
        if self.inside and self.textarea:
            self.fields[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            text = self.fields[self.textarea][-1]
            # Browsers drop the line break that opens a text area.
            self.fields[self.textarea][-1] = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.textarea = None
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected] or [v for v, _ in self.options[:1]]
            self.fields.setdefault(self.select, []).extend(chosen)
            self.select = None


def form_fields(html: str, action: str = "") -> dict:
    """What a browser would send from the form of HTML that posts to ACTION ("" for a form
    without an action): {name: value}, or {name: [values]} for a name sent more than once."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no form posting to {action!r}"
    return {name: values[0] if len(values) == 1 else values for name, values in reader.fields.items()}


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token a browser would find in a page's form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def use_language(client, locale: str, path: str = "/"):
    """Press the language switch in the header of PATH."""
    response = client.post("/language", data={
        "locale": locale, "next": path, "csrf_token": csrf_token(client, path),
    })
    assert response.status_code == 302, response.status
    return response


def login(client, email: str, password: str = factories.PASSWORD):
    return client.post("/login", data={
        "email": email, "password": password, "csrf_token": csrf_token(client),
    })


@pytest.fixture
def make_user():
    return factories.make_user


@pytest.fixture
def make_organization():
    return factories.make_organization


def _client_for(app, **user_kwargs):
    user = factories.make_user(**user_kwargs)
    c = app.test_client()
    response = login(c, user.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    c.user = user
    return c


@pytest.fixture
def buyer_client(app):
    return _client_for(app, roles=["buyer"])


@pytest.fixture
def artisan_client(app):
    return _client_for(app, roles=["buyer", "artisan"])


@pytest.fixture
def officer_client(app):
    organization = factories.make_organization()
    return _client_for(app, roles=["officer"], organization=organization)


@pytest.fixture
def admin_client(app):
    return _client_for(app, roles=["admin"])


@pytest.fixture
def query_counter(app):
    """Counts SQL statements run inside a `with query_counter() as counted:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counter():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(_db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(_db.engine, "before_cursor_execute", record)

    return counter
