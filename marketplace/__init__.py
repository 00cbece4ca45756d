"""Canting: a marketplace for batik makers who graduated from training programs."""
from __future__ import annotations

from flask import Flask

from config import DEV_SECRET_KEY, config_class
from marketplace.core.routing import DatabaseIdConverter


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the app for a config ('development', 'testing', 'production')."""
    app = Flask(__name__, instance_relative_config=False,
                template_folder="../templates", static_folder="../static")
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.from_object(config_class(config_name))
    app.config.update(overrides or {})
    check_production_secrets(app)
    configure_proxies_and_hosts(app)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def check_production_secrets(app: Flask) -> None:
    """Refuse to run production with a missing, development or short SECRET_KEY."""
    if not app.config.get("PRODUCTION"):
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise RuntimeError(
            "Refusing to start in production: SECRET_KEY is missing or is the development "
            "default. Set it to a random value of at least 32 characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    if app.config.get("STRIPE_API_BASE"):
        raise RuntimeError("Refusing to start in production: STRIPE_API_BASE points Stripe at a test "
                           "server (localstripe); unset it.")
    if app.config.get("STRIPE_SECRET_KEY") and not app.config.get("STRIPE_WEBHOOK_SECRET"):
        raise RuntimeError("Refusing to start in production: STRIPE_SECRET_KEY is set but "
                           "STRIPE_WEBHOOK_SECRET is not, so no card payment could be confirmed.")


def configure_proxies_and_hosts(app: Flask) -> None:
    """Believe X-Forwarded-* from the configured number of proxies; in production answer only
    the public host (and any extra TRUSTED_HOSTS), so no link or redirect follows a forged Host."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from marketplace.core.urls import public_host, refuse_untrusted_hosts

    if app.config.get("PRODUCTION"):
        host = public_host(app.config.get("PUBLIC_BASE_URL") or "")
        if not host:
            raise RuntimeError(
                "Refusing to start in production: set PUBLIC_BASE_URL to the address people use, "
                "e.g. https://canting.example; mailed links are built from it."
            )
        app.config["TRUSTED_HOSTS"] = [host, *app.config.get("EXTRA_TRUSTED_HOSTS", [])]
        # Checked before Flask sees the request: an untrusted Host cannot even build the URLs
        # that an error page needs.
        app.wsgi_app = refuse_untrusted_hosts(app.wsgi_app, app.config["TRUSTED_HOSTS"])
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies > 0:  # outermost: the host check sees the forwarded host
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_extensions(app: Flask) -> None:
    from marketplace.catalog.page_views import init_page_views
    from marketplace.core.i18n import register_template_helpers, select_locale
    from marketplace.core.jobs import init_jobs
    from marketplace.core.security import init_security_headers
    from marketplace.core.uploads import widen_upload_limit
    from marketplace.extensions import api, babel, csrf, db, limiter, mail, migrate

    import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    app.before_request(widen_upload_limit)  # before csrf: its check parses the form
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    mail.init_app(app)
    init_jobs(app)
    init_page_views(app)
    init_security_headers(app)
    api.init_app(app, spec_kwargs={"components": {}})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Personal API token"}
    )
    register_template_helpers(app)
    _configure_login(app)
    _configure_sqlite_connections(app)


def import_models() -> None:
    """Every table must be on db.metadata before Alembic or create_all looks at it."""
    import marketplace.core.models  # noqa: F401
    import marketplace.accounts.models  # noqa: F401
    import marketplace.catalog.models  # noqa: F401
    import marketplace.programs.models  # noqa: F401
    import marketplace.orders.models  # noqa: F401
    import marketplace.payments.models  # noqa: F401
    import marketplace.reports.models  # noqa: F401


def _configure_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.accounts.models import User
    from marketplace.extensions import db, login_manager

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))


def _configure_sqlite_connections(app: Flask) -> None:
    """On SQLite, every new connection enforces foreign keys and uses the write-ahead log, in
    which readers never wait for a writer nor a commit for readers; writers queue for up to
    SQLITE_BUSY_TIMEOUT_MS (docs/decisions.md, "Orders")."""
    busy_timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    from sqlalchemy import event

    from marketplace.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
                cursor.execute("PRAGMA journal_mode=WAL")  # answers "memory" for :memory:, harmlessly
                cursor.close()


def register_blueprints(app: Flask) -> None:
    from marketplace.accounts import api as accounts_api
    from marketplace.accounts.views import bp as accounts_bp
    from marketplace.catalog import api as catalog_api
    from marketplace.catalog.media import bp as media_bp, register_media
    from marketplace.catalog.views import bp as catalog_bp
    from marketplace.core.errors import register_json_blueprint
    from marketplace.core.views import bp as core_bp
    from marketplace.extensions import api, csrf
    from marketplace.orders import api as orders_api
    from marketplace.orders import jobs as orders_jobs  # noqa: F401  (registers the periodic jobs)
    from marketplace.orders import shipping_api
    from marketplace.orders.shipping_views import bp as shipping_bp
    from marketplace.orders.views import bp as orders_bp
    from marketplace.payments import api as payments_api
    from marketplace.payments import jobs as payments_jobs  # noqa: F401  (registers the periodic jobs)
    from marketplace.payments import ledger_api
    from marketplace.payments.seller_views import bp as payments_seller_bp
    from marketplace.payments import refund_api, refunds
    from marketplace.payments.refund_schemas import document_scope_rules
    from marketplace.payments.refund_views import bp as payments_refunds_bp
    from marketplace.payments.views import bp as payments_bp
    from marketplace.payments.webhooks import bp as webhooks_bp
    from marketplace.programs import account_views  # noqa: F401  (its routes join programs_bp)
    from marketplace.programs import api as programs_api
    from marketplace.programs.views import bp as programs_bp
    from marketplace.reports import api as reports_api
    from marketplace.reports import jobs as reports_jobs  # noqa: F401  (registers the periodic jobs)
    from marketplace.reports.program_views import bp as reports_programs_bp
    from marketplace.reports.admin_views import bp as reports_admin_bp
    from marketplace.reports.views import bp as reports_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(programs_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(shipping_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(payments_seller_bp)
    app.register_blueprint(payments_refunds_bp)
    app.register_blueprint(reports_programs_bp)
    app.register_blueprint(reports_admin_bp)
    app.register_blueprint(reports_bp)
    refunds.connect_signals(app)
    # Stripe signs its webhooks; it cannot hold a CSRF token, and the signature is the check.
    app.register_blueprint(webhooks_bp)
    csrf.exempt(webhooks_bp)
    register_json_blueprint(app, webhooks_bp)
    register_media(app)
    # The API authenticates with bearer tokens only, never the session cookie, so CSRF cannot apply.
    for blueprint in (accounts_api.blp, programs_api.blp, catalog_api.blp, orders_api.blp, shipping_api.blp,
                      payments_api.blp, ledger_api.blp, refund_api.blp, reports_api.blp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
        register_json_blueprint(app, blueprint)
    document_scope_rules(api.spec)
    register_json_blueprint(app, app.blueprints["api-docs"])  # flask-smorest's openapi.json


def register_errorhandlers(app: Flask) -> None:
    from marketplace.core.errors import register_errorhandlers as install

    install(app)


def register_commands(app: Flask) -> None:
    from marketplace.accounts.cli import tokens_cli
    from marketplace.catalog.cli import catalog_cli
    from marketplace.core.jobs import worker_command
    from marketplace.core.mail import outbox_cli
    from marketplace.demo import seed_demo_command
    from marketplace.payments.cli import payments_cli
    from marketplace.programs.cli import users_cli
    from marketplace.reports.cli import reports_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(catalog_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(payments_cli)
