"""The bulk triage form. The filter form is a plain GET form: nothing to protect."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from importers.vocabulary import DISPOSITIONS

SCOPES = [
    SelectChoice("selected", "The comments ticked below"),
    SelectChoice("filter", "Every comment matching the filter"),
]
DISPOSITION_CHOICES = [
    SelectChoice("", "Leave as it is"),
    *(SelectChoice(term.key, term.label) for term in DISPOSITIONS),
]


class BulkTriageForm(FlaskForm):
    """Set a disposition, a response and/or an action owner on many comments at once.

    The selection travels beside the form's own fields: ticked rows as `ids`, the list's
    filter as `f-<arg>` fields (see comments.views); empty fields mean "leave as it is".
    """

    scope = RadioField("Apply to", choices=SCOPES, default="selected")
    disposition = SelectField(
        "Disposition",
        choices=DISPOSITION_CHOICES,
        default="",
        validators=[Optional()],
    )
    action_owner = StringField("Action owner", validators=[Optional(), Length(max=200)])
    response = TextAreaField("Response", validators=[Optional(), Length(max=20000)])
    back = HiddenField()
    confirm = HiddenField()

    def changes(self) -> dict[str, str]:
        """The fields the user filled in: what the change sets."""
        values = {
            "disposition": self.disposition.data or "",
            "action_owner": (self.action_owner.data or "").strip(),
            "response": (self.response.data or "").strip(),
        }
        return {name: value for name, value in values.items() if value}
