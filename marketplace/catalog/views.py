"""Storefront pages: home, shop pages and the artisan's shop settings."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.catalog import images, listing, page_views, queries, services
from marketplace.catalog.media import media_url
from marketplace.accounts.forms import ConfirmForm
from marketplace.catalog.forms import NewProductForm, PhotoUploadForm, ProductForm, QuickEditForm, ShopForm, SuspendForm
from marketplace.catalog.models import CATEGORY_LABELS, TECHNIQUE_FILTER_LABELS, Product, Shop
from marketplace.catalog.schemas import ProductQuery
from marketplace.core.pagination import cursor_url
from marketplace.core.regions import PROVINCES
from marketplace.core.errors import CantingError, ValidationFailed
from marketplace.core.forms import apply_form_errors
from marketplace.core.uploads import large_upload
from marketplace.extensions import db
from marketplace.programs import queries as program_queries
from marketplace.programs.models import TrainingProgram

bp = Blueprint("catalog", __name__)


CATALOGUE_PER_PAGE = 24


def _catalogue_args() -> tuple[dict, dict]:
    """The buyer's filters from the query string; invalid ones are dropped and reported. Rules
    between fields (a price range, a cursor made for another sort) are only checked once the
    fields themselves are valid, hence the second round."""
    raw = {k: v for k, v in request.args.items() if v != ""}
    schema = ProductQuery()
    errors: dict = {}
    for _round in range(3):
        found = schema.validate(raw)
        if not found:
            break
        errors.update(found)
        raw = {k: v for k, v in raw.items() if k not in found}
    else:
        raw = {}
    return schema.load(raw), errors


@bp.route("/products")
@bp.route("/")  # registered first, so url_for("catalog.home") is "/"
def home():
    args, errors = _catalogue_args()
    # A broken or outdated cursor (a Next link kept after the sort changed): show the first page.
    bad_cursor = errors.pop("cursor", None) is not None
    args.pop("per_page")
    page = listing.catalogue_page(per_page=CATALOGUE_PER_PAGE, **args)
    filters = {k: v for k, v in args.items() if k not in ("page", "position")}
    badges = program_queries.badges_by_artisan(p.shop.owner_id for p in page.items)
    programs = db.session.scalars(program_queries.programs_newest_first()).all()
    return render_template(
        "catalog/home.html", products=page.items, meta=page.meta, badges=badges, args=filters,
        next_url=cursor_url("catalog.home", page.next_cursor), prev_url=cursor_url("catalog.home", page.prev_cursor),
        bad_cursor=bad_cursor, filter_errors=errors, programs=programs, provinces=PROVINCES,
        categories=CATEGORY_LABELS, techniques=TECHNIQUE_FILTER_LABELS,
    )


@bp.route("/products/<int:product_id>")
@bp.route("/products/<int:product_id>/<slug>")
def product_detail(product_id: int, slug: str | None = None):
    product = db.session.scalar(queries.public_products().where(Product.id == product_id))
    if product is None:
        abort(404)
    if slug != product.slug:
        return redirect(url_for("catalog.product_detail", product_id=product.id, slug=product.slug), 301)
    badges = program_queries.badges_by_artisan([product.shop.owner_id])[product.shop.owner_id]
    response = make_response(render_template("catalog/product.html", product=product, badges=badges,
                                             categories=CATEGORY_LABELS, techniques=TECHNIQUE_FILTER_LABELS,
                                             jsonld=product_jsonld(product)))
    page_views.count_view(product, response)
    return response


def product_jsonld(product: Product) -> dict:
    """schema.org Product, so search engines and chat apps show price and availability."""
    url = url_for("catalog.product_detail", product_id=product.id, slug=product.slug, _external=True)
    data = {
        "@context": "https://schema.org", "@type": "Product", "name": product.title,
        "description": product.description or product.title, "url": url,
        "brand": {"@type": "Brand", "name": product.shop.name},
        "offers": [{
            "@type": "Offer", "name": variant.name, "price": variant.effective_price, "priceCurrency": "IDR",
            "availability": _availability(variant), "url": url,
        } for variant in product.live_variants],
    }
    if product.images:
        data["image"] = [media_url(i.display_key, external=True) for i in product.images]
    return data


def _availability(variant) -> str:
    if variant.available <= 0:
        return "https://schema.org/OutOfStock"
    return "https://schema.org/MadeToOrder" if variant.made_to_order else "https://schema.org/InStock"


@bp.route("/shops/<slug>")
def shop_detail(slug: str):
    shop = db.session.scalar(Shop.public().where(Shop.slug == slug))
    if shop is None:
        abort(404)
    badges = program_queries.badges_by_artisan([shop.owner_id])[shop.owner_id]
    products = db.session.scalars(
        queries.public_products().where(Product.shop_id == shop.id).order_by(Product.created_at.desc())
    ).all()
    return render_template("catalog/shop.html", shop=shop, badges=badges, products=products,
                           techniques=TECHNIQUE_FILTER_LABELS)


@bp.route("/programs/<slug>/shops")
def program_shops(slug: str):
    """"Shop the graduates": the open shops of a program's graduates who chose to show it."""
    program = db.session.scalar(TrainingProgram.by_slug(slug))
    if program is None:
        abort(404)
    shops = db.session.scalars(queries.graduate_shops(program.id)).all()
    return render_template("catalog/program_shops.html", program=program, shops=shops)


@bp.route("/dashboard/shop", methods=["GET", "POST"])
@roles_required(Role.ARTISAN.value)
def my_shop():
    shop = db.session.scalar(sa.select(Shop).filter_by(owner_id=current_user.id))
    form = ShopForm(obj=shop)
    if form.validate_on_submit():
        values = {k: getattr(form, k).data
                  for k in ("name", "story", "city", "province", "shipping_origin", "handling_days")}
        chosen = form.photo.data if getattr(form.photo.data, "filename", "") else None
        try:
            photo = images.prepare_upload(chosen.stream) if chosen else None
            if shop is None:
                shop = services.open_shop(current_user, slug=form.slug.data or None, photo=photo, **values)
                flash(_("Your shop is open."), "success")
            else:
                shop = services.update_shop(current_user, slug=form.slug.data or None, photo=photo, **values)
                flash(_("Shop saved."), "success")
        except CantingError as error:
            apply_form_errors(form, error, aliases={images.FIELD: "photo"})
        else:
            return redirect(url_for("catalog.shop_detail", slug=shop.slug))
    return render_template("catalog/shop_form.html", form=form, shop=shop)


@bp.route("/admin/shops", methods=["GET", "POST"])
@roles_required(Role.ADMIN.value)
def admin_shops():
    form = SuspendForm()
    if form.validate_on_submit():
        shop_id = int(form.shop_id.data)
        try:
            if form.action.data == "reinstate":
                shop = services.reinstate_shop(current_user, shop_id)
                flash(_("%(name)s is back in the catalogue.", name=shop.name), "success")
            else:
                shop = services.suspend_shop(current_user, shop_id, reason=form.reason.data)
                flash(_("%(name)s is suspended; its products are hidden.", name=shop.name), "info")
        except CantingError as error:
            flash(error.message, "error")
        return redirect(url_for("catalog.admin_shops"))
    shops = db.session.scalars(sa.select(Shop).order_by(Shop.status.desc(), Shop.name)).all()
    return render_template("admin/shops.html", shops=shops)


@bp.route("/dashboard/products")
@roles_required(Role.ARTISAN.value)
def my_products():
    shop = db.session.scalar(sa.select(Shop).filter_by(owner_id=current_user.id))
    if shop is None:
        flash(_("Open your shop first."), "info")
        return redirect(url_for("catalog.my_shop"))
    return _my_products_page(shop)


def _my_products_page(shop: Shop, refused: QuickEditForm | None = None):
    """The seller's list, each product with its quick edit form; REFUSED is a quick edit that
    came back with errors, shown on its product with what was typed."""
    products = db.session.scalars(
        sa.select(Product).where(Product.shop_id == shop.id).order_by(Product.status, Product.created_at.desc())
    ).all()
    forms = {product.id: QuickEditForm.for_product(product, formdata=None) for product in products}
    if refused is not None:
        forms[refused.product.id] = refused
    return render_template("catalog/my_products.html", shop=shop, products=products, forms=forms)


@bp.route("/dashboard/products/new", methods=["GET", "POST"])
@large_upload
@roles_required(Role.ARTISAN.value)
def product_new():
    form = NewProductForm(data={"variants": [{"name": _("One size"), "stock": 1}]})
    if form.validate_on_submit():
        variants = form.variant_specs()
        if variants:
            try:
                photos = [images.prepare_upload(f.stream) for f in form.chosen_photos()]
                product = services.create_product(current_user, variants=variants, photos=photos,
                                                  status=form.status.data, **form.service_values())
            except CantingError as error:
                form.show_service_error(error, aliases={images.FIELD: "photos"})
            else:
                if product.status == "active":
                    flash(_("%(title)s is on sale.", title=product.title), "success")
                else:
                    flash(_("%(title)s is saved as a draft.", title=product.title), "success")
                return redirect(url_for("catalog.my_products"))
    if form.is_submitted() and form.errors and form.chosen_photos():
        form.photos.errors = list(form.photos.errors) + [_("Choose the photos again: a form with errors does not keep them.")]
    return render_template("catalog/product_form.html", form=form, product=None,
                           motifs=queries.motif_suggestions())


@bp.route("/dashboard/products/<int:product_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ARTISAN.value)
def product_edit(product_id: int):
    product = services.owned_product(current_user, product_id)
    form = ProductForm(data=ProductForm.values_of(product))
    if form.validate_on_submit():
        variants = form.variant_specs()
        if variants:
            try:
                services.update_product(current_user, product_id, variants=variants, status=form.status.data,
                                        **form.service_values())
            except CantingError as error:
                form.show_service_error(error, product)
            else:
                flash(_("%(title)s saved.", title=product.title), "success")
                return redirect(url_for("catalog.my_products"))
    return render_template("catalog/product_form.html", form=form, product=product,
                           motifs=queries.motif_suggestions())


@bp.route("/dashboard/products/<int:product_id>/photos", methods=["GET", "POST"])
@large_upload
@roles_required(Role.ARTISAN.value)
def product_photos(product_id: int):
    """The seller's photos of one product: add several at once, reorder, delete."""
    product = services.owned_product(current_user, product_id)
    form = PhotoUploadForm()
    if form.validate_on_submit():
        try:
            added = images.add_product_images(current_user, product_id, [f.stream for f in form.chosen_photos()])
        except CantingError as error:
            apply_form_errors(form, error, aliases={images.FIELD: "photos"})
        else:
            flash(ngettext("%(num)d photo added.", "%(num)d photos added.", len(added)), "success")
            return redirect(url_for("catalog.product_photos", product_id=product_id))
    return render_template("catalog/product_photos.html", product=product, form=form,
                           confirm=ConfirmForm(), max_photos=images.MAX_IMAGES_PER_PRODUCT)


@bp.route("/dashboard/products/<int:product_id>/photos/<int:image_id>/move", methods=["POST"])
@roles_required(Role.ARTISAN.value)
def product_photo_move(product_id: int, image_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            images.move_product_image(current_user, product_id, image_id, request.form.get("to", ""))
        except ValidationFailed as error:
            flash(error.message, "error")
    return redirect(url_for("catalog.product_photos", product_id=product_id))


@bp.route("/dashboard/products/<int:product_id>/photos/<int:image_id>/delete", methods=["POST"])
@roles_required(Role.ARTISAN.value)
def product_photo_delete(product_id: int, image_id: int):
    if ConfirmForm().validate_on_submit():
        images.delete_product_image(current_user, product_id, image_id)
        flash(_("Photo deleted."), "success")
    return redirect(url_for("catalog.product_photos", product_id=product_id))


@bp.route("/dashboard/products/<int:product_id>/quick", methods=["POST"])
@roles_required(Role.ARTISAN.value)
def product_quick_edit(product_id: int):
    """Price, stock and status from the product list, without opening the full form."""
    product = services.owned_product(current_user, product_id)
    form = QuickEditForm.for_product(product)
    if form.validate_on_submit():
        try:
            services.update_product(current_user, product_id, price=form.price.data, status=form.status.data,
                                    variants=form.variant_specs())
        except CantingError as error:
            form.show_service_error(error)
        else:
            flash(_("%(title)s saved.", title=product.title), "success")
            return redirect(url_for("catalog.my_products"))
    flash(_("%(title)s was not saved: check the marked fields.", title=product.title), "error")
    return _my_products_page(product.shop, refused=form)
