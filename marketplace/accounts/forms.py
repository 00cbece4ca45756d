"""HTML forms for accounts. Shape only; rules such as a free email live in services."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from marketplace.core.forms import CantingForm
from marketplace.accounts.services import MIN_PASSWORD_LENGTH


class LoginForm(CantingForm):
    # No Email() shape check: operators and seed-demo create accounts such as
    # admin@canting.test, which email_validator rejects as a special-use domain.
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class RegistrationForm(CantingForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=128)],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    makes_batik = BooleanField(
        _l("I make batik"),
        description=_l("Tick this to open a shop and claim the training program you graduated from."),
    )


class PasswordChangeForm(CantingForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=128)]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))],
    )


class PasswordResetRequestForm(CantingForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])  # as LoginForm


class PasswordResetForm(CantingForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=128)]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ApiTokenForm(CantingForm):
    name = StringField(_l("Token name"), validators=[Length(max=80)],
                       description=_l("For example: the name of the script that uses it."))


class ConfirmForm(CantingForm):
    """An empty form: a button that POSTs with a CSRF token (sign out, revoke)."""


class LanguageForm(CantingForm):
    # SelectChoice, not tuples: WTForms 3.3 deprecates tuple choices (a warning is an error in tests).
    locale = SelectField(_l("Language"), choices=[SelectChoice("id", "Bahasa Indonesia"),
                                                  SelectChoice("en", "English")])
    next = HiddenField()
