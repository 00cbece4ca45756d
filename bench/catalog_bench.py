"""Catalogue benchmark: listing, deep pages and full-text search over a generated catalogue.

    python bench/catalog_bench.py --products 10000
    python bench/catalog_bench.py --products 100000 --no-http
    python bench/catalog_bench.py --products 10000 --database-url postgresql://postgres@127.0.0.1:5432/canting_bench --reset

1. builds a fresh database (SQLite in bench/out/ by default) by running the migrations;
2. generates N products with realistic batik titles, motifs and descriptions across ~N/20 shops;
3. builds the search index and times the search queries in-process (time.perf_counter);
4. unless --no-http, serves the app with gunicorn and measures URLs with wrk (or, without
   wrk, a small Python load generator): page 1; page 300 as a buyer reaches it by following
   "Next" 299 times (the cursor of meta.next_cursor); page 300 by `?page=300` (OFFSET, kept
   for old links and clients); a search; the filters motif + batik + price range; and the HTML
   catalogue page.

It prints figures and asserts nothing: timing goals are read, not tested.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

# --- realistic catalogue text -----------------------------------------------------------------

MOTIFS = [
    "Kawung", "Parang Rusak", "Parang Barong", "Parang Klitik", "Mega Mendung", "Truntum",
    "Kopi", "Durian", "Jumputan Pelangi", "Sekar Jagad", "Sidomukti", "Sidoluhur", "Sido Asih",
    "Tiga Negeri", "Tambal", "Ceplok Bintang", "Gentongan", "Pring Sedapur", "Lereng",
    "Buketan", "Liong", "Kembang Tanjung", "Tampuk Manggis", "Pucuk Rebung", "Lawang Kori",
    "Burung Hong", "Ikan Belido", "Jembatan Ampera", "Sekar Kopi", "Daun Singkong", "Enggang",
    "Shorea", "Gajah Oling", "Kangkung Setingkes", "Sawat", "Wahyu Tumurun", "Semen Rama",
    "Ulamsari Mas", "Lasem Latohan", "Tujuh Rupa", "Jlamprang", "Sogan Kudus",
]
REGIONS = [
    "Palembang", "Muara Enim", "Banyuasin", "Samarinda", "Pekalongan", "Lasem", "Cirebon",
    "Trusmi", "Solo", "Yogyakarta", "Madura", "Banyuwangi", "Kudus", "Garut", "Tuban",
    "Jambi", "Bengkulu", "Cipinang", "Sragen", "Tasikmalaya",
]
KINDS = [  # (title word, category)
    ("Kain Batik", "cloth"), ("Kain Panjang", "cloth"), ("Selendang", "cloth"), ("Sarung", "cloth"),
    ("Kemeja Pria", "clothing"), ("Blus Wanita", "clothing"), ("Dress", "clothing"),
    ("Outer", "clothing"), ("Rok Lilit", "clothing"), ("Tas Jinjing", "accessory"),
    ("Dompet", "accessory"), ("Syal", "accessory"), ("Masker Kain", "accessory"),
    ("Taplak Meja", "home_decor"), ("Sarung Bantal", "home_decor"), ("Hiasan Dinding", "home_decor"),
    ("Pembatas Buku", "other"),
]
TECHNIQUES = [("tulis", 0.30), ("cap", 0.30), ("kombinasi", 0.15), ("jumputan", 0.15), ("printing", 0.10)]
TECHNIQUE_WORDS = {"tulis": "Tulis", "cap": "Cap", "kombinasi": "Kombinasi Tulis Cap",
                   "jumputan": "Jumputan", "printing": "Printing"}
MATERIALS = ["katun primisima", "katun prima", "sutra ATBM", "sutra Garut", "rayon", "dobby",
             "linen", "katun jepang", "santung"]
DYES = [("natural", "pewarna alam dari indigo, tingi dan kayu secang"),
        ("natural", "pewarna alam daun mangga dan kulit jengkol"),
        ("synthetic", "pewarna naptol"), ("synthetic", "pewarna remasol yang tidak mudah luntur")]
SENTENCES = [
    "Dibuat oleh lulusan {program} dengan canting di rumah produksi kami.",
    "Motif {motif} melambangkan harapan dan kesabaran pembuatnya.",
    "Proses pewarnaan memakan waktu {days} hari karena dikerjakan bertahap.",
    "Cocok untuk acara resmi, kondangan, maupun hadiah untuk keluarga di luar daerah.",
    "Setiap lembar sedikit berbeda; itulah tanda batik buatan tangan.",
    "Cuci dengan lerak atau sabun lembut, jangan dijemur langsung di bawah matahari.",
    "Warna pada foto bisa sedikit berbeda dengan aslinya karena pencahayaan.",
    "Terinspirasi dari kebun kopi dan durian di kampung halaman.",
    "Pola disusun ulang dari motif klasik {region} dengan sentuhan modern.",
]
PROGRAMS = ["bimtek Disperin Sumsel", "klinik coaching Bank Indonesia", "pelatihan Dekranasda",
            "program wirausaha baru IKM Kemenperin"]
SHOP_WORDS = ["Batik", "Rumah Batik", "Galeri", "Sanggar", "Canting", "Griya Batik", "Omah Batik"]
SHOP_NAMES = ["Sari", "Wong Kito", "Serasan", "Mahakam", "Lestari", "Tanjung", "Melati",
              "Kenanga", "Sekar Arum", "Cahaya", "Pelangi", "Nusantara", "Anggrek", "Kencana"]


def product_rows(n_products: int, shop_ids: list[int], rng: random.Random, start_id: int = 1):
    from marketplace.catalog.models import motif_key

    techniques, weights = zip(*TECHNIQUES)
    now = datetime.now(timezone.utc)
    for i in range(n_products):
        motif, region = rng.choice(MOTIFS), rng.choice(REGIONS)
        kind, category = rng.choice(KINDS)
        technique = rng.choices(techniques, weights)[0]
        title = f"{kind} {'Batik ' if kind not in ('Kain Batik',) and technique != 'printing' else ''}" \
                f"{TECHNIQUE_WORDS[technique]} Motif {motif} {region}"
        dye, dye_text = rng.choice(DYES)
        description = " ".join(
            [f"{kind} dari {rng.choice(MATERIALS)}, {dye_text}."]
            + [s.format(program=rng.choice(PROGRAMS), motif=rng.choice(MOTIFS), region=region,
                        days=rng.randint(3, 40)) for s in rng.sample(SENTENCES, rng.randint(2, 4))]
        )
        status = rng.choices(["active", "draft", "archived"], [90, 5, 5])[0]
        created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 720))
        yield {
            "id": start_id + i, "shop_id": rng.choice(shop_ids), "title": title[:160],
            "slug": f"p{start_id + i}-{re.sub(r'[^a-z0-9]+', '-', title.lower())}"[:180],
            "description": description, "category": category, "technique": technique,
            "motif": motif, "motif_key": motif_key(motif), "motif_story": "", "material": rng.choice(MATERIALS), "dye": dye,
            "length_cm": rng.choice([None, 200, 210, 250]), "width_cm": rng.choice([None, 105, 115]),
            "weight_g": rng.randint(80, 600), "price": rng.randrange(75_000, 3_500_000, 5_000),
            "status": status, "created_at": created, "updated_at": created,
        }


# --- database ---------------------------------------------------------------------------------

def reset_database(app, url: str, reset: bool) -> None:
    from flask_migrate import upgrade

    from marketplace.extensions import db

    if url.startswith("sqlite"):
        path = Path(sa.engine.make_url(url).database)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        with app.app_context():
            existing = sa.inspect(db.engine).get_table_names()
            if existing and not reset:
                sys.exit(f"{url} already has tables ({len(existing)}); pass --reset to wipe them.")
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS product_search CASCADE"))
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    with app.app_context():
        upgrade()


def generate(app, n_products: int, seed: int) -> None:
    from marketplace.accounts.models import User, UserRole
    from marketplace.catalog.models import Product, Shop, Variant
    from marketplace.core.regions import PROVINCES
    from marketplace.extensions import db

    rng = random.Random(seed)
    n_shops = max(1, n_products // 20)
    now = datetime.now(timezone.utc)
    with app.app_context():
        engine = db.engine
        with engine.begin() as connection:
            connection.execute(sa.insert(User.__table__), [
                {"id": i, "email": f"artisan{i}@bench.test", "name": f"Perajin {i}", "password_hash": None,
                 "locale": "id", "is_active_account": True, "created_at": now}
                for i in range(1, n_shops + 1)])
            connection.execute(sa.insert(UserRole.__table__), [
                {"user_id": i, "role": "artisan"} for i in range(1, n_shops + 1)])
            connection.execute(sa.insert(Shop.__table__), [
                {"id": i, "owner_id": i,
                 "name": f"{rng.choice(SHOP_WORDS)} {rng.choice(SHOP_NAMES)} {rng.choice(REGIONS)}",
                 "slug": f"toko-{i}", "story": "", "city": rng.choice(REGIONS),
                 "province": rng.choice(PROVINCES), "shipping_origin": "",
                 "status": "active" if rng.random() > 0.03 else "suspended", "created_at": now}
                for i in range(1, n_shops + 1)])
            shop_ids = list(range(1, n_shops + 1))
            batch: list[dict] = []
            for row in product_rows(n_products, shop_ids, rng):
                batch.append(row)
                if len(batch) == 5000:
                    _insert_products(connection, Product, Variant, batch, rng)
                    batch = []
            if batch:
                _insert_products(connection, Product, Variant, batch, rng)
            if engine.dialect.name == "postgresql":
                for table in ("users", "shops", "products", "variants"):
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
                connection.execute(sa.text("ANALYZE"))


def _insert_products(connection, Product, Variant, rows, rng) -> None:
    connection.execute(sa.insert(Product.__table__), rows)
    connection.execute(sa.insert(Variant.__table__), [
        {"product_id": row["id"], "name": "Satu ukuran", "stock": rng.randint(0, 12), "price": None,
         "position": 0} for row in rows])


# --- in-process timings -----------------------------------------------------------------------

SEARCHES = ["kawung", "parang rusak", "mega mendung", "tulis", "batik tulis kawung", "kopi",
            "kaw", "palembang jumputan", "kéris", "xyzzy"]


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def measure_in_process(app, repeat: int) -> None:
    from marketplace.catalog import search
    from marketplace.catalog.models import Product, Shop
    from marketplace.extensions import db

    with app.app_context():
        started = time.perf_counter()
        count = search.rebuild_index()
        db.session.commit()
        print(f"rebuild_index: {count} products in {time.perf_counter() - started:.2f} s")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("ANALYZE product_search"))

        public = (sa.select(Product).join(Product.shop)
                  .where(Product.status == "active", Shop.status == "active"))

        def count_of(query):
            return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))

        def page(query, number=1, per_page=24):
            db.session.expunge_all()
            return db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()

        print(f"\n{'query':<24}{'hits':>8}{'count p50':>11}{'p95':>8}{'page p50':>10}{'p95':>8}   (ms)")
        # The catalogue's own query (with its loader options) and sort keys, as the app runs them.
        from marketplace.catalog.queries import SORT_KEYS, products_filtered
        from marketplace.core.pagination import count_rows, seek_condition

        listing = products_filtered(sort="newest")
        keys = SORT_KEYS["newest"]
        last_of_299 = db.session.scalars(listing.limit(1).offset(299 * 24 - 1)).one()
        after_299 = tuple(getattr(last_of_299, key.column.key) for key in keys)
        by_cursor = listing.where(seek_condition(keys, after_299))
        for label, query, number in (("(listing page 1)", listing, 1), ("(listing ?page=300)", listing, 300),
                                     ("(listing cursor p300)", by_cursor, 1)):
            c50, c95 = timed(lambda: count_rows(listing), repeat)
            p50, p95 = timed(lambda: page(query, number), repeat)
            print(f"{label:<24}{count_rows(listing):>8}{c50:>11.2f}{c95:>8.2f}{p50:>10.2f}{p95:>8.2f}")
        for q in SEARCHES:
            query, rank = search.apply_search(public, q)
            query = query.order_by(rank.desc(), Product.id.desc())
            hits = count_of(query)
            c50, c95 = timed(lambda: count_of(query), repeat)
            p50, p95 = timed(lambda: page(query), repeat)
            best = page(query)[:1]
            print(f"{q!r:<24}{hits:>8}{c50:>11.2f}{c95:>8.2f}{p50:>10.2f}{p95:>8.2f}"
                  f"   {best[0].title if best else '-'}")
        db.session.remove()


# --- over HTTP --------------------------------------------------------------------------------

URLS = [
    ("page 1", "/api/v1/products?per_page=24"),
    ("page 300, by Next", None),  # found by following meta.next_cursor from page 1 (see next_pages)
    ("page 300, ?page=", "/api/v1/products?page=300&per_page=24"),
    ("search kawung", "/api/v1/products?q=kawung"),
    ("filters: motif, batik, price", "/api/v1/products?motif=kawung&technique=batik&min_price=200000&max_price=900000"),
    ("catalogue page (HTML)", "/?sort=newest"),
]
DEEP_PAGE = 300


def next_pages(base: str, path: str, pages: int) -> str:
    """The path of page PAGES as a buyer reaches it: following Next (meta.next_cursor) from PATH."""
    for _ in range(pages - 1):
        with urllib.request.urlopen(base + path, timeout=30) as response:
            cursor = json.load(response)["meta"]["next_cursor"]
        path = f"{path.split('&cursor=')[0]}&cursor={cursor}"
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, CANTING_CONFIG="development")
    log = open(OUT / "gunicorn.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "marketplace:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {OUT / 'gunicorn.log'}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return process
        except urllib.error.HTTPError:
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    sys.exit("gunicorn did not answer within 30 s")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def run_wrk(url: str, duration: int, connections: int, threads: int) -> dict:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout

    def ms(value: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    found = {p: ms(re.search(rf"^\s+{p}%\s+(\S+)", output, re.M).group(1)) for p in ("50", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": found["50"], "p99": found["99"], "errors": int(errors.group(1)) if errors else 0}


def run_python_load(url: str, duration: int, connections: int) -> dict:
    """A small keep-alive load generator for machines without wrk."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            bad += response.status >= 400
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2],
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], "errors": errors[0]}


def measure_http(url: str, args) -> None:
    port = args.port or free_port()
    process = start_gunicorn(url, port, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        try:
            with urllib.request.urlopen(base + URLS[0][1], timeout=30) as response:
                total = response.headers.get("X-Total-Count")
        except urllib.error.HTTPError as error:
            print(f"\nGET {URLS[0][1]} answers {error.code}: the products API is not there yet; "
                  "skipping the HTTP part.")
            return
        tool = "wrk" if shutil.which("wrk") and not args.python_load else "python"
        print(f"\nHTTP: gunicorn -w {args.workers}, {tool}, {args.connections} connections, "
              f"{args.duration} s per URL, X-Total-Count {total}")
        print(f"{'request':<32}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for label, path in URLS:
            if path is None:
                started = time.perf_counter()
                path = next_pages(base, URLS[0][1], DEEP_PAGE)
                print(f"{'(followed Next ' + str(DEEP_PAGE - 1) + ' times in':<32}"
                      f"{time.perf_counter() - started:>8.1f} s)")
            with urllib.request.urlopen(base + path, timeout=30) as response:  # warm up; must be 200
                raw = response.read()
            if path.startswith("/api/"):
                shown = f"{len(json.loads(raw)['items'])} items"
            else:
                shown = f"{raw.count(b'product-card')} cards, {len(raw) // 1024} KB"
            if tool == "wrk":
                result = run_wrk(base + path, args.duration, args.connections, args.threads)
            else:
                result = run_python_load(base + path, args.duration, args.connections)
            print(f"{label:<32}{result['rps']:>9.1f}{result['p50']:>9.2f}{result['p99']:>9.2f}"
                  f"{result['errors']:>8}   {shown}   {path if len(path) <= 60 else path[:57] + '…'}")
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in bench/out/")
    parser.add_argument("--reset", action="store_true", help="wipe a non-empty --database-url first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each in-process query")
    parser.add_argument("--no-http", action="store_true", help="skip gunicorn and the load test")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{OUT / f'catalog_{args.products}.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]

    from marketplace import create_app

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    print(f"database: {sa.engine.make_url(url).render_as_string(hide_password=True)}")
    started = time.perf_counter()
    reset_database(app, url, args.reset)
    generate(app, args.products, args.seed)
    print(f"generated {args.products} products in {max(1, args.products // 20)} shops "
          f"in {time.perf_counter() - started:.1f} s")
    measure_in_process(app, args.repeat)
    if not args.no_http:
        measure_http(url, args)


if __name__ == "__main__":
    main()
