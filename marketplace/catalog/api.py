"""JSON API for shops and products."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_babel import gettext as _
from marketplace.core.blueprints import Blueprint

from marketplace.accounts.models import Role
from marketplace.accounts.policy import api_user, token_required
from marketplace.catalog import images, listing, queries, services
from marketplace.catalog.models import Shop
from marketplace.catalog.schemas import (
    CursorPageMeta, ImageOrderIn, ImageUploadIn, ProductIn, ProductOut, ProductPatch, ProductQuery, ShopIn,
    ShopOut, ShopQuery,
)
from marketplace.core.errors import NotFound
from marketplace.core.pagination import cursor_url, link_header, page_envelope, paginate
from marketplace.extensions import db
from marketplace.programs.models import TrainingProgram
from marketplace.programs.queries import badges_by_artisan

blp = Blueprint("catalog-api", __name__, url_prefix="/api/v1", description="Shops and products")
BEARER = [{"bearerAuth": []}]


def with_badges(items, owner_of):
    """Attach each item's public badges, fetched for the whole page in one query."""
    badges = badges_by_artisan(owner_of(item) for item in items)
    for item in items:
        item.badges = badges.get(owner_of(item), [])
    return items


def product_out(product):
    return with_badges([product], lambda p: p.shop.owner_id)[0]


@blp.route("/shops")
class Shops(MethodView):
    @blp.arguments(ShopQuery, location="query")
    @blp.response(200, page_envelope(ShopOut, "ShopPage"))
    def get(self, args):
        """Open shops, by name; `program` lists the shops of that program's graduates who show it"""
        query = Shop.public().order_by(Shop.name)
        if args.get("program"):
            program = db.session.scalar(TrainingProgram.by_slug(args["program"]))
            if program is None:
                raise NotFound(_("Program not found."))
            query = queries.graduate_shops(program.id)
        body, headers = paginate(query, args["page"], args["per_page"])
        with_badges(body["items"], lambda shop: shop.owner_id)
        return body, 200, headers

    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ShopIn)
    @blp.response(201, ShopOut)
    def post(self, data):
        """Open your shop (one per artisan)"""
        shop = services.open_shop(api_user(), **data)
        shop.badges = []
        return shop, 201, {"Location": url_for("catalog-api.ShopItem", slug=shop.slug)}


@blp.route("/shops/<slug>")
class ShopItem(MethodView):
    @blp.response(200, ShopOut)
    def get(self, slug):
        """One open shop with its owner's public badges"""
        shop = db.session.scalar(Shop.public().where(Shop.slug == slug))
        if shop is None:
            raise NotFound(_("Shop not found."))
        return with_badges([shop], lambda s: s.owner_id)[0]


@blp.route("/products")
class Products(MethodView):
    @blp.arguments(ProductQuery, location="query")
    @blp.response(200, page_envelope(ProductOut, "ProductPage", meta=CursorPageMeta),
                  headers={"Link": {"description": 'Next and previous pages: `<url>; rel="next"`, '
                                                   '`<url>; rel="prev"`', "schema": {"type": "string"}},
                           "X-Total-Count": {"description": "Products matching the filters",
                                             "schema": {"type": "integer"}}})
    def get(self, args):
        """The public catalogue: filters q, category, technique (or `batik`), motif, program,
        province, min_price, max_price, in_stock; sort relevance|newest|price_asc|price_desc.
        Follow `meta.next_cursor` (or the `Link` header) page after page: every page then costs
        what the first one does. `page` still works, but deep pages cost more."""
        page = listing.catalogue_page(**args)
        with_badges(page.items, lambda p: p.shop.owner_id)
        headers = {"X-Total-Count": str(page.total), **link_header({
            rel: cursor_url("catalog-api.Products", cursor, _external=True)
            for rel, cursor in (("next", page.next_cursor), ("prev", page.prev_cursor))
        })}
        return {"items": page.items, "meta": page.meta}, 200, headers

    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ProductIn)
    @blp.response(201, ProductOut)
    def post(self, data):
        """List a product in your shop"""
        product = product_out(services.create_product(api_user(), **data))
        return product, 201, {"Location": url_for("catalog-api.ProductItem", product_id=product.id)}


@blp.route("/products/<int:product_id>")
class ProductItem(MethodView):
    @blp.response(200, ProductOut)
    def get(self, product_id):
        """One product on sale"""
        product = db.session.scalar(queries.public_products().where(queries.Product.id == product_id))
        if product is None:
            raise NotFound(_("Product not found."))
        return product_out(product)

    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ProductPatch)
    @blp.response(200, ProductOut)
    def patch(self, data, product_id):
        """Edit your product: details, price, status, variants and stock. A new `stock` for a
        kept variant comes with `expected_stock` (409 if a sale changed it meanwhile); variants
        left out of `variants` are archived"""
        return product_out(services.update_product(api_user(), product_id, **data))


@blp.route("/products/<int:product_id>/images")
class ProductImages(MethodView):
    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ImageUploadIn, location="files")
    @blp.response(201, ProductOut)
    def post(self, files, product_id):
        """Add a photo (JPEG, PNG or WebP, up to 8 MB, at most 8 per product); EXIF is removed"""
        images.add_product_image(api_user(), product_id, files["image"].stream)
        return product_out(services.owned_product(api_user(), product_id))

    @token_required(Role.ARTISAN.value)
    @blp.doc(security=BEARER)
    @blp.arguments(ImageOrderIn)
    @blp.response(200, ProductOut)
    def put(self, data, product_id):
        """Reorder the photos: the product's image ids, first shown first"""
        images.reorder_product_images(api_user(), product_id, data["image_ids"])
        return product_out(services.owned_product(api_user(), product_id))


@blp.route("/products/<int:product_id>/images/<int:image_id>", methods=["DELETE"])
@token_required(Role.ARTISAN.value)
@blp.doc(security=BEARER)
@blp.response(204)
def delete_image(product_id, image_id):
    """Delete a photo of your product"""
    images.delete_product_image(api_user(), product_id, image_id)
