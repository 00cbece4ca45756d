"""Forms for organizations (admin)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from marketplace.core.regions import PROVINCES
from marketplace.programs.models import ORGANIZATION_KIND_LABELS


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name in addresses"),
        validators=[DataRequired(), Length(max=80),
                    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                           message=_l("Use lower-case letters, digits and hyphens only."))],
        description=_l("For example: dekranasda-banyuasin"),
    )
    kind = SelectField(_l("Kind"), choices=list(ORGANIZATION_KIND_LABELS.items()))
    province = SelectField(_l("Province"), choices=[(p, p) for p in PROVINCES])
