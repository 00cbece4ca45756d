"""Forms for shops."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from marketplace.catalog.models import CATEGORY_LABELS, TECHNIQUE_FILTER_LABELS
from marketplace.core.forms import select_choices
from marketplace.core.regions import PROVINCES


class ShopForm(FlaskForm):
    name = StringField(_l("Shop name"), validators=[DataRequired(), Length(min=2, max=120)])
    slug = StringField(
        _l("Shop address"),
        validators=[Optional(), Length(max=80), Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                    message=_l("Use lower-case letters, digits and hyphens only."))],
        description=_l("Part of your shop's link, e.g. batik-sari. Leave empty to make one from the name."),
    )
    story = TextAreaField(_l("Your story"), validators=[Length(max=5000)],
                          description=_l("Who you are, how you make batik, what your motifs mean."))
    city = StringField(_l("Regency or city"), validators=[DataRequired(), Length(max=120)])
    province = SelectField(_l("Province"), choices=select_choices([("", "—")] + [(p, p) for p in PROVINCES]),
                           validators=[DataRequired()])
    shipping_origin = StringField(_l("Ships from"), validators=[Length(max=255)],
                                  description=_l("The town or post office your parcels leave from."))


class SuspendForm(FlaskForm):
    shop_id = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,9}$")])
    action = HiddenField()  # "suspend" or "reinstate"
    reason = StringField(_l("Reason"), validators=[Length(max=2000)])


class ProductForm(FlaskForm):
    """The phone-friendly listing form; rules (owner, prices, variants) are checked in services."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)],
                        description=_l("e.g. Kain Batik Tulis Motif Kopi"))
    category = SelectField(_l("Category"), choices=select_choices(CATEGORY_LABELS))
    technique = SelectField(_l("Technique"), choices=select_choices(
        {k: v for k, v in TECHNIQUE_FILTER_LABELS.items() if k != "batik"}))
    motif = StringField(_l("Motif"), validators=[Length(max=80)])
    price = IntegerField(_l("Price (Rp)"), validators=[DataRequired(), NumberRange(min=1, max=1_000_000_000)],
                         render_kw={"inputmode": "numeric"})
    variants = TextAreaField(
        _l("Sizes and stock"), validators=[DataRequired(), Length(max=2000)], default="Satu ukuran, 1",
        description=_l("One per line: name, stock. For example: M, 4"),
    )
    weight_g = IntegerField(_l("Weight (grams)"), validators=[DataRequired(), NumberRange(min=1, max=100_000)],
                            render_kw={"inputmode": "numeric"})
    description = TextAreaField(_l("Description"), validators=[Length(max=10_000)])
    material = StringField(_l("Material"), validators=[Length(max=80)])
    dye = SelectField(_l("Dye"), choices=select_choices(
        [("", "—"), ("natural", _l("Natural")), ("synthetic", _l("Synthetic"))]))

    def variant_specs(self) -> list[dict]:
        specs = []
        for line in (self.variants.data or "").splitlines():
            if not line.strip():
                continue
            name, _, stock = line.rpartition(",")
            try:
                specs.append({"name": name.strip() or line.strip(), "stock": int(stock.strip())})
            except ValueError:
                self.variants.errors = [_l("Write each line as: name, stock (a whole number).")]
                return []
        return specs

    def service_values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "title", "category", "technique", "motif", "price", "weight_g", "description", "material")
        } | {"dye": self.dye.data or None}
