"""The report filters, read from the query string."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from marketplace.core.forms import BabelMeta, CantingForm
from marketplace.reports.metrics import parse_cohort


class ReportFilterForm(CantingForm):
    """A GET form (no CSRF: it changes nothing), every field optional; the cohort's choices are
    the report's own cohorts."""

    class Meta(BabelMeta):
        csrf = False

    since = DateField(_l("From (day)"), validators=[Optional()])
    until = DateField(_l("To (day)"), validators=[Optional()])
    # Choices are the report's own cohorts, set after the report is read; any well-formed cohort
    # is accepted (one with no graduates shows empty figures, not an error).
    cohort = SelectField(_l("Cohort"), validators=[Optional()], validate_choice=False)

    def validate_cohort(self, field):
        try:
            field.data = parse_cohort(field.data)
        except ValueError:
            raise ValidationError(_l("Choose a graduation year or batch from the list.")) from None

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The last day cannot be before the first day."))
