"""Demo data: the four training programs of the founding reports, with the people around them.

`flask seed-demo` is idempotent: rows are found by their natural key (slug,
email) and created only when missing, so running it twice changes nothing.
"""
from __future__ import annotations

import functools
import io
from datetime import date

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from marketplace.accounts.models import User
from marketplace.catalog.models import Shop
from marketplace.core.times import utcnow
from marketplace.core.transaction import atomic
from marketplace.extensions import db
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
    {"email": "buyer@canting.test", "name": "Maya Lestari", "roles": ["buyer"]},
]


# (artisan email, program slug, status, public, certificate number, graduated on)
GRADUATIONS = [
    ("sari@canting.test", "wub-ikm-batik-cipinang-2024", "verified", True, "WUB-CPG-2024-007", date(2024, 9, 7)),
    ("rahmat@canting.test", "wub-ikm-batik-cipinang-2024", "verified", False, "WUB-CPG-2024-012", date(2024, 9, 7)),
    ("nurul@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "verified", True, "DS-ME-2021-04", date(2021, 6, 3)),
    ("agus@canting.test", "coaching-pengembangan-motif-batik-kaltim-2022", "verified", True, "BI-KT-2022-09", date(2022, 9, 27)),
    ("budi@canting.test", "pelatihan-batik-banyuasin-kolaborasi-jumputan-2024", "claimed", True, "DKR-BA-2024-031", date(2024, 2, 27)),
    ("agus@canting.test", "bimtek-diversifikasi-sandang-muara-enim-2021", "claimed", True, "DS-ME-2021-11", date(2021, 6, 3)),
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
]


# Per shop: (motif, technique, dye) it is known for; products are drawn from these.
SHOP_STYLES = {
    "batik-sari": [("Flora Betawi", "tulis", "natural"), ("Ondel-ondel", "cap", "synthetic"),
                   ("Kawung", "tulis", "natural")],
    "rahmat-batik-tulis": [("Parang", "tulis", "natural"), ("Truntum", "tulis", "natural"),
                           ("Sekar Jagad", "kombinasi", "synthetic")],
    "serasan-batik-nurul": [("Kopi", "cap", "synthetic"), ("Durian", "cap", "synthetic"),
                            ("Tengkiang", "cap", "natural"), ("Meraje", "cap", "synthetic")],
    "jumputan-banyuasin-budi": [("Jumputan", "jumputan", "synthetic"), ("Pedade", "jumputan", "natural")],
    "batik-kaltim-agus": [("Burung Enggang", "tulis", "natural"), ("Mega Mendung", "printing", "synthetic"),
                          ("Pakis", "cap", "synthetic")],
}
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
                    status="active", variants=[{"name": v, "stock": s} for v, s in variants],
                )
                product_images.add_product_image(shop.owner, product.id, io.BytesIO(_demo_picture(motif)))
                created["products"] += 1


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
        for spec in PEOPLE:
            user = db.session.scalar(User.by_email(spec["email"]))
            if user is None:
                user = User(email=spec["email"], name=spec["name"], locale="id")
                user.set_password(DEMO_PASSWORD)
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
    return created


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
