"""The admins' access log: every officer look at graduates of a correctional-facility program,
filtered by officer, program and days, newest first, a page at a time or as CSV.

Pages are keyset pages on (created_at, id) descending with the cursors of core/pagination.py,
as the catalogue's are (catalog/listing.py): a log that grows while an admin reads it neither
repeats nor skips rows, and an old page costs what the first one does. The CSV export walks the
same order in batches, so a long log is streamed, never held in memory whole.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.pagination import (
    Position, SortKey, decode_cursor, encode_cursor, key_value, read_seek_keys,
    seek_condition,
)
from marketplace.core import spreadsheet
from marketplace.core.times import as_utc, day_start
from marketplace.extensions import db
from marketplace.programs.models import ACCESS_ACTION_LABELS, AccessLogEntry, TrainingProgram

PER_PAGE = 50
CSV_BATCH = 1000
SORT_KEYS = (SortKey(AccessLogEntry.created_at, descending=True), SortKey(AccessLogEntry.id, descending=True))


@dataclass(frozen=True)
class AccessLogFilters:
    officer_id: int | None = None
    program_id: int | None = None
    since: date | None = None  # first day shown, in the platform's time zone (Asia/Jakarta)
    until: date | None = None  # last day shown, inclusive


@dataclass
class AccessLogPage:
    entries: list[AccessLogEntry] = field(default_factory=list)
    next_cursor: str | None = None
    prev_cursor: str | None = None


def entries(filters: AccessLogFilters) -> sa.Select:
    """The log rows matching FILTERS, newest first."""
    query = sa.select(AccessLogEntry)
    if filters.officer_id is not None:
        query = query.where(AccessLogEntry.officer_id == filters.officer_id)
    if filters.program_id is not None:
        query = query.where(AccessLogEntry.program_id == filters.program_id)
    if filters.since is not None:
        query = query.where(AccessLogEntry.created_at >= day_start(filters.since))
    if filters.until is not None:
        query = query.where(AccessLogEntry.created_at < day_start(filters.until + timedelta(days=1)))
    return query.order_by(*(key.order() for key in SORT_KEYS))


def officers_in_log() -> list[User]:
    """Everyone who has a row in the log, by name: the choices of the officer filter."""
    return db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(AccessLogEntry.officer_id)))
        .order_by(User.name, User.id)
    ).all()


def programs_in_log() -> list[TrainingProgram]:
    """Programs that have a row in the log, by title: the choices of the program filter."""
    return db.session.scalars(
        sa.select(TrainingProgram).where(TrainingProgram.id.in_(sa.select(AccessLogEntry.program_id)))
        .order_by(TrainingProgram.title, TrainingProgram.id)
    ).all()


def read_cursor(token: str) -> Position:
    """The position a cursor of this log points at. Raises CursorError for any other string."""
    payload = decode_cursor(token)
    keys, backwards = read_seek_keys(payload, SORT_KEYS)
    return Position(keys=keys, backwards=backwards)


def _cursor(entry: AccessLogEntry, *, backwards: bool) -> str:
    values = [key_value(key.column, getattr(entry, key.column.key)) for key in SORT_KEYS]
    return encode_cursor({"b" if backwards else "a": values})


def access_log_page(filters: AccessLogFilters, position: Position | None = None,
                    per_page: int = PER_PAGE) -> AccessLogPage:
    """One page of the filtered log at POSITION (from read_cursor), the newest rows without one."""
    query = entries(filters)
    backwards = position is not None and position.backwards
    if position is not None:
        query = query.where(seek_condition(SORT_KEYS, position.keys, backwards=backwards))
    if backwards:
        query = query.order_by(None).order_by(*(key.order(backwards=True) for key in SORT_KEYS))
    rows = db.session.scalars(query.limit(per_page + 1)).all()
    items, more = rows[:per_page], len(rows) > per_page
    if backwards:
        if not more:  # back at the newest rows: show the real first page, full
            return access_log_page(filters, None, per_page)
        items.reverse()
        has_next = has_prev = True
    else:
        has_next, has_prev = more, position is not None
    page = AccessLogPage(entries=items)
    if items and has_next:
        page.next_cursor = _cursor(items[-1], backwards=False)
    if items and has_prev:
        page.prev_cursor = _cursor(items[0], backwards=True)
    return page


CSV_HEADER = ("id", "created_at_utc", "officer_email", "officer_name", "program", "program_title", "action",
              "action_label", "graduation_id")


def csv_lines(filters: AccessLogFilters) -> Iterator[str]:
    """The filtered log as CSV text, newest first: a byte-order mark (so that Excel reads UTF-8),
    a header row, then one line per row, read CSV_BATCH rows at a time."""
    return spreadsheet.csv_lines(CSV_HEADER, _csv_rows(filters))


def _csv_rows(filters: AccessLogFilters) -> Iterator[tuple]:
    after = None
    while True:
        query = entries(filters)
        if after is not None:
            query = query.where(seek_condition(SORT_KEYS, after))
        rows = db.session.scalars(query.limit(CSV_BATCH)).all()
        for entry in rows:
            officer = entry.officer
            yield (
                entry.id, as_utc(entry.created_at).isoformat(timespec="seconds"), officer.email if officer else "",
                officer.name if officer else "", entry.program.slug, entry.program.title, entry.action,
                ACCESS_ACTION_LABELS.get(entry.action, entry.action), entry.graduation_id,
            )
        if len(rows) < CSV_BATCH:
            return
        after = (rows[-1].created_at, rows[-1].id)
