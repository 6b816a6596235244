"""A lead's round forms: a new round (or the next one), closing early, invitations; a
triager's bulk acceptance of repeat suggestions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from importers.reference import TRANCHES

from ..services.similar import SIMILARITY_THRESHOLD


class RoundForm(FlaskForm):
    """The round's own fields; the artefacts (checkbox `artefact` = reference, text
    `version-<reference>`) and organisations (checkbox `organisation` = id) are read from the
    form by the view, as the page lists them."""

    tranche = SelectField(
        "Tranche", choices=[SelectChoice(code, f"Tranche {code}") for code in TRANCHES]
    )
    number = IntegerField("Round number", validators=[DataRequired(), NumberRange(min=1, max=20)])
    name = StringField(
        "Name",
        validators=[Optional(), Length(max=120)],
        description='As the papers say: "2nd review".',
    )
    opens_on = DateField("Opens on", validators=[DataRequired()])
    closes_on = DateField("Closes on (the last day for comments)", validators=[DataRequired()])
    scope_note = TextAreaField(
        "Scope note",
        validators=[Optional(), Length(max=2000)],
        description='Optional: "Further review comments are requested on the data items only".',
    )
    invitation_list = FileField(
        "Or import the invited organisations from a list",
        description="An .xlsx or .csv with Organisation and Constituency columns.",
    )

    def validate_closes_on(self, field) -> None:
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("The round closes before it opens.")


class CloseForm(FlaskForm):
    on = DateField("Closed on", validators=[DataRequired()])


class InviteForm(FlaskForm):
    invitation_list = FileField("List (.xlsx or .csv: Organisation, Constituency)")


class AcceptRepeatsForm(FlaskForm):
    above = DecimalField(
        "Link every suggestion scoring at least",
        default=SIMILARITY_THRESHOLD,
        places=1,
        validators=[DataRequired(), NumberRange(min=50, max=100)],
    )


class LinkRepeatForm(FlaskForm):
    comment_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    repeats_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
