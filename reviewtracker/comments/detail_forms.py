"""The forms of one comment's page: the triage form and the small action forms."""

from __future__ import annotations

import json
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from importers.vocabulary import DISPOSITIONS

from ..inputs import positive_int

# The triage form's fields, in the order the page shows them (the last five: who resolves
# the comment and by when, where its response stands, and the version an accepted change
# went into).
FIELDS = (
    "disposition",
    "response",
    "action_owner",
    "action_due",
    "internal_note",
    "assignee_id",
    "working_group_id",
    "due_on",
    "response_state",
    "implemented_in",
)
TEXT_FIELDS = ("response", "internal_note")
ID_FIELDS = ("assignee_id", "working_group_id")
RESOLUTION_FORM_FIELDS = (*ID_FIELDS, "due_on", "response_state", "implemented_in")
DATE_FIELDS = ("action_due", "due_on")
# Each option carries its keyboard key as data-key: static/app.js reads it from the page.
DISPOSITION_CHOICES = [
    SelectChoice(
        term.key, term.label, render_kw={"data-key": term.shortcut} if term.shortcut else None
    )
    for term in DISPOSITIONS
]
# ASCII digits: `\d` also matches other scripts' digits.
DIGITS = Regexp(r"^[0-9]{1,9}\Z", message="Reload the page and try again.")


def clean_text(value: object) -> str | None:
    """A multi-line text as stored: browsers send CRLF line breaks, the database keeps LF;
    blank is no value (None), so an untouched empty field never counts as a change."""
    if value is None:
        return None
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip() else None


def clean_line(value: object) -> str | None:
    """A one-line text as stored: trimmed, blank is None."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def clean(name: str, value: object) -> object:
    """The value of a triage field as the database holds it, for comparing and saving."""
    if name in TEXT_FIELDS:
        return clean_text(value)
    if name in ("action_owner", "implemented_in"):
        return clean_line(value)
    if name in ID_FIELDS:
        return positive_int(value) if value not in (None, "") else None
    return value


def snapshot(values: dict[str, object]) -> str:
    """The triage values a form was loaded with, as JSON text for the `loaded` field."""
    return json.dumps({name: _jsonable(clean(name, values.get(name))) for name in FIELDS})


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


class TriageForm(FlaskForm):
    """Disposition, response, action owner and due date (a comment in Action's), internal
    note; who resolves the comment (a person, a working group, by a date), its workflow state
    and the version an accepted change went into.

    `version` is the comment's version when the form was loaded (optimistic locking);
    `loaded` holds the triage values it was loaded with, so that a stale save can tell which
    fields the user changed from which someone else changed.
    """

    disposition = SelectField(
        "Disposition", choices=DISPOSITION_CHOICES, validators=[InputRequired()]
    )
    response = TextAreaField("Response", validators=[Optional(), Length(max=20000)])
    action_owner = StringField("Action owner", validators=[Optional(), Length(max=200)])
    action_due = DateField("Action due", validators=[Optional()])
    internal_note = TextAreaField(
        "Internal note (not shown to reviewers)", validators=[Optional(), Length(max=20000)]
    )
    # Choices filled in by the view: the design team, the working groups, and the states the
    # response may move to from where it is (approved: a lead's).
    assignee_id = SelectField("Assigned to", choices=[], validate_choice=False)
    working_group_id = SelectField("Working group", choices=[], validate_choice=False)
    due_on = DateField("Due date", validators=[Optional()])
    response_state = SelectField("Workflow state", choices=[], validators=[Optional()])
    implemented_in = StringField(
        "Implemented in (artefact version)", validators=[Optional(), Length(max=40)]
    )
    version = HiddenField(validators=[DataRequired(), DIGITS])
    loaded = HiddenField()
    save = SubmitField("Save")
    save_next = SubmitField("Save and next")
    save_next_open = SubmitField("Save and next open")

    def values(self) -> dict[str, object]:
        """The triage values typed in the form, cleaned as the database holds them."""
        return {name: clean(name, getattr(self, name).data) for name in FIELDS}

    def posted_values(self, posted: object) -> dict[str, object]:
        """`values()` without the resolution fields the request did not send (`posted`: the
        form data's keys): a form without them leaves who resolves and the state as they are."""
        return {
            name: value
            for name, value in self.values().items()
            if name in posted or name not in RESOLUTION_FORM_FIELDS
        }

    def offer(
        self,
        assignees: list[tuple[int, str]],
        groups: list[tuple[int, str]],
        states: list[tuple[str, str]],
    ) -> None:
        """The choices of the resolution selects."""
        self.assignee_id.choices = [
            SelectChoice("", "Nobody"),
            *(SelectChoice(str(i), n) for i, n in assignees),
        ]
        self.working_group_id.choices = [
            SelectChoice("", "None"),
            *(SelectChoice(str(i), n) for i, n in groups),
        ]
        self.response_state.choices = [SelectChoice(key, label) for key, label in states]

    def loaded_values(self) -> dict[str, object] | None:
        """The values the form was loaded with, or None if the form did not say (cleaned)."""
        try:
            data = json.loads(self.loaded.data or "")
        except ValueError:
            return None
        if not isinstance(data, dict) or set(data) != set(FIELDS):
            return None
        try:
            for name in DATE_FIELDS:
                data[name] = date.fromisoformat(data[name]) if data[name] else None
        except (TypeError, ValueError):
            return None
        return {name: clean(name, data[name]) for name in FIELDS}

    def show(self, values: dict[str, object], version: int) -> None:
        """Put `values` in the form's fields (as if typed) and load it at `version`."""
        for name in FIELDS:
            field = getattr(self, name)
            value = values.get(name)
            field.data = str(value) if name in ID_FIELDS and value is not None else value
            field.raw_data = []  # the fields render `data` again, not what was posted
        self.version.data = str(version)


class OtherCommentForm(FlaskForm):
    """An action on this comment that names another one: "mark as duplicate of", "copy
    response from"."""

    other = HiddenField(validators=[DataRequired(), DIGITS])
    version = HiddenField(validators=[DataRequired(), DIGITS])
    # "yes" once the user has seen what marking as a duplicate would overwrite.
    confirm = HiddenField()


class UnmarkDuplicateForm(FlaskForm):
    version = HiddenField(validators=[DataRequired(), DIGITS])
