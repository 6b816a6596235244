from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from importers.reference import TRANCHES

from ..extensions import db
from ..models import Constituency


class UploadForm(FlaskForm):
    """The upload and the same options as `reviewtracker import-comments`."""

    files = MultipleFileField(
        "Comment logs",
        description="One or more .xlsx or .csv logs, as the reviewers sent them.",
    )
    tranche = SelectField(
        "Tranche",
        choices=[SelectChoice("", "From the artefact register")]
        + [SelectChoice(t, f"Tranche {t}") for t in TRANCHES],
        default="",
        description="Only if the log doesn't say; by default each artefact's own tranche.",
    )
    review_round = IntegerField(
        "Review round",
        validators=[Optional(), NumberRange(min=1, max=20, message="A round from 1 to 20.")],
        description="Only if the log doesn't say; by default the 1st review.",
    )
    organisation = StringField(
        "Organisation",
        validators=[Optional(), Length(max=200)],
        description="Who sent the log, if it has no Organisation column or line.",
    )
    constituency = SelectField(
        "Constituency",
        default="",
        description="For an organisation not known yet, if the log doesn't say.",
    )

    allow_other_artefacts = BooleanField(
        "Allow comments on artefacts not under review in the round",
        description="A lead's choice for this upload: without it such a comment is refused.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = db.session.scalars(select(Constituency.name).order_by(Constituency.position))
        self.constituency.choices = [SelectChoice("", "If the log doesn't say")] + [
            SelectChoice(name, name) for name in names
        ]

    def options(self) -> dict[str, str | int | None]:
        """The options as ImportOptions takes them; blank means 'the log or the default'."""
        return {
            "tranche": self.tranche.data or None,
            "review_round": self.review_round.data,
            "organisation": (self.organisation.data or "").strip() or None,
            "constituency": self.constituency.data or None,
            "allow_other_artefacts": bool(self.allow_other_artefacts.data),
        }


class RegisterUploadForm(FlaskForm):
    """The artefact register, as `reviewtracker import-artefacts FILE` takes it."""

    file = FileField(
        "Artefact register",
        description="The Design Artefact Tracker as .xlsx or .csv: a Reference column and the "
        "artefacts' tranche, service, name, status and version.",
    )
