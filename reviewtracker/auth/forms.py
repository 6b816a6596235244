from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..models import ROLES
from ..services.users import MIN_PASSWORD

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ROLE_CHOICES = [SelectChoice(role, role.title()) for role in ROLES]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this computer")


class NewUserForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Regexp(EMAIL, message="Enter an email address.")],
    )
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="triager")
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)]
    )


class UserForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active")
