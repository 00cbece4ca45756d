"""The catalogue's program and price filters, HTML and API: what a buyer's filter may reveal about
an artisan, and which prices a range includes."""
from __future__ import annotations

import re

import pytest

from marketplace.catalog.models import KNOWN_MOTIFS
from tests import factories
from tests.factories import make_product


def html_listing(client, query: str) -> tuple[list[str], int]:
    """Titles of the products on the HTML catalogue for QUERY, and the total it announces."""
    response = client.get(f"/products?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    titles = re.findall(r'<h3 class="card-title"><a href="/products/\d+/[^"]*">([^<]+)</a>', html)
    total = re.search(r'<h2 id="results">\s*(\d+)', html)
    assert total, "no result count on the catalogue"
    return sorted(titles), int(total.group(1))


def api_listing(client, query: str) -> tuple[list[str], int]:
    """Titles of the products GET /api/v1/products answers for QUERY, and its total (body and header)."""
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert int(response.headers["X-Total-Count"]) == body["meta"]["total"]
    return sorted(item["title"] for item in body["items"]), body["meta"]["total"]


# --- program filter ----------------------------------------------------------------------------

@pytest.fixture
def prison_program():
    return factories.make_program(held_in_correctional_facility=True, slug="pelatihan-batik-lapas-2021",
                                  title="Pelatihan Batik Lapas Perempuan Palembang")


@pytest.mark.parametrize("status, public", [
    ("verified", False),  # verified, but the artisan did not opt in: the usual case for a prison program
    ("claimed", True),    # shown by choice, but no officer has verified it
    ("rejected", True),
])
def test_the_program_filter_never_lists_a_graduate_who_is_not_shown(client, prison_program, status, public):
    hidden = factories.make_shop(name="Toko Tersembunyi")
    factories.make_graduation(hidden.owner, prison_program, status=status, public=public,
                              rejection_reason="No." if status == "rejected" else None)
    make_product(hidden, title="Kain Warga Binaan")
    shown = factories.make_shop(name="Toko Terlihat")
    factories.make_graduation(shown.owner, prison_program, status="verified", public=True)
    make_product(shown, title="Kain Terlihat")
    # A shown graduate of another program is no graduate of this one.
    elsewhere = factories.make_shop(name="Toko Lain")
    factories.make_graduation(elsewhere.owner, factories.make_program(), status="verified", public=True)
    make_product(elsewhere, title="Kain Program Lain")

    everything = ["Kain Program Lain", "Kain Terlihat", "Kain Warga Binaan"]
    # The hidden artisan's product is on sale: only the program filter must not reveal why.
    assert html_listing(client, "") == (everything, 3)
    assert api_listing(client, "") == (everything, 3)
    for query in (f"program={prison_program.slug}", f"program={prison_program.slug}&sort=price_asc",
                  f"program={prison_program.slug}&q=kain"):
        assert html_listing(client, query) == (["Kain Terlihat"], 1), query
        assert api_listing(client, query) == (["Kain Terlihat"], 1), query


def test_the_program_filter_lists_every_product_of_a_shown_graduate(client):
    program = factories.make_program()
    graduate = factories.make_shop(name="Batik Nurul")
    factories.make_graduation(graduate.owner, program, status="verified")  # public by default
    make_product(graduate, title="Kain Jumputan")
    make_product(graduate, title="Selendang Jumputan")
    make_product(title="Kain Tanpa Program")

    expected = (["Kain Jumputan", "Selendang Jumputan"], 2)
    assert html_listing(client, f"program={program.slug}") == expected
    assert api_listing(client, f"program={program.slug}") == expected
    assert api_listing(client, "program=no-such-program") == ([], 0)


# --- price range -------------------------------------------------------------------------------

@pytest.fixture
def priced():
    shop = factories.make_shop()
    for price in (99_999, 100_000, 150_000, 200_000, 200_001):
        make_product(shop, title=f"Kain {price}", price=price)


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc", "relevance"])
def test_a_price_range_includes_products_priced_exactly_on_its_bounds(client, priced, sort):
    inside = ["Kain 100000", "Kain 150000", "Kain 200000"]
    for listing in (html_listing, api_listing):
        assert listing(client, f"min_price=100000&max_price=200000&sort={sort}") == (inside, 3), listing
        assert listing(client, f"min_price=200000&sort={sort}") == (["Kain 200000", "Kain 200001"], 2)
        assert listing(client, f"max_price=100000&sort={sort}") == (["Kain 100000", "Kain 99999"], 2)
        assert listing(client, f"min_price=150000&max_price=150000&sort={sort}") == (["Kain 150000"], 1)


# --- motif suggestions on the listing form ------------------------------------------------------

def test_the_listing_form_suggests_motifs_on_sale_most_listed_first(artisan_client):
    shop = factories.make_shop(artisan_client.user)
    for motif, count in (("Tampuk Manggis", 1), ("Kopi", 3), ("Durian", 2), ("Bunga Tanjung", 1)):
        for _ in range(count):
            make_product(shop, motif=motif)
    make_product(shop, motif="Motif Rahasia", status="draft")  # not on sale: nobody is told of it
    make_product(shop, motif="Motif Lama", status="archived")
    make_product(shop, motif="")
    page = artisan_client.get("/dashboard/products/new").get_data(as_text=True)
    datalist = re.search(r'<datalist id="motif-suggestions">(.*?)</datalist>', page, re.S).group(1)
    suggested = re.findall(r'<option value="([^"]*)">', datalist)
    # Most listed first, ties by name; then the classic motifs not listed yet, up to 80 in all.
    assert suggested[:4] == ["Kopi", "Durian", "Bunga Tanjung", "Tampuk Manggis"]
    listed = {motif.casefold() for motif in suggested[:4]}
    assert suggested[4:] == [m for m in KNOWN_MOTIFS if m.casefold() not in listed][:76]
    assert "Motif Rahasia" not in suggested and "Motif Lama" not in suggested and "" not in suggested


# --- technique and stock ------------------------------------------------------------------------

def test_a_technique_filter_lists_that_technique_only(client):
    shop = factories.make_shop()
    for technique in ("tulis", "cap", "printing"):
        make_product(shop, title=f"Kain {technique}", technique=technique)
    for listing in (html_listing, api_listing):
        assert listing(client, "technique=tulis") == (["Kain tulis"], 1)
        assert listing(client, "technique=printing") == (["Kain printing"], 1)
        assert listing(client, "technique=batik") == (["Kain cap", "Kain tulis"], 2)


def test_in_stock_includes_the_last_piece(client):
    shop = factories.make_shop()
    for stock in (0, 1, 2):
        make_product(shop, title=f"Kain stok {stock}", stock=stock)
    for listing in (html_listing, api_listing):
        assert listing(client, "in_stock=true") == (["Kain stok 1", "Kain stok 2"], 2)


# --- search order -----------------------------------------------------------------------------

def test_search_results_come_best_match_first_in_the_catalogue(client):
    # The best match is the oldest product: neither "newest" nor id order would put it first.
    make_product(title="Kemeja Sekar Jagad")
    make_product(title="Kemeja Pria", description="Motif sekar jagad dari Yogyakarta.")
    make_product(title="Kemeja Kawung")
    expected = ["Kemeja Sekar Jagad", "Kemeja Pria"]
    assert [p["title"] for p in client.get("/api/v1/products?q=sekar+jagad").get_json()["items"]] == expected
    html = client.get("/products?q=sekar+jagad").get_data(as_text=True)
    assert re.findall(r'<h3 class="card-title"><a href="/products/\d+/[^"]*">([^<]+)</a>', html) == expected
