"""The seller's shipping rates page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, Form, FormField
from wtforms.validators import InputRequired

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.catalog.forms import RupiahField
from marketplace.core.errors import CantingError, NotFound
from marketplace.core.forms import BabelMeta, CantingForm
from marketplace.orders import shipping
from marketplace.orders.models import Zone

bp = Blueprint("shipping", __name__)


def zone_hints(shop) -> dict[str, str]:
    """Who each zone's buyers are, seen from SHOP."""
    group = shipping.ISLAND_GROUPS.get(shop.province)
    return {
        Zone.SAME_CITY.value: _("Buyers in %(city)s.", city=shop.city),
        Zone.SAME_PROVINCE.value: _("Buyers elsewhere in %(province)s.", province=shop.province),
        Zone.SAME_ISLAND_GROUP.value: _("Buyers in the other provinces of %(group)s.",
                                        group=shipping.ISLAND_GROUP_LABELS[group] if group else "—"),
        Zone.DOMESTIC.value: _("Buyers anywhere else in Indonesia."),
        Zone.INTERNATIONAL.value: _("Buyers outside Indonesia."),
    }


class RateRow(Form):
    Meta = BabelMeta

    base_fee = RupiahField(_l("Per parcel (Rp)"), validators=[InputRequired(), shipping.FEE_RANGE.form_validator()],
                           render_kw={"inputmode": "numeric"})
    per_kg_fee = RupiahField(_l("Per kilogram (Rp)"),
                             validators=[InputRequired(), shipping.FEE_RANGE.form_validator()],
                             render_kw={"inputmode": "numeric"})


class AbroadRateRow(RateRow):
    offered = BooleanField(_l("I ship abroad"))


class ShippingRatesForm(CantingForm):
    """One row per zone; only shipping abroad has an on/off box (see shipping.OPTIONAL_ZONES)."""

    same_city = FormField(RateRow, label=shipping.ZONE_LABELS[Zone.SAME_CITY])
    same_province = FormField(RateRow, label=shipping.ZONE_LABELS[Zone.SAME_PROVINCE])
    same_island_group = FormField(RateRow, label=shipping.ZONE_LABELS[Zone.SAME_ISLAND_GROUP])
    domestic = FormField(RateRow, label=shipping.ZONE_LABELS[Zone.DOMESTIC])
    international = FormField(AbroadRateRow, label=shipping.ZONE_LABELS[Zone.INTERNATIONAL])

    @classmethod
    def values_of(cls, rates: dict) -> dict:
        """The form's starting values: the shop's current RATES."""
        return {zone.value: {"base_fee": rate.base_fee, "per_kg_fee": rate.per_kg_fee, "offered": rate.offered}
                for zone, rate in rates.items()}

    def rows(self) -> list:
        return [self[zone.value] for zone in Zone]

    def rate_specs(self) -> dict:
        return {zone: dict(self[zone.value].data) for zone in Zone}

    def show_errors(self, error: CantingError) -> None:
        """Each of set_shipping_rates' errors on its zone's field, anything else on top."""
        by_zone = (error.errors or {}).get("rates")
        if not isinstance(by_zone, dict):
            self.form_errors.append(error.message)
            return
        for zone, fields in by_zone.items():
            row = self[zone].form
            for name, messages in fields.items():
                if name in row:
                    row[name].errors = [*row[name].errors, *messages]
                else:  # a field this row does not show (switching a zone in Indonesia off)
                    self.form_errors.extend(f"{self[zone].label.text}: {message}" for message in messages)


@bp.route("/dashboard/shipping", methods=["GET", "POST"])
@roles_required(Role.ARTISAN.value)
def my_shipping_rates():
    try:
        shop = shipping.own_shop(current_user)
    except NotFound:
        flash(_("Open your shop first."), "info")
        return redirect(url_for("catalog.my_shop"))
    form = ShippingRatesForm(data=ShippingRatesForm.values_of(shipping.rates_for(shop.id)))
    if form.validate_on_submit():
        try:
            shipping.set_shipping_rates(current_user, form.rate_specs())
        except CantingError as error:
            form.show_errors(error)
        else:
            flash(_("Shipping rates saved."), "success")
            return redirect(url_for("shipping.my_shipping_rates"))
    return render_template("orders/shipping_rates.html", form=form, shop=shop, hints=zone_hints(shop))
