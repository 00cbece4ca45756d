"""Named queries over organizations, programs and graduations; each returns a select()."""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.programs.models import Graduation, GraduationStatus, Organization, TrainingProgram


def programs_newest_first():
    return sa.select(TrainingProgram).order_by(TrainingProgram.start_date.desc(), TrainingProgram.id)


def programs_of(organization_id: int):
    return programs_newest_first().where(TrainingProgram.organization_id == organization_id)


def programs_filtered(*, province=None, kind=None, technique=None, organization=None):
    query = programs_newest_first()
    if province:
        query = query.where(TrainingProgram.province == province)
    if kind:
        query = query.where(TrainingProgram.kind == kind)
    if organization:
        query = query.join(TrainingProgram.organization).where(Organization.slug == organization)
    if technique:
        # techniques is a short JSON list; a LIKE on its text form works on SQLite and PostgreSQL.
        query = query.where(sa.cast(TrainingProgram.techniques, sa.String).like(f'%"{technique}"%'))
    return query


def organizations_by_name():
    return sa.select(Organization).order_by(Organization.name)


def shown_graduations():
    """Graduations buyers may see: verified by an officer AND made public by the artisan."""
    return sa.select(Graduation).where(
        Graduation.status == GraduationStatus.VERIFIED.value, Graduation.public.is_(True)
    )


def badges_by_artisan(artisan_ids) -> dict[int, list[Graduation]]:
    """Public badges for many artisans in one query (for shop lists and product cards)."""
    ids = list(set(artisan_ids))
    badges: dict[int, list[Graduation]] = defaultdict(list)
    if not ids:
        return badges
    rows = db.session.scalars(
        shown_graduations().where(Graduation.artisan_id.in_(ids))
        .order_by(Graduation.graduated_on.desc())
    ).all()
    for graduation in rows:
        badges[graduation.artisan_id].append(graduation)
    return badges

