"""Forms for organizations, programs, graduation claims and rosters. Shape only; the rules
(whose program, which dates, duplicates) are checked in the services."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DateField, HiddenField, IntegerField, SelectField, SelectMultipleField,
    StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.core.forms import BabelMeta, CantingForm, select_choices
from marketplace.core.regions import PROVINCES
from marketplace.programs.models import ORGANIZATION_KIND_LABELS, PROGRAM_KIND_LABELS, TECHNIQUE_LABELS


class OrganizationForm(CantingForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name in addresses"),
        validators=[DataRequired(), Length(max=80),
                    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                           message=_l("Use lower-case letters, digits and hyphens only."))],
        description=_l("For example: dekranasda-banyuasin"),
    )
    kind = SelectField(_l("Kind"), choices=select_choices(ORGANIZATION_KIND_LABELS))
    province = SelectField(_l("Province"), choices=list(PROVINCES))


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProgramForm(CantingForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=255)])
    kind = SelectField(_l("Kind of program"), choices=select_choices(PROGRAM_KIND_LABELS))
    techniques = CheckboxListField(_l("Techniques taught"), choices=select_choices(TECHNIQUE_LABELS))
    partners = TextAreaField(_l("Partners"), validators=[Length(max=5000)],
                             description=_l("One partner per line."))
    description = TextAreaField(_l("What the program taught"), validators=[Length(max=10000)])
    venue = StringField(_l("Venue"), validators=[DataRequired(), Length(max=255)])
    city = StringField(_l("Regency or city"), validators=[DataRequired(), Length(max=120)])
    province = SelectField(_l("Province"), choices=list(PROVINCES))
    start_date = DateField(_l("First day"), validators=[DataRequired()])
    end_date = DateField(_l("Last day"), validators=[DataRequired()])
    participant_count = IntegerField(_l("Participants"), validators=[Optional(), NumberRange(min=0, max=100000)])
    held_in_correctional_facility = BooleanField(
        _l("Held in a correctional facility"),
        description=_l("Graduates of such programs are hidden from buyers unless each of them chooses otherwise."),
    )

    def service_values(self) -> dict:
        values = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        values["partners"] = [line.strip() for line in (self.partners.data or "").splitlines() if line.strip()]
        return values


class ClaimForm(CantingForm):
    program = SelectField(_l("Training program"), validators=[DataRequired()])
    certificate_number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=80)])
    graduated_on = DateField(_l("Graduation date"), validators=[DataRequired()])
    certificate = FileField(
        _l("Photo or PDF of the certificate (optional)"),
        description=_l("JPEG, PNG, WebP or PDF, up to 5 MB. Only you and the program's officers can see it."),
    )


class RedeemForm(CantingForm):
    code = StringField(_l("Invitation code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("The code your program's officer gave you, like ABCD-2345."))


class VisibilityForm(CantingForm):
    public = HiddenField()  # "1" shows the badge, "0" hides it


class RejectForm(CantingForm):
    reason = TextAreaField(_l("Reason for the artisan"), validators=[DataRequired(), Length(max=2000)])


class RosterForm(CantingForm):
    roster = FileField(_l("Roster (CSV)"), validators=[FileRequired()],
                       description=_l("Columns: name, email, phone, certificate_number, graduated_on. "
                                      "Each row needs an email or a phone number."))


class AccessLogFilterForm(CantingForm):
    """The access log's filters: a GET form (no CSRF: it changes nothing), every field optional."""

    class Meta(BabelMeta):
        csrf = False

    officer = SelectField(_l("Officer"), validators=[Optional()])
    program = SelectField(_l("Program"), validators=[Optional()])
    since = DateField(_l("From (day)"), validators=[Optional()])
    until = DateField(_l("To (day)"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class ConfirmShownForm(CantingForm):
    """Showing a correctional-facility graduation on the shop: the artisan's explicit consent."""

    understood = BooleanField(
        _l("I understand that buyers will see this program, and the facility where it was held, "
           "on my shop."),
        validators=[DataRequired(message=_l("Tick the box to confirm, or go back."))],
    )
