"""Stripe's webhook: localstripe delivering real events to a live server, and signed payloads
for the cases it cannot produce (replays, tampering, stale timestamps, races)."""
from __future__ import annotations

import contextlib
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
import stripe

from marketplace.core.models import OutboxMail
from marketplace.orders.models import Order
from marketplace.orders.services import guest_token
from marketplace.payments import services
from marketplace.payments.gateway import TEST_CARD_DECLINED, TEST_CARD_SUCCEEDS
from marketplace.payments.models import LedgerEntry, Payment, PaymentEvent
from tests import factories
from tests.payments.conftest import WEBHOOK_SECRET, signed, wait_until

WEBHOOK = "/payments/stripe/webhook"


def order_status(db, order_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Order, order_id).status


def count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def confirm_at_stripe(stripe_client, payment_intent_id: str, method: str):
    """What Stripe.js does in the buyer's browser: attach a card and confirm, without Canting."""
    stripe_client.v1.payment_intents.update(payment_intent_id, params={"payment_method": method})
    with contextlib.suppress(stripe.CardError):  # a decline: the webhook carries the outcome
        stripe_client.v1.payment_intents.confirm(payment_intent_id)


def event(type_: str, intent_id: str, event_id: str = "evt_test_1", **data) -> dict:
    return {"id": event_id, "object": "event", "type": type_, "created": int(time.time()),
            "data": {"object": {"id": intent_id, "object": "payment_intent", **data}}}


def test_localstripe_delivers_the_success_to_the_live_server_and_the_order_becomes_paid(
        db, stripe_app, stripe_client, webhook_server, order_to_pay):
    payment = services.start_card_payment(order_to_pay)
    confirm_at_stripe(stripe_client, payment.provider_ref, TEST_CARD_SUCCEEDS)
    wait_until(lambda: order_status(db, order_to_pay.id) == "paid")
    assert count(db, PaymentEvent, PaymentEvent.type == "payment_intent.succeeded") == 1
    assert count(db, LedgerEntry, LedgerEntry.kind == "sale") == 1


def test_a_declined_card_reported_by_webhook_leaves_the_order_unpaid_and_a_retry_pays_it(
        db, stripe_app, stripe_client, webhook_server, order_to_pay):
    payment = services.start_card_payment(order_to_pay)
    confirm_at_stripe(stripe_client, payment.provider_ref, TEST_CARD_DECLINED)
    wait_until(lambda: count(db, Payment, Payment.id == payment.id, Payment.status == "failed"))
    assert order_status(db, order_to_pay.id) == "pending_payment"
    db.session.expire_all()
    retried = services.pay_with_test_card(db.session.get(Order, order_to_pay.id), TEST_CARD_SUCCEEDS)
    assert retried.status == "succeeded" and order_status(db, order_to_pay.id) == "paid"


def test_the_same_event_replayed_changes_nothing(db, client, stripe_app, stripe_client, order_to_pay, outbox):
    payment = services.start_card_payment(order_to_pay)
    confirm_at_stripe(stripe_client, payment.provider_ref, TEST_CARD_SUCCEEDS)
    body, headers = signed(event("payment_intent.succeeded", payment.provider_ref, "evt_replayed"))
    first = client.post(WEBHOOK, data=body, headers=headers)
    assert first.status_code == 200 and first.json["outcome"] == "processed"
    mails, entries = count(db, OutboxMail), count(db, LedgerEntry)
    again = client.post(WEBHOOK, data=body, headers=headers)
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    # A different event for the same payment finds it already paid: still one of everything.
    other_body, other_headers = signed(event("payment_intent.succeeded", payment.provider_ref, "evt_other"))
    assert client.post(WEBHOOK, data=other_body, headers=other_headers).status_code == 200
    assert (count(db, OutboxMail), count(db, LedgerEntry)) == (mails, entries)
    assert order_status(db, order_to_pay.id) == "paid"


def test_a_tampered_missing_or_hour_old_signature_is_refused_and_nothing_is_read(
        db, client, stripe_app, stripe_client, order_to_pay):
    payment = services.start_card_payment(order_to_pay)
    confirm_at_stripe(stripe_client, payment.provider_ref, TEST_CARD_SUCCEEDS)
    payload = event("payment_intent.succeeded", payment.provider_ref, "evt_forged")
    body, headers = signed(payload)
    tampered = body.replace(b"evt_forged", b"evt_forgee")
    assert client.post(WEBHOOK, data=tampered, headers=headers).status_code == 400
    assert client.post(WEBHOOK, data=body, headers={"Content-Type": "application/json"}).status_code == 400
    _, wrong_key = signed(payload, secret="whsec_someone_else")
    assert client.post(WEBHOOK, data=body, headers=wrong_key).status_code == 400
    stale_body, stale = signed(payload, timestamp=int(time.time()) - 3600)
    response = client.post(WEBHOOK, data=stale_body, headers=stale)
    assert response.status_code == 400 and response.is_json
    assert order_status(db, order_to_pay.id) == "pending_payment"
    assert count(db, PaymentEvent) == 0


def test_a_payment_whose_amount_at_stripe_differs_from_the_order_does_not_pay_it(
        db, client, stripe_app, stripe_client, order_to_pay):
    payment = services.start_card_payment(order_to_pay)
    # Someone with the secret key lowers the amount before confirming.
    stripe_client.v1.payment_intents.update(payment.provider_ref, params={"amount": 100_00})
    confirm_at_stripe(stripe_client, payment.provider_ref, TEST_CARD_SUCCEEDS)
    body, headers = signed(event("payment_intent.succeeded", payment.provider_ref, "evt_cheap",
                                 amount=order_to_pay.total * 100, currency="idr"))
    assert client.post(WEBHOOK, data=body, headers=headers).status_code == 200
    assert order_status(db, order_to_pay.id) == "pending_payment"
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "pending"
    assert count(db, LedgerEntry) == 0


def test_unknown_events_and_other_payment_intents_are_acknowledged_and_ignored(db, client, stripe_app):
    body, headers = signed({"id": "evt_customer", "type": "customer.created", "created": int(time.time()),
                            "data": {"object": {"id": "cus_1", "object": "customer"}}})
    response = client.post(WEBHOOK, data=body, headers=headers)
    assert response.status_code == 200 and response.json["outcome"] == "ignored"
    body, headers = signed(event("payment_intent.succeeded", "pi_not_ours", "evt_not_ours"))
    assert client.post(WEBHOOK, data=body, headers=headers).json["outcome"] == "ignored"


def test_without_stripe_configured_the_webhook_does_not_exist(client):
    body, headers = signed(event("payment_intent.succeeded", "pi_x"))
    assert client.post(WEBHOOK, data=body, headers=headers).status_code == 404


def _post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_webhooks_and_return_pages_racing_record_one_payment_one_ledger_and_one_mail(
        db, stripe_app, stripe_client, webhook_server, order_to_pay):
    payment = services.start_card_payment(order_to_pay)
    mails_before = count(db, OutboxMail)
    confirm_at_stripe(stripe_client, payment.provider_ref, TEST_CARD_SUCCEEDS)
    return_page = f"{webhook_server}/orders/guest/{guest_token(order_to_pay)}/pay/return"
    calls = []
    for n in range(4):
        body, headers = signed(event("payment_intent.succeeded", payment.provider_ref, f"evt_race_{n}"),
                               secret=WEBHOOK_SECRET)
        calls.append(lambda body=body, headers=headers: _post(f"{webhook_server}/payments/stripe/webhook",
                                                              body, headers))
        calls.append(lambda: _get(return_page))
    barrier = threading.Barrier(len(calls), timeout=30)

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        statuses = list(pool.map(run, calls))
    assert all(status < 500 for status in statuses), statuses
    wait_until(lambda: order_status(db, order_to_pay.id) == "paid")
    time.sleep(1.5)  # localstripe's own webhook arrives about a second after the confirmation
    assert count(db, Payment, Payment.order_id == order_to_pay.id, Payment.status == "succeeded") == 1
    assert count(db, LedgerEntry, LedgerEntry.kind == "sale") == 1
    assert count(db, LedgerEntry, LedgerEntry.kind == "commission") == 1
    # The buyer's "paid" mail and the seller's, once each; the placement mails came before.
    assert count(db, OutboxMail) - mails_before == 2
    assert count(db, OutboxMail, OutboxMail.recipient == order_to_pay.email) == 2


def test_a_card_payment_arriving_after_the_order_was_paid_another_way_is_refunded_in_full(
        db, client, stripe_app, stripe_client, order_to_pay):
    card = services.start_card_payment(order_to_pay)
    factories.pay_order(order_to_pay)  # the buyer also transferred, and the admin confirmed it
    entries = count(db, LedgerEntry)
    confirm_at_stripe(stripe_client, card.provider_ref, TEST_CARD_SUCCEEDS)
    body, headers = signed(event("payment_intent.succeeded", card.provider_ref, "evt_late_card"))
    assert client.post(WEBHOOK, data=body, headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(Payment, card.id).status == "returned"
    refunds = stripe_client.v1.refunds.list(params={"payment_intent": card.provider_ref}).data
    assert sum(r.amount for r in refunds) == order_to_pay.total * 100
    assert count(db, LedgerEntry) == entries  # the sellers were paid once
    assert count(db, Payment, Payment.order_id == order_to_pay.id, Payment.status == "succeeded") == 1
