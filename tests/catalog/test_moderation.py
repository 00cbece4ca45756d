"""Admins suspend a shop with a reason; its products leave the public catalogue until reinstated."""
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Shop
from tests import factories
from tests.conftest import csrf_token

PRODUCT = {"title": "Kain Batik Cap Kopi", "category": "cloth", "technique": "cap", "motif": "Kopi",
           "weight_g": 300, "price": 300_000, "status": "active"}


def test_admin_suspends_and_reinstates_a_shop(admin_client, client, db):
    artisan = factories.make_user(roles=["buyer", "artisan"])
    shop = services.open_shop(artisan, name="Batik Nurul", city="Kabupaten Muara Enim", province="Sumatera Selatan")
    services.create_product(artisan, **PRODUCT)
    assert client.get("/api/v1/products").get_json()["meta"]["total"] == 1

    token = csrf_token(admin_client, "/admin/shops")
    no_reason = admin_client.post("/admin/shops", data={"csrf_token": token, "shop_id": shop.id,
                                                         "action": "suspend", "reason": ""})
    assert no_reason.status_code == 302
    assert db.session.get(Shop, shop.id).status == "active"

    admin_client.post("/admin/shops", data={"csrf_token": token, "shop_id": shop.id, "action": "suspend",
                                            "reason": "Batikmark palsu"})
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).suspended_reason == "Batikmark palsu"
    assert client.get("/api/v1/products").get_json()["items"] == []
    assert client.get("/shops/batik-nurul").status_code == 404
    assert "Batikmark palsu" in admin_client.get("/admin/shops").get_data(as_text=True)

    admin_client.post("/admin/shops", data={"csrf_token": token, "shop_id": shop.id, "action": "reinstate"})
    assert client.get("/api/v1/products").get_json()["meta"]["total"] == 1
    assert client.get("/shops/batik-nurul").status_code == 200


def test_only_admins_moderate(buyer_client, artisan_client, db):
    assert buyer_client.get("/admin/shops").status_code == 403
    assert artisan_client.get("/admin/shops").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shop)) == 0
