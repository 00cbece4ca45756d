"""The orders buyers read programs, graduate shops and badges in, and whose shops a program page
lists: only its own graduates who show it."""
from __future__ import annotations

import re
from datetime import date

from tests import factories


def program_slugs_on(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'href="/programs/([a-z0-9-]+)"', html)))


def test_programs_are_listed_newest_first(client):
    # Made in an order that is neither newest nor oldest first, so the id order proves nothing.
    for year, slug in ((2019, "tua"), (2023, "baru"), (2021, "tengah")):
        factories.make_program(slug=f"bimtek-{slug}", start_date=date(year, 6, 3), end_date=date(year, 6, 5))
    newest_first = ["bimtek-baru", "bimtek-tengah", "bimtek-tua"]

    assert [p["slug"] for p in client.get("/api/v1/programs").get_json()["items"]] == newest_first
    assert program_slugs_on(client.get("/programs").get_data(as_text=True)) == newest_first
    home = client.get("/").get_data(as_text=True)
    assert re.findall(r'<option value="(bimtek-[a-z]+)"', home) == newest_first


def test_a_program_page_lists_its_own_shown_graduates_by_shop_name(client):
    program, other = factories.make_program(), factories.make_program()
    for name in ("Zahra Batik", "Anggrek Batik", "Melati Batik"):
        shop = factories.make_shop(name=name, slug=name.lower().replace(" ", "-"))
        factories.make_graduation(shop.owner, program, status="verified", public=True)
    elsewhere = factories.make_shop(name="Batik Program Lain", slug="batik-program-lain")
    factories.make_graduation(elsewhere.owner, other, status="verified", public=True)
    by_name = ["anggrek-batik", "melati-batik", "zahra-batik"]

    body = client.get(f"/api/v1/shops?program={program.slug}").get_json()
    assert [shop["slug"] for shop in body["items"]] == by_name
    page = client.get(f"/programs/{program.slug}/shops").get_data(as_text=True)
    assert re.findall(r'href="/shops/([a-z-]+)"', page) == by_name
    assert [s["slug"] for s in client.get(f"/api/v1/shops?program={other.slug}").get_json()["items"]] == [
        "batik-program-lain"]


def test_a_shops_badges_show_the_latest_graduation_first(client):
    shop = factories.make_shop(slug="batik-sari")
    older = factories.make_program(title="Bimtek Batik Cap", slug="bimtek-cap")
    newer = factories.make_program(title="Pelatihan Batik Tulis", slug="pelatihan-tulis")
    factories.make_graduation(shop.owner, older, status="verified", graduated_on=date(2019, 6, 5))
    factories.make_graduation(shop.owner, newer, status="verified", graduated_on=date(2022, 6, 5))

    assert [b["program"] for b in client.get("/api/v1/shops/batik-sari").get_json()["badges"]] == [
        "pelatihan-tulis", "bimtek-cap"]
    page = client.get("/shops/batik-sari").get_data(as_text=True)
    assert re.findall(r'<a class="badge" href="/programs/([a-z-]+)"', page) == ["pelatihan-tulis", "bimtek-cap"]
