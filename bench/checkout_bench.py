"""Checkout benchmark: guest checkouts per second against gunicorn, on SQLite and PostgreSQL.

    python bench/checkout_bench.py
    python bench/checkout_bench.py --database-url postgresql://postgres@127.0.0.1:5432/canting_bench --reset

1. builds a throwaway database (by default a SQLite file under /tmp) with the migrations and
   seeds 10 shops in different provinces with 5 products each plus one more "hot" product,
   every variant with a large stock;
2. serves the app with gunicorn (--workers, --threads) as development runs it, except that
   jobs are queued (HUEY_IMMEDIATE=0, queue in a SQLite file beside the database) and no worker
   runs: a checkout request writes its outbox mail and enqueues it, as in production, and the
   mail delivery that a worker would do is not part of the figure;
3. drives POST /api/v1/orders with wrk and bench/checkout.lua (or, without wrk or with
   --python-load, a small Python load generator): --buyers concurrent guests, each with their
   own connection, (a) every buyer on a different variant, (b) every buyer on the same hot
   variant; each request is a new guest with their own email and Idempotency-Key buying one unit;
4. checks afterwards that every unit that left a variant's stock is in an order (and the
   other way round), and prints checkouts per second, latency percentiles and error counts.

It prints figures and asserts nothing: timing goals are read, not tested.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402

from catalog_bench import free_port, reset_database  # noqa: E402

LUA_SCRIPT = ROOT / "bench" / "checkout.lua"
STOCK = 1_000_000
SHOPS = [  # (city, province): parcels to Jakarta cross every zone but abroad
    ("Kota Jakarta Timur", "DKI Jakarta"), ("Kota Bekasi", "Jawa Barat"), ("Kota Pekalongan", "Jawa Tengah"),
    ("Kota Surakarta", "Jawa Tengah"), ("Kabupaten Muara Enim", "Sumatera Selatan"),
    ("Kota Palembang", "Sumatera Selatan"), ("Kabupaten Banyuasin", "Sumatera Selatan"),
    ("Kota Samarinda", "Kalimantan Timur"), ("Kota Jambi", "Jambi"), ("Kabupaten Lasem", "Jawa Tengah"),
]
PRODUCTS_PER_SHOP = 5
ADDRESS = {"recipient_name": "Maya Lestari", "phone": "081234567890", "street": "Jl. Pemuda No. 10",
           "city": "Kota Jakarta Timur", "province": "DKI Jakarta", "postal_code": "13220", "country": "ID"}


# --- database ---------------------------------------------------------------------------------

def seed(app) -> tuple[list[int], int]:
    """Shops, products and variants with large stock; returns (spread variant ids, hot variant id)."""
    from marketplace.accounts.models import User
    from marketplace.catalog.models import Product, Shop, Variant
    from marketplace.extensions import db

    with app.app_context():
        spread, hot = [], None
        for n, (city, province) in enumerate(SHOPS, start=1):
            owner = User(email=f"perajin{n}@bench.test", name=f"Perajin {n}", locale="id")
            owner.add_role("artisan")
            shop = Shop(owner=owner, name=f"Batik Bench {n}", slug=f"batik-bench-{n}", story="",
                        city=city, province=province)
            count = PRODUCTS_PER_SHOP + (1 if n == 1 else 0)  # the first shop also sells the hot one
            for p in range(1, count + 1):
                variant = Variant(name="Satu ukuran", stock=STOCK)
                db.session.add(Product(
                    shop=shop, title=f"Kain Batik Cap {n}-{p}", slug=f"kain-batik-cap-{n}-{p}",
                    category="cloth", technique="cap", weight_g=300 + 50 * p, price=150_000 + 25_000 * p,
                    status="active", variants=[variant],
                ))
                if p > PRODUCTS_PER_SHOP:
                    hot = variant
                else:
                    spread.append(variant)
        db.session.commit()
        return [variant.id for variant in spread], hot.id


def check_stock(app, variant_ids: list[int]) -> tuple[int, int, bool]:
    """(orders, units sold, every unit taken from stock is in an order and no more)."""
    from marketplace.catalog.models import Variant
    from marketplace.extensions import db
    from marketplace.orders.models import Order, OrderItem

    with app.app_context():
        taken = db.session.scalar(sa.select(sa.func.sum(STOCK - Variant.stock)).where(Variant.id.in_(variant_ids)))
        sold = db.session.scalar(sa.select(sa.func.sum(OrderItem.quantity)).where(OrderItem.variant_id.in_(variant_ids)))
        orders = db.session.scalar(sa.select(sa.func.count()).select_from(Order))
        db.session.remove()
    return orders, sold or 0, (taken or 0) == (sold or 0)


# --- server -----------------------------------------------------------------------------------

def start_gunicorn(url: str, port: int, workers: int, threads: int, workdir: Path) -> subprocess.Popen:
    env = dict(os.environ, CANTING_CONFIG="development", DATABASE_URL=url, HUEY_IMMEDIATE="0",
               HUEY_SQLITE_PATH=str(workdir / "huey.db"), MAIL_BACKEND="locmem",
               UPLOAD_ROOT=str(workdir / "uploads"))
    log = open(workdir / "gunicorn.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "marketplace:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {workdir / 'gunicorn.log'}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    sys.exit("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


# --- load -------------------------------------------------------------------------------------

def run_wrk(base: str, variant_ids: list[int], buyers: int, duration: int, run: str) -> dict:
    env = dict(os.environ, CHECKOUT_VARIANTS=",".join(map(str, variant_ids)), CHECKOUT_RUN=run)
    output = subprocess.run(
        ["wrk", f"-t{buyers}", f"-c{buyers}", f"-d{duration}s", "--timeout", "30s", "-s", str(LUA_SCRIPT),
         f"{base}/api/v1/orders"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout
    line = re.search(r"^CHECKOUT_RESULT (.*)$", output, re.M)
    if line is None:
        sys.exit(f"wrk printed no CHECKOUT_RESULT:\n{output}")
    raw = {key: int(value) for key, value in (pair.split("=") for pair in line.group(1).split())}
    return {"created": raw["created"], "out_of_stock": raw["out_of_stock"], "other_4xx": raw["other_4xx"],
            "server_errors": raw["server_errors"], "socket_errors": raw["socket_errors"],
            "requests": raw["requests"], "seconds": raw["duration_us"] / 1e6,
            **{p: raw[f"{p}_us"] / 1000 for p in ("p50", "p95", "p99", "max")}}


def run_python_load(base: str, variant_ids: list[int], buyers: int, duration: int, run: str) -> dict:
    """The same load from Python threads, one keep-alive connection per buyer, for machines without wrk."""
    port = int(base.rsplit(":", 1)[1])
    latencies: list[float] = []
    counts = {"created": 0, "out_of_stock": 0, "other_4xx": 0, "server_errors": 0, "socket_errors": 0}
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def buyer(n: int) -> None:
        variant_id = variant_ids[n % len(variant_ids)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, seen, sent = [], dict.fromkeys(counts, 0), 0
        while time.perf_counter() < stop_at:
            sent += 1
            key = f"bench-{run}-{n}-{sent}"
            body = json.dumps({"email": f"{key}@bench.test", "items": [{"variant_id": variant_id, "quantity": 1}],
                               "shipping_address": ADDRESS})
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/orders", body,
                                   {"Content-Type": "application/json", "Idempotency-Key": key})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                seen["socket_errors"] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - started) * 1000)
            status = response.status
            seen["created" if status == 201 else "out_of_stock" if status == 409
                 else "server_errors" if status >= 500 else "other_4xx"] += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            for name, value in seen.items():
                counts[name] += value

    started = time.perf_counter()
    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0.0

    return {**counts, "requests": len(latencies), "seconds": time.perf_counter() - started,
            "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "max": latencies[-1] if latencies else 0.0}


# --- main -------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a new directory under /tmp")
    parser.add_argument("--reset", action="store_true", help="wipe a non-empty --database-url first")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--buyers", type=int, default=50, help="concurrent buyers (default 50)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario (default 20)")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk is installed")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="canting-checkout-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'checkout.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]

    from marketplace import create_app

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "HUEY_IMMEDIATE": True,
                                     "MAIL_BACKEND": "locmem"})
    reset_database(app, url, args.reset)
    spread, hot = seed(app)
    with app.app_context():
        from marketplace.extensions import db
        db.engine.dispose()

    tool = "wrk" if shutil.which("wrk") and not args.python_load else "python"
    load = run_wrk if tool == "wrk" else run_python_load
    port = free_port()
    process = start_gunicorn(url, port, args.workers, args.threads, workdir)
    base = f"http://127.0.0.1:{port}"
    database = sa.engine.make_url(url).get_backend_name()
    print(f"Checkout benchmark: {database}, gunicorn --workers {args.workers} --threads {args.threads}, "
          f"{tool}, {args.buyers} buyers, {args.duration} s per scenario, {os.cpu_count()} CPUs")
    print(f"Files (server log, job queue{', database' if database == 'sqlite' else ''}): {workdir}")
    try:
        load(base, spread, args.buyers, 3, f"warmup{int(time.time())}")  # every worker imports and connects
        print(f"\n{'scenario':<34}{'checkouts/s':>12}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
              f"{'201':>7}{'409':>6}{'4xx':>5}{'5xx':>5}{'sock':>6}")
        for label, variant_ids in ((f"(a) {len(spread)} different variants", spread), ("(b) one hot variant", [hot])):
            result = load(base, variant_ids, args.buyers, args.duration, f"{label[1]}{int(time.time())}")
            print(f"{label:<34}{result['created'] / result['seconds']:>12.1f}{result['p50']:>9.1f}"
                  f"{result['p95']:>9.1f}{result['p99']:>9.1f}{result['created']:>7}{result['out_of_stock']:>6}"
                  f"{result['other_4xx']:>5}{result['server_errors']:>5}{result['socket_errors']:>6}")
    finally:
        stop(process)
    orders, sold, consistent = check_stock(app, [*spread, hot])
    print(f"\nAfter the runs (warm-up included): {orders} orders, {sold} units sold; "
          f"stock taken {'equals' if consistent else 'DIFFERS FROM'} units in orders.")
    errors = (workdir / "gunicorn.log").read_text().count("Traceback")
    if errors:
        print(f"{errors} tracebacks in {workdir / 'gunicorn.log'}")


if __name__ == "__main__":
    main()
