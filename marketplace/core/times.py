"""Times: every stored time is UTC (`*_at` columns); pages show them in Asia/Jakarta."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """MOMENT as an aware UTC time. SQLite hands stored UTC times back without their offset."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
