"""Phone-width screenshots of pages, in Indonesian and English, with headless Chromium.

    python bench/ui/screenshots.py http://127.0.0.1:5000 bench/out/screens / /login

Each path is captured at 390x844 in both languages (the language is switched the way a person
does it: the ID/EN buttons in the header).
"""
from __future__ import annotations

import sys
from pathlib import Path

from browser import launch, sign_in
from playwright.sync_api import sync_playwright

def capture(base: str, out_dir: Path, paths: list[str], login: tuple[str, str] | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = launch(p)
        for lang in ("id", "en"):
            page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
            page.goto(base + "/")
            page.click(f".lang-switch button[value={lang}]")
            if login:
                sign_in(page, base, *login)
            for path in paths:
                page.goto(base + path)
                name = (path.strip("/").replace("/", "_") or "home") + f"_{lang}.png"
                page.screenshot(path=str(out_dir / name), full_page=True)
                written.append(out_dir / name)
            page.close()
        browser.close()
    return written


if __name__ == "__main__":
    base_url, out = sys.argv[1], Path(sys.argv[2])
    for written_path in capture(base_url, out, sys.argv[3:] or ["/", "/login"]):
        print(written_path)
