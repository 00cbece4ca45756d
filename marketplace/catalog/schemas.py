"""JSON shapes of the catalogue API."""
import marshmallow as ma
from flask_babel import gettext as _

from marketplace.core.fields import UtcDateTime, WholeNumber
from marketplace.core.numbers import DATABASE_ID_RANGE
from marketplace.catalog.listing import read_cursor
from marketplace.catalog.media import media_url
from marketplace.catalog.models import (
    CATEGORIES, DIMENSION_RANGE, DYES, HANDLING_DAYS_RANGE, LEAD_TIME_RANGE, MADE_TO_ORDER_CAP_RANGE,
    PRICE_FILTER_RANGE, PRICE_RANGE, STOCK_RANGE, TECHNIQUES, WEIGHT_RANGE,
)
from marketplace.catalog.queries import SORTS
from marketplace.core.pagination import CursorError, PageMeta, PageQuery
from marketplace.core.regions import PROVINCES
from marketplace.programs.schemas import BadgeOut

# Number ranges are declared once in catalog/models.py and shared with the forms and services.


class ShopRef(ma.Schema):
    """A shop as other answers mention it (a product's shop, a program's graduates)."""

    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    city = ma.fields.String(required=True)
    province = ma.fields.String(required=True)


class VariantIn(ma.Schema):
    """A variant to add (no `id`) or to keep (its `id`; what it leaves out stays as it is).
    Variants of the product that the list leaves out are archived."""

    id = WholeNumber(validate=DATABASE_ID_RANGE.schema_validator())
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    stock = WholeNumber(validate=STOCK_RANGE.schema_validator(), metadata={
        "description": "Ready stock; required for a new variant that is not made to order, ignored "
                       "(stored as 0) for one that is. To change a kept variant's stock, send "
                       "`expected_stock` too."})
    expected_stock = WholeNumber(validate=STOCK_RANGE.schema_validator(), metadata={
        "description": "The kept variant's stock as you last read it. The new `stock` is written only "
                       "if it is still that; otherwise 409 (a sale happened meanwhile): read it again."})
    price = WholeNumber(allow_none=True, validate=PRICE_RANGE.schema_validator())
    made_to_order = ma.fields.Boolean(metadata={
        "description": "Made after payment: no stock, but `lead_time_days` and `made_to_order_cap` are required"})
    lead_time_days = WholeNumber(allow_none=True, validate=LEAD_TIME_RANGE.schema_validator(), metadata={
        "description": "Days from payment to shipping a made-to-order piece"})
    made_to_order_cap = WholeNumber(allow_none=True, validate=MADE_TO_ORDER_CAP_RANGE.schema_validator(), metadata={
        "description": "Most made-to-order units in orders not yet shipped at once"})


class VariantOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    stock = ma.fields.Integer(required=True)
    price = ma.fields.Integer(required=True, attribute="effective_price")
    made_to_order = ma.fields.Boolean(required=True)
    lead_time_days = ma.fields.Integer(allow_none=True, required=True)
    available = ma.fields.Integer(required=True, metadata={
        "description": "Units a buyer can order now: the stock, or for made to order the places left "
                       "under the seller's cap"})


class ProductIn(ma.Schema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=160))
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=10_000))
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORIES))
    technique = ma.fields.String(required=True, validate=ma.validate.OneOf(TECHNIQUES))
    motif = ma.fields.String(load_default="", validate=ma.validate.Length(max=80))
    motif_story = ma.fields.String(load_default="", validate=ma.validate.Length(max=5_000))
    material = ma.fields.String(load_default="", validate=ma.validate.Length(max=80))
    dye = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(DYES))
    length_cm = WholeNumber(allow_none=True, validate=DIMENSION_RANGE.schema_validator())
    width_cm = WholeNumber(allow_none=True, validate=DIMENSION_RANGE.schema_validator())
    weight_g = WholeNumber(required=True, validate=WEIGHT_RANGE.schema_validator())
    price = WholeNumber(required=True, validate=PRICE_RANGE.schema_validator())
    batikmark_number = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    status = ma.fields.String(load_default="draft", validate=ma.validate.OneOf(["draft", "active", "archived"]))
    variants = ma.fields.List(ma.fields.Nested(VariantIn), validate=ma.validate.Length(min=1, max=30))


class ProductPatch(ProductIn):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class ImageOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    url = ma.fields.Function(lambda image: media_url(image.display_key, external=True), required=True,
                             metadata={"type": "string"})
    thumbnail_url = ma.fields.Function(lambda image: media_url(image.thumb_key, external=True),
                                       required=True, metadata={"type": "string"})
    width = ma.fields.Integer(required=True)
    height = ma.fields.Integer(required=True)


class ProductOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    category = ma.fields.String(required=True)
    technique = ma.fields.String(required=True)
    is_batik = ma.fields.Boolean(required=True)
    motif = ma.fields.String(required=True)
    motif_story = ma.fields.String(required=True)
    material = ma.fields.String(required=True)
    dye = ma.fields.String(allow_none=True)
    length_cm = ma.fields.Integer(allow_none=True)
    width_cm = ma.fields.Integer(allow_none=True)
    weight_g = ma.fields.Integer(required=True)
    price = ma.fields.Integer(required=True)
    batikmark_number = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True)
    in_stock = ma.fields.Boolean(attribute="is_available", metadata={
        "description": "Some variant can be ordered now (ready stock, or a made-to-order place)"})
    variants = ma.fields.List(ma.fields.Nested(VariantOut), attribute="live_variants", required=True)
    images = ma.fields.List(ma.fields.Nested(ImageOut), required=True)
    shop = ma.fields.Nested(ShopRef, required=True)
    badges = ma.fields.List(ma.fields.Nested(BadgeOut), dump_default=list)
    created_at = UtcDateTime(required=True)



class ProductQuery(PageQuery):
    q = ma.fields.String(validate=ma.validate.Length(max=200))
    category = ma.fields.String(validate=ma.validate.OneOf(CATEGORIES))
    technique = ma.fields.String(validate=ma.validate.OneOf(["batik", *TECHNIQUES]))
    motif = ma.fields.String(validate=ma.validate.Length(max=80))
    program = ma.fields.String(validate=ma.validate.Length(max=120))
    province = ma.fields.String(validate=ma.validate.OneOf(PROVINCES))
    min_price = WholeNumber(validate=PRICE_FILTER_RANGE.schema_validator())
    max_price = WholeNumber(validate=PRICE_FILTER_RANGE.schema_validator())
    in_stock = ma.fields.Boolean()
    sort = ma.fields.String(load_default="relevance", validate=ma.validate.OneOf(SORTS))
    cursor = ma.fields.String(
        validate=ma.validate.Length(max=512),
        metadata={"description": "Where the page starts: `meta.next_cursor` or `meta.prev_cursor` of the "
                                 "previous response (also in its `Link` header), with the same filters and "
                                 "sort. Opaque. Takes precedence over `page`, which still works but costs "
                                 "more the deeper the page."},
    )

    @ma.validates_schema
    def price_range(self, data, **kwargs):
        if data.get("min_price") is not None and data.get("max_price") is not None \
                and data["min_price"] > data["max_price"]:
            raise ma.ValidationError(_("The lowest price is above the highest."), "min_price")

    @ma.validates_schema
    def known_cursor(self, data, **kwargs):
        if data.get("cursor") is None:
            return
        try:
            read_cursor(data["cursor"], sort=data.get("sort", "relevance"), q=data.get("q"))
        except CursorError as error:
            raise ma.ValidationError(
                _("This cursor is not valid for this list: start again without it."), "cursor"
            ) from error

    @ma.post_load
    def position(self, data, **kwargs):
        """`cursor` becomes `position` (a core.pagination.Position) for listing.catalogue_page."""
        if data.get("cursor") is not None:
            data["position"] = read_cursor(data.pop("cursor"), sort=data.get("sort", "relevance"),
                                           q=data.get("q"))
        else:
            data.pop("cursor", None)
        return data


class CursorPageMeta(PageMeta):
    next_cursor = ma.fields.String(allow_none=True, required=True,
                                   metadata={"description": "The `cursor` of the next page; null on the last"})
    prev_cursor = ma.fields.String(allow_none=True, required=True,
                                   metadata={"description": "The `cursor` of the previous page; null on the first"})


class ShopIn(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=120))
    slug = ma.fields.String(validate=ma.validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"))
    story = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))
    city = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=120))
    province = ma.fields.String(required=True, validate=ma.validate.OneOf(PROVINCES))
    shipping_origin = ma.fields.String(load_default="", validate=ma.validate.Length(max=255))
    handling_days = WholeNumber(validate=HANDLING_DAYS_RANGE.schema_validator(), metadata={
        "description": "Days you need to pack and hand ready stock to the courier (2 if not given)"})


class ShopQuery(PageQuery):
    program = ma.fields.String(validate=ma.validate.Length(max=120), metadata={
        "description": "Program slug: only shops whose owner graduated from it, verified, and "
                       "chose to show it (the program's \"shop the graduates\" list)"})


class ShopOut(ShopRef):
    story = ma.fields.String(required=True)
    handling_days = ma.fields.Integer(required=True)
    photo_url = ma.fields.Function(
        lambda shop: media_url(shop.photo_key, external=True) if shop.photo_key else None,
        allow_none=True, metadata={"type": "string", "nullable": True})
    badges = ma.fields.List(ma.fields.Nested(BadgeOut), dump_default=list)


class ImageUploadIn(ma.Schema):
    image = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImageOrderIn(ma.Schema):
    image_ids = ma.fields.List(WholeNumber(validate=DATABASE_ID_RANGE.schema_validator()),
                               required=True, validate=ma.validate.Length(min=1, max=8))
