"""The lead's lifecycle forms: a move (one artefact or a filter's), a version, the tracker's
fields; and the marking of accepted changes as implemented."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from importers.reference import TRANCHES
from importers.vocabulary import ARTEFACT_STATES, allowed_moves

KEEP = ""
VERSION_HINT = "Like 0.3, 1.0 or 1.1 (a leading v is dropped)."
_VERSION = r"^[vV]?[0-9A-Za-z][0-9A-Za-z._-]{0,19}$"


def _state_choices(states: tuple[str, ...]) -> list[SelectChoice]:
    return [
        SelectChoice(KEEP, "Keep its state"),
        *(SelectChoice(key, ARTEFACT_STATES[key].label) for key in states),
    ]


class MoveForm(FlaskForm):
    """A move to a state and/or a tranche, dated, with a note, maybe a decision reference
    and a version issued with it ("baselined as v1.0")."""

    to_state = SelectField("Move to state", choices=_state_choices(ARTEFACT_STATES.keys))
    to_tranche = SelectField(
        "Move to tranche",
        choices=[
            SelectChoice(KEEP, "Keep its tranche"),
            *(SelectChoice(code, f"Tranche {code}") for code in TRANCHES),
        ],
    )
    on = DateField("Date of the move", validators=[DataRequired()], default=date.today)
    note = TextAreaField(
        "Note",
        validators=[DataRequired(message="Say why: the timeline shows it."), Length(max=2000)],
        description="Why, as the timeline will show it: 'approved by DAG #9', 'removed from "
        "this tranche, to be re-issued'.",
    )
    decision_ref = StringField(
        "Decision reference",
        validators=[Optional(), Length(max=40)],
        description="Optional, e.g. DAG-DEC-29.",
    )
    version = StringField(
        "Issue version",
        validators=[Optional(), Regexp(_VERSION, message=VERSION_HINT)],
        description="Optional: a new version issued with this move. " + VERSION_HINT,
    )

    def offer_moves_from(self, state: str | None) -> None:
        """Offer only the states the lifecycle allows from `state`."""
        self.to_state.choices = _state_choices(allowed_moves(state))


class VersionForm(FlaskForm):
    label = StringField(
        "Version",
        validators=[DataRequired(), Regexp(_VERSION, message=VERSION_HINT)],
        description=VERSION_HINT,
    )
    issued_on = DateField("Issued on", validators=[DataRequired()], default=date.today)
    note = StringField("Note", validators=[Optional(), Length(max=2000)])
    implement_accepted = BooleanField(
        "Mark every Accepted change not yet implemented as implemented in this version"
    )


class DetailsForm(FlaskForm):
    action_with = StringField(
        "Action with", validators=[Optional(), Length(max=120)], description="BPRWG, Programme"
    )
    expected_dag_month = StringField(
        "Expected DAG approval month",
        validators=[
            Optional(),
            Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message="Write it as YYYY-MM, e.g. 2022-06."),
        ],
        description="YYYY-MM",
    )
    responsible = StringField("Responsible", validators=[Optional(), Length(max=120)])
    note = StringField("Note", validators=[Optional(), Length(max=2000)])


class ImplementForm(FlaskForm):
    """Mark the ticked accepted changes of one artefact implemented in one of its versions."""

    version_id = StringField("Implemented in", validators=[DataRequired()])
