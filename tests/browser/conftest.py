"""A real browser against a real server: headless Chromium (Debian's package) driven by Playwright.

The app of the suite is served by a threaded Werkzeug server on a free port, on the suite's
database, so what a test writes with factories the browser sees. Without Chromium or Playwright
these tests skip, unless CANTING_REQUIRE_BROWSER=1 (as .ci/run sets), where they fail instead.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = None
try:
    import axe_playwright_python
    from playwright.sync_api import sync_playwright

    AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def _browser_missing() -> str | None:
    if sync_playwright is None:
        return "playwright is not installed (tests/requirements.txt)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def live_server(app):
    """The suite's app on http://127.0.0.1:<free port>."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    missing = _browser_missing()
    if missing:
        if os.environ.get("CANTING_REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser, live_server):
    """A new browser tab sized like a 390 px phone, at the live server."""
    # bypass_csp: axe_violations() injects axe-core as an inline script, which our CSP refuses.
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                  base_url=live_server, locale="id-ID", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshots(request):
    """Where step screenshots go: JOURNEY_SCREENSHOTS if set (to look at them), else the test's tmp dir."""
    folder = Path(os.environ.get("JOURNEY_SCREENSHOTS") or request.getfixturevalue("tmp_path"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A/AA and best practices)."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"]]


def sign_in(page, user, password: str) -> None:
    """Sign in through the login form, as a person does."""
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def fill_checkout(page, email: str, address: dict) -> None:
    """Type a guest's email and ADDRESS into the checkout form, then ask for shipping and total."""
    page.fill("#email", email)
    for field, value in address.items():
        if field in ("province", "country"):
            page.select_option(f"#{field}", value)
        else:
            page.fill(f"#{field}", value)
    page.click("button[value=review]")
    page.wait_for_load_state()
