"""Language choice and the display formats buyers expect: rupiah and Indonesian dates."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

SESSION_LOCALE_KEY = "locale"


def select_locale() -> str:
    """The visitor's explicit choice, else their account's, else Indonesian."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: no session, no visitor
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get(SESSION_LOCALE_KEY)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def format_rupiah(amount: int | None) -> str:
    """Integer rupiah as 'Rp 1.250.000' (grouping follows the interface language)."""
    if amount is None:
        return ""
    return f"Rp {format_decimal(int(amount), format='#,##0')}"


def format_day(value: date | datetime | None) -> str:
    """'3 Juni 2021' in Indonesian, 'June 3, 2021' in English."""
    if value is None:
        return ""
    return format_date(value, format="long")


def format_number(value: int | float | None) -> str:
    """A count or share with the language's separators: 1.250 and 12,5 in Indonesian."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.#")


def format_month(value: str | None) -> str:
    """A 'YYYY-MM' month as 'Januari 2026' in Indonesian, 'January 2026' in English."""
    if not value:
        return ""
    year, month = value.split("-")
    return format_date(date(int(year), int(month), 1), format="MMMM y")


def format_month_short(value: str | date | None) -> str:
    """A month ('YYYY-MM', or any day of it) as 'Agu 2026' in Indonesian, 'Aug 2026' in English
    (table rows and chart labels)."""
    if not value:
        return ""
    if isinstance(value, str):
        year, month = value.split("-")
        value = date(int(year), int(month), 1)
    return format_date(value, format="MMM y")


def format_moment(value: datetime | None) -> str:
    """Date and time in Asia/Jakarta, e.g. '3 Jun 2021 14.05'."""
    if value is None:
        return ""
    return format_datetime(value, format="medium")


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(format_rupiah, "rupiah")
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_month, "month")
    app.add_template_filter(format_month_short, "month_short")

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
