"""Forms of the cart, the checkout and the order pages. They check shape only: stock, prices,
ownership and state changes are the services' to decide."""
from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField, HiddenField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import NumberInput

from marketplace.core.forms import CantingForm, select_choices
from marketplace.core.numbers import DATABASE_ID_RANGE
from marketplace.orders.address import ShippingAddressForm
from marketplace.orders.cart import MAX_QUANTITY
from marketplace.orders.models import COURIER_LABELS
from marketplace.orders.services import EMAIL_RE, IDEMPOTENCY_KEY_RE

QUANTITY_WIDGET = NumberInput(min=1, max=MAX_QUANTITY)


class AddToCartForm(CantingForm):
    """The product page's "Add to cart". Choices are the product's live variants; a posted id is
    checked by the cart service, which knows whether the variant is still for sale."""

    # Radio buttons, not a select: each option's price and stock line wraps on a phone.
    variant_id = RadioField(_l("Size or variant"), coerce=int, validate_choice=False,
                            validators=[InputRequired(), DATABASE_ID_RANGE.form_validator()])
    quantity = IntegerField(_l("Quantity"), default=1, widget=QUANTITY_WIDGET,
                            validators=[InputRequired(), NumberRange(min=1, max=MAX_QUANTITY)],
                            render_kw={"inputmode": "numeric"})
    next = HiddenField()

    def set_variants(self, choices: list[tuple[int, str, bool]]) -> None:
        """CHOICES: (variant id, label, can be bought now). One that cannot is shown, disabled."""
        self.variant_id.choices = [SelectChoice(variant_id, label, render_kw={} if available else {"disabled": True})
                                   for variant_id, label, available in choices]
        if self.variant_id.data is None:
            self.variant_id.data = next((c[0] for c in choices if c[2]), None)


class CartQuantityForm(CantingForm):
    """A cart line's new quantity (0 removes it)."""

    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(min=0, max=MAX_QUANTITY)])


class CheckoutForm(ShippingAddressForm):
    """The checkout page: the address, a guest's email, and a key that makes a repeated
    "Place order" (a double click, a reload) return the first order instead of a second."""

    # The service's own rule, not WTForms' Email(): a form must not refuse what checkout accepts.
    email = EmailField(
        _l("Email"), filters=[lambda value: value.strip() if value else value],
        validators=[DataRequired(), Length(max=254),
                    Regexp(EMAIL_RE, message=_l("Enter the email address we send your order to."))],
        description=_l("We send the order and its private link here."),
        render_kw={"autocomplete": "email", "maxlength": 254})
    idempotency_key = HiddenField()
    # The totals the buyer was shown (see review.Review.digest): an order is placed only when
    # they are still the totals, so nobody pays a shipping fee they have not seen.
    reviewed = HiddenField(validators=[Optional(), Length(max=64)])

    @classmethod
    def for_buyer(cls, signed_in: bool, **kwargs) -> CheckoutForm:
        form = cls(**kwargs)
        if signed_in:  # the order goes to the account's address
            del form.email
        # A fresh page gets a new key; so does a posted key we could not have made.
        if not IDEMPOTENCY_KEY_RE.match(form.idempotency_key.data or ""):
            form.idempotency_key.data = new_idempotency_key()
        return form


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class ShipForm(CantingForm):
    courier = SelectField(_l("Courier"), choices=select_choices([("", "—"), *COURIER_LABELS.items()]),
                          validators=[DataRequired()])
    tracking_number = StringField(_l("Tracking number"), validators=[DataRequired(), Length(max=60)],
                                  description=_l("As printed on the courier's receipt."),
                                  render_kw={"autocomplete": "off", "maxlength": 60})


class SellerCancelForm(CantingForm):
    reason = TextAreaField(_l("Reason for the buyer"), validators=[DataRequired(), Length(max=500)],
                           description=_l("The buyer reads this in their mail."),
                           render_kw={"rows": 2, "maxlength": 500})


class StatusFilterForm(CantingForm):
    """A list's status filter, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])

    def __init__(self, labels: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.status.choices = select_choices([("", _l("All")), *labels.items()])
