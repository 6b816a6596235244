"""The dissensus log's forms."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from importers.vocabulary import DISSENSUS_OUTCOMES, DISSENSUS_STATUSES


class EntryForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    artefacts = StringField(
        "Artefacts (references, comma-separated)", validators=[Optional(), Length(max=500)]
    )
    comments = StringField(
        "Comments (ids, comma-separated)", validators=[Optional(), Length(max=500)]
    )
    organisation = StringField("Raised by (organisation)", validators=[Optional(), Length(max=12)])
    constituency = StringField("Constituency", validators=[Optional(), Length(max=12)])
    raised_on = DateField("Date raised", validators=[Optional()])
    issue = TextAreaField("The issue", validators=[Optional(), Length(max=20000)])
    programme_position = TextAreaField(
        "The programme's position", validators=[Optional(), Length(max=20000)]
    )
    internal_note = TextAreaField(
        "Internal note (not shown to reviewers)", validators=[Optional(), Length(max=20000)]
    )


class EditForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    issue = TextAreaField("The issue", validators=[Optional(), Length(max=20000)])
    programme_position = TextAreaField(
        "The programme's position", validators=[Optional(), Length(max=20000)]
    )
    internal_note = TextAreaField(
        "Internal note (not shown to reviewers)", validators=[Optional(), Length(max=20000)]
    )
    version = HiddenField(validators=[DataRequired(), Length(max=12)])


class OutcomeForm(FlaskForm):
    outcome = SelectField(
        "Outcome",
        choices=[SelectChoice("", "Not decided yet")]
        + [SelectChoice(t.key, t.label) for t in DISSENSUS_OUTCOMES],
        validators=[Optional()],
    )
    outcome_note = TextAreaField("What was decided", validators=[Optional(), Length(max=20000)])
    post_meeting_update = TextAreaField(
        "Post-meeting update (required for a decision by email after the meeting)",
        validators=[Optional(), Length(max=20000)],
    )
    decided_on = DateField("Decided on", validators=[Optional()])
    status = SelectField(
        "Status",
        choices=[SelectChoice(t.key, t.label) for t in DISSENSUS_STATUSES],
        validators=[DataRequired()],
    )
    version = HiddenField(validators=[DataRequired(), Length(max=12)])


class PositionsForm(FlaskForm):
    """The meeting's date; the positions come as `c-<constituency id>` fields."""

    meeting_on = DateField("Meeting date", validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button that needs only its CSRF token."""
