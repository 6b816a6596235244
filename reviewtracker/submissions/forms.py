"""The reviewer's upload and comment forms, and the lead's extension form (CSRF on each)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..services.submission_drafts import LIMITS, MAX_COMMENT
from ..services.submissions import COMMENT_TYPES


class LogUploadForm(FlaskForm):
    file = FileField(
        "Your organisation's comment log",
        description="The round's template filled in, or your own log: .xlsx or .csv.",
    )


class DraftForm(FlaskForm):
    """One comment on one artefact; the page has one per artefact (prefix a<artefact id>)."""

    section = StringField("Section", validators=[Optional(), Length(max=LIMITS["section"])])
    page = StringField("Page", validators=[Optional(), Length(max=LIMITS["page"])])
    line = StringField("Line", validators=[Optional(), Length(max=LIMITS["line"])])
    comment_type = SelectField(
        "Type",
        choices=[SelectChoice("", "Not given")]
        + [SelectChoice(key, key.title()) for key in COMMENT_TYPES],
        default="",
    )
    comment = TextAreaField(
        "Comment",
        validators=[DataRequired(message="Write the comment."), Length(max=MAX_COMMENT)],
    )
    proposed_change = TextAreaField(
        "Proposed change", validators=[Optional(), Length(max=LIMITS["proposed_change"])]
    )


class ActionForm(FlaskForm):
    """A button that changes something (submit, cancel, delete): its CSRF token only."""


class ExtensionForm(FlaskForm):
    organisation = SelectField("Organisation", coerce=int, validate_choice=True)
    until = DateField("Submissions accepted until", validators=[DataRequired()])
    note = StringField(
        "Note",
        validators=[Optional(), Length(max=500)],
        description="Optional: why, as agreed with the organisation.",
    )
