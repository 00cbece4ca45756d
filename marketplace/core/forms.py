"""Form plumbing shared by every domain: the base form, domain errors onto fields, select choices."""
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm

from marketplace.core.errors import CantingError

# WTForms' own messages that our forms can show. WTForms ships no Indonesian catalogue, so they
# are listed here for `pybabel extract` and translated in ours (see BabelMessages).
WTFORMS_MESSAGES = (
    _l("This field is required."), _l("Invalid input."), _l("Invalid email address."),
    _l("Not a valid choice."), _l("Not a valid integer value."), _l("Not a valid date value."),
    _l("Not a valid decimal value."), _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."), _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
)


class BabelMessages:
    """WTForms' messages looked up in our catalogue, in the visitor's language.

    The raw catalogue lookups, not flask_babel's gettext: WTForms fills the placeholders itself.
    """

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


class BabelMeta:
    """Form Meta for WTForms forms (a FlaskForm's rows, say) that should speak our languages."""

    def get_translations(self, form):
        return BabelMessages()


class CantingForm(FlaskForm):
    """Every form of ours: Flask-WTF's CSRF and file handling, WTForms' messages in Indonesian."""

    Meta = BabelMeta


def apply_form_errors(form, error: CantingError, aliases: dict[str, str] | None = None) -> None:
    """Put each field error under its field; the rest at the top of the form.

    ALIASES maps a service's field name to the form's where they differ ({"image": "photos"}).
    """
    for field, messages in (error.errors or {"": [error.message]}).items():
        field = (aliases or {}).get(field, field)
        target = getattr(form, field, None) if field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + list(messages)
        else:
            form.form_errors.extend(messages)


def select_choices(options) -> list:
    """Choices for a SelectField from a dict {value: label} or pairs; WTForms 3.3 deprecates tuples."""
    from wtforms import SelectChoice

    pairs = options.items() if isinstance(options, dict) else options
    return [SelectChoice(value, label) for value, label in pairs]

