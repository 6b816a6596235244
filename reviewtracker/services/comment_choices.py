"""What the comment list's filter form offers, and how a filter reads to a person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from importers import normalise_artefact_ref
from importers.vocabulary import ANSWERS, DISPOSITIONS, PUBLISHED_OUTCOMES, RESPONSE_STATES

from ..extensions import db
from ..models import (
    REVIEWER,
    Artefact,
    Constituency,
    Organisation,
    ReviewRound,
    Service,
    Tranche,
    User,
    WorkingGroup,
    round_label,
    tranche_label,
)
from . import ServiceError
from .comment_filter import NO_ANSWER, SORTS, CommentFilter
from .organisations import constituency_by_name, organisation_by_name
from .scope import Scope, require


def filter_choices(scope: Scope) -> dict[str, list[tuple[Any, str]]]:
    """(value, label) options for each filter select, in the order a user expects. A
    reviewer's organisation select holds only their own organisation, never the others'."""
    scope = require(scope)
    own = [] if scope.organisation_id is None else [Organisation.id == scope.organisation_id]
    return {
        "tranches": [
            (code, tranche_label(code))
            for code in db.session.scalars(select(Tranche.code).order_by(Tranche.position))
        ],
        "services": [
            (row.id, row.name)
            for row in db.session.execute(select(Service.id, Service.name).order_by(Service.name))
        ],
        "artefacts": [
            (row.reference, f"{row.reference} {row.title}".strip())
            for row in db.session.execute(
                select(Artefact.reference, Artefact.title).order_by(Artefact.reference)
            )
        ],
        "rounds": [
            (number, round_label(number))
            for number in db.session.scalars(
                select(ReviewRound.number).distinct().order_by(ReviewRound.number)
            )
        ],
        "organisations": [
            (row.id, row.name)
            for row in db.session.execute(
                select(Organisation.id, Organisation.name)
                .where(*own)
                .order_by(Organisation.name_key)
            )
        ],
        "constituencies": [
            (row.id, row.name)
            for row in db.session.execute(
                select(Constituency.id, Constituency.name).order_by(Constituency.position)
            )
        ],
        # A reviewer chooses among the published outcomes ("under consideration" included).
        "dispositions": list(
            (PUBLISHED_OUTCOMES if scope.reads_published else DISPOSITIONS).labels.items()
        ),
        "sorts": list(SORTS.items()),
        **(_resolution_choices() if not scope.is_reviewer else _NO_RESOLUTION_CHOICES),
    }


# A reviewer's filter has no working parts to choose (who resolves a comment, its state).
_NO_RESOLUTION_CHOICES: dict[str, list] = {
    "assignees": [],
    "groups": [],
    "states": [],
    "answers": [],
}


def _resolution_choices() -> dict[str, list[tuple[Any, str]]]:
    """The staff's options for who resolves a comment and where its response stands."""
    return {
        "assignees": [(row.id, row.name or row.email) for row in team_members()],
        "groups": [
            (row.id, row.name)
            for row in db.session.execute(
                select(WorkingGroup.id, WorkingGroup.name).order_by(WorkingGroup.name)
            )
        ],
        "states": list(RESPONSE_STATES.labels.items()),
        "answers": [*ANSWERS.labels.items(), (NO_ANSWER, "Published, not answered")],
    }


def team_members() -> list[Any]:
    """The design team's active users (everyone but reviewers): who comments are assigned to."""
    return list(
        db.session.execute(
            select(User.id, User.name, User.email)
            .where(User.active.is_(True), User.role != REVIEWER)
            .order_by(User.email)
        )
    )


def describe(f: CommentFilter) -> list[tuple[str, str]]:
    """(URL argument, human label) for each part of the filter that narrows the list, e.g.
    ("organisation", "Organisation: Elexon"); for the active-filter line and confirmations."""
    parts: list[tuple[str, str]] = []
    if f.tranche is not None:
        parts.append(("tranche", tranche_label(f.tranche)))
    lookups = (
        ("service", f.service_id, Service, Service.name, "Service"),
        ("organisation", f.organisation_id, Organisation, Organisation.name, "Organisation"),
        ("constituency", f.constituency_id, Constituency, Constituency.name, "Constituency"),
    )
    for arg, value, model, column, label in lookups:
        if value is not None:
            name = db.session.scalar(select(column).where(model.id == value))
            parts.append((arg, f"{label}: {name if name is not None else f'#{value} (unknown)'}"))
    if f.artefact is not None:
        parts.append(("artefact", "Artefact: " + f.artefact))
    if f.review_round is not None:
        parts.append(("round", round_label(f.review_round).capitalize()))
    if f.disposition is not None:
        term = DISPOSITIONS.get(f.disposition) or PUBLISHED_OUTCOMES.get(f.disposition)
        parts.append(("disposition", "Disposition: " + (term.label if term else f.disposition)))
    parts.extend(_describe_resolution(f))
    if f.q:
        parts.append(("q", f"Text contains “{f.q}”"))
    return parts


def describe_assignment(name: str, value: object) -> str:
    """An assignee (by name) or a working group (by its name), for confirmations."""
    if name == "assignee_id":
        user = db.session.get(User, value)
        return user.display_name if user is not None else f"#{value} (unknown)"
    group = db.session.get(WorkingGroup, value)
    return group.name if group is not None else f"#{value} (unknown)"


def _describe_resolution(f: CommentFilter) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    for arg, value, label in (
        ("assignee", f.assignee_id, "Assigned to"),
        ("work_of", f.work_of_id, "Work of"),
    ):
        if value is not None:
            user = db.session.get(User, value)
            parts.append((arg, f"{label}: {user.display_name if user else f'#{value} (unknown)'}"))
    if f.working_group_id is not None:
        name = db.session.scalar(
            select(WorkingGroup.name).where(WorkingGroup.id == f.working_group_id)
        )
        parts.append(("group", f"Working group: {name or f'#{f.working_group_id} (unknown)'}"))
    if f.unassigned:
        parts.append(("unassigned", "Unassigned"))
    if f.overdue:
        parts.append(("overdue", "Overdue"))
    if f.response_state is not None:
        parts.append(("state", "Response: " + RESPONSE_STATES[f.response_state].label))
    if f.answer is not None:
        label = ANSWERS[f.answer].label if f.answer in ANSWERS else "published, not answered"
        parts.append(("answer", "Answer: " + label))
    return parts


def filter_from_names(
    scope: Scope,
    *,
    tranche: str | None = None,
    artefact: str | None = None,
    organisation: str | None = None,
    constituency: str | None = None,
    disposition: str | None = None,
    review_round: int | None = None,
    q: str | None = None,
) -> CommentFilter:
    """The comment list's filter from what a person types (organisation and constituency
    by name); a ServiceError for a name or reference it can't use, rather than a filter
    that silently drops that part."""
    args: dict[str, str] = {}
    if artefact is not None:
        reference = normalise_artefact_ref(artefact)
        if reference is None:
            raise ServiceError(f"not an artefact reference: {artefact!r}")
        args["artefact"] = reference
    if organisation is not None:
        args["organisation"] = str(organisation_by_name(organisation).id)
    if constituency is not None:
        args["constituency"] = str(constituency_by_name(constituency).id)
    given = {"tranche": tranche, "disposition": disposition, "round": review_round, "q": q}
    args.update({key: str(value) for key, value in given.items() if value is not None})
    return CommentFilter.from_args(args, scope)


__all__ = [
    "describe",
    "describe_assignment",
    "filter_choices",
    "filter_from_names",
    "team_members",
]
