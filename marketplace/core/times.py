"""Times: every stored time is UTC (`*_at` columns); pages show them in Asia/Jakarta."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """MOMENT as an aware UTC time. SQLite hands stored UTC times back without their offset."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def platform_zone() -> ZoneInfo:
    """Where the platform's users live (BABEL_DEFAULT_TIMEZONE, Asia/Jakarta)."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Jakarta"))


def local_today() -> date:
    return datetime.now(platform_zone()).date()


def day_start(day: date) -> datetime:
    """Midnight at the start of DAY in the platform's zone, as UTC: the bound a range of days
    compares stored times with, so the range scan can use an index on the column."""
    return datetime.combine(day, time.min, tzinfo=platform_zone()).astimezone(timezone.utc)


def day_end(day: date) -> datetime:
    """Midnight at the end of DAY (exclusive bound)."""
    return day_start(day + timedelta(days=1))
