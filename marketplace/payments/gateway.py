"""The only code that talks to Stripe, through the official SDK's StripeClient.

Canting counts rupiah in whole numbers; Stripe counts IDR in hundredths (IDR is not one of
its zero-decimal currencies), so amounts are multiplied by 100 on the way out and divided on
the way in, here and nowhere else. With STRIPE_API_BASE set (tests, offline development) the
client talks to localstripe, a fake but stateful Stripe server, instead of api.stripe.com.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Protocol

import stripe
from flask import current_app

CURRENCY = "idr"
MINOR_UNITS = 100

# Stripe's test payment methods, offered on the payment page when STRIPE_API_BASE points at a
# local server: one that succeeds and one whose charge is declined.
TEST_CARD_SUCCEEDS = "pm_card_visa"
TEST_CARD_DECLINED = "pm_card_chargeCustomerFail"
TEST_PAYMENT_METHODS = (TEST_CARD_SUCCEEDS, TEST_CARD_DECLINED)


class GatewayError(Exception):
    """Stripe could not be reached or refused the request (not a decline: see ProviderPayment)."""


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


@dataclass(frozen=True)
class ProviderPayment:
    """A PaymentIntent as Stripe reports it, in rupiah."""
    id: str
    status: str            # Stripe's: requires_payment_method, processing, succeeded, canceled, …
    amount: int
    currency: str
    order_number: str | None
    client_secret: str | None
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    payment_ref: str
    amount: int
    status: str            # pending, succeeded, failed, canceled


class PaymentGateway(Protocol):
    def create_payment(self, *, amount: int, order_number: str, idempotency_key: str) -> ProviderPayment: ...
    def fetch_payment(self, ref: str) -> ProviderPayment: ...
    def confirm_with_test_method(self, ref: str, method: str) -> ProviderPayment: ...
    def cancel_payment(self, ref: str) -> None: ...
    def refund(self, ref: str, *, amount: int, idempotency_key: str) -> ProviderRefund: ...
    def list_refunds(self, ref: str) -> list[ProviderRefund]: ...
    def verified_event(self, payload: bytes, signature: str | None) -> dict: ...


def to_minor(rupiah: int) -> int:
    return rupiah * MINOR_UNITS


def from_minor(amount: int) -> int:
    return amount // MINOR_UNITS


def _payment(intent) -> ProviderPayment:
    intent = intent.to_dict()
    error = intent.get("last_payment_error") or {}
    return ProviderPayment(
        id=intent["id"], status=intent["status"], amount=from_minor(int(intent["amount"])),
        currency=str(intent["currency"]).lower(), order_number=(intent.get("metadata") or {}).get("order_number"),
        client_secret=intent.get("client_secret"), failure_code=error.get("decline_code") or error.get("code"),
        failure_message=error.get("message"),
    )


def _refund(refund) -> ProviderRefund:
    refund = refund.to_dict()
    return ProviderRefund(id=refund["id"], payment_ref=refund.get("payment_intent") or "",
                          amount=from_minor(int(refund["amount"])), status=refund["status"])


class StripeGateway:
    """PaymentGateway over Stripe's API (or localstripe's)."""

    def __init__(self, secret_key: str, webhook_secret: str, api_base: str | None = None):
        addresses = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(secret_key, base_addresses=addresses, max_network_retries=2)
        self.webhook_secret = webhook_secret

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except stripe.CardError:
            raise
        except stripe.StripeError as error:
            raise GatewayError(str(error.user_message or error)) from error

    def create_payment(self, *, amount: int, order_number: str, idempotency_key: str) -> ProviderPayment:
        intent = self._call(self.client.v1.payment_intents.create, params={
            "amount": to_minor(amount), "currency": CURRENCY, "payment_method_types": ["card"],
            "metadata": {"order_number": order_number},
        }, options={"idempotency_key": idempotency_key})
        return _payment(intent)

    def fetch_payment(self, ref: str) -> ProviderPayment:
        return _payment(self._call(self.client.v1.payment_intents.retrieve, ref))

    def confirm_with_test_method(self, ref: str, method: str) -> ProviderPayment:
        """Attach one of TEST_PAYMENT_METHODS and confirm from the server (offline mode only).
        A decline is not an error: the PaymentIntent comes back wanting a payment method."""
        if method not in TEST_PAYMENT_METHODS:
            raise ValueError(method)
        self._call(self.client.v1.payment_intents.update, ref, params={"payment_method": method})
        with contextlib.suppress(stripe.CardError):  # a decline: the intent fetched below says so
            self._call(self.client.v1.payment_intents.confirm, ref)
        return self.fetch_payment(ref)

    def cancel_payment(self, ref: str) -> None:
        self._call(self.client.v1.payment_intents.cancel, ref)

    def refund(self, ref: str, *, amount: int, idempotency_key: str) -> ProviderRefund:
        refund = self._call(self.client.v1.refunds.create, params={
            "payment_intent": ref, "amount": to_minor(amount)}, options={"idempotency_key": idempotency_key})
        return _refund(refund)

    def list_refunds(self, ref: str) -> list[ProviderRefund]:
        page = self._call(self.client.v1.refunds.list, params={"payment_intent": ref, "limit": 100})
        return [_refund(r) for r in page.data]

    def verified_event(self, payload: bytes, signature: str | None) -> dict:
        """The event in PAYLOAD, once its Stripe-Signature header (HMAC and a timestamp no older
        than five minutes) checks out against STRIPE_WEBHOOK_SECRET. Raises InvalidWebhook."""
        if not signature or not self.webhook_secret:
            raise InvalidWebhook("missing signature")
        try:
            event = self.client.construct_event(payload, signature, self.webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise InvalidWebhook(str(error)) from error
        return event.to_dict()


def card_payments_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def offline_test_mode() -> bool:
    """Stripe is the local fake: the page offers test cards, confirmed from the server, instead
    of Stripe.js (which would load from js.stripe.com). STRIPE_OFFLINE_TEST_CARDS=0 keeps
    Stripe.js against a local server, e.g. to look at the Payment Element's page."""
    config = current_app.config
    return card_payments_enabled() and bool(config.get("STRIPE_API_BASE")) \
        and bool(config.get("STRIPE_OFFLINE_TEST_CARDS", True))


def gateway() -> PaymentGateway:
    """The Stripe gateway as configured (localstripe when STRIPE_API_BASE says so)."""
    config = current_app.config
    return StripeGateway(config["STRIPE_SECRET_KEY"], config.get("STRIPE_WEBHOOK_SECRET", ""),
                         config.get("STRIPE_API_BASE") or None)
