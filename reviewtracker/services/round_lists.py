"""What the round pages list: the choices of a new round's form, a round's carried comments,
and what a comment page says of its rounds (carried into, repeats)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Artefact,
    Comment,
    CommentCarry,
    Constituency,
    Organisation,
    ReviewRound,
    RoundArtefact,
    RoundInvitation,
    Tranche,
)
from .scope import Scope, require


def artefact_choices(tranche: str) -> list[tuple[str, str, str | None]]:
    """(reference, title, current version) of the tranche's artefacts, register order."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Artefact.reference, Artefact.title, Artefact.version)
            .join(Tranche, Tranche.id == Artefact.tranche_id)
            .where(Tranche.code == tranche)
            .order_by(Artefact.position, Artefact.reference)
        )
    ]


def organisation_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """(constituency, [(organisation id, name), ...]) in the pack's order."""
    groups: dict[str, list[tuple[int, str]]] = {
        name: []
        for name in db.session.scalars(select(Constituency.name).order_by(Constituency.position))
    }
    for org_id, name, constituency in db.session.execute(
        select(Organisation.id, Organisation.name, Constituency.name)
        .join(Constituency, Constituency.id == Organisation.constituency_id)
        .order_by(Organisation.name_key)
    ):
        groups[constituency].append((org_id, name))
    return list(groups.items())


def invited_ids(round_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(RoundInvitation.organisation_id).where(
                RoundInvitation.review_round_id == round_id
            )
        )
    )


def round_versions(round_id: int) -> dict[str, str | None]:
    """Reference -> the version label under review in the round."""
    from ..models import ArtefactVersion

    return dict(
        db.session.execute(
            select(Artefact.reference, ArtefactVersion.label)
            .join(RoundArtefact, RoundArtefact.artefact_id == Artefact.id)
            .outerjoin(ArtefactVersion, ArtefactVersion.id == RoundArtefact.version_id)
            .where(RoundArtefact.review_round_id == round_id)
        ).all()
    )


@dataclass(frozen=True, slots=True)
class CarriedComment:
    comment_id: int
    artefact: str
    organisation: str
    disposition: str
    from_round: int
    text: str


def carried_comments(round_id: int, scope: Scope) -> list[CarriedComment]:
    """The comments carried into the round, in artefact order: each "from round N"."""
    require(scope)
    return [
        CarriedComment(*row)
        for row in db.session.execute(
            select(
                Comment.id,
                Artefact.reference,
                Organisation.name,
                Comment.disposition,
                ReviewRound.number,
                Comment.text,
            )
            .join(CommentCarry, CommentCarry.comment_id == Comment.id)
            .join(Artefact, Artefact.id == Comment.artefact_id)
            .join(Organisation, Organisation.id == Comment.organisation_id)
            .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
            .where(CommentCarry.review_round_id == round_id, *scope.comments())
            .order_by(Artefact.position, Artefact.reference, Comment.id)
        )
    ]


def carried_into(comment_id: int) -> list[int]:
    """The numbers of the later rounds a comment was carried into."""
    return list(
        db.session.scalars(
            select(ReviewRound.number)
            .join(CommentCarry, CommentCarry.review_round_id == ReviewRound.id)
            .where(CommentCarry.comment_id == comment_id)
            .order_by(ReviewRound.number)
        )
    )


__all__ = [
    "CarriedComment",
    "artefact_choices",
    "carried_comments",
    "carried_into",
    "invited_ids",
    "organisation_choices",
    "round_versions",
]
