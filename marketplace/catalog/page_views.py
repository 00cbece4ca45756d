"""Product page views, counted without a database write per request.

Each process keeps a tally in memory, keyed by (product, day in the platform's zone). Once the
oldest uncounted view is PRODUCT_VIEWS_FLUSH_SECONDS old, the product page that notices it hands
the tally to the database after its response has gone out: one upsert per 500 (product, day)
pairs that adds to the stored counts. A process that stops writes what it still holds.

The tally lives in the web process that served the page, so no CLI command or Huey job could
flush it from another process; the next product page (or the process's exit) does. Views not
yet flushed are missing from the reports for at most that interval; views of a process killed
without warning are lost, which a view count can afford.
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from datetime import date

import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from flask_login import current_user
from sqlalchemy.dialects import postgresql, sqlite

from marketplace.catalog.models import Product, ProductViewDay
from marketplace.core.times import local_today
from marketplace.extensions import db

log = logging.getLogger(__name__)

EXTENSION_KEY = "product_views"
ROWS_PER_STATEMENT = 500  # 1,500 bound parameters, far below SQLite's limit
# Crawlers, link previews and audits are not buyers looking at a product.
ROBOT_MARKERS = ("bot", "spider", "crawl", "lighthouse")


class ViewTally:
    """Views counted in memory since the last flush, safe across a process's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[int, date]] = Counter()
        self._oldest: float | None = None  # time.monotonic() of the first view not yet flushed

    def add(self, product_id: int, day: date, *, flush_after: float) -> bool:
        """Count one view; True when the tally is due to be written."""
        now = time.monotonic()
        with self._lock:
            self._counts[(product_id, day)] += 1
            if self._oldest is None:
                self._oldest = now
            return now - self._oldest >= flush_after

    def take(self) -> Counter[tuple[int, date]]:
        """Everything counted so far, leaving the tally empty."""
        with self._lock:
            counts, self._counts, self._oldest = self._counts, Counter(), None
        return counts

    def put_back(self, counts: Counter[tuple[int, date]]) -> None:
        """Return COUNTS that could not be written, to go with the next flush."""
        now = time.monotonic()
        with self._lock:
            self._counts.update(counts)
            if self._oldest is None:
                self._oldest = now


def init_page_views(app: Flask) -> None:
    """Give APP its tally, written out when the process exits."""
    app.extensions[EXTENSION_KEY] = ViewTally()
    atexit.register(_flush_in_context, app)


def tally(app: Flask | None = None) -> ViewTally:
    return (app or current_app).extensions[EXTENSION_KEY]


def is_counted_view(owner_id: int) -> bool:
    """Whether the current request is a buyer's look at a product whose shop OWNER_ID owns: a GET
    (not HEAD), not by the owner, not by a robot that says it is one."""
    if request.method != "GET":
        return False
    if current_user.is_authenticated and current_user.id == owner_id:
        return False
    agent = (request.user_agent.string or "").lower()
    return not any(marker in agent for marker in ROBOT_MARKERS)


def count_view(product: Product, response: Response) -> None:
    """Count a rendered page of PRODUCT (active, answered 200) if a buyer opened it; when the
    tally is due, write it after RESPONSE has been sent."""
    if response.status_code != 200 or not is_counted_view(product.shop.owner_id):
        return
    flush_after = float(current_app.config.get("PRODUCT_VIEWS_FLUSH_SECONDS", 60))
    if tally().add(product.id, local_today(), flush_after=flush_after):
        app = current_app._get_current_object()
        # After the response: the WSGI server closes it once the buyer has the page, outside
        # this request's app context, hence a context (and a database session) of its own.
        response.call_on_close(lambda: _flush_in_context(app))


def _flush_in_context(app: Flask) -> int:
    with app.app_context():
        return flush_views()


def flush_views() -> int:
    """Add the views counted in this process to product_view_days and commit; returns how many
    views were written. On a database error the views are kept for the next flush."""
    counts = tally().take()
    if not counts:
        return 0
    try:
        written = _write(counts)
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        tally().put_back(counts)
        log.warning("Product views not written; %d kept for the next flush", sum(counts.values()), exc_info=True)
        return 0
    return written


def _write(counts: Counter[tuple[int, date]]) -> int:
    # A product deleted since its page was shown has nowhere to keep its views.
    existing = set(db.session.scalars(sa.select(Product.id).where(Product.id.in_({pid for pid, _day in counts}))))
    # In key order, so that two processes flushing at once lock rows in the same order.
    rows = [{"product_id": pid, "day": day, "views": views}
            for (pid, day), views in sorted(counts.items()) if pid in existing]
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        db.session.execute(_add_views(rows[start:start + ROWS_PER_STATEMENT]))
    return sum(row["views"] for row in rows)


def _add_views(rows: list[dict]):
    """INSERT … ON CONFLICT (product_id, day) DO UPDATE SET views = views + excluded.views, in the
    dialect of the session's database (both spell it the same, SQLAlchemy builds it per dialect)."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = ProductViewDay.__table__
    statement = insert(table).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[table.c.product_id, table.c.day],
        set_={"views": table.c.views + statement.excluded.views},
    )
