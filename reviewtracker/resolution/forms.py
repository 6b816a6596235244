"""The forms of the working groups page and the resolutions import."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional


class GroupForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    description = StringField("What it covers", validators=[Optional(), Length(max=300)])


class MemberForm(FlaskForm):
    user = StringField("Member", validators=[DataRequired(), Length(max=12)])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (remove a member, delete a group)."""


class UploadForm(FlaskForm):
    workbook = FileField("Resolutions workbook (.xlsx)")


class ApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=64)])
    fields = SelectMultipleField("Fields to update", choices=[], validate_choice=False)
    conflicts = SelectMultipleField("Conflicts to apply", choices=[], validate_choice=False)


class AnswerWindowForm(FlaskForm):
    closes_on = DateField("Answers close on", validators=[Optional()])
    back = HiddenField(validators=[Length(max=200)])
