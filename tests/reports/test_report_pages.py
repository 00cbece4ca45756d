"""The officer's dashboard, its printable page, CSV files and API all show the hand-built
history's figures (world.py), to the people allowed to see them and nobody else."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.programs.models import AccessLogEntry
from marketplace.reports import facts
from tests import factories
from tests.conftest import csrf_token, login, use_language
from tests.reports import world

BIMTEK = "/officer/reports/programs/bimtek-diy-2026"
LAPAS = "/officer/reports/programs/lapas-wirogunan-2026"
ORGANIZATION = "/officer/reports/organizations/disperindag-diy"
# The whole history: without filters a report shows the last twelve months, which moves with time.
ALL = "?since=2025-01-01&until=2026-12-31"


def _text(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _officer(client, world, email="petugas@diy.test"):
    login(client, email)
    use_language(client, "en")
    return client


def _log_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AccessLogEntry.id)))


def test_the_dashboard_shows_the_figures_worked_out_by_hand(client, impact_world):
    text = _text(_officer(client, impact_world).get(BIMTEK + ALL))
    for figure in ("Rp 450,000 sales, net of refunds", "3 orders", "Rp 150,000 average order value",
                   "Rp 427,500 sellers' earnings after commission", "35.5 median days from graduation to first sale",
                   "88.9 % of sales to buyers outside the program's province", "44.4 % of sales to buyers abroad",
                   "Verified graduates 4", "Opened a shop 3", "Have an active listing 2", "Made a first paid sale 2",
                   "January 2026 1 1 Rp 200,000 Rp 190,000", "March 2026 1 1 Rp 50,000 Rp 47,500",
                   "Java Rp 250,000", "Singapore Rp 200,000", "Batik tulis (hand-drawn) 2 Rp 400,000",
                   "Ani Lestari", "Dewi Sartika"):
        assert figure in text, figure
    assert "Fajar" not in text  # a claim, not a verified graduate


def test_filters_narrow_the_page_and_a_reversed_range_is_an_error(client, impact_world):
    officer = _officer(client, impact_world)
    text = _text(officer.get(BIMTEK + "?since=2026-02-01&until=2026-02-28"))
    assert "Rp 200,000 sales, net of refunds" in text
    response = officer.get(BIMTEK + "?since=2026-03-01&until=2026-02-01")
    assert response.status_code == 200
    assert "The last day cannot be before the first day." in _text(response)
    assert "Rp 450,000 sales, net of refunds" in _text(officer.get(BIMTEK + "?cohort=2026"))
    assert "Rp 0 sales, net of refunds" in _text(officer.get(BIMTEK + "?cohort=2026-03-01"))  # Citra only


def test_csv_files_carry_the_same_figures_for_excel_and_libreoffice(client, impact_world):
    officer = _officer(client, impact_world)
    monthly = officer.get(BIMTEK + "/monthly.csv" + ALL + "&sep=semicolon")
    assert monthly.headers["Content-Type"].startswith("text/csv")
    body = monthly.get_data(as_text=True)
    assert body.startswith("\ufeffmonth;orders;units;sales_idr;earnings_idr;average_order_value_idr\r\n")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[1:] == [["2026-01", "1", "1", "200000", "190000", "200000"],
                        ["2026-02", "1", "1", "200000", "190000", "200000"],
                        ["2026-03", "1", "1", "50000", "47500", "50000"]]
    graduates = officer.get(BIMTEK + "/graduates.csv" + ALL).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(graduates.lstrip("\ufeff"))))
    assert rows[1] == ["Ani Lestari", "Bimtek Batik Tulis DIY 2026", "2026-01-10", "Batik Ani", "1", "2", "2",
                       "400000", "2026-01-31"]
    assert [row[0] for row in rows[1:]] == ["Ani Lestari", "Budi Santoso", "Citra Ayu", "Dewi Sartika"]


def test_the_api_gives_the_same_figures(client, impact_world):
    headers = factories.bearer(impact_world.officer)
    body = client.get("/api/v1/reports/programs/bimtek-diy-2026", headers=headers).get_json()
    assert body["totals"] == {"orders": 3, "units": 3, "sales": 450_000, "earnings": 427_500,
                              "average_order_value": 150_000}
    assert body["funnel"] == {"graduates": 4, "with_shop": 3, "with_active_listing": 2, "with_first_sale": 2,
                              "selling_in_range": 2}
    assert body["first_sales"]["median_days"] == 35.5
    assert [m["month"] for m in body["monthly"]] == ["2026-01", "2026-02", "2026-03"]
    assert body["buyers"]["by_country"] == [{"key": "SG", "sales": 200_000, "orders": 1}]
    assert [g["name"] for g in body["graduates"]] == ["Ani Lestari", "Budi Santoso", "Citra Ayu", "Dewi Sartika"]
    february = client.get("/api/v1/reports/programs/bimtek-diy-2026?from=2026-02-01&to=2026-02-28",
                          headers=headers).get_json()
    assert february["totals"]["sales"] == 200_000 and february["from"] == "2026-02-01"
    batch = client.get("/api/v1/reports/programs/bimtek-diy-2026?cohort=2026&batch=2026-03-01", headers=headers).get_json()
    assert (batch["cohort"], batch["funnel"]["graduates"], batch["totals"]["sales"]) == ("2026-03-01", 1, 0)
    year = client.get("/api/v1/reports/programs/bimtek-diy-2026?cohort=2026", headers=headers).get_json()
    assert (year["cohort"], year["funnel"]["graduates"]) == ("2026", 4)


def test_the_api_refuses_strangers_and_bad_input(client, impact_world):
    path = "/api/v1/reports/programs/bimtek-diy-2026"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=factories.bearer(impact_world.other_officer)).status_code == 404
    assert client.get(path, headers=factories.bearer(impact_world.ani)).status_code == 403
    bad = client.get(path + "?from=2026-03-01&to=2026-02-01", headers=factories.bearer(impact_world.officer))
    assert bad.status_code == 422 and "to" in str(bad.get_json()["errors"])
    assert client.get(path + "?cohort=last", headers=factories.bearer(impact_world.officer)).status_code == 422
    assert client.get(path + "?batch=2026-02-30", headers=factories.bearer(impact_world.officer)).status_code == 422
    assert client.get("/api/v1/reports/programs/none", headers=factories.bearer(impact_world.officer)).status_code == 404


def test_other_organizations_and_artisans_get_nothing(client, impact_world):
    login(client, "petugas@kaltim.test")
    for path in (BIMTEK, ORGANIZATION, BIMTEK + "/graduates.csv", BIMTEK + "/monthly.csv", BIMTEK + "/print"):
        assert client.get(path).status_code == 404, path
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "ani@example.test")
    assert client.get(BIMTEK).status_code in (403, 404)


def test_graduates_of_a_correctional_program_are_shown_to_its_own_officers_and_logged(client, impact_world):
    officer = _officer(client, impact_world)
    before = _log_count()
    assert "Eko Prasetyo" in _text(officer.get(LAPAS))
    assert _log_count() == before + 1
    officer.get(LAPAS + "/graduates.csv")
    entry = db.session.scalars(sa.select(AccessLogEntry).order_by(AccessLogEntry.id.desc())).first()
    assert (entry.action, entry.program_id, entry.officer_id) == ("export_report", impact_world.lapas.id,
                                                                  impact_world.officer.id)
    assert officer.get(BIMTEK) and _log_count() == before + 2  # an ordinary program is not logged
    organization = _text(officer.get(ORGANIZATION + ALL))
    assert "Eko Prasetyo" in organization and "Rp 550,000 sales, net of refunds" in organization


def test_admins_see_a_correctional_program_s_figures_but_not_its_graduates(client, impact_world):
    login(client, "admin@canting.test")
    use_language(client, "en")
    text = _text(client.get(LAPAS + ALL))
    assert "Rp 100,000 sales, net of refunds" in text and "Eko Prasetyo" not in text
    assert "shown to that program's own officers only" in text
    organization = _text(client.get(ORGANIZATION))
    assert "Ani Lestari" in organization and "Eko Prasetyo" not in organization
    body = client.get("/api/v1/reports/programs/lapas-wirogunan-2026",
                      headers=factories.bearer(impact_world.admin)).get_json()
    assert body["graduates"] is None and body["totals"]["sales"] == 100_000


def test_the_printable_page_has_the_figures_without_the_names(client, impact_world):
    text = _text(_officer(client, impact_world).get(BIMTEK + "/print?since=2026-01-01"))
    assert "Rp 450,000 sales, net of refunds" in text and "January 1, 2026" in text
    assert "Ani Lestari" not in text


def test_indonesian_is_the_default(client, impact_world):
    login(client, "petugas@diy.test")
    text = _text(client.get(BIMTEK + ALL))
    assert "Rp 450.000" in text and "Januari 2026" in text


def test_the_page_names_the_program_and_its_organization_and_logs_the_look_as_a_view(client, impact_world):
    officer = _officer(client, impact_world)
    text = _text(officer.get(LAPAS))
    assert "Impact report: Wirausaha Baru Lapas 2026" in text and "Dinas Perindustrian DIY" in text
    entry = db.session.scalars(sa.select(AccessLogEntry).order_by(AccessLogEntry.id.desc())).first()
    assert (entry.action, entry.program_id) == ("view_report", impact_world.lapas.id)
    organization = officer.get(ORGANIZATION).get_data(as_text=True)
    assert "Impact report: Dinas Perindustrian DIY" in _text(officer.get(ORGANIZATION))
    # The organization's report links each program's own: the newest first, then in the order added.
    links = re.findall(r'href="/officer/reports/programs/([^"/]+)"', organization)
    assert links == ["bimtek-diy-2026", "lapas-wirogunan-2026"]


def test_an_admin_who_also_belongs_to_the_organization_still_does_not_see_lapas_graduates(client, impact_world):
    impact_world.admin.organization = impact_world.org
    db.session.commit()
    login(client, "admin@canting.test")
    assert "Eko Prasetyo" not in _text(client.get(LAPAS))


def test_the_services_refuse_a_range_that_ends_before_it_starts(impact_world):
    from datetime import date

    import pytest

    from marketplace.core.errors import ValidationFailed
    from marketplace.reports import services

    with pytest.raises(ValidationFailed):
        services.program_dashboard(impact_world.officer, "bimtek-diy-2026",
                                   services.ReportFilters(since=date(2026, 3, 1), until=date(2026, 2, 1)))
    with pytest.raises(ValidationFailed):
        services.organization_dashboard(impact_world.officer, "disperindag-diy",
                                        services.ReportFilters(since=date(2026, 3, 1), until=date(2026, 2, 1)))


def test_without_filters_a_report_shows_the_last_twelve_months(client, impact_world):
    from marketplace.reports.services import last_twelve_months

    since, until = last_twelve_months()
    assert (until - since).days < 366 and since.day == 1
    html = _officer(client, impact_world).get(BIMTEK).get_data(as_text=True)
    assert f'value="{since.isoformat()}"' in html and f'value="{until.isoformat()}"' in html
    # The exports link the same range the page shows.
    assert f"monthly.csv?since={since.isoformat()}&amp;until={until.isoformat()}" in html


def test_a_long_province_table_folds_on_screen_and_stays_whole_on_paper(client, impact_world):
    """Ani's buyers in thirteen more provinces: fifteen rows are more than a phone's screen or two,
    so the dashboard folds them behind a summary (the island chart above shows their shape), while
    the printable page keeps every row."""
    kain = factories.make_product(impact_world.ani_shop, title="Kain Kawung", price=100_000, stock=20,
                                  technique="tulis", category="cloth", motif="Kawung")
    for province in ("Aceh", "Bali", "Banten", "Bengkulu", "Gorontalo", "Jambi", "Jawa Tengah", "Jawa Timur",
                     "Lampung", "Maluku", "Papua", "Riau", "Sumatera Barat"):
        world._paid(kain, datetime(2026, 4, 2, 3, 0, tzinfo=timezone.utc), province=province, city="Kota")
    facts.refresh_sale_facts()
    db.session.commit()
    officer = _officer(client, impact_world)
    screen = officer.get(BIMTEK + ALL).get_data(as_text=True)
    paper = officer.get(BIMTEK + "/print" + ALL).get_data(as_text=True)
    assert "<summary>All 15 provinces in a table</summary>" in screen and "Gorontalo" in screen
    assert "<summary>" not in paper and "Gorontalo" in paper
    # Four months of sales: too few to fold; the chart labels them with short month names.
    assert "months in a table" not in screen
    assert 'data-label="Apr 2026">April 2026</th>' in screen
