"""Days and months as the platform's users count them (Asia/Jakarta), in SQL on both databases.

Every `*_at` column holds UTC. A sale paid at 23:30 on 31 January in Jakarta is a January sale
even though it is 16:30 UTC; the reports group by these expressions, not by the stored time.
PostgreSQL converts with the zone's name. SQLite has no time zones, so it shifts by the zone's
UTC offset: exact for Asia/Jakarta, which has kept UTC+7 without daylight saving since 1964.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class _LocalTime(FunctionElement):
    inherit_cache = True

    def __init__(self, moment, zone: str | None = None):
        self.zone = zone or current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Jakarta")
        super().__init__(moment)


class local_day(_LocalTime):  # noqa: N801  (an SQL function, named as one)
    """The calendar day of a UTC timestamp column in the platform's zone (a DATE on PostgreSQL,
    'YYYY-MM-DD' text on SQLite, which compares with stored dates the same way)."""
    type = sa.Date()
    name = "local_day"
    inherit_cache = True


class local_month(_LocalTime):  # noqa: N801
    """'YYYY-MM' of a UTC timestamp column in the platform's zone."""
    type = sa.String()
    name = "local_month"
    inherit_cache = True


class date_month(FunctionElement):  # noqa: N801
    """'YYYY-MM' of a DATE column that already holds a day in the platform's zone (such as
    product_view_days.day), so no zone shift applies."""
    type = sa.String()
    name = "date_month"
    inherit_cache = True


class days_between(FunctionElement):  # noqa: N801
    """Whole days from the date EARLIER to the date LATER (both DATE expressions)."""
    type = sa.Integer()
    name = "days_between"
    inherit_cache = True


def _offset_minutes(zone: str) -> int:
    return int(datetime.now(ZoneInfo(zone)).utcoffset().total_seconds() // 60)


def _moment_sql(element, compiler, **kw) -> str:
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(local_day, "postgresql")
def _local_day_pg(element, compiler, **kw):
    return f"CAST(({_moment_sql(element, compiler, **kw)} AT TIME ZONE '{element.zone}') AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    return f"date({_moment_sql(element, compiler, **kw)}, '{_offset_minutes(element.zone):+d} minutes')"


@compiles(local_month, "postgresql")
def _local_month_pg(element, compiler, **kw):
    return f"to_char(({_moment_sql(element, compiler, **kw)} AT TIME ZONE '{element.zone}'), 'YYYY-MM')"


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {_moment_sql(element, compiler, **kw)}, '{_offset_minutes(element.zone):+d} minutes')"


@compiles(date_month, "postgresql")
def _date_month_pg(element, compiler, **kw):
    return f"to_char({_moment_sql(element, compiler, **kw)}, 'YYYY-MM')"


@compiles(date_month, "sqlite")
def _date_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {_moment_sql(element, compiler, **kw)})"


@compiles(days_between, "postgresql")
def _days_between_pg(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
