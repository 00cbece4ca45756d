"""Impact figures of training programs: what their verified graduates sell after graduating.

Every figure is one SQL aggregate (GROUP BY, window functions) over the same sale lines, the
sale facts that reports/facts.py keeps ready, so the dashboard, the printable page, the CSV
files and the API can never disagree. The definitions, written down once in docs/reports.md:

- a **graduate** is an artisan with a verified graduation from a program in scope (counted once
  however many of the programs they finished; their earliest graduation is the one that counts);
- a **sale line** is an item of a paid order sold by a graduate's shop, on or after the day the
  graduate graduated (post-training sales only), whose shop order was not cancelled; its amount
  is the items' price less what succeeded refunds gave back for that item, and a refund always
  reduces the month of the sale it refunds;
- an order counts, once for each graduate's shop in it, when what is left of that shop's part
  after refunds is more than zero (so a program's orders are the sum of its graduates');
- a graduate's **earnings** are their net item sales less the platform's commission as the
  ledger kept it (commission less commission returned), shipping excluded (it pays the courier);
- days and months are Asia/Jakarta's (reports/local_time.py).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductStatus, Shop, ShopStatus
from marketplace.core.regions import ISLAND_GROUP_OF_PROVINCE
from marketplace.core.times import day_end, day_start, local_today
from marketplace.extensions import db
from marketplace.programs.models import Graduation, GraduationStatus, TrainingProgram
from marketplace.reports.models import SaleFact
from marketplace.reports.local_time import days_between

HOME_COUNTRY = "ID"
SALE_LINES_TABLE = "report_sale_lines"
GRADUATE_FIGURES_TABLE = "report_graduate_figures"
LINE_COLUMNS = ("order_id", "product_id", "paid_at", "paid_on", "month", "buyer_country", "buyer_province", "technique",
                "category", "motif_key", "motif", "amount", "units", "commission", "counted")
FIRST_SALE_WINDOWS = (30, 90, 180)


@dataclass(frozen=True)
class ReportScope:
    """Whose sales a report counts, and when.

    COHORT narrows the graduates to one graduation year ("2025") or one batch, the day a group
    graduated together ("2025-08-14"). PUBLIC_ONLY keeps only graduations the artisans show on
    their shop: the public impact page counts nobody who has not opted in.
    """

    program_ids: tuple[int, ...]
    since: date | None = None
    until: date | None = None
    cohort: str | None = None
    public_only: bool = False


@dataclass
class Funnel:
    graduates: int = 0
    with_shop: int = 0
    with_active_listing: int = 0
    with_first_sale: int = 0
    selling_in_range: int = 0  # graduates with sales in the scope's range (whose sum a total is)


@dataclass
class Share:
    """COUNT of the ELIGIBLE graduates (those who graduated at least the window's days ago)."""

    days: int
    count: int
    eligible: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.count / self.eligible, 1) if self.eligible else None


@dataclass
class FirstSales:
    median_days: float | None = None
    within: list[Share] = field(default_factory=list)


@dataclass
class Totals:
    orders: int = 0
    units: int = 0
    sales: int = 0
    earnings: int = 0

    @property
    def average_order_value(self) -> int:
        return self.sales // self.orders if self.orders else 0


@dataclass
class MonthRow:
    month: str  # YYYY-MM
    orders: int = 0
    units: int = 0
    sales: int = 0
    earnings: int = 0


@dataclass
class PlaceRow:
    key: str  # a province name, an island group code or an ISO country code
    sales: int
    orders: int


@dataclass
class Buyers:
    sales: int = 0
    outside_home_province: int = 0
    abroad: int = 0
    by_island_group: list[PlaceRow] = field(default_factory=list)
    by_province: list[PlaceRow] = field(default_factory=list)
    by_country: list[PlaceRow] = field(default_factory=list)

    def share(self, amount: int) -> float | None:
        return round(100 * amount / self.sales, 1) if self.sales else None


@dataclass
class SoldRow:
    key: str  # a technique, category or motif code
    units: int
    sales: int
    name: str = ""  # a motif as a seller spelled it (its key is the spelling folded)


@dataclass
class GraduateRow:
    artisan_id: int
    name: str
    program_title: str
    graduated_on: date
    shop_name: str | None
    shop_slug: str | None
    listings: int
    orders: int
    units: int
    sales: int
    first_sale_on: date | None


@dataclass
class ImpactReport:
    scope: ReportScope
    funnel: Funnel
    first_sales: FirstSales
    totals: Totals
    monthly: list[MonthRow]
    buyers: Buyers
    techniques: list[SoldRow]
    categories: list[SoldRow]
    motifs: list[SoldRow]
    graduates: list[GraduateRow] | None = None


# --- the building blocks: graduates and their sale lines ----------------------------------------

def _graduates(scope: ReportScope):
    """One row per graduate in scope: artisan, earliest graduation day and that program."""
    ranked = (
        sa.select(
            Graduation.artisan_id, Graduation.graduated_on, Graduation.program_id,
            TrainingProgram.province.label("home_province"),
            sa.func.row_number().over(
                partition_by=Graduation.artisan_id, order_by=(Graduation.graduated_on, Graduation.id)
            ).label("rank"),
        )
        .join(TrainingProgram, TrainingProgram.id == Graduation.program_id)
        .where(Graduation.program_id.in_(scope.program_ids),
               Graduation.status == GraduationStatus.VERIFIED.value)
    )
    ranked = _cohort_filter(ranked, scope.cohort)
    if scope.public_only:
        ranked = ranked.where(Graduation.public.is_(True))
    ranked = ranked.subquery("ranked_graduations")
    return (
        sa.select(ranked.c.artisan_id, ranked.c.graduated_on, ranked.c.program_id, ranked.c.home_province)
        .where(ranked.c.rank == 1)
        .cte("graduates")
    )


def _cohort_filter(query, cohort: str | None):
    if not cohort:
        return query
    if len(cohort) == 4:
        year = int(cohort)
        return query.where(Graduation.graduated_on.between(date(year, 1, 1), date(year, 12, 31)))
    return query.where(Graduation.graduated_on == date.fromisoformat(cohort))


def parse_cohort(text: str | None) -> str | None:
    """A cohort as ReportScope takes it ("2025" or "2025-08-14"); ValueError for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 4 and text.isdigit() and 1900 < int(text) < 2200:
        return text
    return date.fromisoformat(text).isoformat()


def _sale_lines_query(scope: ReportScope, graduates) -> sa.Select:
    """The graduates' sale lines (the sale facts, reports/models.py) from the day each graduated
    on, up to the scope's last day: first sales are looked for since graduation, whatever the
    range's first day."""
    query = (
        sa.select(graduates.c.artisan_id, graduates.c.graduated_on, graduates.c.home_province,
                  *(SaleFact.__table__.c[name] for name in LINE_COLUMNS))
        .join(graduates, graduates.c.artisan_id == SaleFact.seller_id)
        .where(SaleFact.paid_on >= graduates.c.graduated_on)
    )
    if scope.until is not None:
        query = query.where(SaleFact.paid_at < day_end(scope.until))
    return query


@dataclass
class _Lines:
    all: sa.Table  # every line since graduation (first sales)
    in_range: sa.FromClause  # the lines in the scope's range
    graduates: sa.Table  # per graduate: first_on, and orders, units and sales in the range


def _temporary_table(name: str, query: sa.Select) -> sa.Table:
    """QUERY's rows in a temporary table NAME, made anew. A temporary table belongs to its
    connection, so concurrent reports never see each other's."""
    table = sa.Table(name, sa.MetaData(), *(sa.Column(column.key, column.type) for column in query.selected_columns),
                     prefixes=["TEMPORARY"])
    connection = db.session.connection()
    table.drop(connection, checkfirst=True)  # left by a report that failed on this connection
    table.create(connection)
    connection.execute(table.insert().from_select([column.key for column in query.selected_columns], query))
    return table


@contextmanager
def _sale_lines(scope: ReportScope, graduates):
    """The scope's sale lines written once into a temporary table, and each graduate's figures
    into another: the report's few aggregates then scan narrow rows instead of joining the
    facts with the graduates again for every figure."""
    lines = _temporary_table(SALE_LINES_TABLE, _sale_lines_query(scope, graduates))
    in_range = lines
    if scope.since is not None:
        in_range = sa.select(lines).where(lines.c.paid_at >= day_start(scope.since)).subquery("lines_in_range")
    counts = (lambda column: column) if scope.since is None else (
        lambda column: sa.case((lines.c.paid_at >= day_start(scope.since), column), else_=0))
    per_graduate = _temporary_table(GRADUATE_FIGURES_TABLE, (
        sa.select(lines.c.artisan_id,
                  sa.func.min(sa.case((lines.c.amount > 0, lines.c.paid_on))).label("first_on"),
                  sa.cast(sa.func.sum(counts(lines.c.counted)), sa.Integer).label("orders"),
                  sa.func.sum(counts(lines.c.units)).label("units"),
                  sa.func.sum(counts(lines.c.amount)).label("sales"))
        .group_by(lines.c.artisan_id)
    ))
    yield _Lines(all=lines, in_range=in_range, graduates=per_graduate)
    connection = db.session.connection()
    per_graduate.drop(connection)
    lines.drop(connection)


def _totals_and_months(lines) -> tuple[Totals, list[MonthRow]]:
    rows = db.session.execute(
        sa.select(lines.c.month, sa.func.sum(lines.c.counted), sa.func.sum(lines.c.units),
                  sa.func.sum(lines.c.amount), sa.func.sum(lines.c.commission))
        .group_by(lines.c.month)
        .order_by(lines.c.month)
    ).all()
    months = [MonthRow(month=month, orders=int(orders), units=int(units), sales=int(amount),
                       earnings=int(amount) - int(commission))
              for month, orders, units, amount, commission in rows]
    # An order is paid at one moment, so it falls in one month: the months add up to the totals.
    totals = Totals(orders=sum(row.orders for row in months),
                    units=sum(row.units for row in months), sales=sum(row.sales for row in months),
                    earnings=sum(row.earnings for row in months))
    return totals, months


def _funnel_and_first_sales(scope: ReportScope, graduates, figures) -> tuple[Funnel, FirstSales]:
    """The funnel, the shares selling within each window and the median days to a first sale,
    in one statement over each graduate's figures."""
    days = days_between(figures.c.first_on, graduates.c.graduated_on)
    ranked = (
        sa.select(days.label("days"), sa.func.row_number().over(order_by=days).label("position"),
                  sa.func.count().over().label("total"))
        .select_from(graduates)
        .join(figures, figures.c.artisan_id == graduates.c.artisan_id)
        .where(figures.c.first_on.is_not(None))
        .subquery("ranked_first_sales")
    )
    median = sa.select(sa.func.avg(ranked.c.days)).where(sa.or_(
        ranked.c.position == (ranked.c.total + 1) // 2, ranked.c.position == (ranked.c.total + 2) // 2,
    )).scalar_subquery()
    active_listing = sa.exists().where(Product.shop_id == Shop.id,
                                       Product.status == ProductStatus.ACTIVE.value)
    reference_day = min(scope.until or local_today(), local_today())
    window_columns = []
    for window in FIRST_SALE_WINDOWS:
        eligible = graduates.c.graduated_on <= reference_day - timedelta(days=window)
        window_columns += [
            sa.func.count(sa.case((sa.and_(eligible, days <= window), 1))),
            sa.func.count(sa.case((eligible, 1))),
        ]
    row = db.session.execute(
        sa.select(sa.func.count(graduates.c.artisan_id), sa.func.count(Shop.id),
                  sa.func.count(sa.case((active_listing, 1))), sa.func.count(figures.c.first_on),
                  sa.func.count(sa.case((figures.c.sales > 0, 1))), *window_columns, median)
        .select_from(graduates)
        .outerjoin(Shop, Shop.owner_id == graduates.c.artisan_id)
        .outerjoin(figures, figures.c.artisan_id == graduates.c.artisan_id)
    ).one()
    funnel = Funnel(*row[:5])
    within = [Share(days=window, count=row[5 + 2 * i], eligible=row[6 + 2 * i])
              for i, window in enumerate(FIRST_SALE_WINDOWS)]
    median_days = row[-1]
    return funnel, FirstSales(median_days=None if median_days is None else round(float(median_days), 1),
                              within=within)


def _island_group(province_column):
    return sa.case(
        *((province_column.in_(provinces), group) for group, provinces in _provinces_by_group().items()),
        else_="other",
    )


def _provinces_by_group() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for province, group in ISLAND_GROUP_OF_PROVINCE.items():
        groups.setdefault(group, []).append(province)
    return groups


def _buyers(lines) -> Buyers:
    """Sales by the buyer's place, in one statement: the lines are summed per (country, province)
    once, and every breakdown sums those few rows. An order ships to one place, so summing its
    places' order counts counts each order once."""
    at_home = lines.c.buyer_country == HOME_COUNTRY
    outside = sa.or_(~at_home, lines.c.buyer_province != lines.c.home_province)
    places = (
        sa.select(lines.c.buyer_country.label("country"), lines.c.buyer_province.label("province"),
                  sa.func.sum(lines.c.amount).label("sales"), sa.func.sum(lines.c.counted).label("orders"),
                  sa.func.sum(sa.case((outside, lines.c.amount), else_=0)).label("outside"))
        .group_by(lines.c.buyer_country, lines.c.buyer_province)
        .cte("places").prefix_with("MATERIALIZED")
    )
    in_indonesia = places.c.country == HOME_COUNTRY
    island = _island_group(places.c.province)

    def part(kind: str, key, *where, group=None):
        query = sa.select(sa.literal(kind).label("kind"), key.label("key"), sa.func.sum(places.c.sales).label("sales"),
                          sa.func.sum(places.c.orders).label("orders"), sa.func.sum(places.c.outside).label("outside"))
        query = query.where(*where)
        return query.group_by(group).having(sa.func.sum(places.c.sales) > 0) if group is not None else query

    rows = db.session.execute(
        sa.union_all(
            part("all", sa.literal("")),
            part("abroad", sa.literal(""), ~in_indonesia),
            part("island", island, in_indonesia, group=island),
            part("province", places.c.province, in_indonesia, group=places.c.province),
            part("country", places.c.country, ~in_indonesia, group=places.c.country),
        ).order_by(sa.text("kind"), sa.desc(sa.text("sales")), sa.text("key"))
    ).all()
    found: dict[str, list[PlaceRow]] = {}
    totals = {}
    for kind, key, amount, orders, outside_amount in rows:
        totals[kind] = (int(amount or 0), int(outside_amount or 0))
        found.setdefault(kind, []).append(PlaceRow(key=key, sales=int(amount or 0), orders=int(orders or 0)))
    return Buyers(
        sales=totals["all"][0], outside_home_province=totals["all"][1], abroad=totals["abroad"][0],
        by_island_group=found.get("island", []), by_province=found.get("province", []),
        by_country=found.get("country", []),
    )


def _sold(lines) -> dict[str, list[SoldRow]]:
    """What sold by technique, category and motif, in one statement: the lines are summed per
    product once, and each breakdown sums those rows."""
    # Grouped by product first: an integer key sorts far faster than three strings, and a product's
    # technique, category and motif are the same on each of its lines.
    kinds = (
        sa.select(sa.func.min(lines.c.technique).label("technique"), sa.func.min(lines.c.category).label("category"),
                  sa.func.min(lines.c.motif_key).label("motif_key"), sa.func.min(lines.c.motif).label("motif"),
                  sa.func.sum(lines.c.units).label("units"), sa.func.sum(lines.c.amount).label("sales"))
        .group_by(lines.c.product_id)
        .cte("kinds").prefix_with("MATERIALIZED")
    )

    def part(kind: str, key, name):
        return (sa.select(sa.literal(kind).label("kind"), key.label("key"), sa.func.min(name).label("name"),
                          sa.func.sum(kinds.c.units).label("units"), sa.func.sum(kinds.c.sales).label("sales"))
                .group_by(key).having(sa.func.sum(kinds.c.sales) > 0))

    rows = db.session.execute(
        sa.union_all(
            part("technique", kinds.c.technique, kinds.c.technique),
            part("category", kinds.c.category, kinds.c.category),
            part("motif", kinds.c.motif_key, kinds.c.motif),
        ).order_by(sa.text("kind"), sa.desc(sa.text("sales")), sa.text("key"))
    ).all()
    found: dict[str, list[SoldRow]] = {"technique": [], "category": [], "motif": []}
    for kind, key, name, units, amount in rows:
        found[kind].append(SoldRow(key=key or "", units=int(units), sales=int(amount), name=name or ""))
    return found


def impact_report(scope: ReportScope, *, with_graduates: bool = False) -> ImpactReport:
    """Every aggregate figure of SCOPE, and WITH_GRADUATES the per-graduate rows. Reads only
    (temporary tables aside); the caller decides who may see it."""
    graduates = _graduates(scope)
    with _sale_lines(scope, graduates) as lines:
        funnel, first_sales = _funnel_and_first_sales(scope, graduates, lines.graduates)
        totals, monthly = _totals_and_months(lines.in_range)
        sold = _sold(lines.in_range)
        return ImpactReport(
            scope=scope, funnel=funnel, first_sales=first_sales, totals=totals, monthly=monthly,
            buyers=_buyers(lines.in_range), techniques=sold["technique"], categories=sold["category"],
            motifs=sold["motif"],
            graduates=_graduate_rows(graduates, lines.graduates) if with_graduates else None,
        )


def graduate_rows(scope: ReportScope) -> list[GraduateRow]:
    """One row per graduate in SCOPE, best sellers first. Names people: callers check who asks
    and log the look for correctional-facility programs."""
    graduates = _graduates(scope)
    with _sale_lines(scope, graduates) as lines:
        return _graduate_rows(graduates, lines.graduates)


def _graduate_rows(graduates, figures) -> list[GraduateRow]:
    listings = (
        sa.select(sa.func.count(Product.id))
        .where(Product.shop_id == Shop.id, Product.status == ProductStatus.ACTIVE.value)
        .correlate(Shop)
        .scalar_subquery()
    )
    sales_made = sa.func.coalesce(figures.c.sales, 0)
    rows = db.session.execute(
        sa.select(User.id, User.name, TrainingProgram.title, graduates.c.graduated_on, Shop.name, Shop.slug,
                  sa.func.coalesce(listings, 0), sa.func.coalesce(figures.c.orders, 0),
                  sa.func.coalesce(figures.c.units, 0), sales_made, figures.c.first_on)
        .select_from(graduates)
        .join(User, User.id == graduates.c.artisan_id)
        .join(TrainingProgram, TrainingProgram.id == graduates.c.program_id)
        .outerjoin(Shop, Shop.owner_id == graduates.c.artisan_id)
        .outerjoin(figures, figures.c.artisan_id == graduates.c.artisan_id)
        .order_by(sa.desc(sales_made), User.name, User.id)
    ).all()
    return [
        GraduateRow(artisan_id=r[0], name=r[1], program_title=r[2], graduated_on=_as_date(r[3]),
                    shop_name=r[4], shop_slug=r[5], listings=int(r[6]), orders=int(r[7]), units=int(r[8]),
                    sales=int(r[9]), first_sale_on=_as_date(r[10]))
        for r in rows
    ]


@dataclass
class PublicShop:
    name: str
    slug: str
    city: str
    province: str


def public_shops(program_id: int) -> list[PublicShop]:
    """The active shops of PROGRAM_ID's graduates who show the program on their shop and have a
    product on sale, by name: the "shop the graduates" list of the public impact page."""
    listed = sa.exists().where(Product.shop_id == Shop.id, Product.status == ProductStatus.ACTIVE.value)
    rows = db.session.execute(
        sa.select(Shop.name, Shop.slug, Shop.city, Shop.province)
        .join(Graduation, Graduation.artisan_id == Shop.owner_id)
        .where(Graduation.program_id == program_id, Graduation.status == GraduationStatus.VERIFIED.value,
               Graduation.public.is_(True), Shop.status == ShopStatus.ACTIVE.value, listed)
        .order_by(Shop.name, Shop.id)
    ).all()
    return [PublicShop(*row) for row in rows]


def _as_date(value) -> date | None:
    """SQLite hands computed dates back as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def cohorts(program_ids: tuple[int, ...]) -> list[tuple[str, int]]:
    """The cohorts of these programs' verified graduates, newest first: each graduation year, and
    each batch (a day on which a group graduated) as (key, graduates)."""
    day_rows = db.session.execute(
        sa.select(Graduation.graduated_on, sa.func.count())
        .where(Graduation.program_id.in_(program_ids), Graduation.status == GraduationStatus.VERIFIED.value)
        .group_by(Graduation.graduated_on)
        .order_by(Graduation.graduated_on.desc())
    ).all()
    years: dict[str, int] = {}
    for day, count in day_rows:
        years[str(day.year)] = years.get(str(day.year), 0) + count
    result: list[tuple[str, int]] = []
    for year, count in years.items():
        result.append((year, count))
        result += [(day.isoformat(), n) for day, n in day_rows if str(day.year) == year]
    return result
