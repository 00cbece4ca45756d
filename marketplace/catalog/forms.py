"""Forms for shops and products."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, MultipleFileField, SelectField,
    StringField, TextAreaField,
)
from wtforms.widgets import TextInput
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from marketplace.catalog.models import (
    CATEGORY_LABELS, DIMENSION_RANGE, HANDLING_DAYS_RANGE, LEAD_TIME_RANGE, MADE_TO_ORDER_CAP_RANGE, PRICE_RANGE,
    STOCK_RANGE, TECHNIQUE_FILTER_LABELS, WEIGHT_RANGE,
)
from marketplace.core.errors import CantingError
from marketplace.core.forms import BabelMeta, CantingForm, apply_form_errors, select_choices
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
    handling_days = IntegerField(_l("Handling time (days)"), default=2,
                                 validators=[InputRequired(), HANDLING_DAYS_RANGE.form_validator()],
                                 render_kw={"inputmode": "numeric"},
                                 description=_l("Days you need to pack and hand ready stock to the courier."))


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


STALE_PAGE = _l("This page is out of date: reload it and save again.")


class PageHiddenField(HiddenField):
    """A hidden value that, once the form is sent, comes from the page alone: a variant id or the
    stock a page showed must never be filled in from the starting values of the form built for
    the POST (that would compare a stock with itself)."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else None


class VariantRow(Form):
    """One size or variant of a product. A row whose name is left empty is not kept.

    A kept row carries its variant id and the stock shown when the page was made: the service
    changes the stock only if it is still that (a sale may have happened meanwhile).
    """

    Meta = BabelMeta

    variant_id = PageHiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    stock_shown = PageHiddenField()
    name = StringField(_l("Size or variant"), validators=[Optional(), Length(max=80)])
    stock = IntegerField(_l("Stock"), validators=[Optional(), STOCK_RANGE.form_validator()],
                         render_kw={"inputmode": "numeric"})
    price = RupiahField(_l("Own price (Rp)"), validators=[Optional(), PRICE_RANGE.form_validator()],
                        render_kw={"inputmode": "numeric"})
    made_to_order = BooleanField(_l("Made to order"))
    lead_time_days = IntegerField(_l("Days to make one"), validators=[Optional(), LEAD_TIME_RANGE.form_validator()],
                                  render_kw={"inputmode": "numeric"})
    made_to_order_cap = IntegerField(_l("Most pieces at once"),
                                     validators=[Optional(), MADE_TO_ORDER_CAP_RANGE.form_validator()],
                                     render_kw={"inputmode": "numeric"})

    def has_input(self) -> bool:
        return any(f.data not in (None, "", False) for f in (self.stock, self.price, self.made_to_order,
                                                             self.lead_time_days, self.made_to_order_cap))


def shown_stock(field) -> int | None:
    """The stock a page showed, from its hidden field; None if the field is missing or forged."""
    text = field.data or ""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) and int(text) in STOCK_RANGE else None


def show_current_stock(stock_field, shown_field, stock: int) -> None:
    """Put the stock as it is now in a refused form's stock box and its "shown" field, so that
    the seller checks it and saves again."""
    stock_field.data, stock_field.raw_data = stock, [str(stock)]
    shown_field.data = str(stock)


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
        """The form's starting values for editing PRODUCT (its live variants)."""
        rows = [{"variant_id": str(v.id), "stock_shown": str(v.stock), "name": v.name,
                 "stock": None if v.made_to_order else v.stock, "price": v.price,
                 "made_to_order": v.made_to_order, "lead_time_days": v.lead_time_days,
                 "made_to_order_cap": v.made_to_order_cap}
                for v in product.live_variants]
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
        """The filled rows as service specs (a kept row carries its variant id: orders refer to it,
        and the stock it showed).

        A row with other values but no name, or a name but no stock (unless made to order), gets
        an error on that row and the result is [].
        """
        specs, complete = [], True
        self.spec_rows = []
        for row in self.variants.entries:
            row = row.form
            name = (row.name.data or "").strip()
            if not name:
                if row.has_input():
                    row.name.errors = [*row.name.errors, _l("Name this size, or clear its row.")]
                    complete = False
                continue
            spec = {"name": name, "price": row.price.data, "made_to_order": row.made_to_order.data,
                    "lead_time_days": row.lead_time_days.data, "made_to_order_cap": row.made_to_order_cap.data}
            if not row.made_to_order.data:
                if row.stock.data is None:
                    row.stock.errors = [*row.stock.errors, _l("Enter the stock (0 if sold out).")]
                    complete = False
                    continue
                spec["stock"] = row.stock.data
            if row.variant_id.data:
                spec["id"] = int(row.variant_id.data)
                if "stock" in spec:
                    shown = shown_stock(row.stock_shown)
                    if shown is None:
                        row.stock.errors = [*row.stock.errors, STALE_PAGE]
                        complete = False
                        continue
                    spec["expected_stock"] = shown
            specs.append(spec)
            self.spec_rows.append(row)
        if complete and not specs:
            self.variants.errors = [*self.variant_errors(), _l("Add at least one size with its stock.")]
        return specs if complete else []

    def show_service_error(self, error: CantingError, product=None, aliases: dict[str, str] | None = None) -> None:
        """Put a service's errors on their fields (see apply_form_errors for ALIASES): those about
        one variant (by its index in variant_specs) on its row. A row whose stock changed
        meanwhile shows PRODUCT's stock now."""
        by_variant = (error.errors or {}).get("variants")
        if not isinstance(by_variant, dict):
            apply_form_errors(self, error, aliases)
            return
        others = {k: v for k, v in error.errors.items() if k != "variants"}
        if others:
            apply_form_errors(self, CantingError(errors=others), aliases)
        current = {v.id: v.stock for v in product.live_variants} if product is not None else {}
        for index, row_errors in by_variant.items():
            row = self.spec_rows[int(index)]
            for key, messages in row_errors.items():
                target = {"expected_stock": row.stock, "id": row.name}.get(key) or getattr(row, key, row.name)
                target.errors = [*target.errors, *messages]
            stock = current.get(int(row.variant_id.data or 0))
            if "expected_stock" in row_errors and stock is not None:
                show_current_stock(row.stock, row.stock_shown, stock)

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
        ready = [v for v in product.live_variants if not v.made_to_order]  # made to order has no stock
        fields = {
            "price": RupiahField(_l("Price (Rp)"), validators=[InputRequired(), PRICE_RANGE.form_validator()],
                                 id=f"price-{product.id}", render_kw={"inputmode": "numeric"}),
            "status": SelectField(_l("Status"), choices=select_choices(STATUS_CHOICES), id=f"status-{product.id}"),
        }
        for variant in ready:
            fields[f"stock-{variant.id}"] = IntegerField(
                _l("Stock: %(name)s", name=variant.name), validators=[InputRequired(), STOCK_RANGE.form_validator()],
                render_kw={"inputmode": "numeric"})
            # The stock this page showed: the service changes it only if it is still that.
            fields[f"shown-{variant.id}"] = PageHiddenField()
        form_class = type("ProductQuickEditForm", (cls,), fields)
        data = {"price": product.price, "status": product.status}
        for variant in ready:
            data |= {f"stock-{variant.id}": variant.stock, f"shown-{variant.id}": str(variant.stock)}
        form = form_class(data=data, **kwargs)
        form.product, form.ready = product, ready
        return form

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for variant in self.ready:  # a page without the stock it showed cannot be compared
            if shown_stock(self[f"shown-{variant.id}"]) is None:
                self[f"stock-{variant.id}"].errors = [*self[f"stock-{variant.id}"].errors, STALE_PAGE]
                valid = False
        return valid

    def variant_specs(self) -> list[dict]:
        """The product's live variants as they are, but for the new stock of the ready ones."""
        self.spec_ids = [v.id for v in self.product.live_variants]
        return [{"id": v.id, "stock": self[f"stock-{v.id}"].data, "expected_stock": shown_stock(self[f"shown-{v.id}"])}
                if v in self.ready else {"id": v.id} for v in self.product.live_variants]

    def show_service_error(self, error: CantingError) -> None:
        """Put a service's errors on their fields; a stock that changed meanwhile is shown as it is now."""
        by_variant = (error.errors or {}).get("variants")
        if not isinstance(by_variant, dict):
            apply_form_errors(self, error)
            return
        current = {v.id: v.stock for v in self.product.live_variants}  # reloaded after the rollback
        for index, row_errors in by_variant.items():
            variant_id = self.spec_ids[int(index)]
            stock = self._fields.get(f"stock-{variant_id}")
            messages = [m for ms in row_errors.values() for m in ms]
            if stock is None:
                self.form_errors.extend(messages)
                continue
            stock.errors = [*stock.errors, *messages]
            if "expected_stock" in row_errors and variant_id in current:
                show_current_stock(stock, self[f"shown-{variant_id}"], current[variant_id])

    def stock_fields(self) -> list:
        """The stock box of each ready variant, with the hidden stock it showed."""
        return [(self[f"stock-{v.id}"], self[f"shown-{v.id}"]) for v in self.ready]


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
