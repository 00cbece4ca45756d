"""Form plumbing shared by every domain: domain errors onto fields, select choices."""
from marketplace.core.errors import CantingError


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

