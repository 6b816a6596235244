from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from ..inputs import positive_int
from ..models import ALL_ROLES, REVIEWER
from ..services.organisations import organisation_choices
from ..services.users import MIN_PASSWORD

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# With the reviewer, who is outside the ladder and tied to one organisation.
ALL_ROLE_CHOICES = [SelectChoice(role, role.title()) for role in ALL_ROLES]


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
    role = SelectField("Role", choices=ALL_ROLE_CHOICES, default="triager")
    organisation = SelectField("Organisation (reviewers only)", choices=[], default="")
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation.choices = [SelectChoice("", "None")] + [
            SelectChoice(str(id_), name) for id_, name in organisation_choices()
        ]

    def organisation_id(self) -> int | None:
        return positive_int(self.organisation.data)


class UserForm(FlaskForm):
    role = SelectField("Role", choices=ALL_ROLE_CHOICES)
    active = BooleanField("Active")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A reviewer stays a reviewer (tied to one organisation); nobody else becomes one here.
        user = kwargs.get("obj")
        if user is not None:
            reviewer = user.role == REVIEWER
            self.role.choices = [c for c in ALL_ROLE_CHOICES if (c.value == REVIEWER) == reviewer]


class PasswordForm(FlaskForm):
    """A signed-in user's password change: the current one, the new one twice."""

    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=f"At least {MIN_PASSWORD} characters.",
    )
    repeat = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")],
    )
