"""Forms for accounts that programs make: officers, and artisans registering with a roster code."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from marketplace.accounts.forms import RegistrationForm
from marketplace.core.forms import CantingForm


class InvitationRegistrationForm(RegistrationForm):
    makes_batik = None  # a roster code makes an artisan
    invitation_code = StringField(
        _l("Invitation code"), validators=[DataRequired(), Length(max=20)],
        description=_l("The code your program's officer gave you, like ABCD-2345. Your training is verified at once."),
    )


class OfficerForm(CantingForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    organization = SelectField(_l("Organization"), validators=[DataRequired()])
