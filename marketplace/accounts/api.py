"""JSON API for the token's owner."""
from marketplace.core.blueprints import Blueprint

from marketplace.accounts.policy import api_user, token_required
from marketplace.accounts.schemas import MeOut

blp = Blueprint("me", __name__, url_prefix="/api/v1", description="The account behind the token")


@blp.route("/me")
@token_required()
@blp.doc(security=[{"bearerAuth": []}])
@blp.response(200, MeOut)
@blp.alt_response(401, description="Missing, unknown or revoked token")
def me():
    """The account that owns the bearer token"""
    return api_user()
