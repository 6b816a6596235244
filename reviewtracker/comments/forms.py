"""The bulk triage form. The filter form is a plain GET form: nothing to protect."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from importers.vocabulary import ANSWERS, DISPOSITIONS, PUBLISHED, RESPONSE_STATES

from ..inputs import positive_int

SCOPES = [
    SelectChoice("selected", "The comments ticked below"),
    SelectChoice("filter", "Every comment matching the filter"),
]
DISPOSITION_CHOICES = [
    SelectChoice("", "Leave as it is"),
    *(SelectChoice(term.key, term.label) for term in DISPOSITIONS),
]


class BulkTriageForm(FlaskForm):
    """Set a disposition, a response, an action owner, an assignment (person, working group,
    due date) and/or a response state on many comments at once.

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
    # Who resolves the comments: "" leaves it, NOBODY clears it, else an id (checked by the
    # service: the choices are the users and groups there are, filled in by the view).
    assignee = StringField("Assignee", validators=[Optional(), Length(max=12)])
    working_group = StringField("Working group", validators=[Optional(), Length(max=12)])
    # The assignment's due date (comment_resolution.due_on), not the action's.
    due_on = DateField("Due date", validators=[Optional()])
    response_state = SelectField(
        "Response state",
        choices=[
            SelectChoice("", "Leave as it is"),
            *(SelectChoice(t.key, t.label) for t in RESPONSE_STATES if t.key != PUBLISHED),
        ],
        default="",
        validators=[Optional()],
    )
    back = HiddenField()
    confirm = HiddenField()

    def changes(self) -> dict[str, object]:
        """The fields the user filled in: what the change sets."""
        values: dict[str, object] = {
            "disposition": self.disposition.data or "",
            "action_owner": (self.action_owner.data or "").strip(),
            "response": (self.response.data or "").strip(),
            "response_state": self.response_state.data or "",
        }
        changes = {name: value for name, value in values.items() if value}
        if self.due_on.data is not None:
            changes["due_on"] = self.due_on.data
        for name, field in (
            ("assignee_id", self.assignee),
            ("working_group_id", self.working_group),
        ):
            chosen = (field.data or "").strip()
            if chosen == NOBODY:
                changes[name] = None
            elif chosen:
                changes[name] = positive_int(chosen) or -1  # -1: refused by the service
        return changes


NOBODY = "none"


class PublishForm(FlaskForm):
    """Publish the approved responses of a selection (carried as the bulk form carries it)."""

    back = HiddenField()
    confirm = HiddenField()


class PublishOneForm(FlaskForm):
    """Publish one comment's approved response."""

    version = HiddenField(validators=[Optional(), Length(max=12)])


class AnswerForm(FlaskForm):
    """A reviewer's answer to a published disposition, and an optional follow-up comment."""

    answer = RadioField(
        "Your answer",
        choices=[SelectChoice(t.key, t.label) for t in ANSWERS],
        validators=[Optional()],
    )
    reason = TextAreaField("Reason (required to disagree)", validators=[Length(max=20000)])
    follow_up = TextAreaField("Follow-up comment (optional)", validators=[Length(max=20000)])


class AgreeAllForm(FlaskForm):
    artefact = HiddenField(validators=[Length(max=40)])
    confirm = HiddenField()
