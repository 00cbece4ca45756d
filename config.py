"""Configuration classes, read from environment variables.

Development runs with no setup at all (SQLite under instance/, mail written to
instance/mail/, in-process rate limits). Production refuses to start without a
real SECRET_KEY.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEV_SECRET_KEY = "dev-only-not-secret"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(default: str, variable: str = "DATABASE_URL") -> str:
    url = os.environ.get(variable) or default
    # Heroku-style URLs name the old driver; SQLAlchemy wants psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    PRODUCTION = False
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # A relative SQLite path lands in instance/, which Flask-SQLAlchemy creates when needed.
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite:///canting.db")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # How long a SQLite writer waits for the one before it (then "database is locked"): well
    # past the seconds a burst of checkouts queues on a small machine, below gunicorn's 30 s
    # worker timeout. PostgreSQL ignores it.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", 15_000))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    FORCE_HTTPS = False
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 10 * 1024 * 1024))
    # Pages that take several photos in one form (views marked @large_upload): eight photos of
    # 8 MB plus the rest of the form.
    MAX_PHOTO_FORM_LENGTH = int(os.environ.get("MAX_PHOTO_FORM_LENGTH", 65 * 1024 * 1024))

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins for one account from one address; then a cap on one account from all
    # addresses together, short enough that an attack never locks the owner out for long
    # (docs/decisions.md, "Sign-in limits").
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ACCOUNT_ALL_ADDRESSES = os.environ.get(
        "LOGIN_LIMIT_PER_ACCOUNT_ALL_ADDRESSES", "10 per minute"
    )
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes")
    # Wrong invitation codes (at /register/invitation and /dashboard/graduations/redeem).
    INVITATION_LIMIT_PER_ACCOUNT = os.environ.get("INVITATION_LIMIT_PER_ACCOUNT", "5 per hour")
    INVITATION_LIMIT_PER_ADDRESS = os.environ.get("INVITATION_LIMIT_PER_ADDRESS", "10 per hour")
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed; 0: none.
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
    # Where people reach the site: every link in a mail is built from it, never from the
    # request's Host header. Production requires it and refuses other hosts.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    EXTRA_TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]

    UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT", str(INSTANCE_DIR / "uploads"))
    # Where public photos are served from once they live on S3-compatible storage behind a CDN;
    # empty: this app's /media/ route.
    MEDIA_BASE_URL = os.environ.get("MEDIA_BASE_URL") or None
    PRODUCT_IMAGE_MAX_BYTES = int(os.environ.get("PRODUCT_IMAGE_MAX_BYTES", 8 * 1024 * 1024))
    CERTIFICATE_MAX_BYTES = int(os.environ.get("CERTIFICATE_MAX_BYTES", 5 * 1024 * 1024))
    ROSTER_MAX_BYTES = int(os.environ.get("ROSTER_MAX_BYTES", 1024 * 1024))

    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", 3600))
    EMAIL_CONFIRM_MAX_AGE = int(os.environ.get("EMAIL_CONFIRM_MAX_AGE", 3 * 24 * 3600))

    # Background jobs (Huey). Immediate: each job runs at once in the process that enqueues
    # it, so development needs no worker; production runs `flask worker` beside gunicorn.
    HUEY_IMMEDIATE = _bool("HUEY_IMMEDIATE", True)
    HUEY_SQLITE_PATH = os.environ.get("HUEY_SQLITE_PATH", str(INSTANCE_DIR / "huey.db"))
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # Mail: "file" writes .eml files to MAIL_FILE_PATH; "smtp" sends through MAIL_SERVER.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")
    MAIL_FILE_PATH = os.environ.get("MAIL_FILE_PATH", str(INSTANCE_DIR / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Canting <no-reply@canting.local>")

    # Product page views are tallied in each web process and written in one batch once the
    # oldest is this many seconds old (catalog/page_views.py); 0 writes after every page.
    PRODUCT_VIEWS_FLUSH_SECONDS = float(os.environ.get("PRODUCT_VIEWS_FLUSH_SECONDS", 60))

    # Minutes an unpaid order holds its stock before the expiry job cancels it.
    ORDER_PAYMENT_WINDOW = int(os.environ.get("ORDER_PAYMENT_WINDOW", 30))
    # Days after shipping when a parcel the buyer never confirmed counts as delivered.
    ORDER_AUTO_COMPLETE_DAYS = int(os.environ.get("ORDER_AUTO_COMPLETE_DAYS", 14))

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    # Unset in production. Tests and offline development point it at localstripe; then the
    # payment page offers Stripe's test cards, confirmed from the server (README).
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
    STRIPE_OFFLINE_TEST_CARDS = _bool("STRIPE_OFFLINE_TEST_CARDS", True)

    # The platform's share of each sale's items (not of shipping), in percent; may be a decimal.
    PLATFORM_COMMISSION_PERCENT = os.environ.get("PLATFORM_COMMISSION_PERCENT", "5")
    # A shop is paid out when its available balance is at least this many rupiah.
    PAYOUT_MINIMUM = int(os.environ.get("PAYOUT_MINIMUM", 50_000))
    # Hours a bank-transfer order holds its stock while the buyer's transfer arrives.
    BANK_TRANSFER_WINDOW = int(os.environ.get("BANK_TRANSFER_WINDOW", 24))
    # The platform's account that buyers transfer to.
    BANK_TRANSFER_BANK = os.environ.get("BANK_TRANSFER_BANK", "Bank Mandiri")
    BANK_TRANSFER_ACCOUNT = os.environ.get("BANK_TRANSFER_ACCOUNT", "123-00-0987654-3")
    BANK_TRANSFER_HOLDER = os.environ.get("BANK_TRANSFER_HOLDER", "PT Canting Nusantara")

    API_TITLE = "Canting API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = _database_url(
        "sqlite:///test.db", variable="TEST_DATABASE_URL"
    )
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "locmem"
    PASSWORD_RESET_MAX_AGE = 3600
    PUBLIC_BASE_URL = "http://localhost"
    HUEY_IMMEDIATE = True
    REDIS_URL = None
    # Bank transfer only, unless a test turns Stripe on (tests/payments/conftest.py: localstripe).
    STRIPE_SECRET_KEY = STRIPE_PUBLISHABLE_KEY = STRIPE_WEBHOOK_SECRET = STRIPE_API_BASE = ""


class ProductionConfig(Config):
    PRODUCTION = True
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    FORCE_HTTPS = _bool("FORCE_HTTPS", False)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    HUEY_IMMEDIATE = _bool("HUEY_IMMEDIATE", False)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[Config]:
    """The config class for NAME, or for $CANTING_CONFIG (default: development)."""
    name = name or os.environ.get("CANTING_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"Unknown CANTING_CONFIG {name!r}; use one of {', '.join(CONFIGS)}."
        ) from None
