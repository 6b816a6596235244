"""What the comment list's filter form offers, and how a filter reads to a person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from importers import normalise_artefact_ref
from importers.vocabulary import DISPOSITIONS

from ..extensions import db
from ..models import (
    Artefact,
    Constituency,
    Organisation,
    ReviewRound,
    Service,
    Tranche,
    round_label,
    tranche_label,
)
from . import ServiceError
from .comment_filter import SORTS, CommentFilter
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
        "dispositions": list(DISPOSITIONS.labels.items()),
        "sorts": list(SORTS.items()),
    }


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
        parts.append(("disposition", "Disposition: " + DISPOSITIONS[f.disposition].label))
    if f.q:
        parts.append(("q", f"Text contains “{f.q}”"))
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


__all__ = ["describe", "filter_choices", "filter_from_names"]
