"""The lead's form for one tranche x service's design dashboard status in one month."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from importers.vocabulary import RAG_STATUSES

from ..services.design_status import STATUS_FIELDS

RAG_CHOICES = [
    SelectChoice("", "Not set"),
    *(SelectChoice(term.key, term.label) for term in RAG_STATUSES),
]
MONTH_HINT = "As the pack writes it: Apr, June, TBC, or 2022-05."
# A month as the pack writes it: a word or two ("Apr", "June", "TBC") or YYYY-MM.
_MONTH_TEXT = r"^[\w\s./-]*$"


def _month_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=20),
            Regexp(_MONTH_TEXT, message="Write a month (Apr, June, 2022-05) or TBC."),
        ],
        description=MONTH_HINT,
    )


class DesignStatusForm(FlaskForm):
    rag = SelectField("RAG this month", choices=RAG_CHOICES, default="")
    planned_month = _month_field("Planned DAG month")
    expected_month = _month_field("Expected DAG month")
    status_and_issues = TextAreaField(
        "Current status and issues",
        validators=[Length(max=4000)],
        description="One point per line, as on the slide.",
    )
    actions_to_resolve = TextAreaField("Actions to resolve", validators=[Length(max=4000)])
    # The record's version when the form was loaded (0: no record yet), for optimistic locking.
    version = HiddenField(default="0", validators=[Regexp(r"^[0-9]{1,9}\Z")])

    def values(self) -> dict[str, str]:
        return {name: (getattr(self, name).data or "").strip() for name in STATUS_FIELDS}
