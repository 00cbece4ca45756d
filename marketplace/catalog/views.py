"""Storefront pages: home, shop pages and the artisan's shop settings."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policy import roles_required
from marketplace.catalog import services
from marketplace.catalog.forms import ShopForm
from marketplace.catalog.models import Shop
from marketplace.core.errors import CantingError
from marketplace.core.forms import apply_form_errors
from marketplace.extensions import db
from marketplace.programs import queries as program_queries

bp = Blueprint("catalog", __name__)


@bp.route("/")
def home():
    programs = db.session.scalars(program_queries.programs_newest_first()).all()
    return render_template("catalog/home.html", programs=programs)


@bp.route("/shops/<slug>")
def shop_detail(slug: str):
    shop = db.session.scalar(Shop.public().where(Shop.slug == slug))
    if shop is None:
        abort(404)
    badges = program_queries.badges_by_artisan([shop.owner_id])[shop.owner_id]
    return render_template("catalog/shop.html", shop=shop, badges=badges)


@bp.route("/dashboard/shop", methods=["GET", "POST"])
@roles_required(Role.ARTISAN.value)
def my_shop():
    shop = db.session.scalar(sa.select(Shop).filter_by(owner_id=current_user.id))
    form = ShopForm(obj=shop)
    if form.validate_on_submit():
        values = {k: getattr(form, k).data for k in ("name", "story", "city", "province", "shipping_origin")}
        try:
            if shop is None:
                shop = services.open_shop(current_user, slug=form.slug.data or None, **values)
                flash(_("Your shop is open."), "success")
            else:
                shop = services.update_shop(current_user, slug=form.slug.data or None, **values)
                flash(_("Shop saved."), "success")
        except CantingError as error:
            apply_form_errors(form, error)
        else:
            return redirect(url_for("catalog.shop_detail", slug=shop.slug))
    return render_template("catalog/shop_form.html", form=form, shop=shop)
