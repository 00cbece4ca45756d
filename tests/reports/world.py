"""A small, hand-built history whose every figure is worked out by hand in the tests.

Organization "Dinas Perindustrian DIY" (province DI Yogyakarta) ran two programs:
- BIMTEK, held in DI Yogyakarta. Verified graduates: Ani and Budi (graduated 10 January 2026),
  Citra (1 March 2026; a shop with only a draft product), Dewi (no shop). Fajar only claimed.
- LAPAS, held in a correctional facility in Jawa Tengah: Eko graduated 10 January 2026 and
  keeps it private (has not opted in).

Paid sales (Asia/Jakarta times):
- o1: Ani, 1 x 200,000 (tulis, cloth, Parang), to Jawa Barat, paid 31 Jan 2026 23:30 → January.
- o2: Ani, 2 x 200,000 to Singapore, paid 15 Feb 2026 10:00; one unit refunded (200,000).
- o3: Budi, 1 x 50,000 (cap, accessory, Kawung), to DI Yogyakarta (home), paid
  1 Mar 2026 00:30 (28 Feb 17:30 UTC) → March.
- o4: Budi, 1 x 50,000, paid 10 Mar 2026, then cancelled by Budi (refunded): not a sale.
- o5: Eko, 1 x 100,000 (jumputan, clothing), to Jawa Timur, paid 5 Mar 2026.
- o6: Ani, 1 x 200,000, placed but never paid.
- o7: Ani, 1 x 200,000, paid 5 Jan 2026, before she graduated: not a post-training sale.
Commission is 5 %, rounded down.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order, ShippingRate, Zone
from marketplace.payments import refunds
from marketplace.reports import facts
from tests import factories

GRADUATION_DAY = date(2026, 1, 10)
HOME = "DI Yogyakarta"


def _shop(owner, name, slug):
    shop = factories.make_shop(owner, name=name, slug=slug, city="Kota Yogyakarta", province=HOME)
    for zone in Zone:
        db.session.add(ShippingRate(shop_id=shop.id, zone=zone.value, base_fee=10_000, per_kg_fee=5_000,
                                    offered=True))
    db.session.commit()
    return shop


def _paid(product, when_utc: datetime, *, quantity=1, **address):
    order = factories.make_order(None, [product], quantity=quantity, **address)
    factories.pay_order(order)
    db.session.execute(sa.update(Order).where(Order.id == order.id)
                       .values(created_at=when_utc, paid_at=when_utc))
    db.session.commit()
    db.session.refresh(order)
    return order


def build() -> SimpleNamespace:
    org = factories.make_organization(name="Dinas Perindustrian DIY", slug="disperindag-diy", province=HOME)
    other_org = factories.make_organization(name="Dekranasda Kaltim", slug="dekranasda-kaltim",
                                            province="Kalimantan Timur")
    bimtek = factories.make_program(org, slug="bimtek-diy-2026", title="Bimtek Batik Tulis DIY 2026",
                                    province=HOME, city="Kota Yogyakarta",
                                    start_date=date(2026, 1, 5), end_date=date(2026, 1, 9))
    lapas = factories.make_program(org, held_in_correctional_facility=True, slug="lapas-wirogunan-2026",
                                   title="Wirausaha Baru Lapas 2026", province="Jawa Tengah",
                                   start_date=date(2026, 1, 5), end_date=date(2026, 1, 9))
    officer = factories.make_user("petugas@diy.test", roles=["officer"], organization=org, name="Petugas DIY")
    other_officer = factories.make_user("petugas@kaltim.test", roles=["officer"], organization=other_org)
    admin = factories.make_user("admin@canting.test", roles=["admin"])

    ani = factories.make_artisan(email="ani@example.test", name="Ani Lestari")
    budi = factories.make_artisan(email="budi@example.test", name="Budi Santoso")
    citra = factories.make_artisan(email="citra@example.test", name="Citra Ayu")
    dewi = factories.make_artisan(email="dewi@example.test", name="Dewi Sartika")
    eko = factories.make_artisan(email="eko@example.test", name="Eko Prasetyo")
    fajar = factories.make_artisan(email="fajar@example.test", name="Fajar Nugroho")
    for artisan, day in ((ani, GRADUATION_DAY), (budi, GRADUATION_DAY), (citra, date(2026, 3, 1)),
                         (dewi, GRADUATION_DAY)):
        factories.make_graduation(artisan, bimtek, status="verified", graduated_on=day)
    factories.make_graduation(fajar, bimtek, status="claimed", graduated_on=GRADUATION_DAY)
    factories.make_graduation(eko, lapas, status="verified", graduated_on=GRADUATION_DAY)

    ani_shop, budi_shop = _shop(ani, "Batik Ani", "batik-ani"), _shop(budi, "Batik Budi", "batik-budi")
    citra_shop, eko_shop = _shop(citra, "Batik Citra", "batik-citra"), _shop(eko, "Batik Eko", "batik-eko")
    kain = factories.make_product(ani_shop, title="Kain Parang", price=200_000, stock=20, technique="tulis",
                                  category="cloth", motif="Parang")
    tas = factories.make_product(budi_shop, title="Tas Kawung", price=50_000, stock=20, technique="cap",
                                 category="accessory", motif="Kawung")
    factories.make_product(citra_shop, title="Draf", status="draft")
    kemeja = factories.make_product(eko_shop, title="Kemeja Jumputan", price=100_000, stock=20,
                                    technique="jumputan", category="clothing", motif="Jumputan")

    o1 = _paid(kain, datetime(2026, 1, 31, 16, 30, tzinfo=timezone.utc), province="Jawa Barat")
    o2 = _paid(kain, datetime(2026, 2, 15, 3, 0, tzinfo=timezone.utc), quantity=2, country="SG",
               province="Singapore", city="Singapore", postal_code="018956", phone="+6561234567")
    refunds.refund_order(admin, o2.id, scope="items", items={o2.shop_orders[0].items[0].id: 1},
                         reason="Satu kain rusak di jalan")
    o3 = _paid(tas, datetime(2026, 2, 28, 17, 30, tzinfo=timezone.utc), province=HOME, city="Kota Yogyakarta")
    o4 = _paid(tas, datetime(2026, 3, 10, 3, 0, tzinfo=timezone.utc), province="Bali", city="Denpasar")
    orders.seller_cancel(budi, o4.shop_orders[0].id, reason="Stok habis terbakar")
    o5 = _paid(kemeja, datetime(2026, 3, 5, 3, 0, tzinfo=timezone.utc), province="Jawa Timur", city="Surabaya")
    o6 = factories.make_order(None, [kain])
    o7 = _paid(kain, datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc), province="Jawa Barat")
    facts.refresh_sale_facts()
    db.session.commit()
    return SimpleNamespace(**{name: value for name, value in locals().items() if not name.startswith("_")})
