"""Demo data: the four training programs of the founding reports, with the people around them.

`flask seed-demo` is idempotent: rows are found by their natural key (slug,
email) and created only when missing, so running it twice changes nothing.
"""
from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from marketplace.accounts.models import User
from marketplace.catalog.models import Shop
from marketplace.core.times import utcnow
from marketplace.core.transaction import atomic
from marketplace.demo_buyers import Buyer
from marketplace.demo_sales import seed_sales_history
from marketplace.reports.facts import refresh_sale_facts
from marketplace.extensions import db
from marketplace.orders.address import clean_address
from marketplace.programs.models import Graduation, Organization, TrainingProgram

DEMO_PASSWORD = "canting-demo-2026"

ORGANIZATIONS = [
    {
        "slug": "disperin-sumsel",
        "name": "Dinas Perindustrian Provinsi Sumatera Selatan",
        "kind": "government_office",
        "province": "Sumatera Selatan",
    },
    {
        "slug": "dekranasda-banyuasin",
        "name": "Dekranasda Kabupaten Banyuasin",
        "kind": "craft_council",
        "province": "Sumatera Selatan",
    },
    {
        "slug": "bi-kaltim",
        "name": "Kantor Perwakilan Bank Indonesia Provinsi Kalimantan Timur",
        "kind": "bank",
        "province": "Kalimantan Timur",
    },
    {
        "slug": "kemenperin-ikma",
        "name": "Direktorat Jenderal Industri Kecil, Menengah, dan Aneka (IKMA), Kementerian Perindustrian",
        "kind": "ministry",
        "province": "DKI Jakarta",
    },
]

PROGRAMS = [
    {
        "slug": "bimtek-diversifikasi-sandang-muara-enim-2021",
        "organization": "disperin-sumsel",
        "title": "Bimbingan Teknis Diversifikasi Sandang bagi IKM Batik Muara Enim",
        "kind": "bimtek",
        "partners": [
            "Dinas Perdagangan dan Perindustrian Kabupaten Muara Enim",
            "TP PKK Kabupaten Muara Enim",
            "Bank Sumsel Babel (BSB) Cabang Muara Enim",
            "PT Pamapersada Nusantara (PAMA)",
        ],
        "techniques": ["cap"],
        "description": (
            "Bimtek untuk 15 pelaku IKM batik muda agar tidak hanya membatik kain, tetapi juga "
            "mengembangkan produk turunan sandang. Peserta dan Rumah Batik Serasan menerima 20 cap "
            "batik tembaga bermotif kopi, meraje, durian, tengkiang dan lainnya."
        ),
        "venue": "Rumah Batik Serasan (RBS)",
        "city": "Kabupaten Muara Enim",
        "province": "Sumatera Selatan",
        "start_date": date(2021, 6, 3),
        "end_date": date(2021, 6, 3),
        "participant_count": 15,
        "impact_page_public": True,
        "held_in_correctional_facility": False,
    },
    {
        "slug": "pelatihan-batik-banyuasin-kolaborasi-jumputan-2024",
        "organization": "dekranasda-banyuasin",
        "title": "Pelatihan Pembuatan Batik Banyuasin Kolaborasi Jumputan",
        "kind": "workshop",
        "partners": [
            "Dinas Koperasi, UKM, Perindustrian dan Perdagangan (Koperindag) Kabupaten Banyuasin",
        ],
        "techniques": ["jumputan"],
        "description": (
            "Pelatihan bagi pengrajin Banyuasin untuk memadukan batik khas Banyuasin dengan teknik "
            "jumputan: motif ramah lingkungan yang berciri kearifan lokal, dengan pendampingan izin "
            "usaha, permodalan (KUR) dan pemasaran dari Dinas Koperindag."
        ),
        "venue": "Galeri Wong Kito, Jl. Srijaya Negara Lorong Setiawan, Bukit Lama, Ilir Barat II",
        "city": "Kota Palembang",
        "province": "Sumatera Selatan",
        "start_date": date(2024, 2, 27),
        "end_date": date(2024, 2, 27),
        "participant_count": None,  # the reports do not give a number
        "held_in_correctional_facility": False,
    },
    {
        "slug": "coaching-pengembangan-motif-batik-kaltim-2022",
        "organization": "bi-kaltim",
        "title": "Coaching Program Pengembangan Motif Batik Kaltim",
        "kind": "coaching_clinic",
        "partners": ["Pemerintah Provinsi Kalimantan Timur (Diskominfo Kaltim)"],
        "techniques": [],
        "description": (
            "Coaching clinic dalam rangka Pemulihan Ekonomi Nasional untuk 14 UMKM batik: "
            "pengembangan motif batik Kaltim yang bermutu, digali dari sejarah, budaya, flora dan "
            "fauna Kalimantan Timur, untuk pasar lokal, nasional dan global."
        ),
        "venue": "Kantor Perwakilan Bank Indonesia Kalimantan Timur, Jalan Gajah Mada",
        "city": "Kota Samarinda",
        "province": "Kalimantan Timur",
        "start_date": date(2022, 9, 27),
        "end_date": date(2022, 9, 27),
        "participant_count": 14,
        "held_in_correctional_facility": False,
    },
    {
        "slug": "wub-ikm-batik-cipinang-2024",
        "organization": "kemenperin-ikma",
        "title": "Penumbuhan dan Pengembangan Wirausaha Baru IKM Batik",
        "kind": "new_entrepreneur",
        "partners": [
            "Direktorat Jenderal Pemasyarakatan, Kementerian Hukum dan HAM",
            "Yayasan Batik Indonesia (YBI)",
        ],
        "techniques": ["tulis", "cap"],
        "description": (
            "Bimbingan teknis proses produksi batik tulis dan batik cap untuk 25 peserta yang "
            "bersiap memulai usaha sendiri: kain batik serta produk turunan seperti pakaian jadi, "
            "aksesori dan dekorasi rumah."
        ),
        "venue": "Lembaga Pemasyarakatan Kelas I Cipinang",
        "city": "Kota Jakarta Timur",
        "province": "DKI Jakarta",
        "start_date": date(2024, 9, 3),
        "end_date": date(2024, 9, 7),
        "participant_count": 25,
        "held_in_correctional_facility": True,
    },
]

PEOPLE = [
    {"email": "admin@canting.test", "name": "Admin Canting", "roles": ["admin"]},
    {"email": "officer.sumsel@canting.test", "name": "Dessy Hershanty", "roles": ["officer"],
     "organization": "disperin-sumsel"},
    {"email": "officer.banyuasin@canting.test", "name": "Petugas Dekranasda Banyuasin",
     "roles": ["officer"], "organization": "dekranasda-banyuasin"},
    {"email": "officer.kaltim@canting.test", "name": "Petugas BI Kaltim", "roles": ["officer"],
     "organization": "bi-kaltim"},
    {"email": "officer.ikma@canting.test", "name": "Petugas Ditjen IKMA", "roles": ["officer"],
     "organization": "kemenperin-ikma"},
    {"email": "sari@canting.test", "name": "Sari Wulandari", "roles": ["buyer", "artisan"]},
    {"email": "rahmat@canting.test", "name": "Rahmat Hidayat", "roles": ["buyer", "artisan"]},
    {"email": "nurul@canting.test", "name": "Nurul Aini", "roles": ["buyer", "artisan"]},
    {"email": "budi@canting.test", "name": "Budi Santoso", "roles": ["buyer", "artisan"]},
    {"email": "agus@canting.test", "name": "Agus Pratama", "roles": ["buyer", "artisan"]},
    # More graduates, so that each program's funnel narrows: one opened a shop that lists nothing
    # yet, one lists and has not sold, two have no shop (demo_sales.py gives the others sales).
    {"email": "dian@canting.test", "name": "Dian Puspitasari", "roles": ["buyer", "artisan"]},
    {"email": "yanti@canting.test", "name": "Yanti Marlina", "roles": ["buyer", "artisan"]},
    {"email": "hendra@canting.test", "name": "Hendra Gunawan", "roles": ["buyer", "artisan"]},
    {"email": "siti@canting.test", "name": "Siti Rohani", "roles": ["buyer", "artisan"]},
    {"email": "rini@canting.test", "name": "Rini Handayani", "roles": ["buyer", "artisan"]},
    {"email": "fajar@canting.test", "name": "Fajar Ramadhan", "roles": ["buyer", "artisan"]},
    {"email": "ayu@canting.test", "name": "Ayu Kartika", "roles": ["buyer", "artisan"]},
    {"email": "andi@canting.test", "name": "Andi Saputra", "roles": ["buyer", "artisan"]},
    # Two more from Muara Enim who show the program on their shop: with them, five of its
    # graduates who opted in have sold, the least its public impact page shows figures for.
    {"email": "wulan@canting.test", "name": "Wulan Permata", "roles": ["buyer", "artisan"]},
    {"email": "rudi@canting.test", "name": "Rudi Hartono", "roles": ["buyer", "artisan"]},
    {"email": "buyer@canting.test", "name": "Maya Lestari", "roles": ["buyer"]},
    {"email": "emma@canting.test", "name": "Emma de Vries", "roles": ["buyer"], "locale": "en"},
]


# (artisan email, program slug, status, public, certificate number, graduated on)
GRADUATIONS = [
    ("sari@canting.test", "wub-ikm-batik-cipinang-2024", "verified", True, "WUB-CPG-2024-007", date(2024, 9, 7)),
    ("rahmat@canting.test", "wub-ikm-batik-cipinang-2024", "verified", False, "WUB-CPG-2024-012", date(2024, 9, 7)),
    ("nurul@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "verified", True, "DS-ME-2021-04", date(2021, 6, 3)),
    ("agus@canting.test", "coaching-pengembangan-motif-batik-kaltim-2022", "verified", True, "BI-KT-2022-09", date(2022, 9, 27)),
    ("budi@canting.test", "pelatihan-batik-banyuasin-kolaborasi-jumputan-2024", "claimed", True, "DKR-BA-2024-031", date(2024, 2, 27)),
    ("agus@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "claimed", True, "DS-ME-2021-11", date(2021, 6, 3)),
    ("dian@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "verified", True, "DS-ME-2021-02", date(2021, 6, 3)),
    ("yanti@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "verified", True, "DS-ME-2021-08", date(2021, 6, 3)),
    ("hendra@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "verified", True, "DS-ME-2021-13", date(2021, 6, 3)),
    ("siti@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "verified", False, "DS-ME-2021-14", date(2021, 6, 3)),
    ("rini@canting.test", "coaching-pengembangan-motif-batik-kaltim-2022", "verified", True, "BI-KT-2022-03", date(2022, 9, 27)),
    ("fajar@canting.test", "coaching-pengembangan-motif-batik-kaltim-2022", "verified", True, "BI-KT-2022-11", date(2022, 9, 27)),
    ("ayu@canting.test", "pelatihan-batik-banyuasin-kolaborasi-jumputan-2024", "verified", True, "DKR-BA-2024-017", date(2024, 2, 27)),
    ("andi@canting.test", "pelatihan-batik-banyuasin-kolaborasi-jumputan-2024", "verified", False, "DKR-BA-2024-022", date(2024, 2, 27)),
    ("wulan@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "verified", True, "DS-ME-2021-06", date(2021, 6, 3)),
    ("rudi@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "verified", True, "DS-ME-2021-10", date(2021, 6, 3)),
]

SHOPS = [
    {"owner": "sari@canting.test", "slug": "batik-sari", "name": "Batik Sari",
     "city": "Kota Jakarta Timur", "province": "DKI Jakarta", "shipping_origin": "Jakarta Timur",
     "story": "Saya belajar batik tulis dan cap pada 2024. Kini saya membatik motif flora Betawi "
              "dengan pewarna alam di rumah."},
    {"owner": "rahmat@canting.test", "slug": "rahmat-batik-tulis", "name": "Rahmat Batik Tulis",
     "city": "Kota Bekasi", "province": "Jawa Barat", "shipping_origin": "Bekasi",
     "story": "Batik tulis halus, dikerjakan satu per satu."},
    {"owner": "nurul@canting.test", "slug": "serasan-batik-nurul", "name": "Serasan Batik Nurul",
     "city": "Kabupaten Muara Enim", "province": "Sumatera Selatan", "shipping_origin": "Muara Enim",
     "story": "Batik cap motif kopi dan durian khas Muara Enim, juga kemeja dan tas dari kain sendiri."},
    {"owner": "budi@canting.test", "slug": "jumputan-banyuasin-budi", "name": "Jumputan Banyuasin Budi",
     "city": "Kabupaten Banyuasin", "province": "Sumatera Selatan", "shipping_origin": "Pangkalan Balai",
     "story": "Kain jumputan berwarna cerah dari Banyuasin."},
    {"owner": "agus@canting.test", "slug": "batik-kaltim-agus", "name": "Batik Kaltim Agus",
     "city": "Kota Samarinda", "province": "Kalimantan Timur", "shipping_origin": "Samarinda",
     "story": "Motif batik Kaltim yang digali dari flora dan fauna Kalimantan Timur."},
    {"owner": "dian@canting.test", "slug": "batik-bunga-kopi-dian", "name": "Batik Bunga Kopi Dian",
     "city": "Kabupaten Muara Enim", "province": "Sumatera Selatan", "shipping_origin": "Tanjung Enim",
     "story": "Batik cap bermotif bunga kopi dari kebun keluarga di Semendo."},
    {"owner": "yanti@canting.test", "slug": "rumah-batik-yanti", "name": "Rumah Batik Yanti",
     "city": "Kota Prabumulih", "province": "Sumatera Selatan", "shipping_origin": "Prabumulih",
     "story": "Kain dan selendang batik cap motif nanas, buah khas Prabumulih."},
    {"owner": "hendra@canting.test", "slug": "hendra-batik-enim", "name": "Hendra Batik Enim",
     "city": "Kabupaten Muara Enim", "province": "Sumatera Selatan", "shipping_origin": "Muara Enim",
     "story": "Toko baru: produk pertama sedang difoto."},
    {"owner": "rini@canting.test", "slug": "sanggar-batik-rini", "name": "Sanggar Batik Rini",
     "city": "Kota Balikpapan", "province": "Kalimantan Timur", "shipping_origin": "Balikpapan",
     "story": "Batik tulis pewarna alam dengan motif daun dan bunga hutan Kalimantan."},
    {"owner": "fajar@canting.test", "slug": "batik-fajar-bontang", "name": "Batik Fajar Bontang",
     "city": "Kota Bontang", "province": "Kalimantan Timur", "shipping_origin": "Bontang",
     "story": "Batik cap motif mandau dan perisai Dayak."},
    {"owner": "ayu@canting.test", "slug": "jumputan-ayu", "name": "Jumputan Ayu",
     "city": "Kabupaten Banyuasin", "province": "Sumatera Selatan", "shipping_origin": "Pangkalan Balai",
     "story": "Jumputan warna pelangi, diikat dan dicelup satu per satu."},
    {"owner": "wulan@canting.test", "slug": "batik-tengkiang-wulan", "name": "Batik Tengkiang Wulan",
     "city": "Kabupaten Muara Enim", "province": "Sumatera Selatan", "shipping_origin": "Muara Enim",
     "story": "Kain dan kemeja batik cap bermotif tengkiang, dari cap tembaga hasil bimtek."},
    {"owner": "rudi@canting.test", "slug": "batik-meraje-rudi", "name": "Batik Meraje Rudi",
     "city": "Kabupaten Lahat", "province": "Sumatera Selatan", "shipping_origin": "Lahat",
     "story": "Batik cap motif meraje dan durian, dijahit jadi tas dan taplak."},
]


# Per shop: (motif, technique, dye) it is known for; products are drawn from these.
SHOP_STYLES = {
    "batik-tengkiang-wulan": [("Tengkiang", "cap", "synthetic"), ("Kopi", "cap", "natural")],
    "batik-meraje-rudi": [("Meraje", "cap", "synthetic"), ("Durian", "cap", "synthetic")],
    "batik-sari": [("Flora Betawi", "tulis", "natural"), ("Ondel-ondel", "cap", "synthetic"),
                   ("Kawung", "tulis", "natural")],
    "rahmat-batik-tulis": [("Parang", "tulis", "natural"), ("Truntum", "tulis", "natural"),
                           ("Sekar Jagad", "kombinasi", "synthetic")],
    "serasan-batik-nurul": [("Kopi", "cap", "synthetic"), ("Durian", "cap", "synthetic"),
                            ("Tengkiang", "cap", "natural"), ("Meraje", "cap", "synthetic")],
    "jumputan-banyuasin-budi": [("Jumputan", "jumputan", "synthetic"), ("Pedade", "jumputan", "natural")],
    "batik-kaltim-agus": [("Burung Enggang", "tulis", "natural"), ("Mega Mendung", "printing", "synthetic"),
                          ("Pakis", "cap", "synthetic")],
    "batik-bunga-kopi-dian": [("Bunga Kopi", "cap", "synthetic")],
    "rumah-batik-yanti": [("Nanas", "cap", "synthetic")],
    "hendra-batik-enim": [("Bukit Serelo", "cap", "synthetic")],
    "sanggar-batik-rini": [("Shorea", "tulis", "natural")],
    "batik-fajar-bontang": [("Mandau", "cap", "synthetic")],
    "jumputan-ayu": [("Jumputan Pelangi", "jumputan", "synthetic")],
}
# A shop opened whose products are still drafts: a graduate with a shop and no active listing.
SHOPS_WITHOUT_LISTINGS = {"hendra-batik-enim"}
PRODUCT_KINDS = [
    # (category, title pattern, price, weight_g, variants, length x width)
    ("cloth", "Kain Batik {technique_name} Motif {motif}", 450_000, 350, [("2 x 1,15 m", 3)], (200, 115)),
    ("clothing", "Kemeja Batik {motif}", 285_000, 250, [("S", 2), ("M", 4), ("L", 3), ("XL", 1)], None),
    ("accessory", "Syal Batik {motif}", 125_000, 90, [("Satu ukuran", 6)], (180, 45)),
    ("home_decor", "Sarung Bantal Batik {motif}", 95_000, 150, [("40 x 40 cm", 8)], (40, 40)),
]
TECHNIQUE_NAMES = {"tulis": "Tulis", "cap": "Cap", "kombinasi": "Kombinasi", "jumputan": "Jumputan",
                   "printing": "Printing"}


@functools.lru_cache(maxsize=None)
def _demo_picture(motif: str) -> bytes:
    """One drawing per motif (drawing takes ~0.3 s; 60 would slow every first run)."""
    from marketplace.catalog.demo_images import draw_batik

    return draw_batik(seed=sum(map(ord, motif)), motif=motif, size=(800, 600))


def _seed_products(people: dict, created: dict) -> None:
    """At least 60 products with drawn pictures, listed through the same services sellers use."""
    from marketplace.catalog import images as product_images
    from marketplace.catalog import services as catalog_services
    from marketplace.catalog.models import Product

    for shop in db.session.scalars(sa.select(Shop).order_by(Shop.id)).all():
        styles = SHOP_STYLES.get(shop.slug, [])
        n = 0
        for motif, technique, dye in styles:
            for category, pattern, price, weight, variants, size in PRODUCT_KINDS:
                n += 1
                title = pattern.format(motif=motif, technique_name=TECHNIQUE_NAMES[technique])
                if technique == "printing":  # imitation batik is never called batik
                    title = " ".join(title.replace("Batik Printing", "Batik").replace("Batik", "Tekstil Printing").split())
                if db.session.scalar(sa.select(Product.id).filter_by(shop_id=shop.id, title=title)):
                    continue
                product = catalog_services.create_product(
                    shop.owner, title=title, category=category, technique=technique, motif=motif, dye=dye,
                    description=(f"{title} dari {shop.name}, {shop.city}. Dibuat dengan tangan; "
                                 f"motif {motif} dengan teknik {TECHNIQUE_NAMES[technique].lower()}."),
                    material="Katun primissima" if category != "accessory" else "Sutra ATBM",
                    weight_g=weight, price=price + 5_000 * (n % 7),
                    length_cm=size[0] if size else None, width_cm=size[1] if size else None,
                    status="draft" if shop.slug in SHOPS_WITHOUT_LISTINGS else "active",
                    variants=[{"name": v, "stock": s} for v, s in variants],
                )
                if shop.slug not in SHOPS_WITHOUT_LISTINGS:  # its first products are still being photographed
                    product_images.add_product_image(shop.owner, product.id, io.BytesIO(_demo_picture(motif)))
                created["products"] += 1


# --- orders -----------------------------------------------------------------------------------

# Rahmat takes orders for this cloth instead of keeping it in stock: three at a time, 21 days each.
MADE_TO_ORDER = {"shop": "rahmat-batik-tulis", "title": "Kain Batik Tulis Motif Parang",
                 "lead_time_days": 21, "cap": 3}

# What the demo sellers charge: a base fee and a fee per started kilogram, in rupiah, per zone.
SHIPPING_RATES = {"same_city": (8_000, 4_000), "same_province": (12_000, 6_000),
                  "same_island_group": (18_000, 10_000), "domestic": (27_000, 17_000)}
SHIPPING_RATES_BY_SHOP = {"batik-kaltim-agus": {"domestic": (36_000, 24_000)}}  # Kalimantan: by sea
SHIPS_ABROAD = {"batik-sari": (150_000, 220_000), "rahmat-batik-tulis": (165_000, 230_000),
                "sanggar-batik-rini": (180_000, 240_000)}

ADDRESSES = {
    "maya": {"recipient_name": "Maya Lestari", "phone": "0812 1876 4403", "street": "Jl. Kemang Raya No. 12",
             "city": "Kota Jakarta Selatan", "province": "DKI Jakarta", "postal_code": "12730", "country": "ID"},
    "nurul": {"recipient_name": "Nurul Aini", "phone": "0813 6770 2145", "street": "Jl. Jenderal Sudirman No. 45",
              "city": "Kabupaten Muara Enim", "province": "Sumatera Selatan", "postal_code": "31311",
              "country": "ID"},
    "rahmat": {"recipient_name": "Rahmat Hidayat", "phone": "0857 1122 9087", "street": "Jl. Ahmad Yani No. 5",
               "city": "Kota Bekasi", "province": "Jawa Barat", "postal_code": "17141", "country": "ID"},
    "emma": {"recipient_name": "Emma de Vries", "phone": "+31 6 4123 8876", "street": "Breestraat 117",
             "city": "Leiden", "province": "", "postal_code": "2311 CL", "country": "NL"},
    "dewi": {"recipient_name": "Dewi Anggraini", "phone": "0821 6543 2100", "street": "Jl. Gatot Subroto No. 88",
             "city": "Kota Medan", "province": "Sumatera Utara", "postal_code": "20112", "country": "ID"},
    "rina": {"recipient_name": "Rina Kusuma", "phone": "0838 2210 4471", "street": "Jl. Braga No. 21",
             "city": "Kota Bandung", "province": "Jawa Barat", "postal_code": "40111", "country": "ID"},
}


def _ago(days: int = 0, hours: int = 0, minutes: int = 0) -> timedelta:
    return timedelta(days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True)
class DemoOrder:
    """A checkout and what happened to it since. Steps are (action, how long ago, shop slug,
    detail): transfer (the buyer chooses bank transfer), pay (the admin confirms the transfer),
    process, ship (detail: courier and tracking number), deliver, cancel (detail: the seller's
    reason), expire."""
    key: str  # its Idempotency-Key: a second seed finds the order instead of placing another
    buyer: str | None  # a demo account's email, or None for a guest
    address: str
    lines: tuple  # (shop slug, product title, variant name or None, quantity)
    placed: timedelta
    steps: tuple = ()
    guest_email: str | None = None


# Payments come within the 30-minute window, and parcels leave within the shop's handling days.
DEMO_ORDERS = [
    DemoOrder("demo-order-completed", "buyer@canting.test", "maya",
              (("rahmat-batik-tulis", "Kain Batik Tulis Motif Truntum", None, 1),), _ago(21, 5),
              (("pay", _ago(21, 4, 40)), ("process", _ago(20, 22), "rahmat-batik-tulis"),
               ("ship", _ago(19, 23), "rahmat-batik-tulis", ("sicepat", "004271836652")),
               ("deliver", _ago(16, 3), "rahmat-batik-tulis"))),
    DemoOrder("demo-order-cancelled-by-seller", "rahmat@canting.test", "rahmat",
              (("batik-kaltim-agus", "Kain Batik Tulis Motif Burung Enggang", None, 1),), _ago(9, 4),
              (("pay", _ago(9, 3, 45)),
               ("cancel", _ago(8, 2), "batik-kaltim-agus",
                "Kain yang tersisa ternyata cacat warna di bagian tepi. Kami tidak mengirim kain yang kurang baik; "
                "kain baru siap bulan depan."))),
    DemoOrder("demo-order-made-to-order", "emma@canting.test", "emma",
              (("rahmat-batik-tulis", MADE_TO_ORDER["title"], None, 1),), _ago(5, 7),
              (("pay", _ago(5, 6, 35)), ("process", _ago(4, 20), "rahmat-batik-tulis"))),
    DemoOrder("demo-order-two-parcels", "nurul@canting.test", "nurul",
              (("batik-sari", "Syal Batik Flora Betawi", None, 1),
               ("jumputan-banyuasin-budi", "Syal Batik Pedade", None, 1)), _ago(1, 9),
              (("pay", _ago(1, 8, 40)), ("process", _ago(1, 2), "batik-sari"),
               ("ship", _ago(0, 20), "batik-sari", ("jne", "0113172400089521")),
               ("process", _ago(0, 6), "jumputan-banyuasin-budi"))),
    DemoOrder("demo-order-guest-paid", None, "dewi",
              (("batik-sari", "Kain Batik Tulis Motif Flora Betawi", None, 1),
               ("batik-sari", "Sarung Bantal Batik Kawung", None, 2)), _ago(0, 20),
              (("pay", _ago(0, 19, 35)),), guest_email="dewi.anggraini@example.com"),
    DemoOrder("demo-order-expired", None, "rina",
              (("jumputan-banyuasin-budi", "Sarung Bantal Batik Jumputan", None, 2),), _ago(3, 2),
              (("expire", _ago(3, 1)),), guest_email="rina.kusuma@example.com"),
    DemoOrder("demo-order-pending", "buyer@canting.test", "maya",
              (("serasan-batik-nurul", "Kemeja Batik Kopi", "M", 1),
               ("batik-kaltim-agus", "Syal Batik Burung Enggang", None, 1)), _ago(0, 1),
              (("transfer", _ago(0, 0, 50)),)),
]
# Where the demo shops are paid out (one shop has not said yet, so its page asks for it).
DEMO_PAYOUT_ACCOUNTS = {
    "batik-sari": ("014", "0281 7733 19", "Sari Wulandari"),
    "rahmat-batik-tulis": ("451", "7140 2286 51", "Rahmat Hidayat"),
    "serasan-batik-nurul": ("009", "1490 0277 66", "Nurul Aini"),
    "jumputan-banyuasin-budi": ("002", "0338 0100 4471 508", "Budi Santoso"),
}
# The unpaid demo order waits for a bank transfer, which the payments issue gives 24 hours, so it
# is still there to look at after the default 30-minute window.
PENDING_PAYMENT_WINDOW = timedelta(hours=24)


def _demo_variant(shop_slug: str, title: str, name: str | None = None):
    from marketplace.catalog.models import Product, Variant

    query = (sa.select(Variant).join(Product, Product.id == Variant.product_id).join(Shop, Shop.id == Product.shop_id)
             .where(Shop.slug == shop_slug, Product.title == title, Variant.archived_at.is_(None)))
    if name is not None:
        query = query.where(Variant.name == name)
    return db.session.scalars(query.order_by(Variant.position)).first()


def _seed_sales_terms() -> None:
    """Shipping rates for every demo shop (through the sellers' own service, once: a rate a
    seller has changed since is kept), and the made-to-order cloth."""
    from marketplace.orders import shipping
    from marketplace.orders.models import ShippingRate

    for shop in db.session.scalars(sa.select(Shop).where(Shop.slug.in_([s["slug"] for s in SHOPS]))).all():
        if db.session.scalar(sa.select(ShippingRate.id).filter_by(shop_id=shop.id).limit(1)) is not None:
            continue
        rates = {zone: {"base_fee": base, "per_kg_fee": per_kg}
                 for zone, (base, per_kg) in (SHIPPING_RATES | SHIPPING_RATES_BY_SHOP.get(shop.slug, {})).items()}
        abroad = SHIPS_ABROAD.get(shop.slug)
        rates["international"] = ({"base_fee": abroad[0], "per_kg_fee": abroad[1]} if abroad
                                  else {"base_fee": 0, "per_kg_fee": 0, "offered": False})
        shipping.set_shipping_rates(shop.owner, rates)
    variant = _demo_variant(MADE_TO_ORDER["shop"], MADE_TO_ORDER["title"])
    if variant is not None and not variant.made_to_order:
        with atomic():
            variant.made_to_order, variant.stock = True, 0
            variant.lead_time_days, variant.made_to_order_cap = MADE_TO_ORDER["lead_time_days"], MADE_TO_ORDER["cap"]


def _demo_items(lines) -> list[dict] | None:
    items = []
    for shop_slug, title, name, quantity in lines:
        variant = _demo_variant(shop_slug, title, name)
        if variant is None:  # its seller has archived it since an earlier seed
            return None
        items.append({"variant_id": variant.id, "quantity": quantity})
    return items


def _seed_orders(people: dict) -> int:
    """The DEMO_ORDERS, placed and moved on through the orders services as buyers, sellers and
    the admin would, then dated back to when each step happened. Returns how many were placed."""
    from marketplace.core.errors import OutOfStock
    from marketplace.orders import services as orders

    placed_count = 0
    for spec in DEMO_ORDERS:
        buyer = people[spec.buyer] if spec.buyer else None
        items = _demo_items(spec.lines)
        if items is None:
            continue
        try:
            placed = orders.place_order(buyer, items=items, shipping_address=ADDRESSES[spec.address],
                                        email=spec.guest_email, idempotency_key=spec.key,
                                        locale=buyer.locale if buyer else "id")
        except OutOfStock:  # sold out by real checkouts on this database since: nothing was held
            continue
        if placed.created:  # an order found again has lived on since (paid, expired): leave it be
            _play(spec, placed.order, admin=people["admin@canting.test"])
            placed_count += 1
    return placed_count


def _play(spec: DemoOrder, order, *, admin) -> None:
    """Run SPEC's steps on ORDER through the services, then date every step back."""
    from marketplace.orders import services as orders
    from marketplace.payments import services as payments
    from marketplace.payments.models import LedgerEntry

    now = utcnow()
    placed_at = now - spec.placed
    times = []  # (when, the (row, column) that step set), in the order they happened
    by_shop = {shop_order.shop.slug: shop_order for shop_order in order.shop_orders}
    for action, ago, *rest in spec.steps:
        when = now - ago
        shop_order = by_shop[rest[0]] if rest else None
        last_entry = db.session.scalar(sa.select(sa.func.max(LedgerEntry.id))) or 0
        if action == "transfer":
            payment = payments.start_bank_transfer(order)
            times.append((when, [(payment, "created_at")]))
        elif action == "pay":
            payment = payments.confirm_bank_transfer(admin, order.id, bank_reference="DEMO")
            times.append((when, [(order, "paid_at"), (payment, "created_at"), (payment, "succeeded_at")]))
        elif action == "process":
            orders.mark_processing(shop_order.shop.owner, shop_order.id)
        elif action == "ship":
            courier, tracking = rest[1]
            orders.ship_shop_order(shop_order.shop.owner, shop_order.id, courier=courier, tracking_number=tracking)
            times.append((when, [(shop_order, "shipped_at")]))
        elif action == "deliver":
            orders.confirm_delivery(order, shop_order.id)
            times.append((when, [(shop_order, "delivered_at"), (order, "completed_at")]))
        elif action == "cancel":
            orders.seller_cancel(shop_order.shop.owner, shop_order.id, reason=rest[1])
            times.append((when, [(shop_order, "cancelled_at"), (order, "cancelled_at")]))
        elif action == "expire":
            with atomic():
                order.payment_due_at = placed_at + orders.payment_window()
            orders.expire_unpaid_orders(variant_ids=[item.variant_id for so in order.shop_orders for item in so.items])
            times.append((when, [(order, "cancelled_at")] + [(so, "cancelled_at") for so in order.shop_orders]))
        times.append((when, [(so, "updated_at") for so in ([shop_order] if shop_order else order.shop_orders)]))
        # The sellers' ledger moved with this step (a sale, a refund): it happened then too.
        times.append((when, [(entry, "created_at") for entry in db.session.scalars(
            sa.select(LedgerEntry).where(LedgerEntry.id > last_entry))]))
    with atomic():
        order.created_at = placed_at
        window = PENDING_PAYMENT_WINDOW if order.status == "pending_payment" else orders.payment_window()
        order.payment_due_at = placed_at + window
        for shop_order in order.shop_orders:
            shop_order.created_at = shop_order.updated_at = placed_at
        for when, fields in times:
            for row, column in fields:
                if getattr(row, column) is not None:
                    setattr(row, column, when)
        # The ship-by date counts from the payment, or from the checkout until there is one.
        counted_from = (order.paid_at or placed_at).astimezone(orders.SHOP_TIMEZONE).date()
        for shop_order in order.shop_orders:
            shop_order.ship_by = counted_from + timedelta(days=shop_order.lead_days)


def _get_or_create(model, key: dict, values: dict):
    row = db.session.scalar(sa.select(model).filter_by(**key))
    if row is None:
        row = model(**key, **values)
        db.session.add(row)
        db.session.flush()
        return row, True
    return row, False


def seed_demo() -> dict[str, int]:
    """Create whatever demo rows are missing; returns how many of each kind were created."""
    created = {"organizations": 0, "programs": 0, "users": 0, "shops": 0, "graduations": 0, "products": 0}
    with atomic():
        organizations = {}
        for spec in ORGANIZATIONS:
            values = {k: v for k, v in spec.items() if k != "slug"}
            organizations[spec["slug"]], new = _get_or_create(Organization, {"slug": spec["slug"]}, values)
            created["organizations"] += new
        for spec in PROGRAMS:
            values = {k: v for k, v in spec.items() if k not in {"slug", "organization"}}
            values["organization"] = organizations[spec["organization"]]
            _, new = _get_or_create(TrainingProgram, {"slug": spec["slug"]}, values)
            created["programs"] += new
        password_hash = None  # one hash for all: scrypt takes a quarter second each
        for spec in PEOPLE:
            user = db.session.scalar(User.by_email(spec["email"]))
            if user is None:
                user = User(email=spec["email"], name=spec["name"], locale=spec.get("locale", "id"))
                password_hash = password_hash or User.hash_password(DEMO_PASSWORD)
                user.password_hash = password_hash
                for role in spec["roles"]:
                    user.add_role(role)
                if "organization" in spec:
                    user.organization = organizations[spec["organization"]]
                db.session.add(user)
                created["users"] += 1
        db.session.flush()
        people = {spec["email"]: db.session.scalar(User.by_email(spec["email"])) for spec in PEOPLE}
        programs = {spec["slug"]: db.session.scalar(TrainingProgram.by_slug(spec["slug"])) for spec in PROGRAMS}
        for spec in SHOPS:
            values = {k: v for k, v in spec.items() if k not in {"slug", "owner"}}
            values["owner"] = people[spec["owner"]]
            _, new = _get_or_create(Shop, {"slug": spec["slug"]}, values)
            created["shops"] += new
        officers = {spec["organization"]: people[spec["email"]] for spec in PEOPLE if "organization" in spec}
        for email, slug, status, public, number, graduated_on in GRADUATIONS:
            program = programs[slug]
            values = {"status": status, "public": public, "certificate_number": number,
                      "graduated_on": graduated_on, "source": "claim"}
            if status == "verified":
                values["decided_by"] = officers[program.organization.slug]
                values["decided_at"] = utcnow()
            _, new = _get_or_create(Graduation, {"artisan": people[email], "program": program}, values)
            created["graduations"] += new
    _seed_products(people, created)
    _seed_sales_terms()
    created["payout_accounts"] = _seed_payout_accounts()
    # The history comes before the recent DEMO_ORDERS, so that ids follow time.
    with atomic():
        created["sales_history_orders"] = seed_sales_history(
            admin=people["admin@canting.test"], accounts=_demo_accounts(people),
            artisans=[people[spec["email"]] for spec in PEOPLE if "artisan" in spec["roles"]])
    created["orders"] = _seed_orders(people)
    with atomic():
        created["sale_facts"] = refresh_sale_facts()
    return created


def _demo_accounts(people: dict) -> list[Buyer]:
    """The demo buyers who also turn up in the sales history: Maya in Jakarta, Emma in Leiden."""
    return [Buyer(people[email].id, email, people[email].locale, clean_address(ADDRESSES[address]))
            for email, address in (("buyer@canting.test", "maya"), ("emma@canting.test", "emma"))]


def _seed_payout_accounts() -> int:
    """Bank details of the demo shops, through the sellers' own service (kept if changed since)."""
    from marketplace.payments.models import PayoutAccount
    from marketplace.payments.payout_accounts import save_payout_account

    added = 0
    for shop in db.session.scalars(sa.select(Shop).where(Shop.slug.in_(list(DEMO_PAYOUT_ACCOUNTS)))).all():
        if db.session.scalar(sa.select(PayoutAccount.id).filter_by(shop_id=shop.id)) is None:
            bank, number, holder = DEMO_PAYOUT_ACCOUNTS[shop.slug]
            save_payout_account(shop.owner, bank_code=bank, account_number=number, holder_name=holder)
            added += 1
    return added


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load demo organizations, programs and accounts (safe to run again). Never in production."""
    if current_app.config.get("PRODUCTION"):
        # The demo accounts' password is published in the README: an admin with it would be
        # anyone's admin.
        raise click.ClickException(
            "Refusing to load demo data in production (CANTING_CONFIG=production): the demo "
            "accounts share a published password. Nothing was written."
        )
    created = seed_demo()
    click.echo("Created: " + ", ".join(f"{n} {kind}" for kind, n in created.items()))
    click.echo("Cipinang graduates: sari@canting.test shows the program on her shop; "
               "rahmat@canting.test has not opted in.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for spec in PEOPLE:
        click.echo(f"  {spec['email']:<34} {', '.join(spec['roles'])}")
    guest_order = _demo_guest_order()
    if guest_order is not None:
        from marketplace.orders.services import order_link

        click.echo("Demo orders in every state: bought by buyer@, nurul@, rahmat@ and emma@canting.test; "
                   "every shop has some to fulfil.")
        click.echo(f"A guest's paid order, {guest_order.number}: {order_link(guest_order)}")


def _demo_guest_order():
    from marketplace.orders.models import Order

    guest = next(spec for spec in DEMO_ORDERS if spec.key == "demo-order-guest-paid")
    return db.session.scalar(sa.select(Order).where(Order.email == guest.guest_email, Order.buyer_id.is_(None))
                             .order_by(Order.id).limit(1))
