"""Every impact figure of the hand-built history (world.py), against numbers worked out by hand."""
from __future__ import annotations

from datetime import date

from marketplace.reports.metrics import ReportScope, graduate_rows, impact_report


def _bimtek(world, **scope):
    return impact_report(ReportScope(program_ids=(world.bimtek.id,), **scope))


def test_funnel_counts_verified_graduates_their_shops_listings_and_first_sales(impact_world):
    funnel = _bimtek(impact_world).funnel
    # Ani, Budi, Citra, Dewi (Fajar only claimed); Dewi has no shop; Citra only a draft; Citra never sold.
    assert (funnel.graduates, funnel.with_shop, funnel.with_active_listing, funnel.with_first_sale) == (4, 3, 2, 2)


def test_days_to_first_sale_count_from_graduation_in_jakarta_days(impact_world):
    first = _bimtek(impact_world).first_sales
    # Ani: 31 Jan (23:30 Jakarta) - 10 Jan = 21 days (her 5 Jan sale came before she graduated);
    # Budi: 1 Mar (00:30 Jakarta, still 28 Feb in UTC) - 10 Jan = 50 days. Median (21 + 50) / 2.
    assert first.median_days == 35.5
    assert [(share.days, share.count, share.eligible) for share in first.within] == [
        (30, 1, 4), (90, 2, 4), (180, 2, 4)]
    assert [share.percent for share in first.within] == [25.0, 50.0, 50.0]


def test_sales_are_paid_net_of_refunds_without_cancelled_unpaid_or_pre_training_orders(impact_world):
    report = _bimtek(impact_world)
    # o1 200,000 + o2 400,000 - 200,000 refunded + o3 50,000; o4 cancelled, o6 unpaid, o7 before graduation.
    totals = report.totals
    assert (totals.orders, totals.units, totals.sales) == (3, 3, 450_000)
    assert totals.average_order_value == 150_000
    # Commission 5 %: o1 10,000; o2 20,000 less 10,000 returned with the refund; o3 2,500.
    assert totals.earnings == 450_000 - 22_500


def test_months_follow_jakarta_time(impact_world):
    months = [(m.month, m.orders, m.units, m.sales, m.earnings) for m in _bimtek(impact_world).monthly]
    assert months == [
        ("2026-01", 1, 1, 200_000, 190_000),   # o1 at 23:30 on 31 January, Jakarta
        ("2026-02", 1, 1, 200_000, 190_000),   # o2, net of its refund
        ("2026-03", 1, 1, 50_000, 47_500),     # o3 at 00:30 on 1 March, Jakarta (28 Feb in UTC)
    ]


def test_buyers_outside_the_province_by_island_group_and_abroad(impact_world):
    buyers = _bimtek(impact_world).buyers
    assert (buyers.sales, buyers.outside_home_province, buyers.abroad) == (450_000, 400_000, 200_000)
    assert buyers.share(buyers.outside_home_province) == 88.9
    assert [(p.key, p.sales, p.orders) for p in buyers.by_island_group] == [("jawa", 250_000, 2)]
    assert [(p.key, p.sales, p.orders) for p in buyers.by_province] == [
        ("Jawa Barat", 200_000, 1), ("DI Yogyakarta", 50_000, 1)]
    assert [(p.key, p.sales, p.orders) for p in buyers.by_country] == [("SG", 200_000, 1)]


def test_what_sold_by_technique_category_and_motif(impact_world):
    report = _bimtek(impact_world)
    assert [(r.key, r.units, r.sales) for r in report.techniques] == [("tulis", 2, 400_000), ("cap", 1, 50_000)]
    assert [(r.key, r.units, r.sales) for r in report.categories] == [("cloth", 2, 400_000), ("accessory", 1, 50_000)]
    assert [(r.key, r.sales) for r in report.motifs] == [("parang", 400_000), ("kawung", 50_000)]


def test_a_date_range_counts_sales_paid_within_its_jakarta_days(impact_world):
    february = _bimtek(impact_world, since=date(2026, 2, 1), until=date(2026, 2, 28))
    assert (february.totals.orders, february.totals.sales) == (1, 200_000)  # o3 is 1 March in Jakarta
    assert february.funnel.selling_in_range == 1  # Ani
    last_day = _bimtek(impact_world, since=date(2026, 1, 31), until=date(2026, 1, 31))
    assert last_day.totals.sales == 200_000  # o1, 23:30 on 31 January
    # First sales are looked for since graduation, whatever the range's first day.
    assert february.funnel.with_first_sale == 1  # Budi's first sale (1 March) is after the range


def test_a_cohort_narrows_to_a_graduation_year_or_batch(impact_world):
    batch = _bimtek(impact_world, cohort="2026-03-01")
    assert (batch.funnel.graduates, batch.funnel.with_shop, batch.totals.sales) == (1, 1, 0)  # Citra
    year = _bimtek(impact_world, cohort="2026")
    assert year.funnel.graduates == 4
    assert _bimtek(impact_world, cohort="2025").funnel.graduates == 0


def test_an_organization_counts_each_graduate_once_across_its_programs(impact_world):
    both = impact_report(ReportScope(program_ids=(impact_world.bimtek.id, impact_world.lapas.id)))
    assert both.funnel.graduates == 5
    assert both.totals.sales == 450_000 + 100_000
    assert both.buyers.outside_home_province == 400_000 + 100_000  # Eko's home is Jawa Tengah


def test_public_figures_leave_out_graduates_who_have_not_opted_in(impact_world):
    public = impact_report(ReportScope(program_ids=(impact_world.lapas.id,), public_only=True))
    assert (public.funnel.graduates, public.totals.sales) == (0, 0)


def test_per_graduate_rows(impact_world):
    rows = graduate_rows(ReportScope(program_ids=(impact_world.bimtek.id,)))
    assert [(r.name, r.shop_name, r.listings, r.orders, r.units, r.sales, r.first_sale_on) for r in rows] == [
        ("Ani Lestari", "Batik Ani", 1, 2, 2, 400_000, date(2026, 1, 31)),
        ("Budi Santoso", "Batik Budi", 1, 1, 1, 50_000, date(2026, 3, 1)),
        ("Citra Ayu", "Batik Citra", 0, 0, 0, 0, None),
        ("Dewi Sartika", None, 0, 0, 0, 0, None),
    ]
