"""Payments fixtures: a real localstripe server, the app configured to use it, a live server
for webhooks that localstripe delivers itself, and signed payloads for events it never sends."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import stripe

from tests import factories
from tests.live_server import free_port, gunicorn_server

SECRET_KEY = "sk_test_canting_local"
WEBHOOK_SECRET = "whsec_canting_local_test"
HERE = Path(__file__).resolve().parent


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited with {process.returncode}:\n{log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"localstripe did not listen within {timeout} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    """localstripe on a free port for the whole session; yields its base URL, stopped after."""
    port = free_port()
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, str(HERE / "localstripe_server.py"), str(port)],
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stripe_config(localstripe_url: str) -> dict:
    return {"STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_PUBLISHABLE_KEY": "pk_test_canting_local",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": localstripe_url}


@pytest.fixture
def stripe_app(app, localstripe, monkeypatch):
    """The test app paying through localstripe (offline test mode), for this test only."""
    for key, value in stripe_config(localstripe).items():
        monkeypatch.setitem(app.config, key, value)
    return app


@pytest.fixture
def stripe_client(localstripe):
    """The real SDK pointed at localstripe, for a test to look at or act as Stripe would."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe})


@pytest.fixture(scope="module")
def webhook_server(app, localstripe, tmp_path_factory):
    """A live gunicorn server on the suite's database, configured for localstripe, registered
    as localstripe's webhook endpoint; yields its base URL."""
    log = tmp_path_factory.mktemp("webhooks") / "gunicorn.log"
    with gunicorn_server(app.config["SQLALCHEMY_DATABASE_URI"], log, workers=2, threads=2,
                         config=stripe_config(localstripe)) as base:
        _point_webhook(localstripe, f"{base}/payments/stripe/webhook")
        yield base
        # Later tests without a live server must not have localstripe post to a dead port.
        _point_webhook(localstripe, "http://127.0.0.1:9/unused", events=["none"])


def _point_webhook(localstripe: str, url: str, events: list[str] | None = None) -> None:
    """Tell localstripe where to deliver its signed events (all of them, or only EVENTS)."""
    settings = {"url": url, "secret": WEBHOOK_SECRET, **({"events": events} if events else {})}
    request = urllib.request.Request(f"{localstripe}/_config/webhooks/canting", data=json.dumps(settings).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def signed(payload: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, dict]:
    """PAYLOAD as Stripe would post it: the body and a Stripe-Signature header made with the SDK."""
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return body.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}


def wait_until(predicate, timeout: float = 15, interval: float = 0.1):
    """Poll PREDICATE until it returns something truthy (webhooks arrive about a second late)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s")


@pytest.fixture
def order_to_pay():
    """A guest's order of one product for Rp 150.000 plus shipping, awaiting payment."""
    product = factories.make_product(price=150_000, stock=3)
    return factories.make_order(None, [product])
