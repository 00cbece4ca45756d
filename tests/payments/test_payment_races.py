"""The money rules under real concurrency: payouts, refunds and payments racing over HTTP.

One gunicorn server (4 worker processes x 3 threads, configured for localstripe) serves the
suite's database, the SQLite file or TEST_DATABASE_URL's PostgreSQL. Each test commits its data,
then releases its requests together behind a barrier; only the database keeps them apart, as in
production. Whatever the interleaving: no 5xx, never a double entry, never more money back than
was paid, one open payment per method per order.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter

import pytest
import sqlalchemy as sa

from marketplace.core.models import OutboxMail
from marketplace.orders.models import Order, OrderItem
from marketplace.payments import payouts, services
from marketplace.payments.gateway import TEST_CARD_SUCCEEDS
from marketplace.payments.models import (
    LedgerEntry, Payment, Payout, PayoutAccount, PayoutBatch, Refund, RefundLine,
)
from tests import factories
from tests.live_server import gunicorn_server, post_json
from tests.orders.test_concurrency import all_at_once
from tests.payments.conftest import stripe_config
from tests.payments.sellers import sell, with_account


@pytest.fixture(scope="module")
def server(app, localstripe, tmp_path_factory):
    log = tmp_path_factory.mktemp("payment-races") / "gunicorn.log"
    with gunicorn_server(app.config["SQLALCHEMY_DATABASE_URI"], log, workers=4, threads=3,
                         config={**stripe_config(localstripe), "PAYOUT_MINIMUM": 100_000}) as base:
        yield base


@pytest.fixture(autouse=True)
def minimum(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM", 100_000)  # as the server has it


def put_json(url: str, payload: dict, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="PUT", headers={
        "Content-Type": "application/json", "Accept": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def admins(n: int) -> list[dict]:
    """Bearer headers of N different admins."""
    return [factories.bearer(factories.make_user(f"admin{i}@canting.test", roles=["admin"])) for i in range(n)]


def rows(db, model, *where) -> list:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(model).where(*where).order_by(model.id)))


def no_server_errors(answers) -> list[int]:
    statuses = [status for status, _body in answers]
    assert all(status < 500 for status in statuses), answers
    return statuses


def paid_shops(db, n: int) -> list:
    """N shops, each with a delivered sale (available over the minimum) and bank details."""
    shops = []
    for i in range(n):
        shop = factories.make_shop(name=f"Batik Lomba {i}", slug=f"batik-lomba-{i}")
        sell(shop, 200_000, deliver=True)
        with_account(shop, account_number=f"77000000{i:02d}", holder_name=f"Pemilik Lama {i}")
        shops.append(shop)
    return shops


def assert_ledger_matches_refunds(db, order_id: int) -> None:
    """Every refund line is charged once, to its shop, by a refund entry of the same refund."""
    for refund in rows(db, Refund, Refund.order_id == order_id):
        charged = Counter()
        for entry in rows(db, LedgerEntry, LedgerEntry.refund_id == refund.id, LedgerEntry.kind == "refund"):
            charged[entry.shop_order_id] += -entry.amount
        expected = Counter()
        for line in refund.lines:
            expected[line.shop_order_id] += line.amount
        assert charged == expected, (refund.id, charged, expected)


# --- payouts ---------------------------------------------------------------------------------

def test_ten_admins_marking_one_batch_paid_at_once_pay_each_seller_once(server, db):
    shops = paid_shops(db, 3)
    batch = payouts.create_payout_batch(factories.make_user("bendahara@canting.test", roles=["admin"]))
    payout_ids = {payout.id for payout in batch.payouts}
    assert len(payout_ids) == 3
    last_mail = db.session.scalar(sa.select(sa.func.max(OutboxMail.id)))
    url = f"{server}/api/v1/admin/payout-batches/{batch.id}/paid"

    answers = all_at_once([lambda headers=headers: post_json(url, {}, headers) for headers in admins(10)])

    assert sorted(no_server_errors(answers)) == [200] + [409] * 9, answers
    assert all(body["reason"] == "invalid_transition" for status, body in answers if status == 409), answers
    entries = rows(db, LedgerEntry, LedgerEntry.kind == "payout")
    assert sorted(entry.payout_id for entry in entries) == sorted(payout_ids)
    mails = rows(db, OutboxMail, OutboxMail.id > last_mail)
    assert sorted(mail.recipient for mail in mails) == sorted(shop.owner.email for shop in shops)
    assert rows(db, PayoutBatch)[0].status == "paid"


def test_admins_creating_batches_at_once_put_each_shop_in_one_batch(server, db):
    shops = paid_shops(db, 4)

    answers = all_at_once([
        lambda headers=headers: post_json(f"{server}/api/v1/admin/payout-batches", {}, headers)
        for headers in admins(6)])

    statuses = no_server_errors(answers)
    assert sorted(statuses) == [201] + [409] * 5, answers
    assert all(body["message"] for status, body in answers if status == 409)
    created = next(body for status, body in answers if status == 201)
    assert sorted(p["shop_id"] for p in created["payouts"]) == sorted(shop.id for shop in shops)
    assert Counter(payout.shop_id for payout in rows(db, Payout)) == {shop.id: 1 for shop in shops}
    assert len(rows(db, PayoutBatch)) == 1


def test_sellers_changing_bank_details_while_a_batch_is_made_never_see_money_sent_elsewhere(server, db):
    shops = paid_shops(db, 8)
    old = {shop.id: (payout.account_number, payout.holder_name) for shop in shops
           for payout in [db.session.scalar(sa.select(PayoutAccount).filter_by(shop_id=shop.id))]}
    new = {shop.id: (f"88000000{i:02d}", f"Pemilik Baru {i}") for i, shop in enumerate(shops)}
    sellers = {shop.id: factories.bearer(shop.owner) for shop in shops}
    admin = admins(1)[0]

    def change(shop_id):
        number, holder = new[shop_id]
        return put_json(f"{server}/api/v1/seller/payout-account",
                        {"bank_code": "009", "account_number": number, "holder_name": holder}, sellers[shop_id])

    calls = [lambda: post_json(f"{server}/api/v1/admin/payout-batches", {}, admin)]
    calls += [lambda shop_id=shop.id: change(shop_id) for shop in shops]
    answers = all_at_once(calls)

    no_server_errors(answers)
    assert answers[0][0] == 201, answers[0]
    in_batch = {payout.shop_id: payout for payout in rows(db, Payout)}
    for shop, (status, body) in zip(shops, answers[1:]):
        account = rows(db, PayoutAccount, PayoutAccount.shop_id == shop.id)[0]
        payout = in_batch[shop.id]  # every shop was eligible; its details were saved before
        sent_to = (payout.account_number, payout.holder_name)
        if status == 200:
            # The change stands, so it was made before the batch copied the details.
            assert (account.account_number, account.holder_name) == new[shop.id]
            assert sent_to == new[shop.id], (shop.id, sent_to)
            assert payout.bank_code == "009"
        else:
            # Refused: the money goes where the seller last saw it accepted.
            assert status == 409 and body["reason"] == "conflict", body
            assert (account.account_number, account.holder_name) == old[shop.id]
            assert sent_to == old[shop.id], (shop.id, sent_to)


# --- refunds ---------------------------------------------------------------------------------

def test_admins_refunding_a_whole_order_at_once_give_it_back_once(server, db):
    products = [factories.make_product(price=120_000, stock=5), factories.make_product(price=80_000, stock=5)]
    order = factories.make_order(None, products, quantity=2, paid=True)
    paid = rows(db, Payment, Payment.order_id == order.id)[0].amount
    url = f"{server}/api/v1/orders/{order.id}/refunds"
    body = {"scope": "order", "reason": "Pembeli membatalkan pesanan"}

    answers = all_at_once([lambda headers=headers: post_json(url, body, headers) for headers in admins(8)])

    statuses = no_server_errors(answers)
    assert statuses.count(201) == 1, answers
    # The others find nothing left: a conflict with the refund that won, not bad input.
    assert all(status == 409 for status in statuses if status != 201), answers
    refunds = rows(db, Refund, Refund.order_id == order.id)
    assert [refund.amount for refund in refunds] == [paid]
    assert_ledger_matches_refunds(db, order.id)


def test_admins_refunding_items_at_once_never_give_back_more_than_was_bought(server, db):
    product = factories.make_product(price=150_000, stock=10)
    order = factories.make_order(None, [product], quantity=3, paid=True)
    item = rows(db, OrderItem, OrderItem.shop_order_id == order.shop_orders[0].id)[0]
    url = f"{server}/api/v1/orders/{order.id}/refunds"
    item_id, shop_order_id = item.id, item.shop_order_id
    tokens = admins(8)

    def refund(quantity, headers):
        return post_json(url, {"scope": "items", "items": [{"order_item_id": item_id, "quantity": quantity}],
                               "include_shipping": True, "reason": "Warna luntur"}, headers)

    # Half ask for one of the three, half for two.
    answers = all_at_once([lambda n=n, headers=headers: refund(1 + n % 2, headers) for n, headers in enumerate(tokens)])

    statuses = no_server_errors(answers)
    assert set(statuses) <= {201, 409} and 201 in statuses, answers
    lines = rows(db, RefundLine, RefundLine.order_item_id == item_id)
    assert sum(line.quantity for line in lines) <= 3
    assert sum(line.quantity for line in lines) == sum(
        line["quantity"] for status, body in answers if status == 201 for line in body["lines"]
        if line["order_item_id"])
    shipping = rows(db, RefundLine, RefundLine.shop_order_id == shop_order_id,
                    RefundLine.order_item_id.is_(None))
    assert len(shipping) == 1  # the first refund took the shipping; the others could not again
    paid = rows(db, Payment, Payment.order_id == order.id)[0].amount
    assert sum(refund.amount for refund in rows(db, Refund, Refund.order_id == order.id)) <= paid
    assert_ledger_matches_refunds(db, order.id)


def test_admins_refunding_a_card_payment_at_once_refund_it_once_at_stripe(
        server, db, stripe_app, stripe_client):
    order = factories.make_order(None, [factories.make_product(price=175_000, stock=5)], quantity=2)
    payment = services.pay_with_test_card(order, TEST_CARD_SUCCEEDS)
    assert payment.status == "succeeded"
    url = f"{server}/api/v1/orders/{order.id}/refunds"
    body = {"scope": "order", "reason": "Barang tidak sesuai foto"}

    answers = all_at_once([lambda headers=headers: post_json(url, body, headers) for headers in admins(6)])

    statuses = no_server_errors(answers)
    assert statuses.count(201) == 1 and set(statuses) == {201, 409}, answers
    refunds = rows(db, Refund, Refund.order_id == order.id)
    assert [refund.amount for refund in refunds] == [order.total]
    at_stripe = stripe_client.v1.refunds.list(params={"payment_intent": payment.provider_ref}).data
    assert [refund.id for refund in at_stripe] == [refunds[0].provider_ref]
    assert sum(refund.amount for refund in at_stripe) == order.total * 100  # Stripe counts IDR in hundredths
    assert_ledger_matches_refunds(db, order.id)


# --- paying ----------------------------------------------------------------------------------

def test_a_buyer_asking_for_a_bank_transfer_ten_times_at_once_gets_one(server, db):
    buyer = factories.make_user("pembeli@example.test")
    order = factories.make_order(buyer, [factories.make_product(price=95_000, stock=3)])
    headers = factories.bearer(buyer)
    url = f"{server}/api/v1/orders/{order.id}/bank-transfer"

    answers = all_at_once([lambda: post_json(url, {}, headers)] * 10)

    assert no_server_errors(answers) == [200] * 10, answers
    assert len({body["amount"] for _status, body in answers}) == 1, answers
    transfers = rows(db, Payment, Payment.order_id == order.id, Payment.method == "bank_transfer")
    assert [(p.status, p.amount) for p in transfers] == [("pending", answers[0][1]["amount"])]


def test_a_buyer_asking_for_a_payment_intent_ten_times_at_once_gets_one(server, db):
    buyer = factories.make_user("pembeli-kartu@example.test")
    order = factories.make_order(buyer, [factories.make_product(price=95_000, stock=3)])
    headers = factories.bearer(buyer)
    url = f"{server}/api/v1/orders/{order.id}/payment"

    answers = all_at_once([lambda: post_json(url, {}, headers)] * 10)

    assert no_server_errors(answers) == [200] * 10, answers
    assert len({body["payment_intent_id"] for _status, body in answers}) == 1, answers
    assert {body["amount"] for _status, body in answers} == {order.total}
    cards = rows(db, Payment, Payment.order_id == order.id, Payment.method == "card")
    assert [(p.status, p.provider_ref) for p in cards] == [("pending", answers[0][1]["payment_intent_id"])]


def test_many_buyers_choosing_bank_transfer_at_once_get_distinct_amounts(server, db):
    product = factories.make_product(price=110_000, stock=20)
    buyers = [factories.make_user(f"pembeli{i}@example.test") for i in range(12)]
    orders = [factories.make_order(buyer, [product]) for buyer in buyers]
    assert len({order.total for order in orders}) == 1

    tokens = [factories.bearer(buyer) for buyer in buyers]

    answers = all_at_once([
        lambda order_id=order.id, headers=headers: post_json(f"{server}/api/v1/orders/{order_id}/bank-transfer",
                                                             {}, headers)
        for order, headers in zip(orders, tokens)])

    assert no_server_errors(answers) == [200] * 12, answers
    amounts = [body["amount"] for _status, body in answers]
    assert len(set(amounts)) == 12, amounts
    open_transfers = rows(db, Payment, Payment.method == "bank_transfer", Payment.status == "pending")
    assert sorted(p.amount for p in open_transfers) == sorted(amounts)
    assert sorted(p.order_id for p in open_transfers) == sorted(order.id for order in orders)
    db.session.expire_all()
    assert all(db.session.get(Order, order.id).status == "pending_payment" for order in orders)
