"""Lighthouse (mobile) scores of pages as a signed-in person or a guest sees them.

    python bench/ui/lighthouse_pages.py http://127.0.0.1:5000 [EMAIL PASSWORD] -- /path ...

Needs npm's lighthouse@12 (`npm install lighthouse@12`; LIGHTHOUSE=path/to/node_modules/.bin/lighthouse)
and Debian's Chromium. A signed-in run signs in through the login form in Chromium, then
passes the session cookie to Lighthouse. Prints one line per page: performance,
accessibility, best practices and SEO, out of 100.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from browser import CHROMIUM, launch, sign_in
from playwright.sync_api import sync_playwright

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def session_cookie(base: str, email: str, password: str) -> str:
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, base, email, password)
        page.wait_for_load_state()
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        browser.close()
    return cookies


def scores(url: str, cookie: str | None) -> dict[str, int]:
    lighthouse = os.environ.get("LIGHTHOUSE", "/tmp/node_modules/.bin/lighthouse")
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        command = [lighthouse, url, "--quiet", "--output=json", f"--output-path={report.name}",
                   "--form-factor=mobile", "--chrome-flags=--headless=new --no-sandbox",
                   f"--only-categories={','.join(CATEGORIES)}"]
        if cookie:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result = json.load(open(report.name))
    return {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}


def main(argv: list[str]) -> int:
    split = argv.index("--")
    base, login, paths = argv[0], argv[1:split], argv[split + 1:]
    cookie = session_cookie(base, *login) if login else None
    worst = 100
    for path in paths:
        figures = scores(base + path, cookie)
        worst = min(worst, *figures.values())
        print(f"{path}: " + "  ".join(f"{name} {value}" for name, value in figures.items()), flush=True)
    print(f"lowest score: {worst}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
