"""Organization and program use cases."""
import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.core.errors import ValidationFailed
from marketplace.core.regions import PROVINCES
from marketplace.extensions import db
from marketplace.programs.models import ORGANIZATION_KIND_LABELS, Organization


def create_organization(*, name: str, slug: str, kind: str, province: str) -> Organization:
    """Admin registers an organization that runs training programs.

    Raises ValidationFailed (slug taken, unknown kind or province).
    """
    if kind not in ORGANIZATION_KIND_LABELS:
        raise ValidationFailed(_("Unknown kind of organization."), field="kind")
    if province not in PROVINCES:
        raise ValidationFailed(_("Unknown province."), field="province")
    slug = slug.strip().lower()
    if db.session.scalar(sa.select(Organization.id).filter_by(slug=slug)) is not None:
        raise ValidationFailed(_("Another organization already uses this short name."), field="slug")
    organization = Organization(name=name.strip(), slug=slug, kind=kind, province=province)
    db.session.add(organization)
    db.session.commit()
    return organization
