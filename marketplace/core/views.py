"""Site-wide routes: health check and the interactive API docs served from local assets."""
from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, render_template, send_from_directory

from marketplace.extensions import db

bp = Blueprint("core", __name__)

SWAGGER_UI_DIR = Path(swagger_ui_bundle.swagger_ui_path)


@bp.route("/healthz")
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/api/v1/docs")
def api_docs():
    return render_template("core/api_docs.html")


@bp.route("/api/v1/docs/assets/<path:filename>")
def api_docs_asset(filename: str):
    return send_from_directory(SWAGGER_UI_DIR, filename, max_age=86400)
