"""Checkouts racing for the last units, against a real multi-process server (Must show 1).

gunicorn runs four worker processes with four threads each on the suite's database (the SQLite
file or TEST_DATABASE_URL's PostgreSQL); the requests start together behind a barrier. Only
the database can keep them from overselling, as in production.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Variant
from marketplace.orders.models import Order, OrderItem, ShopOrder
from tests.live_server import gunicorn_server, post_json
from tests.orders.conftest import ADDRESS, variant_of


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with gunicorn_server(app.config["SQLALCHEMY_DATABASE_URI"], log, workers=4, threads=4) as base:
        yield base


def checkout(base: str, variant_id: int, email: str, idempotency_key: str | None = None):
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    return post_json(f"{base}/api/v1/orders", {
        "items": [{"variant_id": variant_id, "quantity": 1}], "email": email, "shipping_address": ADDRESS,
    }, headers)


def all_at_once(calls):
    """Run CALLS in as many threads, released together; their results in order."""
    barrier = threading.Barrier(len(calls), timeout=30)

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def orders_of_variant(db, variant_id: int) -> list[Order]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Order).join(ShopOrder).join(OrderItem).where(OrderItem.variant_id == variant_id)
    ).unique().all()


def variant_row(db, variant_id: int) -> Variant:
    db.session.expire_all()
    return db.session.get(Variant, variant_id)


def test_a_hundred_buyers_at_once_get_exactly_the_five_in_stock(server, db):
    variant_id = variant_of(title="Kain Batik Tulis Kawung", stock=5).id

    answers = all_at_once([
        (lambda n=n: checkout(server, variant_id, f"buyer{n}@example.test")) for n in range(100)
    ])

    statuses = [status for status, _body in answers]
    assert sorted(set(statuses)) == [201, 409], statuses
    assert statuses.count(201) == 5
    refused = [body for status, body in answers if status == 409]
    assert len(refused) == 95
    assert all(body["reason"] == "out_of_stock" and "Kain Batik Tulis Kawung" in body["message"]
               for body in refused), refused[:3]

    orders = orders_of_variant(db, variant_id)
    assert len(orders) == 5
    assert {order.id for order in orders} == {body["id"] for status, body in answers if status == 201}
    assert all(order.status == "pending_payment" for order in orders)
    assert len({order.email for order in orders}) == 5
    assert variant_row(db, variant_id).stock == 0


def test_the_same_idempotency_key_twice_at_the_same_moment_makes_one_order(server, db):
    variant_id = variant_of(title="Selendang Jumputan", stock=10).id

    answers = all_at_once([
        lambda: checkout(server, variant_id, "maya@example.test", idempotency_key="checkout-7f3a9c21"),
    ] * 2)

    assert sorted(status for status, _body in answers) == [200, 201], answers
    assert answers[0][1]["id"] == answers[1][1]["id"]
    assert answers[0][1]["number"] == answers[1][1]["number"]
    assert len(orders_of_variant(db, variant_id)) == 1
    assert variant_row(db, variant_id).stock == 9


def test_twenty_buyers_at_once_fill_a_made_to_order_cap_of_three(server, db):
    variant_id = variant_of(title="Kain Tulis Pesanan Sogan", made_to_order=True, lead_time_days=21, cap=3).id

    answers = all_at_once([
        (lambda n=n: checkout(server, variant_id, f"pemesan{n}@example.test")) for n in range(20)
    ])

    statuses = [status for status, _body in answers]
    assert statuses.count(201) == 3, statuses
    assert [body["reason"] for status, body in answers if status != 201] == ["out_of_stock"] * 17, answers
    assert len(orders_of_variant(db, variant_id)) == 3
    row = variant_row(db, variant_id)
    assert (row.made_to_order_open, row.stock) == (3, 0)
