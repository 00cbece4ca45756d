"""Run axe-core on pages as a signed-in person sees them, and print the violations.

    python bench/ui/axe_audit.py http://127.0.0.1:5000 /path/to/axe.min.js [EMAIL PASSWORD] -- /path ...

axe.min.js comes from the npm package axe-core (npm install axe-core); nothing is downloaded here.
"""
from __future__ import annotations

import sys

from browser import launch, sign_in
from playwright.sync_api import sync_playwright


def audit(base: str, axe_js: str, paths: list[str], login: tuple[str, str] | None) -> int:
    serious = 0
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 390, "height": 844}, bypass_csp=True)
        if login:
            sign_in(page, base, *login)
        for path in paths:
            page.goto(base + path)
            page.add_script_tag(path=axe_js)
            result = page.evaluate("() => axe.run()")
            bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
            serious += len(bad)
            print(f"{path}: {len(result['violations'])} violations, {len(bad)} serious/critical")
            for v in result["violations"]:
                print(f"   [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        browser.close()
    return serious


if __name__ == "__main__":
    args = sys.argv[1:]
    base, axe_js = args[0], args[1]
    rest = args[2:]
    split = rest.index("--") if "--" in rest else len(rest)
    credentials = tuple(rest[:split]) if split == 2 else None
    sys.exit(1 if audit(base, axe_js, rest[split + 1:], credentials) else 0)
