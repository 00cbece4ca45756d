"""Forms for shops."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

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
