"""The demo's sales history: years of orders for the demo graduates' shops, so that every report
(the officers' impact dashboards, the sellers' analytics, the admin's overview) shows something
on a fresh `flask seed-demo`.

Each selling graduate makes a first sale some days after graduating (SELLER_PLANS: from twelve
days to ten months; some graduates never sell), then sells on through the seasons: the weeks of
Ramadan before Lebaran, Hari Batik Nasional (2 October), Harbolnas (12 December), paydays, and
a quiet week of mudik around Lebaran. Sales before the last twelve months are thinner. Buyers
come from every province, mostly outside the artisan's own, a few from abroad (demo_buyers.py).
Most pay by card, some by bank transfer; a few parcels are cancelled by their seller and refunded
by the platform, a few are refunded in part or in full after delivery, a few checkouts expire
unpaid; shops with bank details are paid out monthly over the last year. The rows are written as
the services would have written them (demo_rows.py), in one go.

The dice are fixed (random.Random(SEED)); times count back from the moment of seeding.
bench/reports_bench.py builds its 100,000 orders with the same order_moments and build_history.
"""
from __future__ import annotations

import bisect
import itertools
import math
import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from marketplace.catalog.models import Product, ProductImage, ProductViewDay, Shop
from marketplace.core.times import as_utc, utcnow
from marketplace.demo_buyers import Buyer, Buyers
from marketplace.demo_rows import (
    SalesHistory, Seller, first_free_ids, local_day, local_midnight, month_after, shop_listings, sync_sequences,
    write_rows,
)
from marketplace.extensions import db
from marketplace.orders import shipping
from marketplace.orders.models import Order
from marketplace.payments.models import PayoutAccount
from marketplace.payments.payouts import payout_minimum
from marketplace.programs.models import Graduation, GraduationStatus

SEED = 1212
HISTORY_KEY = "demo-history-"  # in each history order's idempotency key: how a second seed finds it
DAYS_PER_MONTH = 30.44

# --- the calendar -------------------------------------------------------------------------------

# Idul Fitri (1 Syawal) as the government's joint decree dates it.
LEBARAN = {2020: date(2020, 5, 24), 2021: date(2021, 5, 13), 2022: date(2022, 5, 2), 2023: date(2023, 4, 22),
           2024: date(2024, 4, 10), 2025: date(2025, 3, 31), 2026: date(2026, 3, 20), 2027: date(2027, 3, 10),
           2028: date(2028, 2, 26), 2029: date(2029, 2, 14), 2030: date(2030, 2, 5)}
# Orders by hour of the day in Jakarta: lunch and the evening, hardly any before dawn.
HOUR_WEIGHTS = (1.0, 0.5, 0.3, 0.2, 0.3, 0.6, 1.2, 2.0, 2.5, 3.0, 3.2, 3.4,
                4.0, 3.8, 3.0, 3.0, 3.0, 3.2, 3.6, 4.5, 5.0, 4.6, 3.4, 2.0)


def season(day: date) -> float:
    """How busy DAY is against an ordinary day."""
    weight = 1.0
    lebaran = LEBARAN.get(day.year)
    if lebaran is not None:
        before = (lebaran - day).days
        if 4 <= before <= 35:  # Ramadan: new clothes and gifts, until the couriers' last days
            weight *= 2.3
        elif -7 <= before < 4:  # mudik: couriers and workshops stop
            weight *= 0.45
    if -5 <= (date(day.year, 10, 2) - day).days <= 21:  # Hari Batik Nasional: offices wear batik
        weight *= 1.9
    if day.month == 12 and 10 <= day.day <= 12:  # Harbolnas, 12.12
        weight *= 1.7
    if day.day >= 25 or day.day <= 2:  # payday
        weight *= 1.15
    return weight


def history_window(now: datetime, months: int = 12) -> date:
    """The first day of the Jakarta month MONTHS before the current one."""
    today = local_day(now)
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


# --- when, and from whom ------------------------------------------------------------------------

MULTI_SHOP_SHARE = 0.06  # checkouts from two graduates' shops at once


def order_moments(rng: random.Random, sellers: list[Seller], *, now: datetime, growth,
                  total: int | None = None) -> list[tuple[datetime, Seller, bool]]:
    """When orders are placed and at which seller, oldest first, as (moment, seller, is first
    sale): each seller's first sale at its first_sale_at, the others on days weighted by season()
    and GROWTH(day), among sellers by their orders_per_month; TOTAL in all (by default what
    those rates give)."""
    today = local_day(now)
    first_day = min(local_day(seller.first_sale_at) for seller in sellers)
    days = [first_day + timedelta(days=n) for n in range((today - first_day).days + 1)]
    cumulative = list(itertools.accumulate(season(day) * growth(day) for day in days))
    before = [cumulative[index - 1] if index else 0.0
              for index in ((local_day(seller.first_sale_at) - first_day).days for seller in sellers)]
    masses = [seller.orders_per_month / DAYS_PER_MONTH * (cumulative[-1] - low) for seller, low in zip(sellers, before)]
    total = round(sum(masses)) if total is None else total
    by_seller = list(itertools.accumulate(masses))
    moments = [(seller.first_sale_at, seller, True) for seller in sellers]
    for _attempt in range(3 * total):
        if len(moments) >= total:
            break
        index = min(bisect.bisect_right(by_seller, rng.random() * by_seller[-1]), len(sellers) - 1)
        seller, low = sellers[index], before[index]
        day = days[min(bisect.bisect_right(cumulative, low + rng.random() * (cumulative[-1] - low)), len(days) - 1)]
        start = local_midnight(day)
        if day == today:
            moment = start + (now - start) * rng.random()
        else:
            moment = start + timedelta(hours=rng.choices(range(24), HOUR_WEIGHTS)[0], seconds=rng.randrange(3600))
        if seller.first_sale_at < moment < now:
            moments.append((moment, seller, False))
    moments.sort(key=lambda moment: moment[0])
    return moments


def build_history(history: SalesHistory, rng: random.Random, moments, sellers: list[Seller], buyers: Buyers) -> None:
    """An order at each of MOMENTS ((when, seller, ordinary)), now and then with a second shop's
    parcel, bought by BUYERS."""
    for moment, seller, ordinary in moments:
        buyer = buyers.pick(seller, ships_abroad=seller.ships_abroad)
        parts = [(seller, seller.basket(rng))]
        if not ordinary and rng.random() < MULTI_SHOP_SHARE:
            others = [other for other in sellers if other is not seller and other.first_sale_at < moment
                      and (other.ships_abroad or not buyer.is_abroad)]
            if others:
                other = rng.choice(others)
                parts.append((other, other.basket(rng)))
        history.add_order(moment, parts, buyer, ordinary=ordinary)


def add_views(history: SalesHistory, rng: random.Random, product_ids, *, per_day: float, since: date) -> None:
    """Daily page views of PRODUCT_IDS from SINCE to today, about PER_DAY on an ordinary day."""
    today = local_day(history.now)
    for product_id in product_ids:
        day = since
        while day <= today:
            views = _poisson(rng, per_day * season(day))
            if views:
                history.rows[ProductViewDay].append({"product_id": product_id, "day": day, "views": views})
            day += timedelta(days=1)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# --- the demo's history -------------------------------------------------------------------------

# Per demo shop: days from its owner's graduation to the first sale, and orders in an ordinary month
# of the last year. Graduates left out never sold (demo.py: a shop that lists nothing yet, a shop
# nobody has bought from, graduates without a shop).
SELLER_PLANS = {
    "sanggar-batik-rini": (12, 6), "serasan-batik-nurul": (25, 8), "jumputan-banyuasin-budi": (40, 3),
    "rahmat-batik-tulis": (60, 6), "jumputan-ayu": (75, 4), "batik-kaltim-agus": (100, 5),
    "rumah-batik-yanti": (140, 3), "batik-sari": (150, 7), "batik-bunga-kopi-dian": (300, 3),
    "batik-tengkiang-wulan": (90, 3), "batik-meraje-rudi": (200, 2),
}
# Shops whose owners never sold, opened this many days after graduating. (A seller's shop opens
# days before its first sale; a demo shop in neither list opened at seeding.)
SHOPS_OPENED = {"batik-fajar-bontang": 200}
VIEWS_PER_ORDER = 40     # product page views for each order, roughly


def _ramp(window: date):
    """Fewer buyers before the last year: a quarter as many a year before it, rising to all."""
    def growth(day: date) -> float:
        days_before = (window - day).days
        return 1.0 if days_before <= 0 else max(0.25, 1 - 0.75 * days_before / 365)
    return growth


def _at(day: date, hour: int) -> datetime:
    return local_midnight(day) + timedelta(hours=hour)


def _demo_sellers(rng: random.Random, now: datetime) -> list[Seller]:
    shops = {shop.slug: shop for shop in db.session.scalars(sa.select(Shop).where(Shop.slug.in_(list(SELLER_PLANS))))}
    listings = shop_listings(shop.id for shop in shops.values())
    sellers = []
    for slug, (delay, per_month) in SELLER_PLANS.items():
        shop = shops.get(slug)
        if shop is None or not listings.get(shop.id):
            continue
        graduation = db.session.scalars(  # a verified one first
            sa.select(Graduation).where(Graduation.artisan_id == shop.owner_id)
            .order_by(Graduation.status != GraduationStatus.VERIFIED.value, Graduation.graduated_on)).first()
        if graduation is None:
            continue
        first_sale_at = _at(graduation.graduated_on + timedelta(days=delay), rng.randint(9, 20))
        if first_sale_at < now:
            sellers.append(Seller(shop.id, shop.city, shop.province, shop.handling_days, shipping.rates_for(shop.id),
                                  listings[shop.id], first_sale_at, per_month,
                                  is_graduate=graduation.status == GraduationStatus.VERIFIED.value))
    return sellers


def _date_the_past(rng: random.Random, artisans, sellers: list[Seller]) -> None:
    """Date ARTISANS' graduations, accounts, shops and products back before their sales (seed-demo
    made them all a moment ago): a graduation claimed five days after the course and verified
    three days later, the shop opened days before its first sale, its products listed within a day."""
    first_sale = {seller.shop_id: seller.first_sale_at for seller in sellers}
    for artisan in artisans:
        verified = db.session.scalars(sa.select(Graduation).where(
            Graduation.artisan_id == artisan.id, Graduation.status == GraduationStatus.VERIFIED.value)).all()
        for graduation in verified:
            graduation.created_at = _at(graduation.graduated_on + timedelta(days=5), 10)
            graduation.decided_at = graduation.created_at + timedelta(days=3, hours=4)
        if verified:
            artisan.created_at = min(as_utc(artisan.created_at),
                                     min(as_utc(g.created_at) for g in verified) - timedelta(days=1))
        shop = db.session.scalar(sa.select(Shop).where(Shop.owner_id == artisan.id))
        if shop is None:
            continue
        if shop.id in first_sale:
            opened = first_sale[shop.id] - timedelta(days=rng.uniform(4, 20))
            if verified:  # not before the account that claimed the graduation
                opened = max(opened, as_utc(artisan.created_at) + timedelta(hours=2))
        elif shop.slug in SHOPS_OPENED and verified:
            opened = _at(min(g.graduated_on for g in verified) + timedelta(days=SHOPS_OPENED[shop.slug]), 11)
        else:
            continue
        artisan.created_at = min(as_utc(artisan.created_at), opened - timedelta(hours=1))
        shop.created_at = opened
        for product in db.session.scalars(sa.select(Product).where(Product.shop_id == shop.id)):
            product.created_at = product.updated_at = opened + timedelta(hours=rng.uniform(1, 24))
            db.session.execute(sa.update(ProductImage).where(ProductImage.product_id == product.id)
                               .values(created_at=product.created_at))
    db.session.flush()


def _one_each_month(sellers: list[Seller], since: date, now: datetime) -> list[tuple[datetime, Seller, bool]]:
    """An ordinary order in the middle of each Jakarta month from SINCE to now (of this month,
    the part gone by), from a graduate selling by then: no month of a yearly chart is empty,
    whatever the dice say."""
    graduates = [seller for seller in sellers if seller.is_graduate]
    moments, month, turn = [], since, 0
    while local_midnight(month) < now:
        begin = local_midnight(month)
        moment = begin + (min(local_midnight(month_after(month)), now) - begin) / 2
        selling = [seller for seller in graduates if seller.first_sale_at < moment]
        if selling:
            moments.append((moment, selling[turn % len(selling)], True))
            turn += 1
        month = month_after(month)
    return moments


def seed_sales_history(*, admin, artisans, accounts: list[Buyer]) -> int:
    """The demo's sales history (see the module's docstring), once: nothing when a history order
    is there already. ADMIN confirmed the transfers and refunds; ARTISANS are the demo's; ACCOUNTS
    are demo buyers who buy now and then. Returns how many orders it wrote. Flushes only."""
    if db.session.scalar(sa.select(Order.id).where(Order.idempotency_key.contains(HISTORY_KEY)).limit(1)):
        return 0
    now, rng = utcnow(), random.Random(SEED)
    sellers = _demo_sellers(rng, now)
    if not sellers:
        return 0
    _date_the_past(rng, artisans, sellers)
    window = history_window(now)
    moments = sorted(order_moments(rng, sellers, now=now, growth=_ramp(window)) + _one_each_month(sellers, window, now),
                     key=lambda moment: moment[0])
    connection = db.session.connection()
    history = SalesHistory(rng, now=now, admin_id=admin.id, next_ids=first_free_ids(connection),
                           numbers_taken=db.session.scalars(sa.select(Order.number)), key_prefix=HISTORY_KEY)
    build_history(history, rng, moments, sellers, Buyers(rng, accounts))
    accounts_by_shop = {account.shop_id: (account.bank_code, account.account_number, account.holder_name)
                        for account in db.session.scalars(sa.select(PayoutAccount))}
    history.pay_out({shop_id: account for shop_id, account in accounts_by_shop.items()
                     if shop_id in {seller.shop_id for seller in sellers}}, since=window, minimum=payout_minimum())
    shop_ids = [seller.shop_id for seller in sellers] + list(db.session.scalars(
        sa.select(Shop.id).where(Shop.slug.in_(list(SHOPS_OPENED)))))
    listed = shop_listings(shop_ids)
    rates = {seller.shop_id: seller.orders_per_month for seller in sellers}
    for shop_id in shop_ids:
        products = sorted({listing.product_id for listing in listed.get(shop_id, [])})
        per_day = VIEWS_PER_ORDER * rates.get(shop_id, 0.5) / DAYS_PER_MONTH / max(1, len(products))
        add_views(history, rng, products, per_day=per_day, since=window)
    written = history.orders
    write_rows(connection, history)
    sync_sequences(connection)
    return written
