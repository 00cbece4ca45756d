"""Named queries over organizations and programs; each returns a select() to page or count."""
import sqlalchemy as sa

from marketplace.programs.models import Organization, TrainingProgram


def programs_newest_first():
    return sa.select(TrainingProgram).order_by(TrainingProgram.start_date.desc(), TrainingProgram.id)


def programs_of(organization_id: int):
    return programs_newest_first().where(TrainingProgram.organization_id == organization_id)


def organizations_by_name():
    return sa.select(Organization).order_by(Organization.name)
