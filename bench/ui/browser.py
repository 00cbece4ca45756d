"""Headless Chromium as the page tools here use it: Debian's chromium (Playwright cannot
download its own here), and signing in through the login form as a person does."""
from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM,
                                      args=["--no-sandbox", "--disable-background-networking"])


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
