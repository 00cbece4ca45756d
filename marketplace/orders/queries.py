"""Named lookups of orders that the pages need besides the services' own."""
from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orders.models import Order


def orders_newest_first(status: str | None = None) -> sa.Select:
    """Every order, the latest first (the admin's list), optionally of one STATUS."""
    query = sa.select(Order).order_by(Order.created_at.desc(), Order.id.desc())
    return query.where(Order.status == status) if status else query


def last_order_of(buyer: User) -> Order | None:
    """The buyer's latest order: its address is where their next parcel most likely goes."""
    return db.session.scalar(sa.select(Order).filter_by(buyer_id=buyer.id)
                             .order_by(Order.created_at.desc(), Order.id.desc()).limit(1))
