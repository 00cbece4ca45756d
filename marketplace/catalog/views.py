"""Storefront pages."""
from flask import Blueprint, render_template

from marketplace.programs import queries as program_queries
from marketplace.extensions import db

bp = Blueprint("catalog", __name__)


@bp.route("/")
def home():
    programs = db.session.scalars(program_queries.programs_newest_first()).all()
    return render_template("catalog/home.html", programs=programs)
