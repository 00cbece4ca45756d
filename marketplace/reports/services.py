"""Who may see which impact report, and the access log of the ones that name graduates.

Officers see their own organization's programs; admins see every program. A report's aggregate
figures name nobody. Its per-graduate table does, so for a program held in a correctional facility
(now or ever) it is shown to that program's own officers only, never to admins or anyone else,
and every look at it, on the page, the printable page or as CSV, is written to the access log.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.accounts.models import Role, User
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.programs import services as programs
from marketplace.programs.models import Organization, TrainingProgram
from marketplace.reports import facts, metrics
from marketplace.core.times import local_today

# A public impact page shows figures only once this many opted-in graduates have sold: fewer, and
# a total could be traced back to one person.
PUBLIC_MINIMUM_SELLERS = 5


@dataclass
class ReportFilters:
    since: date | None = None
    until: date | None = None
    cohort: str | None = None


@dataclass
class Dashboard:
    """One report as a page, the API and the exports show it."""

    title: str
    organization: Organization
    programs: list[TrainingProgram]
    filters: ReportFilters
    report: metrics.ImpactReport
    cohorts: list[tuple[str, int]]
    graduates: list[metrics.GraduateRow] | None = None
    # Programs whose graduates the table leaves out for this viewer (correctional facility).
    withheld: list[TrainingProgram] = field(default_factory=list)

    @property
    def program(self) -> TrainingProgram | None:
        return self.programs[0] if len(self.programs) == 1 else None


def last_twelve_months() -> tuple[date, date]:
    """The first day of the month eleven months ago and today (Asia/Jakarta): a report's default."""
    today = local_today()
    index = today.year * 12 + today.month - 1 - 11
    return date(index // 12, index % 12 + 1, 1), today


def check_filters(filters: ReportFilters) -> ReportFilters:
    """Raises ValidationFailed when the range ends before it starts."""
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationFailed(_("The end date is before the start date."), field="to")
    return filters


def may_see_graduates(actor: User, program: TrainingProgram) -> bool:
    """Whether ACTOR may see the names behind PROGRAM's figures."""
    if program.is_sensitive:
        return actor.has_role(Role.OFFICER.value) and actor.organization_id == program.organization_id
    return programs.can_manage_program(actor, program)


def _organization_for(actor: User, slug: str) -> Organization:
    organization = db.session.scalar(sa.select(Organization).filter_by(slug=slug))
    if organization is None or not (
        actor.has_role(Role.ADMIN.value)
        or (actor.has_role(Role.OFFICER.value) and actor.organization_id == organization.id)
    ):
        raise NotFound(_("Organization not found."))
    return organization


def _programs_of(organization: Organization) -> list[TrainingProgram]:
    return db.session.scalars(
        sa.select(TrainingProgram).filter_by(organization_id=organization.id)
        .order_by(TrainingProgram.start_date.desc(), TrainingProgram.id)
    ).all()


def _scope(program_list: list[TrainingProgram], filters: ReportFilters) -> metrics.ReportScope:
    return metrics.ReportScope(program_ids=tuple(p.id for p in program_list), since=filters.since,
                               until=filters.until, cohort=filters.cohort)


def _dashboard(actor: User, title: str, organization: Organization, program_list: list[TrainingProgram],
               filters: ReportFilters, *, with_graduates: bool, action: str) -> Dashboard:
    check_filters(filters)
    facts.refresh_sale_facts()
    shown = [p for p in program_list if may_see_graduates(actor, p)] if with_graduates else []
    withheld = [p for p in program_list if p not in shown] if with_graduates else []
    # Usually the viewer may see every graduate: the figures and the table then share one pass.
    report = metrics.impact_report(_scope(program_list, filters), with_graduates=with_graduates and not withheld)
    dashboard = Dashboard(title=title, organization=organization, programs=program_list, filters=filters,
                          report=report, cohorts=metrics.cohorts(tuple(p.id for p in program_list)),
                          withheld=withheld)
    if with_graduates:
        dashboard.graduates = report.graduates if not withheld else metrics.graduate_rows(_scope(shown, filters))
        for program in shown:
            programs.log_access(actor, program, action)
    commit()
    return dashboard


def program_dashboard(actor: User, slug: str, filters: ReportFilters, *, with_graduates: bool = True,
                      action: str = "view_report") -> Dashboard:
    """PROGRAM's report for an officer of its organization or an admin; with the per-graduate
    table when WITH_GRADUATES and the viewer may see it (logged as ACTION).

    Raises NotFound (no such program, or not the viewer's), ValidationFailed (the dates).
    """
    program = programs.program_for_officer(actor, slug)
    return _dashboard(actor, program.title, program.organization, [program], filters,
                      with_graduates=with_graduates, action=action)


def organization_dashboard(actor: User, slug: str, filters: ReportFilters, *, with_graduates: bool = True,
                           action: str = "view_report") -> Dashboard:
    """The report of all of an organization's programs together, each graduate counted once.

    Raises NotFound (no such organization, or not the viewer's), ValidationFailed (the dates).
    """
    organization = _organization_for(actor, slug)
    return _dashboard(actor, organization.name, organization, _programs_of(organization), filters,
                      with_graduates=with_graduates, action=action)


def own_organization(actor: User) -> Organization:
    """The officer's organization. Raises NotFound for an officer who belongs to none."""
    if actor.organization is None:
        raise NotFound(_("Organization not found."))
    return actor.organization


# --- the public impact page -------------------------------------------------------------------

@dataclass
class PublicImpact:
    program: TrainingProgram
    report: metrics.ImpactReport | None  # None while too few opted-in graduates have sold
    since: date  # the figures are the last twelve months'
    shops: list[metrics.PublicShop] = field(default_factory=list)


def public_impact(slug: str) -> PublicImpact:
    """The published impact of a program: the last twelve months' figures over its opted-in
    graduates only, shown once at least PUBLIC_MINIMUM_SELLERS of them have sold, and their shops (they chose to show the
    program on them, so listing them singles nobody out). Raises NotFound unless the
    organization has published the page."""
    program = db.session.scalar(sa.select(TrainingProgram).filter_by(slug=slug))
    if program is None or not program.impact_page_public:
        raise NotFound(_("Program not found."))
    facts.refresh_sale_facts()
    since, until = last_twelve_months()
    report = metrics.impact_report(metrics.ReportScope(program_ids=(program.id,), since=since, until=until,
                                                       public_only=True))
    # The totals sum the sales of the graduates who sold in these months: at least this many.
    shown = report.funnel.selling_in_range >= PUBLIC_MINIMUM_SELLERS
    impact = PublicImpact(program=program, report=report if shown else None, shops=metrics.public_shops(program.id),
                          since=since)
    commit()
    return impact
