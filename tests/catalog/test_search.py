"""Product search: matching, folding, ranking, hostile input and staying in sync with writes."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from marketplace.core.times import utcnow
from marketplace.catalog import search
from marketplace.catalog.cli import catalog_cli
from marketplace.catalog.models import Product, Shop
from marketplace.extensions import db as _db
from tests import factories
from tests.factories import make_product


def found(q: str) -> list[str]:
    """Titles of the products matching Q, best first."""
    query, rank = search.apply_search(sa.select(Product), q)
    return list(_db.session.scalars(query.order_by(rank.desc(), Product.id)))


def titles(q: str) -> list[str]:
    return [product.title for product in found(q)]


def test_a_motif_is_found_by_its_name():
    make_product(title="Kain Sumatera Selatan", motif="Kopi")
    make_product(title="Kain Sumatera Selatan", motif="Kawung")
    assert [p.motif for p in found("kopi")] == ["Kopi"]


def test_search_ignores_case():
    make_product(title="Selendang", motif="Kopi")
    assert titles("KOPI") == titles("Kopi") == ["Selendang"]


def test_search_ignores_accents_on_either_side():
    make_product(title="Batik Kéris")
    make_product(title="Kain Keris Lama")
    assert sorted(titles("keris")) == ["Batik Kéris", "Kain Keris Lama"]
    assert sorted(titles("KÉRIS")) == ["Batik Kéris", "Kain Keris Lama"]
    # A decomposed accent (e + U+0301), as some keyboards type it, is the same word.
    assert sorted(titles("ke\u0301ris")) == ["Batik Kéris", "Kain Keris Lama"]


def test_the_shop_name_is_searchable():
    shop = factories.make_shop(name="Rumah Canting Ogan Ilir")
    make_product(shop, title="Kain Jumputan")
    make_product(title="Kain Jumputan")
    assert [p.shop.name for p in found("ogan ilir")] == ["Rumah Canting Ogan Ilir"]


def test_every_word_must_match_and_the_last_may_be_a_prefix():
    make_product(title="Batik Parang Rusak", motif="Parang")
    make_product(title="Batik Kawung Picis", motif="Kawung")
    assert titles("parang rusak") == ["Batik Parang Rusak"]
    assert titles("parang kawung") == []
    assert titles("kaw") == ["Batik Kawung Picis"]
    assert titles("batik pic") == ["Batik Kawung Picis"]


def test_tulis_ranks_batik_tulis_first():
    make_product(title="Kain Sutra Motif Bunga", technique="cap",
                 description="Dikerjakan dengan cap; pinggirnya ditulis tangan, tulis halus.")
    make_product(title="Kain Batik Tulis Motif Bunga", technique="tulis")
    make_product(title="Selendang Motif Bunga", technique="tulis")
    make_product(title="Kain Motif Bunga", technique="printing")
    ranked = titles("tulis")
    assert ranked[:2] == ["Kain Batik Tulis Motif Bunga", "Selendang Motif Bunga"]
    assert ranked[2:] == ["Kain Sutra Motif Bunga"]  # printing is never "tulis"


def test_title_outranks_description():
    make_product(title="Kemeja Pria", description="Motif sekar jagad dari Yogyakarta.")
    make_product(title="Kemeja Sekar Jagad")
    assert titles("sekar jagad") == ["Kemeja Sekar Jagad", "Kemeja Pria"]


def test_printing_is_not_batik_but_is_printing():
    make_product(title="Kain Motif Parang", technique="printing")
    make_product(title="Kain Motif Parang", technique="cap")
    assert [p.technique for p in found("batik parang")] == ["cap"]
    assert [p.technique for p in found("printing")] == ["printing"]


@pytest.mark.parametrize("q", [
    '"', "*", "kopi OR", "OR", "(", ")", "a'b", "NEAR(", "NEAR(kopi kawung, 2)", "kopi -kawung",
    "kopi AND NOT", "title:kopi", "^kopi", "kopi*", "'; DROP TABLE products; --", "\\", "%_",
    "🦋", "kopi 🦋", "☕ kopi", "コーヒー", "ꦧꦠꦶꦏ꧀", "\x00", "k" * 5000, " ".join(["kopi"] * 500),
    "kopi & | ! : <-> :*", "\u200b",
])
def test_hostile_input_never_breaks_the_query(q):
    make_product(title="Selendang", motif="Kopi")
    query, rank = search.apply_search(sa.select(Product), q)
    _db.session.scalars(query.order_by(rank.desc())).all()
    _db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def test_operators_are_plain_words():
    make_product(title="Kopi Kawung", motif="Kopi")
    make_product(title="Kopi Saja", motif="Kopi")
    # FTS5 would read these as OR / NOT / a column filter; here they are words nobody wrote.
    assert titles("kopi OR kawung") == []
    assert titles("kopi -kawung") == ["Kopi Kawung"]  # "-" separates words, it negates nothing
    assert titles('"kopi kawung"') == ["Kopi Kawung"]


def test_a_query_without_words_leaves_the_query_alone():
    make_product(title="Selendang")
    base = sa.select(Product)
    for q in ["", "   ", None, "*", "🦋"]:
        query, rank = search.apply_search(base, q)
        assert query is base
        assert len(_db.session.scalars(query.order_by(rank.desc())).all()) == 1


def test_the_search_composes_with_other_filters():
    shop = factories.make_shop()
    make_product(shop, title="Kain Kawung", technique="tulis")
    make_product(shop, title="Kain Kawung", technique="cap")
    make_product(title="Kain Kawung", technique="tulis")
    query, rank = search.apply_search(
        sa.select(Product).join(Product.shop)
        .where(Shop.id == shop.id, Shop.status == "active", Product.technique == "tulis"), "kawung")
    assert len(_db.session.scalars(query).all()) == 1
    total = _db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    assert total == 1


def test_an_edited_title_is_found_by_its_new_words_only():
    product = make_product(title="Kain Mega Mendung")
    product.title = "Kain Truntum"
    search.index_product(product.id)
    _db.session.commit()
    assert titles("mendung") == []
    assert titles("truntum") == ["Kain Truntum"]


def test_a_rolled_back_edit_leaves_the_index_as_it_was():
    product = make_product(title="Kain Mega Mendung")
    product.title = "Kain Truntum"
    search.index_product(product.id)
    _db.session.rollback()
    assert titles("mendung") == ["Kain Mega Mendung"]
    assert titles("truntum") == []


def test_a_deleted_product_leaves_the_index():
    product = make_product(title="Kain Durian")
    product_id = product.id
    _db.session.delete(product)
    search.index_product(product_id)
    _db.session.commit()
    assert titles("durian") == []
    count = _db.session.scalar(sa.text("SELECT count(*) FROM product_search"))
    assert count == 0


def test_renaming_a_shop_reindexes_its_products():
    shop = factories.make_shop(name="Batik Sari")
    make_product(shop, title="Kain Kawung")
    make_product(shop, title="Kain Parang")
    shop.name = "Canting Emas"
    search.index_shop(shop.id)
    _db.session.commit()
    assert titles("sari") == []
    assert sorted(titles("canting emas")) == ["Kain Kawung", "Kain Parang"]


def test_rebuild_index_covers_every_product():
    make_product(title="Kain Truntum", index=False)
    make_product(title="Kain Sidomukti", index=False)
    assert titles("truntum") == []
    assert search.rebuild_index() == 2
    _db.session.commit()
    assert titles("truntum") == ["Kain Truntum"]
    assert titles("sidomukti") == ["Kain Sidomukti"]


def test_flask_catalog_reindex(app):
    make_product(title="Kain Truntum", index=False)
    result = app.test_cli_runner().invoke(catalog_cli, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 products." in result.output
    _db.session.remove()
    assert titles("truntum") == ["Kain Truntum"]


def test_migration_0004_indexes_the_products_already_there(db):
    # The owner and shop are written at head: the models describe today's tables, not 0003's.
    shop_id = factories.make_shop(factories.make_artisan(), name="Toko Lama").id
    db.session.remove()  # no open transaction may hold a lock on a table being dropped
    try:
        downgrade(revision="0003")
        row = dict(shop_id=shop_id, title="Batik Kéris Lama", slug="lama", description="", category="cloth",
                   technique="tulis", motif="", motif_story="", material="", weight_g=100, price=1000,
                   status="active", created_at=utcnow(), updated_at=utcnow())
        # The products table as it was at 0003, not as the model describes it now.
        products_0003 = sa.table("products", *(sa.column(name) for name in row))
        with db.engine.begin() as connection:
            connection.execute(products_0003.insert().values(**row))
        db.session.remove()
    finally:
        upgrade()
    assert titles("keris") == ["Batik Kéris Lama"]
    assert titles("toko lama batik tulis") == ["Batik Kéris Lama"]


def test_folding_and_words():
    assert search.fold("Batik KÉRIS Çirebon") == "batik keris cirebon"
    assert search.words("Mega-Mendung, 2 m × 1,15 m!") == ["mega", "mendung", "2", "m", "1", "15", "m"]
    assert search.query_terms("a " * 50) == ["a"] * search.MAX_TERMS
    assert search.technique_text("printing") == "printing"
    assert search.technique_text("tulis") == "batik tulis"
