"""JSON shapes of the programs API. Only public facts go out publicly: a graduation appears
in public output solely as a badge, and only when verified and made public by the artisan."""
import marshmallow as ma
from flask_babel import gettext as _

from marketplace.core.fields import UtcDateTime, WholeNumber
from marketplace.core.pagination import PageQuery
from marketplace.core.regions import PROVINCES
from marketplace.programs.models import (
    PROGRAM_KIND_LABELS, TECHNIQUE_LABELS, GraduationStatus,
)


class OrganizationOut(ma.Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    province = ma.fields.String(required=True)


class ProgramOut(ma.Schema):
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    organization = ma.fields.Nested(OrganizationOut, required=True)
    partners = ma.fields.List(ma.fields.String(), required=True)
    techniques = ma.fields.List(ma.fields.String(), required=True)
    description = ma.fields.String(required=True)
    venue = ma.fields.String(required=True)
    city = ma.fields.String(required=True)
    province = ma.fields.String(required=True)
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    participant_count = ma.fields.Integer(allow_none=True)
    held_in_correctional_facility = ma.fields.Boolean(required=True)


class ProgramQuery(PageQuery):
    province = ma.fields.String(validate=ma.validate.OneOf(PROVINCES))
    kind = ma.fields.String(validate=ma.validate.OneOf(list(PROGRAM_KIND_LABELS)))
    technique = ma.fields.String(validate=ma.validate.OneOf(list(TECHNIQUE_LABELS)))
    organization = ma.fields.String(validate=ma.validate.Length(max=80))


class ProgramIn(ma.Schema):
    organization = ma.fields.String(metadata={"description": "Organization slug (admins only; "
                                              "officers always add to their own)"})
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=255))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(list(PROGRAM_KIND_LABELS)))
    partners = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=255)), load_default=list,
                              validate=ma.validate.Length(max=30))
    techniques = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(TECHNIQUE_LABELS))),
                                load_default=list)
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=10_000))
    venue = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=255))
    city = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=120))
    province = ma.fields.String(required=True, validate=ma.validate.OneOf(PROVINCES))
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    participant_count = WholeNumber(allow_none=True, validate=ma.validate.Range(min=0, max=100_000))
    held_in_correctional_facility = ma.fields.Boolean(load_default=False)

    @ma.validates_schema
    def dates_ordered(self, data, **kwargs):
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            raise ma.ValidationError(_("The program cannot end before it starts."), "end_date")


class ProgramPatch(ProgramIn):
    # marshmallow has no `partial` Meta option: it is a constructor argument.
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class GraduationClaimIn(ma.Schema):
    program = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120),
                               metadata={"description": "Program slug"})
    certificate_number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    graduated_on = ma.fields.Date(required=True)


class GraduationPatch(ma.Schema):
    public = ma.fields.Boolean(required=True)
    confirm_correctional_facility_shown = ma.fields.Boolean(load_default=False, metadata={
        "description": "Required (true) to show a graduation of a program held in a correctional "
                       "facility: buyers will see the badge, and the program's page names the facility. "
                       "Without it such a request answers 422. Hiding never needs it."})


class RejectIn(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))


class GraduationOut(ma.Schema):
    """A graduation as its artisan or a deciding officer sees it (never public)."""

    id = ma.fields.Integer(required=True)
    program = ma.fields.Function(lambda g: g.program.slug, required=True, metadata={"type": "string"})
    program_title = ma.fields.Function(lambda g: g.program.title, required=True, metadata={"type": "string"})
    status = ma.fields.String(required=True, validate=ma.validate.OneOf([s.value for s in GraduationStatus]))
    certificate_number = ma.fields.String(required=True)
    graduated_on = ma.fields.Date(required=True)
    public = ma.fields.Boolean(required=True)
    source = ma.fields.String(required=True)
    rejection_reason = ma.fields.String(allow_none=True)
    has_certificate_file = ma.fields.Function(lambda g: bool(g.certificate_key), metadata={"type": "boolean"})
    decided_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)


class BadgeOut(ma.Schema):
    """The public trace of a verified graduation the artisan chose to show."""

    program = ma.fields.Function(lambda g: g.program.slug, required=True, metadata={"type": "string"})
    program_title = ma.fields.Function(lambda g: g.program.title, required=True, metadata={"type": "string"})
    organization = ma.fields.Function(lambda g: g.program.organization.name, required=True,
                                      metadata={"type": "string"})
    year = ma.fields.Function(lambda g: g.graduated_on.year, required=True, metadata={"type": "integer"})


class RosterIn(ma.Schema):
    roster = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RosterImportOut(ma.Schema):
    """What a roster import did, in counts: the graduates' names, contacts and codes stay on the
    program's invitation page (whose every view is logged for a correctional-facility program)."""

    program = ma.fields.String(required=True, metadata={"description": "Program slug"})
    imported = ma.fields.Integer(required=True, metadata={"description": "Invitations created"})
    emailed = ma.fields.Integer(required=True, metadata={"description": "Invitations sent by email"})
