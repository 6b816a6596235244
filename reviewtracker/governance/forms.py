"""The lead's forms: a meeting, an action, an action's update and links, a decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from importers.governance import (
    ACTION_REF_HINT,
    DECISION_REF_HINT,
    MEETING_REF_HINT,
    normalise_decision_ref,
    normalise_meeting_ref,
)
from importers.vocabulary import ACTION_LINK_KINDS, ACTION_STATUSES

from .args import clean_text

VERSION = Regexp(r"^[0-9]{1,9}$", message="Reload the page and try again.")


def _line(value: object) -> str:
    return clean_text(value, 10_000) if value is not None else ""


def _text(value: object) -> str:
    """Multi-line text: browsers send CRLF, the database keeps LF."""
    if value is None:
        return ""
    return clean_text(str(value).replace("\r\n", "\n").replace("\r", "\n"), 30_000)


class MeetingForm(FlaskForm):
    reference = StringField(
        "Reference",
        filters=[_line],
        validators=[DataRequired(), Length(max=20)],
        description=f"The meeting's number, {MEETING_REF_HINT} (DAG006.1: an extraordinary one).",
    )
    held_on = DateField("Date", validators=[Optional()])
    title = StringField("Title", filters=[_line], validators=[Length(max=200)])

    def validate_reference(self, field) -> None:
        if normalise_meeting_ref(field.data) is None:
            raise ValidationError(f"Write the meeting's reference {MEETING_REF_HINT}.")


class MeetingEditForm(FlaskForm):
    held_on = DateField("Date", validators=[Optional()])
    title = StringField("Title", filters=[_line], validators=[Length(max=200)])


class ActionForm(FlaskForm):
    """A new action (with its meeting), or an existing one's fields."""

    meeting = SelectField("Meeting", choices=[], validate_choice=True)
    area = StringField(
        "Area",
        filters=[_line],
        validators=[Length(max=200)],
        description="The agenda item it came from, as the papers group actions.",
    )
    text = TextAreaField("Action", filters=[_text], validators=[DataRequired(), Length(max=10_000)])
    owner = StringField(
        "Owner",
        filters=[_line],
        validators=[Length(max=200)],
        description="As the papers write it: Programme (Claire Silk), Chair, DAG members.",
    )
    due = DateField("Due date", validators=[Optional()])
    due_note = StringField(
        "Due note",
        filters=[_line],
        validators=[Length(max=120)],
        description="Words instead of (or after) a date: ASAP, at the next meeting.",
    )
    public = BooleanField(
        "Public", description="Reviewers see public actions (the papers are classified Public)."
    )
    version = HiddenField(default="0", validators=[VERSION])

    def changes(self) -> dict[str, object]:
        return {
            "area": self.area.data or "",
            "text": self.text.data or "",
            "owner": self.owner.data or "",
            "due": self.due.data,
            "due_note": self.due_note.data or None,
            "public": bool(self.public.data),
        }


STATUS_CHOICES = [
    SelectChoice("", "Keep the status"),
    *(SelectChoice(term.key, term.label) for term in ACTION_STATUSES),
]


class UpdateForm(FlaskForm):
    text = TextAreaField(
        "Update", filters=[_text], validators=[Length(max=10_000)], description="What was done."
    )
    to_status = SelectField("Status", choices=STATUS_CHOICES, default="")
    dated = DateField(
        "Dated", validators=[InputRequired()], description="The day of the update (a meeting's)."
    )
    version = HiddenField(default="0", validators=[VERSION])


LINK_CHOICES = [SelectChoice(term.key, term.label) for term in ACTION_LINK_KINDS]


class LinkForm(FlaskForm):
    kind = SelectField("Link to", choices=LINK_CHOICES)
    target = StringField(
        "Which",
        filters=[_line],
        validators=[DataRequired(), Length(max=40)],
        description="An artefact's reference (BP004), a comment's number (#123) or a dissensus "
        "entry's reference (D-001).",
    )


class UnlinkForm(FlaskForm):
    link_id = HiddenField(validators=[Regexp(r"^[0-9]{1,9}$")])


class DecisionForm(FlaskForm):
    meeting = SelectField("Meeting", choices=[], validate_choice=True)
    reference = StringField(
        "Reference",
        filters=[_line],
        validators=[Optional(), Length(max=20)],
        description=f"Leave blank for the next number; or {DECISION_REF_HINT}.",
    )
    area = StringField("Area", filters=[_line], validators=[Length(max=200)])
    text = TextAreaField(
        "Decision",
        filters=[_text],
        validators=[DataRequired(), Length(max=20_000)],
        description="Paragraphs and numbered points are kept as you write them.",
    )
    artefacts = StringField(
        "Artefacts",
        filters=[_line],
        validators=[Length(max=1000)],
        description="The artefacts it concerns, by reference: BP004, IF005.",
    )
    public = BooleanField("Public", description="Reviewers see public decisions.")
    move_state = SelectField("Moves the artefacts to", choices=[], default="")
    move_on = DateField("On", validators=[Optional()])
    move_artefacts = StringField(
        "Artefacts it moves",
        filters=[_line],
        validators=[Length(max=1000)],
        description="Blank: all the artefacts above.",
    )
    version = HiddenField(default="0", validators=[VERSION])

    def validate_reference(self, field) -> None:
        if field.data and normalise_decision_ref(field.data) is None:
            raise ValidationError(f"Write the reference {DECISION_REF_HINT}, or leave it blank.")


def split_references(text: str) -> tuple[str, ...]:
    """'BP004, IF005; DES138' -> ('BP004', 'IF005', 'DES138')."""
    parts = text.replace(";", ",").replace("\n", ",").split(",")
    return tuple(part.strip() for part in parts if part.strip())


__all__ = [
    "ACTION_REF_HINT",
    "ActionForm",
    "DecisionForm",
    "LinkForm",
    "MeetingEditForm",
    "MeetingForm",
    "UnlinkForm",
    "UpdateForm",
    "split_references",
]
