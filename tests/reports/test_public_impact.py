"""The public impact page: published by the organization, over opted-in graduates only, and only
once enough of them have sold that no total points to one person."""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.programs.models import ProgramEdit
from tests import factories
from tests.conftest import csrf_token, login, use_language
from tests.reports import world
from tests.reports.test_report_pages import _text


def _publish(client, slug, public="1"):
    path = f"/officer/reports/programs/{slug}"
    return client.post(f"{path}/impact-page", data={"public": public, "csrf_token": csrf_token(client, path)})


def test_the_page_exists_only_once_the_organization_publishes_it(client, impact_world):
    assert client.get("/programs/bimtek-diy-2026/impact").status_code == 404
    login(client, "petugas@diy.test")
    assert _publish(client, "bimtek-diy-2026").status_code == 302
    edit = db.session.scalars(sa.select(ProgramEdit).order_by(ProgramEdit.id.desc())).first()
    assert edit.changes == {"impact_page_public": [False, True]}
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    use_language(client, "en")
    text = _text(client.get("/programs/bimtek-diy-2026/impact"))
    # Two graduates have sold: too few to publish totals; their shops are listed all the same,
    # as they chose to show the program on them.
    assert "once at least 5 graduates" in text and "Rp 450,000" not in text
    assert "Batik Ani" in text and "Batik Budi" in text
    assert "Batik Citra" not in text  # no product on sale


def test_an_officer_of_another_organization_cannot_publish(client, impact_world):
    login(client, "petugas@kaltim.test")
    response = client.post("/officer/reports/programs/bimtek-diy-2026/impact-page",
                           data={"public": "1", "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 404
    db.session.refresh(impact_world.bimtek)
    assert impact_world.bimtek.impact_page_public is False


def test_figures_count_opted_in_graduates_only(client, impact_world, monkeypatch):
    from marketplace.reports import services

    # The page shows the last twelve months; these are 2026's whatever the day the test runs.
    monkeypatch.setattr(services, "last_twelve_months", lambda: (date(2026, 1, 1), date(2026, 12, 31)))
    lapas = impact_world.lapas
    sellers = []
    for n in range(5):
        artisan = factories.make_artisan(email=f"seller{n}@example.test", name=f"Penjual {n}")
        factories.make_graduation(artisan, lapas, status="verified", public=True, graduated_on=world.GRADUATION_DAY)
        shop = world._shop(artisan, f"Toko {n}", f"toko-{n}")
        product = factories.make_product(shop, price=10_000 * (n + 1), stock=5, technique="cap")
        world._paid(product, datetime(2026, 4, 1, 3, 0, tzinfo=timezone.utc), province="Bali", city="Denpasar")
        sellers.append(artisan)
    lapas.impact_page_public = True
    db.session.commit()
    use_language(client, "en")
    text = _text(client.get("/programs/lapas-wirogunan-2026/impact"))
    # Five opted-in sellers, 10,000 + 20,000 + ... + 50,000; Eko (not opted in, 100,000) left out.
    assert "Rp 150,000 sales, net of refunds" in text and "5 graduates selling" in text
    assert "Toko 0" in text and "Batik Eko" not in text and "Eko" not in text
    assert "Bali" in text and "Sales since January 1, 2026." in text
    assert date(2026, 4, 1).strftime("%B %Y") in text


def test_totals_need_five_graduates_selling_in_the_months_shown(client, impact_world, monkeypatch):
    from marketplace.reports import services

    lapas = impact_world.lapas
    for n in range(5):
        artisan = factories.make_artisan(email=f"seller{n}@example.test", name=f"Penjual {n}")
        factories.make_graduation(artisan, lapas, status="verified", public=True, graduated_on=world.GRADUATION_DAY)
        shop = world._shop(artisan, f"Toko {n}", f"toko-{n}")
        product = factories.make_product(shop, price=10_000, stock=5, technique="cap")
        # Four sold in April, the fifth only in February.
        when = datetime(2026, 4 if n else 2, 1, 3, 0, tzinfo=timezone.utc)
        world._paid(product, when, province="Bali", city="Denpasar")
    lapas.impact_page_public = True
    db.session.commit()
    use_language(client, "en")
    monkeypatch.setattr(services, "last_twelve_months", lambda: (date(2026, 3, 1), date(2026, 12, 31)))
    text = _text(client.get("/programs/lapas-wirogunan-2026/impact"))
    assert "once at least 5 graduates" in text and "Rp 40,000" not in text
    monkeypatch.setattr(services, "last_twelve_months", lambda: (date(2026, 1, 1), date(2026, 12, 31)))
    assert "Rp 50,000 sales, net of refunds" in _text(client.get("/programs/lapas-wirogunan-2026/impact"))
