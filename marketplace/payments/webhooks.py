"""Stripe's webhook endpoint: verified by signature before anything in it is read."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from marketplace.payments import gateway as gateways
from marketplace.payments import services
from marketplace.payments.gateway import InvalidWebhook

bp = Blueprint("payments-webhooks", __name__, url_prefix="/payments")
log = logging.getLogger(__name__)

# Stripe sends events of a few kilobytes; anything far larger is not from Stripe.
MAX_EVENT_BYTES = 256 * 1024


@bp.post("/stripe/webhook")
def stripe_webhook():
    """Bad, missing or stale signature: 400 and nothing read. A known event is processed once
    (a replay answers 200 and changes nothing); an unknown type answers 200 and is ignored."""
    if not gateways.card_payments_enabled():
        return jsonify(code=404, status="Not Found", message="Card payments are not configured."), 404
    if (request.content_length or 0) > MAX_EVENT_BYTES:
        return jsonify(code=413, status="Payload Too Large", message="Event too large."), 413
    payload = request.get_data(cache=False)
    try:
        event = gateways.gateway().verified_event(payload, request.headers.get("Stripe-Signature"))
    except InvalidWebhook as error:
        log.warning("refused a Stripe webhook: %s", error)
        return jsonify(code=400, status="Bad Request", message="Invalid signature."), 400
    outcome = services.handle_stripe_event(event)
    return jsonify(received=True, outcome=outcome), 200
