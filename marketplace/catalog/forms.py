"""Forms for shops and products."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    FieldList, Form, FormField, HiddenField, IntegerField, MultipleFileField, SelectField, StringField,
    TextAreaField,
)
from wtforms.widgets import TextInput
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from marketplace.catalog.models import (
    CATEGORY_LABELS, DIMENSION_RANGE, PRICE_RANGE, STOCK_RANGE, TECHNIQUE_FILTER_LABELS, WEIGHT_RANGE,
)
from marketplace.core.forms import BabelMeta, CantingForm, select_choices
from marketplace.core.regions import PROVINCES


class ShopForm(CantingForm):
    name = StringField(_l("Shop name"), validators=[DataRequired(), Length(min=2, max=120)])
    slug = StringField(
        _l("Shop address"),
        validators=[Optional(), Length(max=80), Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                    message=_l("Use lower-case letters, digits and hyphens only."))],
        description=_l("Part of your shop's link, e.g. batik-sari. Leave empty to make one from the name."),
    )
    story = TextAreaField(_l("Your story"), validators=[Length(max=5000)],
                          description=_l("Who you are, how you make batik, what your motifs mean."))
    photo = FileField(_l("Shop photo"), render_kw={"accept": "image/jpeg,image/png,image/webp"},
                      description=_l("You at work or your workshop: buyers like to see who made their batik. "
                                     "JPEG, PNG or WebP, up to 8 MB."))
    city = StringField(_l("Regency or city"), validators=[DataRequired(), Length(max=120)])
    province = SelectField(_l("Province"), choices=select_choices([("", "—")] + [(p, p) for p in PROVINCES]),
                           validators=[DataRequired()])
    shipping_origin = StringField(_l("Ships from"), validators=[Length(max=255)],
                                  description=_l("The town or post office your parcels leave from."))


class SuspendForm(CantingForm):
    shop_id = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,9}$")])
    action = HiddenField()  # "suspend" or "reinstate"
    reason = StringField(_l("Reason"), validators=[Length(max=2000)])


def rupiah_digits(text: str) -> str:
    """The digits of a rupiah amount as sellers type it: 285000, 285.000, Rp 285.000 or 285.000,00.

    Anything else comes back unchanged, for IntegerField to reject with its own message.
    """
    cleaned = re.sub(r"\s+", "", text or "")
    cleaned = re.sub(r"^rp\.?", "", cleaned, flags=re.IGNORECASE)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,0{1,2})?|\d+,0{1,2}", cleaned):
        return cleaned.split(",")[0].replace(".", "")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", cleaned):
        return cleaned.replace(",", "")
    return cleaned if cleaned.isdigit() else (text or "")


class RupiahField(IntegerField):
    """Whole rupiah; accepts the thousands dots Indonesians write. A text box, not type=number:
    browsers would refuse "Rp 285.000" or read "285.000" as 285 in some locales."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        super().process_formdata([rupiah_digits(valuelist[0])] if valuelist else valuelist)


class VariantRow(Form):
    """One size or variant of a product. A row whose name is left empty is not kept."""

    Meta = BabelMeta

    variant_id = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    name = StringField(_l("Size or variant"), validators=[Optional(), Length(max=80)])
    stock = IntegerField(_l("Stock"), validators=[Optional(), STOCK_RANGE.form_validator()],
                         render_kw={"inputmode": "numeric"})
    price = RupiahField(_l("Own price (Rp)"), validators=[Optional(), PRICE_RANGE.form_validator()],
                        render_kw={"inputmode": "numeric"})


BLANK_VARIANT_ROWS = 2  # room for new sizes without JavaScript


STATUS_CHOICES = [("active", _l("On sale")), ("draft", _l("Draft")), ("archived", _l("Archived"))]


class ProductForm(CantingForm):
    """The phone-friendly listing form, for a new product and for editing one.

    Rules (owner, prices, variants, photos) are checked in services; this form turns text
    into values and points each error at its field.
    """

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)],
                        description=_l("e.g. Kain Batik Tulis Motif Kopi"))
    category = SelectField(_l("Category"), choices=select_choices(CATEGORY_LABELS))
    technique = SelectField(_l("Technique"), choices=select_choices(
        {k: v for k, v in TECHNIQUE_FILTER_LABELS.items() if k != "batik"}),
        description=_l("Printed textile is sold as imitation batik, never as batik."))
    motif = StringField(_l("Motif"), validators=[Length(max=80)],
                        description=_l("Pick a known motif or write your own."))
    motif_story = TextAreaField(_l("Story of the motif"), validators=[Length(max=5000)],
                                description=_l("What the motif means and where it comes from."))
    price = RupiahField(_l("Price (Rp)"), validators=[DataRequired(), PRICE_RANGE.form_validator()],
                        render_kw={"inputmode": "numeric"}, description=_l("e.g. 285000 or 285.000"))
    variants = FieldList(FormField(VariantRow), label=_l("Sizes and stock"), min_entries=1, max_entries=30)
    weight_g = IntegerField(_l("Weight (grams)"), validators=[DataRequired(), WEIGHT_RANGE.form_validator()],
                            render_kw={"inputmode": "numeric"}, description=_l("Packed, for the shipping cost."))
    length_cm = IntegerField(_l("Length (cm)"), validators=[Optional(), DIMENSION_RANGE.form_validator()],
                             render_kw={"inputmode": "numeric"})
    width_cm = IntegerField(_l("Width (cm)"), validators=[Optional(), DIMENSION_RANGE.form_validator()],
                            render_kw={"inputmode": "numeric"})
    material = StringField(_l("Material"), validators=[Length(max=80)], description=_l("e.g. katun primisima"))
    dye = SelectField(_l("Dye"), choices=select_choices(
        [("", "—"), ("natural", _l("Natural")), ("synthetic", _l("Synthetic"))]))
    batikmark_number = StringField(_l("Batikmark certificate number"), validators=[Optional(), Length(max=40)],
                                   description=_l("Only if this piece carries the Batikmark label."))
    description = TextAreaField(_l("Description"), validators=[Length(max=10_000)])
    status = SelectField(_l("Status"), choices=select_choices(STATUS_CHOICES), default="active")

    DETAIL_FIELDS = ("title", "category", "technique", "motif", "motif_story", "price", "weight_g",
                     "length_cm", "width_cm", "description", "material", "batikmark_number")

    @classmethod
    def values_of(cls, product) -> dict:
        """The form's starting values for editing PRODUCT."""
        rows = [{"variant_id": str(v.id), "name": v.name, "stock": v.stock, "price": v.price}
                for v in product.variants]
        return {name: getattr(product, name) for name in cls.DETAIL_FIELDS} | {
            "dye": product.dye or "", "status": product.status, "variants": rows,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():  # a form sent back keeps exactly the rows that were sent
            for _ in range(BLANK_VARIANT_ROWS):
                if len(self.variants.entries) < self.variants.max_entries:
                    self.variants.append_entry()

    def variant_specs(self) -> list[dict]:
        """The filled rows as service specs (a kept row carries its variant id: orders refer to it).

        A row with a stock or price but no name, or a name but no stock, gets an error on that
        row and the result is [].
        """
        specs, complete = [], True
        for row in self.variants.entries:
            name = (row.form.name.data or "").strip()
            if not name:
                if row.form.stock.data is not None or row.form.price.data is not None:
                    row.form.name.errors = [*row.form.name.errors, _l("Name this size, or clear its stock and price.")]
                    complete = False
                continue
            if row.form.stock.data is None:
                row.form.stock.errors = [*row.form.stock.errors, _l("Enter the stock (0 if sold out).")]
                complete = False
                continue
            spec = {"name": name, "stock": row.form.stock.data, "price": row.form.price.data}
            if row.form.variant_id.data:
                spec["id"] = int(row.form.variant_id.data)
            specs.append(spec)
        if complete and not specs:
            self.variants.errors = [*self.variant_errors(), _l("Add at least one size with its stock.")]
        return specs if complete else []

    def variant_errors(self) -> list[str]:
        """Errors about the variants as a whole (from services), not about one row."""
        return [e for e in self.variants.errors if not isinstance(e, dict)]

    def service_values(self) -> dict:
        return {name: getattr(self, name).data for name in self.DETAIL_FIELDS} | {
            "dye": self.dye.data or None, "batikmark_number": (self.batikmark_number.data or "").strip() or None,
        }


class QuickEditForm(CantingForm):
    """Price, status and the stock of each variant, from the seller's product list.

    Build it with for_product(): the stock fields are named `stock-<variant id>`, and every
    field's id carries the product's or variant's id, as the list shows one form per product.
    """

    @classmethod
    def for_product(cls, product, **kwargs) -> "QuickEditForm":
        fields = {
            "price": RupiahField(_l("Price (Rp)"), validators=[InputRequired(), PRICE_RANGE.form_validator()],
                                 id=f"price-{product.id}", render_kw={"inputmode": "numeric"}),
            "status": SelectField(_l("Status"), choices=select_choices(STATUS_CHOICES), id=f"status-{product.id}"),
        } | {
            f"stock-{variant.id}": IntegerField(_l("Stock: %(name)s", name=variant.name),
                                                validators=[InputRequired(), STOCK_RANGE.form_validator()],
                                                render_kw={"inputmode": "numeric"})
            for variant in product.variants
        }
        form_class = type("ProductQuickEditForm", (cls,), fields)
        data = {"price": product.price, "status": product.status} | {
            f"stock-{variant.id}": variant.stock for variant in product.variants}
        form = form_class(data=data, **kwargs)
        form.product = product
        return form

    def variant_specs(self) -> list[dict]:
        """Every variant of the product, kept as it is but for its new stock."""
        return [{"id": v.id, "name": v.name, "price": v.price, "stock": self[f"stock-{v.id}"].data}
                for v in self.product.variants]

    def stock_fields(self) -> list:
        return [self[f"stock-{variant.id}"] for variant in self.product.variants]


class ChosenPhotos:
    """For forms with a `photos` field: the files actually chosen (browsers send an empty part
    when none is)."""

    def chosen_photos(self) -> list:
        return [f for f in (self.photos.data or []) if getattr(f, "filename", "")]


class NewProductForm(ChosenPhotos, ProductForm):
    status = SelectField(_l("Status"), choices=select_choices(STATUS_CHOICES[:2]), default="active")  # not archived
    photos = MultipleFileField(
        _l("Photos"), render_kw={"accept": "image/jpeg,image/png,image/webp"},
        description=_l("Up to 8 photos (JPEG, PNG or WebP, 8 MB each). The first one is the cover."),
    )


class PhotoUploadForm(ChosenPhotos, CantingForm):
    photos = MultipleFileField(_l("Add photos"), render_kw={"accept": "image/jpeg,image/png,image/webp"},
                               description=_l("JPEG, PNG or WebP, up to 8 MB each."))
