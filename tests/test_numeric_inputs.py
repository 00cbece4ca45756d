"""Every number a request can carry, HTML or API, answers a form error or a 4xx when it is out of
range or not a number: never a 500 (a Python int too large for the database driver), never a
half-written record. One range per quantity (catalog/models.py) serves all the boundaries."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import PRICE_RANGE, STOCK_RANGE, Product, Shop, Variant
from marketplace.core.errors import ValidationFailed
from marketplace.programs.models import TrainingProgram
from tests import factories
from tests.conftest import csrf_token, login

# As typed into a form or a query string.
BAD_TEXT = ["-1", "5000000000", "100000000000000000000", "1e20", "abc", "12,5", "9" * 5000]
# As sent in a JSON body.
BAD_JSON = [-1, 5_000_000_000, 10**20, 1e20, "abc", 1.5, True]

PRODUCT_FORM = {"title": "Kain Batik Tulis Kopi", "category": "cloth", "technique": "tulis", "motif": "Kopi",
                "price": "450000", "weight_g": "300", "length_cm": "200", "width_cm": "115",
                "variants-0-name": "2 x 1,15 m", "variants-0-stock": "3", "variants-0-price": "",
                "description": "", "material": "", "dye": "", "status": "active"}
PRODUCT_JSON = {"title": "Kain Batik Tulis Kopi", "category": "cloth", "technique": "tulis", "weight_g": 300,
                "price": 450_000, "length_cm": 200, "width_cm": 115, "status": "active",
                "variants": [{"name": "2 x 1,15 m", "stock": 3, "price": 500_000}]}
PROGRAM_FORM = {"title": "Coaching Clinic Batik Tulis", "kind": "coaching_clinic", "techniques": ["tulis"],
                "partners": "", "description": "", "venue": "Gedung Dekranasda", "city": "Kota Palembang",
                "province": "Sumatera Selatan", "start_date": "2022-03-01", "end_date": "2022-03-02",
                "participant_count": "25"}
PROGRAM_JSON = {"title": "Coaching Clinic Batik Tulis", "kind": "coaching_clinic", "techniques": ["tulis"],
                "venue": "Gedung Dekranasda", "city": "Kota Palembang", "province": "Sumatera Selatan",
                "start_date": "2022-03-01", "end_date": "2022-03-02", "participant_count": 25}


def stored_catalogue(db) -> tuple:
    """Every stored product and variant number, to show that a refused request wrote nothing."""
    db.session.expire_all()
    products = db.session.execute(sa.select(Product.id, Product.price, Product.weight_g, Product.length_cm,
                                            Product.width_cm, Product.status).order_by(Product.id)).all()
    variants = db.session.execute(sa.select(Variant.id, Variant.name, Variant.stock, Variant.price)
                                  .order_by(Variant.id)).all()
    return products, variants


@pytest.fixture
def seller(app):
    """A logged-in artisan with a shop and one product of two variants."""
    artisan = factories.make_artisan()
    shop = factories.make_shop(artisan)
    product = services.create_product(artisan, title="Kemeja Batik Cap", category="clothing", technique="cap",
                                      weight_g=250, price=285_000, status="active",
                                      variants=[{"name": "M", "stock": 4}, {"name": "L", "stock": 2, "price": 300_000}])
    client = app.test_client()
    assert login(client, artisan.email).status_code == 302
    client.user, client.shop, client.product = artisan, shop, product
    return client


def assert_form_error(response, field_id: str, sent: str):
    assert response.status_code == 200, f"{field_id}={sent!r}: {response.status}"
    assert f'id="{field_id}-error"' in response.get_data(as_text=True), f"{field_id}={sent!r}: no error shown"


def assert_422(response, field: str, sent):
    assert response.status_code == 422, f"{field}={sent!r}: {response.status} {response.get_data(as_text=True)[:300]}"
    assert response.is_json
    assert field in response.get_json()["errors"], f"{field}={sent!r}: {response.get_json()['errors']}"


# --- HTML forms ----------------------------------------------------------------------------------

def test_product_forms_refuse_every_bad_number_and_write_nothing(seller, db):
    product = seller.product
    m, l = product.variants
    before = stored_catalogue(db)
    edit_form = {**PRODUCT_FORM, **factories.variant_rows((m.id, "M", 3, ""), (l.id, "L", 2, ""))}
    pages = [("/dashboard/products/new", PRODUCT_FORM),
             (f"/dashboard/products/{product.id}/edit", edit_form)]
    fields = ["price", "weight_g", "length_cm", "width_cm", "variants-0-stock", "variants-0-price"]
    for path, form in pages:
        token = csrf_token(seller, path)
        for field in fields:
            for sent in BAD_TEXT:
                response = seller.post(path, data={**form, field: sent, "csrf_token": token})
                assert_form_error(response, field, sent)
        for sent in ["100000000000000000000", "-1", "abc"]:  # a forged hidden id of the row to keep
            response = seller.post(path, data={**form, "variants-0-variant_id": sent, "csrf_token": token})
            assert response.status_code == 200 and "variants-0-variant_id" in response.get_data(as_text=True)
    assert stored_catalogue(db) == before


def test_quick_edit_refuses_every_bad_number_and_writes_nothing(seller, db):
    product = seller.product
    m, l = product.variants
    before = stored_catalogue(db)
    token = csrf_token(seller, "/dashboard/products")
    form = {"csrf_token": token, **factories.quick_edit(product, price="300.000", stock={m.id: 5, l.id: 1},
                                                        status="active")}
    for field, field_id in [("price", f"price-{product.id}"), (f"stock-{m.id}", f"stock-{m.id}"),
                            (f"stock-{l.id}", f"stock-{l.id}")]:
        for sent in BAD_TEXT:
            response = seller.post(f"/dashboard/products/{product.id}/quick", data={**form, field: sent})
            assert_form_error(response, field_id, sent)
            # The refused value stays in its box, to be corrected, and the page says so on top.
            assert f'value="{sent}"' in response.get_data(as_text=True)
            assert "Kemeja Batik Cap tidak tersimpan" in response.get_data(as_text=True)
        missing = seller.post(f"/dashboard/products/{product.id}/quick",
                              data={k: v for k, v in form.items() if k != field})
        assert_form_error(missing, field_id, "(missing)")
    unknown_status = seller.post(f"/dashboard/products/{product.id}/quick", data={**form, "status": "sold"})
    assert_form_error(unknown_status, f"status-{product.id}", "sold")
    assert stored_catalogue(db) == before


def test_quick_edit_is_csrf_checked(seller, db):
    product = seller.product
    m, l = product.variants
    before = stored_catalogue(db)
    response = seller.post(f"/dashboard/products/{product.id}/quick", data=factories.quick_edit(
        product, price="300000", stock={m.id: 5, l.id: 1}, status="archived"))
    assert response.status_code == 400
    assert stored_catalogue(db) == before


def test_program_form_refuses_a_bad_participant_count(app, db):
    organization = factories.make_organization()
    officer = factories.make_user(roles=["officer"], organization=organization)
    program = factories.make_program(organization, participant_count=20)
    client = app.test_client()
    login(client, officer.email)
    for path in ("/officer/programs/new", f"/officer/programs/{program.slug}/edit"):
        token = csrf_token(client, path)
        for sent in BAD_TEXT[:-1] + ["100001"]:  # "12,5" aside: WTForms reads the digits before the comma
            response = client.post(path, data={**PROGRAM_FORM, "participant_count": sent, "csrf_token": token})
            assert_form_error(response, "participant_count", sent)
    db.session.expire_all()
    assert [(p.slug, p.participant_count) for p in db.session.scalars(sa.select(TrainingProgram))] == \
        [(program.slug, 20)]


def test_admin_shop_form_refuses_a_forged_shop_id(app, db):
    shop = factories.make_shop()
    client = app.test_client()
    login(client, factories.make_user(roles=["admin"]).email)
    token = csrf_token(client, "/admin/shops")
    for sent in ["100000000000000000000", "-1", "abc"]:
        response = client.post("/admin/shops", data={"shop_id": sent, "action": "suspend", "reason": "palsu",
                                                      "csrf_token": token})
        assert response.status_code < 500, sent
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).status == "active"


def test_catalogue_page_drops_bad_numbers_in_its_query(client):
    for param in ("min_price", "max_price", "page", "per_page"):
        for sent in BAD_TEXT:
            response = client.get("/", query_string={param: sent})
            assert response.status_code == 200, f"{param}={sent}: {response.status}"


def test_ids_in_paths_beyond_the_integer_range_are_404(seller):
    huge = "100000000000000000000"
    assert seller.get(f"/products/{huge}").status_code == 404
    assert seller.get(f"/dashboard/products/{huge}/edit").status_code == 404
    token = csrf_token(seller, "/dashboard/products")
    assert seller.post(f"/dashboard/products/{huge}/quick", data={"csrf_token": token}).status_code == 404
    assert seller.get(f"/api/v1/products/{huge}").status_code == 404


# --- JSON API ------------------------------------------------------------------------------------

def test_product_api_refuses_every_bad_number_and_writes_nothing(seller, client, db):
    headers = factories.bearer(seller.user)
    product = seller.product
    before = stored_catalogue(db)
    for field in ("price", "weight_g", "length_cm", "width_cm"):
        for sent in BAD_JSON:
            assert_422(client.post("/api/v1/products", json={**PRODUCT_JSON, field: sent}, headers=headers),
                       field, sent)
            assert_422(client.patch(f"/api/v1/products/{product.id}", json={field: sent}, headers=headers),
                       field, sent)
    for field in ("stock", "price", "id"):
        for sent in BAD_JSON:
            variants = [{**PRODUCT_JSON["variants"][0], field: sent}]
            assert_422(client.post("/api/v1/products", json={**PRODUCT_JSON, "variants": variants},
                                   headers=headers), "variants", sent)
            assert_422(client.patch(f"/api/v1/products/{product.id}", json={"variants": variants},
                                    headers=headers), "variants", sent)
    for sent in BAD_JSON:
        assert_422(client.put(f"/api/v1/products/{product.id}/images", json={"image_ids": [sent]},
                              headers=headers), "image_ids", sent)
    # JSON that Python reads as infinity or not-a-number
    for body in ('{"price": Infinity}', '{"price": NaN}', '{"price": 1e999}', '{"price": %s}' % ("9" * 5000)):
        response = client.patch(f"/api/v1/products/{product.id}", data=body, headers=headers,
                                content_type="application/json")
        assert response.status_code in (400, 422), body
    assert stored_catalogue(db) == before


@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/shops", "/api/v1/programs", "/api/v1/organizations"])
def test_api_query_parameters_refuse_bad_numbers(client, path):
    params = ["page", "per_page"] + (["min_price", "max_price"] if path == "/api/v1/products" else [])
    for param in params:
        for sent in BAD_TEXT:
            assert_422(client.get(path, query_string={param: sent}), param, sent)


def test_a_cursor_carrying_huge_numbers_is_refused_or_harmless(seller, client):
    """Cursors are not signed: their numbers come from the client too."""
    from marketplace.core.pagination import encode_cursor

    for value in (2**31, 2**63 - 1, -(2**63), 10**20, 1e20):
        cursor = encode_cursor({"o": "price_asc", "p": 2, "a": [value, value]})
        api = client.get("/api/v1/products", query_string={"sort": "price_asc", "cursor": cursor})
        assert api.status_code in (200, 422), f"{value}: {api.status}"
        page = client.get("/", query_string={"sort": "price_asc", "cursor": cursor})
        assert page.status_code == 200, f"{value}: {page.status}"


def test_program_api_refuses_a_bad_participant_count(app, client, db):
    organization = factories.make_organization()
    officer = factories.make_user(roles=["officer"], organization=organization)
    program = factories.make_program(organization, participant_count=20)
    headers = factories.bearer(officer)
    for sent in BAD_JSON + [100_001]:
        assert_422(client.post("/api/v1/programs", json={**PROGRAM_JSON, "participant_count": sent},
                               headers=headers), "participant_count", sent)
        assert_422(client.patch(f"/api/v1/programs/{program.slug}", json={"participant_count": sent},
                                headers=headers), "participant_count", sent)
    db.session.expire_all()
    assert [(p.slug, p.participant_count) for p in db.session.scalars(sa.select(TrainingProgram))] == \
        [(program.slug, 20)]


# --- one range for every boundary ----------------------------------------------------------------

def test_the_quick_edit_the_full_form_and_the_api_share_the_price_range(seller, client, db):
    """The quick edit used to take Rp 5,000,000,000 while the full form stopped at 1,000,000,000."""
    product = seller.product
    m, l = product.variants
    headers = factories.bearer(seller.user)
    top, over = PRICE_RANGE.maximum, PRICE_RANGE.maximum + 1
    quick = {"csrf_token": csrf_token(seller, "/dashboard/products"),
             **factories.quick_edit(product, stock={m.id: 4, l.id: STOCK_RANGE.maximum}, status="active")}
    edit = {**PRODUCT_FORM, **factories.variant_rows((m.id, "M", 3, "")),
            "csrf_token": csrf_token(seller, f"/dashboard/products/{product.id}/edit")}

    assert_form_error(seller.post(f"/dashboard/products/{product.id}/quick", data={**quick, "price": str(over)}),
                      f"price-{product.id}", str(over))
    assert_form_error(seller.post(f"/dashboard/products/{product.id}/edit", data={**edit, "price": str(over)}),
                      "price", str(over))
    assert_422(client.patch(f"/api/v1/products/{product.id}", json={"price": over}, headers=headers), "price", over)

    assert seller.post(f"/dashboard/products/{product.id}/quick", data={**quick, "price": str(top)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Product, product.id).price == top
    assert seller.post(f"/dashboard/products/{product.id}/edit",
                       data={**edit, "price": "1", "variants-0-price": str(top)}).status_code == 302
    assert client.patch(f"/api/v1/products/{product.id}", json={"price": top - 1}, headers=headers).status_code == 200


@pytest.mark.parametrize("changes", [
    {"price": 10**20}, {"price": PRICE_RANGE.maximum + 1}, {"price": 0}, {"price": True}, {"weight_g": 10**20},
    {"length_cm": 10**20}, {"width_cm": -1},
    {"variants": [{"name": "M", "stock": 10**20}]}, {"variants": [{"name": "M", "stock": -1}]},
    {"variants": [{"name": "M", "stock": 1, "price": 10**20}]},
])
def test_services_refuse_out_of_range_numbers_whoever_calls_them(seller, db, changes):
    """The CLI, the demo seed and jobs call services without a form or a schema in front."""
    before = stored_catalogue(db)
    values = {"title": "Kain", "category": "cloth", "technique": "tulis", "weight_g": 1, "price": 1, **changes}
    with pytest.raises(ValidationFailed):
        services.create_product(seller.user, **values)
    with pytest.raises(ValidationFailed):
        services.update_product(seller.user, seller.product.id, **changes)
    assert stored_catalogue(db) == before


def test_every_integer_a_client_sends_is_a_whole_number_within_a_range():
    """A new schema field without a range would let a number the database cannot hold through."""
    import marshmallow as ma

    from marketplace.accounts import schemas as accounts_schemas
    from marketplace.catalog import schemas as catalog_schemas
    from marketplace.core import pagination
    from marketplace.core.fields import WholeNumber
    from marketplace.core.numbers import INT32_MAX
    from marketplace.programs import schemas as programs_schemas

    def integer_fields(schema, path):
        for name, field in schema.fields.items():
            while isinstance(field, ma.fields.List):
                field = field.inner
            if isinstance(field, ma.fields.Nested):
                yield from integer_fields(field.schema, f"{path}.{name}")
            elif isinstance(field, ma.fields.Number):
                yield f"{path}.{name}", field

    checked = []
    for module in (accounts_schemas, catalog_schemas, programs_schemas, pagination):
        for name, schema in vars(module).items():
            if isinstance(schema, type) and issubclass(schema, ma.Schema) and name.endswith(("In", "Patch", "Query")):
                for where, field in integer_fields(schema(), name):
                    assert isinstance(field, WholeNumber), f"{where}: use WholeNumber"
                    ranges = [v for v in field.validators if isinstance(v, ma.validate.Range)]
                    assert ranges, f"{where}: no range"
                    assert all(r.min is not None and r.max is not None and -INT32_MAX <= r.min <= r.max <= INT32_MAX
                               for r in ranges), f"{where}: range beyond an INTEGER column"
                    checked.append(where)
    assert {"ProductIn.price", "VariantIn.stock", "ProductQuery.max_price", "PageQuery.per_page",
            "ProgramIn.participant_count"} <= set(checked)


def test_every_api_blueprint_reads_json_with_the_guarded_parser(app):
    """Without it, a 5,000-digit number in a JSON body raised ValueError in json.loads: a 500."""
    import flask_smorest

    from marketplace.core.blueprints import Blueprint

    api_blueprints = [bp for bp in app.blueprints.values() if isinstance(bp, flask_smorest.Blueprint)]
    assert len(api_blueprints) >= 3
    assert all(isinstance(bp, Blueprint) for bp in api_blueprints), [bp.name for bp in api_blueprints]
