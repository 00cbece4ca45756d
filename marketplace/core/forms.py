"""Showing a service's domain errors on the form that caused them."""
from marketplace.core.errors import CantingError


def apply_form_errors(form, error: CantingError) -> None:
    """Put each field error under its field; the rest at the top of the form."""
    for field, messages in (error.errors or {"": [error.message]}).items():
        target = getattr(form, field, None) if field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + list(messages)
        else:
            form.form_errors.extend(messages)
