"""Small factories that write straight to the database (rules are tested through services)."""
from __future__ import annotations

import io
import itertools

import sqlalchemy as sa
from PIL import Image

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.programs.models import Organization

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_hashes: dict[str, str] = {}


def _password_hash(password: str) -> str:
    """Scrypt takes ~0.1 s; hash each test password once per session."""
    if password not in _hashes:
        probe = User()
        probe.set_password(password)
        _hashes[password] = probe.password_hash
    return _hashes[password]


def make_organization(**overrides) -> Organization:
    n = next(_seq)
    values = {"name": f"Dinas Perindustrian {n}", "slug": f"dinas-{n}", "kind": "government_office",
              "province": "Sumatera Selatan"}
    values.update(overrides)
    organization = Organization(**values)
    db.session.add(organization)
    db.session.commit()
    return organization


def make_user(email: str | None = None, roles=("buyer",), password: str = PASSWORD,
              organization: Organization | None = None, name: str = "Test User", locale: str = "id") -> User:
    user = User(email=(email or f"user{next(_seq)}@example.test").lower(), name=name, locale=locale)
    user.password_hash = _password_hash(password)
    for role in roles:
        user.add_role(role)
    user.organization = organization
    db.session.add(user)
    db.session.commit()
    return user


def make_program(organization: Organization | None = None, held_in_correctional_facility: bool = False,
                 **overrides):
    """A program run by ORGANIZATION (a new one when not given), 3-5 June 2021 in Palembang."""
    from datetime import date

    from marketplace.programs.models import TrainingProgram

    n = next(_seq)
    values = {"slug": f"bimtek-batik-{n}", "title": f"Bimtek Batik Jumputan {n}", "kind": "bimtek",
              "techniques": ["jumputan", "cap"], "partners": [], "description": "",
              "venue": "Rumah Batik", "city": "Kota Palembang", "province": "Sumatera Selatan",
              "start_date": date(2021, 6, 3), "end_date": date(2021, 6, 5)}
    values.update(overrides)
    program = TrainingProgram(organization=organization or make_organization(),
                              held_in_correctional_facility=held_in_correctional_facility, **values)
    db.session.add(program)
    db.session.commit()
    return program


def make_artisan(**overrides) -> User:
    overrides.setdefault("roles", ["buyer", "artisan"])
    return make_user(**overrides)


def make_shop(owner: User | None = None, **overrides):
    """An active shop of OWNER (a new artisan when not given)."""
    from marketplace.catalog.models import Shop

    n = next(_seq)
    values = {"name": f"Batik Sari {n}", "slug": f"batik-sari-{n}", "story": "",
              "city": "Kota Palembang", "province": "Sumatera Selatan"}
    values.update(overrides)
    shop = Shop(owner=owner or make_artisan(), **values)
    db.session.add(shop)
    db.session.commit()
    return shop


def _variant(position: int, name: str = "Satu ukuran", stock: int | None = None, made_to_order: bool = False,
             lead_time_days: int | None = None, made_to_order_cap: int | None = None, **values):
    """A Variant, not yet added: stock 1 unless made to order (then no stock, 14 days, 5 at once)."""
    from marketplace.catalog.models import Variant

    if made_to_order:
        stock, lead_time_days, made_to_order_cap = 0, lead_time_days or 14, made_to_order_cap or 5
    return Variant(name=name, stock=1 if stock is None else stock, made_to_order=made_to_order,
                   lead_time_days=lead_time_days, made_to_order_cap=made_to_order_cap,
                   position=values.pop("position", position), **values)


def make_product(shop=None, *, title: str = "Kain Batik", price: int = 150_000, status: str = "active",
                 stock: int = 1, description: str = "", motif: str = "", technique: str = "cap",
                 index: bool = True, variants: list[dict] | None = None, **values):
    """A product of SHOP (a new active shop when not given), written directly, and put in the
    search index as the services do (unless index=False).

    Its variants: VARIANTS, each a dict of Variant values ({"name": "M", "stock": 2}, or
    {"name": "Pesanan", "made_to_order": True, "lead_time_days": 21, "made_to_order_cap": 3});
    without them, one variant "Satu ukuran" of STOCK (made to order if `made_to_order=True`,
    `lead_time_days` and `made_to_order_cap` are given here).
    """
    from marketplace.catalog import search
    from marketplace.catalog.models import Product

    n = next(_seq)
    values.setdefault("slug", f"produk-{n}")
    if variants is None:
        terms = {key: values.pop(key) for key in ("made_to_order", "lead_time_days", "made_to_order_cap")
                 if key in values}
        variants = [{"stock": stock, **terms}]
    product = Product(
        shop=shop or make_shop(name="Rumah Kain"), title=title, description=description, motif=motif,
        category=values.pop("category", "cloth"), technique=technique, weight_g=values.pop("weight_g", 200),
        price=price, status=status, variants=[_variant(i, **spec) for i, spec in enumerate(variants)], **values,
    )
    db.session.add(product)
    db.session.flush()
    if index:
        search.index_product(product.id)
    db.session.commit()
    return product


def make_variant(product, **overrides):
    """Another variant of PRODUCT, last in its list (values as in make_product's VARIANTS)."""
    overrides.setdefault("name", f"Ukuran {next(_seq)}")
    variant = _variant(len(product.variants), **overrides)
    product.variants.append(variant)
    db.session.commit()
    return variant


def make_graduation(artisan: User, program, status: str = "claimed", public: bool | None = None,
                    decided_by: User | None = None, **overrides):
    """A graduation written directly; `public` defaults as the services default it."""
    from datetime import date

    from marketplace.core.times import utcnow
    from marketplace.programs.models import Graduation

    values = {"certificate_number": f"SERT-{next(_seq):04d}", "graduated_on": date(2021, 6, 5),
              "source": "claim"}
    values.update(overrides)
    graduation = Graduation(
        artisan=artisan, program=program, status=status,
        public=(not program.held_in_correctional_facility) if public is None else public,
        decided_by=decided_by, decided_at=utcnow() if status != "claimed" else None, **values,
    )
    db.session.add(graduation)
    db.session.commit()
    return graduation


def api_token(user: User) -> str:
    """A fresh personal API token's secret for USER."""
    from marketplace.accounts.services import create_api_token

    return create_api_token(user).secret


def bearer(user: User) -> dict:
    """Headers that authenticate an API request as USER."""
    return {"Authorization": f"Bearer {api_token(user)}"}


def picture(fmt: str = "PNG", size=(300, 200), mode="RGB", color=(140, 88, 44), **save) -> io.BytesIO:
    """An image file in memory, as a seller's phone would upload it."""
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    out.seek(0)
    return out


def variant_rows(*rows) -> dict:
    """Product form fields for variant ROWS: (name, stock) or (name, stock, price) or, to keep an
    existing variant, (variant_id, name, stock, price), which also sends the stock that variant
    has now as the stock the page showed (as if the edit page had just been loaded)."""
    from marketplace.catalog.models import Variant

    fields = {}
    for i, row in enumerate(rows):
        if len(row) == 4:
            fields[f"variants-{i}-variant_id"], row = str(row[0]), row[1:]
            fields[f"variants-{i}-stock_shown"] = str(db.session.get(Variant, int(fields[f"variants-{i}-variant_id"]),
                                                                     populate_existing=True).stock)
        name, stock, price = (*row, "")[:3]
        fields |= {f"variants-{i}-name": name, f"variants-{i}-stock": str(stock), f"variants-{i}-price": str(price)}
    return fields


def quick_edit(product, *, price=None, status=None, stock: dict | None = None) -> dict:
    """The quick edit's fields for PRODUCT as its line on the seller's list shows them now, with
    PRICE, STATUS and STOCK ({variant id: new stock}) changed."""
    db.session.expire_all()
    fields = {"price": str(product.price if price is None else price), "status": status or product.status}
    for variant in product.live_variants:
        if not variant.made_to_order:
            fields[f"stock-{variant.id}"] = str((stock or {}).get(variant.id, variant.stock))
            fields[f"shown-{variant.id}"] = str(variant.stock)
    return fields


# --- Orders (added for the order pages' tests) -------------------------------------------------

SHIPPING_ADDRESS = {"recipient_name": "Siti Aminah", "phone": "0812 3456 7890", "street": "Jl. Braga No. 12",
                    "city": "Kota Bandung", "province": "Jawa Barat", "postal_code": "40111", "country": "ID"}


def make_order(buyer: User | None = None, products=(), *, email: str = "tamu@example.test", quantity: int = 1,
               paid: bool = False, **address):
    """An order placed through checkout: QUANTITY of each of PRODUCTS' first variant (one new
    product when none are given), as BUYER or as a guest with EMAIL, to SHIPPING_ADDRESS
    (ADDRESS overrides fields). PAID pays it as a matched bank transfer (pay_order)."""
    from marketplace.orders import services

    items = [{"variant_id": product.variants[0].id, "quantity": quantity}
             for product in (products or [make_product(stock=5)])]
    order = services.place_order(buyer, items=items, shipping_address={**SHIPPING_ADDRESS, **address},
                                 email=None if buyer else email).order
    if paid:
        pay_order(order)
    return order


def pay_order(order, admin: User | None = None):
    """Pay ORDER the way an admin confirms a bank transfer: the order and its shops' parts become
    paid and the sales enter the ledger. Returns the Payment."""
    from marketplace.payments import services as payments

    admin = admin or db.session.scalar(sa.select(User).where(User.email == "kasir@canting.test")) \
        or make_user("kasir@canting.test", roles=["admin"])
    return payments.confirm_bank_transfer(admin, order.id)
