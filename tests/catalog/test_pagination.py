"""Paging through the public catalogue by cursor: every product once, in order, with ties in price
and time, over the API (meta.next_cursor, Link header) and the HTML catalogue (Next/Previous)."""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone
from html import unescape
from urllib.parse import urlsplit

import pytest

from marketplace.catalog import search
from marketplace.catalog.models import Product, Shop, Variant
from marketplace.extensions import db
from tests import factories

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
SORTS = ["relevance", "newest", "price_asc", "price_desc"]


@pytest.fixture
def catalogue():
    """43 products in three shops: prices and listing times repeat (ties), some sold out, some
    cloth; plus products no buyer may see (a draft, an archived one, one of a suspended shop)."""
    shops = [factories.make_shop(province="Sumatera Selatan"), factories.make_shop(province="Jawa Barat")]
    suspended = factories.make_shop(status="suspended")
    for n in range(43):
        add_product(shops[n % 2], n, price=[150_000, 250_000, 250_000, 400_000][n % 4],
                    created_at=T0 + timedelta(hours=n // 5),  # five products per listing time
                    category="cloth" if n % 3 else "clothing", stock=0 if n % 7 == 0 else 2)
    add_product(shops[0], 100, status="draft")
    add_product(shops[1], 101, status="archived")
    add_product(suspended, 102)
    db.session.commit()
    search.rebuild_index()
    db.session.commit()


def add_product(shop: Shop, n: int, *, price=300_000, created_at=T0, category="cloth", stock=1, status="active"):
    product = Product(shop=shop, title=f"Kain Batik Tulis {n}", slug=f"kain-batik-tulis-{n}", category=category,
                      technique="tulis", motif="Kawung", weight_g=300, price=price, status=status,
                      created_at=created_at, updated_at=created_at)
    product.variants.append(Variant(name="Satu ukuran", stock=stock))
    db.session.add(product)
    return product


def expected_ids(sort: str, keep=lambda p: True) -> list[int]:
    """What a buyer should see, in order: newest first, or by price; equal ones newest listed first."""
    products = [p for p in db.session.query(Product).all()
                if p.status == "active" and p.shop.status == "active" and keep(p)]
    if sort in ("relevance", "newest"):
        products.sort(key=lambda p: (p.created_at.replace(tzinfo=None), p.id), reverse=True)
    elif sort == "price_asc":
        products.sort(key=lambda p: (p.price, -p.id))
    else:
        products.sort(key=lambda p: (p.price, p.id), reverse=True)
    return [p.id for p in products]


def follow_api(client, url: str, via_link_header: bool = False) -> tuple[list[int], list[dict]]:
    ids, metas = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        ids += [item["id"] for item in body["items"]]
        metas.append(body["meta"])
        assert response.headers["X-Total-Count"] == str(body["meta"]["total"])
        link = response.headers.get("Link", "")
        next_link = re.search(r'<([^>]+)>; rel="next"', link)
        assert bool(next_link) == (body["meta"]["next_cursor"] is not None)
        if via_link_header:
            url = next_link and next_link.group(1).replace("http://localhost", "")
        else:
            cursor = body["meta"]["next_cursor"]
            url = cursor and f"{url.split('&cursor=')[0]}&cursor={cursor}"
        assert len(metas) < 100, "the cursors go round in circles"
    return ids, metas


FILTERS = {
    "": lambda p: True,
    "&category=cloth": lambda p: p.category == "cloth",
    "&in_stock=true&min_price=200000": lambda p: p.is_available and p.price >= 200_000,
    "&province=Jawa%20Barat&max_price=250000": lambda p: p.shop.province == "Jawa Barat" and p.price <= 250_000,
}


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("filters", FILTERS)
def test_following_next_cursors_visits_every_product_once_in_order(client, catalogue, sort, filters):
    expected = expected_ids(sort, FILTERS[filters])
    ids, metas = follow_api(client, f"/api/v1/products?per_page=4&sort={sort}{filters}")
    assert ids == expected
    assert [meta["page"] for meta in metas] == list(range(1, len(metas) + 1))
    assert {meta["total"] for meta in metas} == {len(expected)}
    assert len(metas) == max(1, -(-len(expected) // 4))
    assert metas[-1]["next_cursor"] is None and metas[0]["prev_cursor"] is None


@pytest.mark.parametrize("sort", ["newest", "price_asc"])
def test_the_link_header_leads_through_the_catalogue(client, catalogue, sort):
    ids, _metas = follow_api(client, f"/api/v1/products?per_page=5&sort={sort}", via_link_header=True)
    assert ids == expected_ids(sort)


@pytest.mark.parametrize("sort", SORTS)
def test_previous_cursors_lead_back_through_the_same_pages(client, catalogue, sort):
    pages, url = [], f"/api/v1/products?per_page=6&sort={sort}"
    while url:
        body = client.get(url).get_json()
        pages.append([item["id"] for item in body["items"]])
        url = body["meta"]["next_cursor"] and f"/api/v1/products?per_page=6&sort={sort}&cursor={body['meta']['next_cursor']}"
    back, cursor = [], body["meta"]["prev_cursor"]
    while cursor:
        body = client.get(f"/api/v1/products?per_page=6&sort={sort}&cursor={cursor}").get_json()
        back.append([item["id"] for item in body["items"]])
        cursor = body["meta"]["prev_cursor"]
    assert back == pages[-2::-1]
    assert body["meta"]["page"] == 1


def test_page_numbers_still_work_and_lead_on_by_cursor(client, catalogue):
    everything = expected_ids("newest")
    body = client.get("/api/v1/products?per_page=10&page=3").get_json()
    assert [item["id"] for item in body["items"]] == everything[20:30]
    assert body["meta"]["page"] == 3
    following = client.get(f"/api/v1/products?per_page=10&cursor={body['meta']['next_cursor']}").get_json()
    assert [item["id"] for item in following["items"]] == everything[30:40]
    assert following["meta"]["page"] == 4


def test_a_search_pages_by_cursor_too(client, catalogue):
    first = client.get("/api/v1/products?q=kain&per_page=20").get_json()
    ids = [item["id"] for item in first["items"]]
    while cursor := first["meta"]["next_cursor"]:
        first = client.get(f"/api/v1/products?q=kain&per_page=20&cursor={cursor}").get_json()
        ids += [item["id"] for item in first["items"]]
    assert sorted(ids) == sorted(expected_ids("newest")) and len(ids) == len(set(ids))


def b64(payload) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def real_cursor(client, sort="newest") -> str:
    return client.get(f"/api/v1/products?per_page=4&sort={sort}").get_json()["meta"]["next_cursor"]


GARBAGE = [
    "abc", "!!!", "%00", "x" * 2000, b64(b"\xff\xfe not json"), b64([1, 2]), b64("text"), b64({}),
    b64({"o": "newest", "p": 2}),                                          # no position
    b64({"o": "newest", "p": 2, "a": ["yesterday", 5]}),                   # not a time
    b64({"o": "newest", "p": 2, "a": ["2026-03-01T08:00:00", 5]}),         # a time without its zone
    b64({"o": "newest", "p": 2, "a": ["2026-03-01T08:00:00+00:00", "5"]}),  # id as text
    b64({"o": "newest", "p": 2, "a": ["2026-03-01T08:00:00+00:00", 10**30]}),
    b64({"o": "newest", "p": 2, "a": ["2026-03-01T08:00:00+00:00"]}),      # a key short
    b64({"o": "newest", "p": 0, "a": ["2026-03-01T08:00:00+00:00", 5]}),   # page 0
    b64({"o": "newest", "p": True, "a": ["2026-03-01T08:00:00+00:00", 5]}),
    b64({"o": "price_asc", "p": 2, "a": [1.5, 5]}),
    b64({"o": "price_asc", "p": 2, "a": [None, 5]}),
    b64({"o": "price_asc", "p": 2, "a": [100, 5], "b": [100, 5]}),         # both directions
    b64({"o": "nonsense", "p": 2}),
]


@pytest.mark.parametrize("cursor", GARBAGE)
def test_a_broken_cursor_is_a_422_field_error_on_the_api(client, catalogue, cursor):
    response = client.get("/api/v1/products", query_string={"cursor": cursor})
    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]


def test_a_cursor_of_another_sort_or_search_is_refused(client, catalogue):
    by_price = real_cursor(client, "price_asc")
    assert client.get(f"/api/v1/products?sort=newest&cursor={by_price}").status_code == 422
    newest = real_cursor(client, "newest")
    assert client.get(f"/api/v1/products?cursor={newest}").status_code == 200  # relevance without words is newest
    assert client.get(f"/api/v1/products?q=kain&cursor={newest}").status_code == 422
    assert client.get(f"/api/v1/products?sort=price_asc&category=cloth&cursor={by_price}").status_code == 200


def test_the_openapi_document_describes_the_cursor(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    get = spec["paths"]["/api/v1/products"]["get"]
    assert {"cursor", "page", "per_page"} <= {p["name"] for p in get["parameters"]}
    assert "Link" in get["responses"]["200"]["headers"]


# --- the HTML catalogue -----------------------------------------------------------------------

def product_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<h3 class="card-title"><a href="/products/(\d+)/', html)]


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return found and unescape(found.group(1))


@pytest.mark.parametrize("query", ["", "?sort=price_desc&category=cloth", "?sort=price_asc&in_stock=true"])
def test_next_links_of_the_html_catalogue_show_every_product_once(client, catalogue, query):
    sort = re.search(r"sort=(\w+)", query)
    keep = {"": FILTERS[""], "?sort=price_desc&category=cloth": FILTERS["&category=cloth"],
            "?sort=price_asc&in_stock=true": lambda p: p.is_available}[query]
    expected = expected_ids(sort.group(1) if sort else "newest", keep)
    ids, url, pages = [], f"/{query}", []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        ids += product_ids(html)
        pages.append(url)
        url = link(html, "next")
        assert url is None or "cursor=" in url
        assert len(pages) < 20
    assert ids == expected
    assert len(pages) == -(-len(expected) // 24)
    # and back: Previous on the last page shows the page before it
    if len(pages) > 1:
        last = client.get(pages[-1]).get_data(as_text=True)
        before = client.get(link(last, "prev")).get_data(as_text=True)
        assert product_ids(before) == expected[24 * (len(pages) - 2):24 * (len(pages) - 1)]


@pytest.mark.parametrize("cursor", GARBAGE[:6] + GARBAGE[-4:])
def test_a_broken_cursor_shows_the_first_page_with_a_notice(client, catalogue, cursor):
    response = client.get("/", query_string={"cursor": cursor, "sort": "price_asc"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert product_ids(html) == expected_ids("price_asc")[:24]
    assert 'class="flash flash-info" role="status"' in html
    assert 'value="price_asc" selected' in html  # the other filters are kept


def test_the_next_link_keeps_the_filters(client, catalogue):
    html = client.get("/?category=cloth&sort=price_asc&max_price=400000").get_data(as_text=True)
    query = urlsplit(link(html, "next")).query
    assert "category=cloth" in query and "sort=price_asc" in query and "max_price=400000" in query
    assert "page=" not in query
