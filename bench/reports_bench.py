"""Reports benchmark: a program's impact dashboard over 1,000 graduates and 100,000 paid orders.

    python bench/reports_bench.py
    python bench/reports_bench.py --database-url postgresql://postgres@127.0.0.1:5432/canting_bench --reset
    python bench/reports_bench.py --graduates 200 --orders 20000 --runs 9

1. builds a fresh database by running the migrations (by default a SQLite file,
   /tmp/canting_reports_bench.db; PostgreSQL with --database-url);
2. generates one organization and its program, GRADUATES verified graduates in 13 cohorts over
   the last 24 months, each with a shop and five products (6 % only drafts; of the others 15 %
   never sell), buyers in every province and abroad, and ORDERS paid orders over those months
   with the demo's own generator (marketplace/demo_sales.py, demo_rows.py): items, card and
   bank-transfer payments, seller cancellations and refunds with their lines, the ledger's sale,
   commission, refund and commission-return entries, and about 4 % more checkouts that expired
   unpaid. Rows go in with one executemany per table and chunk of 5,000; PostgreSQL is ANALYZEd
   afterwards (SQLite is left as a fresh install has it);
3. writes the sale facts (reports/facts.py) once in full, times the catch-up every report does
   before reading, then times marketplace.reports.metrics.impact_report for the program (the
   dashboard's figures: funnel, first sales, monthly series, buyers' places, what sold), RUNS
   times, and prints the median and the slowest; graduate_rows (the per-graduate table) alone,
   and the whole dashboard (catch-up, figures and the per-graduate table in one pass) alongside.

It prints figures and asserts nothing: timing goals are read, not tested.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
import traceback
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from catalog_bench import reset_database  # noqa: E402  (the same fresh database, made the same way)

DEFAULT_SQLITE = "/tmp/canting_reports_bench.db"
PROGRAM_PROVINCE = "Jawa Tengah"
PRODUCTS_PER_SHOP = 5
COHORTS = 13              # a graduation every 55 days, the first two years ago
DRAFT_SHOP_SHARE = 0.06   # shops whose products are all drafts
SILENT_SHARE = 0.15       # graduates with listings who never sell
ABROAD_SHOP_SHARE = 0.10  # shops that ship abroad
WRITE_EVERY = 10_000      # orders held in memory before they are written

KINDS = [("Kain Batik", "cloth", 450_000, 350), ("Kemeja Batik", "clothing", 285_000, 250),
         ("Selendang Batik", "accessory", 175_000, 120), ("Syal Batik", "accessory", 125_000, 90),
         ("Sarung Bantal Batik", "home_decor", 95_000, 150), ("Taplak Meja Batik", "home_decor", 160_000, 300)]
TECHNIQUES = ["tulis", "cap", "kombinasi", "jumputan"]
MOTIFS = ["Kawung", "Parang", "Truntum", "Sekar Jagad", "Jlamprang", "Buketan", "Tiga Negeri", "Semen Rama",
          "Sido Mukti", "Liong", "Mega Mendung", "Kopi", "Jumputan Pelangi", "Lasem Latohan", "Sogan Kudus"]


def _lognormal_days(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0, sigma))


def build_people(connection, rng: random.Random, n_graduates: int, now: datetime):
    """The organization, its program, an admin and N_GRADUATES graduates with shops and products.
    Returns (program id, admin id, sellers)."""
    from marketplace.accounts.models import User, UserRole
    from marketplace.catalog.models import Product, Shop, Variant, motif_key
    from marketplace.demo_buyers import PLACES
    from marketplace.demo_rows import Listing, Seller, local_day, local_midnight
    from marketplace.orders import shipping
    from marketplace.orders.models import Zone
    from marketplace.programs.models import Graduation, Organization, TrainingProgram

    today = local_day(now)
    connection.execute(sa.insert(Organization.__table__), [{
        "id": 1, "name": "Dinas Perindustrian dan Perdagangan Provinsi Jawa Tengah", "slug": "disperindag-jateng",
        "kind": "government_office", "province": PROGRAM_PROVINCE, "created_at": now - timedelta(days=900)}])
    connection.execute(sa.insert(TrainingProgram.__table__), [{
        "id": 1, "organization_id": 1, "slug": "bimtek-batik-jateng", "title": "Bimtek Batik Tulis dan Cap Jawa Tengah",
        "kind": "bimtek", "partners": [], "techniques": ["tulis", "cap"], "description": "", "venue": "Balai Diklat",
        "city": "Kota Pekalongan", "province": PROGRAM_PROVINCE, "start_date": today - timedelta(days=800),
        "end_date": today - timedelta(days=60), "participant_count": n_graduates,
        "held_in_correctional_facility": False, "created_at": now - timedelta(days=800)}])
    users = [{"id": 1, "email": "admin@bench.test", "name": "Admin", "password_hash": None, "locale": "id",
              "created_at": now - timedelta(days=900)}]
    roles = [{"user_id": 1, "role": "admin"}]
    graduations, shops, products, variants, sellers = [], [], [], [], []
    provinces = [p for p in PLACES if p != PROGRAM_PROVINCE]
    weights = [PLACES[p][1] for p in provinces]
    for n in range(n_graduates):
        user_id = shop_id = n + 2
        graduated_on = today - timedelta(days=740 - 55 * (n % COHORTS))
        claimed = local_midnight(graduated_on + timedelta(days=3)) + timedelta(hours=10)
        users.append({"id": user_id, "email": f"lulusan{n}@bench.test", "name": f"Lulusan {n}", "password_hash": None,
                      "locale": "id", "created_at": claimed - timedelta(days=1)})
        roles += [{"user_id": user_id, "role": "artisan"}, {"user_id": user_id, "role": "buyer"}]
        graduations.append({"artisan_id": user_id, "program_id": 1, "status": "verified",
                            "certificate_number": f"JTG-{n:05d}", "graduated_on": graduated_on,
                            "public": rng.random() < 0.7, "source": "roster", "decided_by_id": 1,
                            "decided_at": claimed, "created_at": claimed})
        province = PROGRAM_PROVINCE if rng.random() < 0.55 else rng.choices(provinces, weights)[0]
        city = rng.choice(PLACES[province][0])[0]
        opened = claimed + timedelta(days=rng.uniform(1, 30))
        shops.append({"id": shop_id, "owner_id": user_id, "name": f"Batik Lulusan {n}", "slug": f"batik-lulusan-{n}",
                      "story": "", "city": city, "province": province, "shipping_origin": city, "handling_days": 2,
                      "status": "active", "created_at": opened})
        listed = rng.random() >= DRAFT_SHOP_SHARE
        listings = []
        for k in range(PRODUCTS_PER_SHOP):
            product_id = n * PRODUCTS_PER_SHOP + k + 1
            kind, category, price, weight = rng.choice(KINDS)
            technique, motif = rng.choice(TECHNIQUES), rng.choice(MOTIFS)
            title = f"{kind} {technique.title()} Motif {motif}"
            price += 5_000 * rng.randint(0, 20)
            created = opened + timedelta(hours=rng.uniform(1, 24))
            products.append({"id": product_id, "shop_id": shop_id, "title": title, "slug": f"p{product_id}",
                             "description": title, "category": category, "technique": technique, "motif": motif,
                             "motif_key": motif_key(motif), "motif_story": "", "material": "katun primisima",
                             "dye": "natural", "weight_g": weight, "price": price,
                             "status": "active" if listed else "draft", "created_at": created, "updated_at": created})
            variants.append({"id": product_id, "product_id": product_id, "name": "Satu ukuran", "stock": 10,
                             "position": 0})
            listings.append(Listing(product_id, product_id, title, "Satu ukuran", price, weight, category))
        first_sale_at = opened + timedelta(days=2 + _lognormal_days(rng, 40, 1.0))
        if listed and rng.random() >= SILENT_SHARE and first_sale_at < now - timedelta(hours=1):
            rates = dict(shipping.DEFAULT_RATES)
            if rng.random() < ABROAD_SHOP_SHARE:
                usual = rates[Zone.INTERNATIONAL]
                rates[Zone.INTERNATIONAL] = shipping.Rate(Zone.INTERNATIONAL, True, usual.base_fee, usual.per_kg_fee)
            sellers.append(Seller(shop_id, city, province, 2, rates, listings, first_sale_at,
                                  orders_per_month=_lognormal_days(rng, 3, 0.9)))
    for model, rows in ((User, users), (UserRole, roles), (Graduation, graduations), (Shop, shops),
                        (Product, products), (Variant, variants)):
        for start in range(0, len(rows), 5_000):
            connection.execute(sa.insert(model.__table__), rows[start:start + 5_000])
    return 1, 1, sellers


def build_orders(connection, rng: random.Random, sellers, n_orders: int, now: datetime) -> dict:
    """N_ORDERS paid orders (and the expired checkouts among them) of SELLERS, written in chunks.
    Returns how many rows of each table were written."""
    from marketplace.demo_buyers import Buyers
    from marketplace.demo_rows import (
        EXPIRED_SHARE, WRITE_ORDER, SalesHistory, first_free_ids, local_day, write_rows,
    )
    from marketplace.demo_sales import build_history, order_moments

    start = min(local_day(seller.first_sale_at) for seller in sellers)
    span = max(1, (local_day(now) - start).days)

    def growth(day: date) -> float:  # the platform grows: twice the orders at the end as at the start
        return 0.67 + 0.67 * (day - start).days / span

    checkouts = round(n_orders / (1 - EXPIRED_SHARE))
    moments = order_moments(rng, sellers, now=now, growth=growth, total=checkouts)
    history = SalesHistory(rng, now=now, admin_id=1, next_ids=first_free_ids(connection))
    buyers = Buyers(rng, returning=0.6)  # a big platform: more buyers come back
    counts = dict.fromkeys(WRITE_ORDER, 0)
    for begin in range(0, len(moments), WRITE_EVERY):
        build_history(history, rng, moments[begin:begin + WRITE_EVERY], sellers, buyers)
        for model in WRITE_ORDER:
            counts[model] += len(history.rows.get(model, []))
        write_rows(connection, history)
    return counts


def generate(app, args, now: datetime):
    from marketplace.demo_rows import sync_sequences
    from marketplace.extensions import db

    rng = random.Random(args.seed)
    with app.app_context():
        with db.engine.begin() as connection:
            program_id, _admin_id, sellers = build_people(connection, rng, args.graduates, now)
            counts = build_orders(connection, rng, sellers, args.orders, now)
            sync_sequences(connection)
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("ANALYZE"))
    return program_id, len(sellers), counts


def timed(fn, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def measure(app, program_id: int, runs: int) -> None:
    from marketplace.extensions import db
    from marketplace.orders.models import Order
    from marketplace.reports.facts import refresh_sale_facts
    from marketplace.reports.metrics import ReportScope, graduate_rows, impact_report

    with app.app_context():
        paid = db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.paid_at.is_not(None)))
        print(f"paid orders: {paid}")
        started = time.perf_counter()
        written = refresh_sale_facts(full=True)
        db.session.commit()
        print(f"sale facts, full rebuild (once, or after a bulk import): {written} rows in "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")

        def catch_up():
            refresh_sale_facts()
            db.session.commit()

        samples = timed(catch_up, runs)
        print(f"{'catch-up':<14} {runs} runs: median {statistics.median(samples) * 1000:8.1f} ms, "
              f"max {max(samples) * 1000:8.1f} ms  (what every report does first; nothing changed)")
        scope = ReportScope(program_ids=(program_id,), since=None, until=None, cohort=None)
        report = impact_report(scope)
        print(f"report: {report.funnel}; {report.totals}; {len(report.monthly)} months; "
              f"median days to first sale {report.first_sales.median_days}")
        def dashboard():
            catch_up()
            impact_report(scope, with_graduates=True)

        for label, fn in (("impact_report", lambda: impact_report(scope)),
                          ("graduate_rows", lambda: graduate_rows(scope)),
                          ("dashboard", dashboard)):
            samples = timed(fn, runs)
            print(f"{label:<14} {runs} runs: median {statistics.median(samples) * 1000:8.1f} ms, "
                  f"max {max(samples) * 1000:8.1f} ms")
        print("impact_report's statements, slowest first (one more run):")
        for seconds, statement in statements_of(db.engine, lambda: impact_report(scope))[:8]:
            print(f"  {seconds * 1000:8.1f} ms  {statement}")
        db.session.remove()


def statements_of(engine, fn) -> list[tuple[float, str]]:
    """(seconds, where in marketplace/reports it was sent from) of each SQL statement FN runs,
    slowest first."""
    found, started = [], {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - started.pop(id(cursor))
        callers = [f"{frame.name}:{frame.lineno}" for frame in traceback.extract_stack()
                   if f"marketplace{os.sep}reports{os.sep}" in frame.filename]
        found.append((elapsed, " < ".join(reversed(callers)) or " ".join(statement.split())[:100]))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
    return sorted(found, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graduates", type=int, default=1_000)
    parser.add_argument("--orders", type=int, default=100_000, help="paid orders (expired checkouts come on top)")
    parser.add_argument("--database-url", help=f"default: a fresh SQLite file, {DEFAULT_SQLITE}")
    parser.add_argument("--reset", action="store_true", help="wipe a non-empty --database-url first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=5, help="runs of each timed call")
    parser.add_argument("--check", action="store_true",
                        help="also reconcile the generated ledger with its orders (payments.reconcile)")
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]

    from marketplace import create_app
    from marketplace.core.times import utcnow

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    print(f"database: {sa.engine.make_url(url).render_as_string(hide_password=True)}")
    reset_database(app, url, args.reset)
    started = time.perf_counter()
    program_id, selling, counts = generate(app, args, utcnow())
    built = time.perf_counter() - started
    rows = ", ".join(f"{model.__tablename__} {n}" for model, n in counts.items() if n)
    print(f"built {args.graduates} graduates ({selling} selling) and {rows} in {built:.1f} s")
    if args.check:
        from marketplace.payments.reconcile import ledger_differences

        with app.app_context():
            print(f"ledger differences: {len(ledger_differences())}")
    measure(app, program_id, args.runs)


if __name__ == "__main__":
    main()
