"""Repeats: a later round's comment that repeats an earlier comment of the same organisation
on the same artefact (in an earlier round of the same tranche). Suggested with the similar
comments' scoring (services/similar.py: rapidfuzz, the same threshold) and linked by a
triager, one by one or every suggestion above a score at once ("repeats #N").

Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Artefact, Comment, CommentRepeat, Organisation, ReviewRound, utcnow
from . import ServiceError
from .rounds import get_round
from .scope import Scope, require
from .similar import SIMILARITY_THRESHOLD, similarity


@dataclass(frozen=True, slots=True)
class RepeatSuggestion:
    comment_id: int
    repeats_id: int
    score: float
    artefact: str
    organisation: str
    text: str
    earlier_text: str
    earlier_round: int


def _earlier_rounds(review_round: ReviewRound):
    return select(ReviewRound.id).where(
        ReviewRound.tranche_id == review_round.tranche_id,
        ReviewRound.number < review_round.number,
    )


def suggest_repeats(
    round_id: int, scope: Scope, *, threshold: float = SIMILARITY_THRESHOLD
) -> list[RepeatSuggestion]:
    """For each comment received in the round and not yet linked, its best-scoring earlier
    comment of the same organisation on the same artefact, if it scores `threshold` or more;
    best first."""
    require(scope)
    review_round = get_round(round_id)
    linked = select(CommentRepeat.comment_id)
    later = db.session.execute(
        select(Comment.id, Comment.artefact_id, Comment.organisation_id, Comment.text)
        .where(
            Comment.review_round_id == round_id,
            Comment.id.not_in(linked),
            *scope.comments(),
        )
        .order_by(Comment.id)
    ).all()
    if not later:
        return []
    earlier = aliased(Comment)
    candidates: dict[tuple[int, int], list] = {}
    for row in db.session.execute(
        select(
            earlier.id,
            earlier.artefact_id,
            earlier.organisation_id,
            earlier.text,
            ReviewRound.number,
        )
        .join(ReviewRound, ReviewRound.id == earlier.review_round_id)
        .where(
            earlier.review_round_id.in_(_earlier_rounds(review_round)),
            earlier.organisation_id.in_({r.organisation_id for r in later}),
            earlier.artefact_id.in_({r.artefact_id for r in later}),
        )
    ):
        candidates.setdefault((row.artefact_id, row.organisation_id), []).append(row)
    names = _names({r.artefact_id for r in later}, {r.organisation_id for r in later})
    found = []
    for row in later:
        best = None
        for other in candidates.get((row.artefact_id, row.organisation_id), []):
            score = similarity(row.text, other.text)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, other)
        if best is not None:
            score, other = best
            found.append(
                RepeatSuggestion(
                    row.id,
                    other.id,
                    score,
                    names[0][row.artefact_id],
                    names[1][row.organisation_id],
                    row.text,
                    other.text,
                    other.number,
                )
            )
    return sorted(found, key=lambda s: (-s.score, s.comment_id))


def _names(artefact_ids: set[int], organisation_ids: set[int]) -> tuple[dict, dict]:
    artefacts = dict(
        db.session.execute(
            select(Artefact.id, Artefact.reference).where(Artefact.id.in_(artefact_ids))
        ).all()
    )
    organisations = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids))
        ).all()
    )
    return artefacts, organisations


def link_repeat(
    comment_id: int, repeats_id: int, *, actor: str, score: float | None = None
) -> None:
    """Link `comment_id` as repeating `repeats_id`: same organisation, same artefact, an earlier
    round of the same tranche (else ServiceError). A comment repeats one earlier comment: a
    second link replaces the first."""
    rows = {
        row.id: row
        for row in db.session.execute(
            select(
                Comment.id,
                Comment.artefact_id,
                Comment.organisation_id,
                ReviewRound.tranche_id,
                ReviewRound.number,
            )
            .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
            .where(Comment.id.in_([comment_id, repeats_id]))
        )
    }
    if comment_id not in rows or repeats_id not in rows:
        raise ServiceError("no such comment")
    later, earlier = rows[comment_id], rows[repeats_id]
    if (later.artefact_id, later.organisation_id, later.tranche_id) != (
        earlier.artefact_id,
        earlier.organisation_id,
        earlier.tranche_id,
    ):
        raise ServiceError(
            f"#{comment_id} can only repeat a comment of the same organisation on the same "
            "artefact in the same tranche"
        )
    if earlier.number >= later.number:
        raise ServiceError(f"#{comment_id} can only repeat a comment of an earlier round")
    db.session.execute(delete(CommentRepeat).where(CommentRepeat.comment_id == comment_id))
    db.session.execute(
        insert(CommentRepeat).values(
            comment_id=comment_id,
            repeats_id=repeats_id,
            score=score,
            linked_by=actor,
            linked_at=utcnow(),
        )
    )


def unlink_repeat(comment_id: int) -> bool:
    return bool(
        db.session.execute(
            delete(CommentRepeat).where(CommentRepeat.comment_id == comment_id)
        ).rowcount
    )


def accept_suggestions(round_id: int, above: float, *, actor: str, scope: Scope) -> int:
    """Link every suggestion of the round scoring `above` or more. Returns how many."""
    suggestions = suggest_repeats(round_id, scope, threshold=above)
    for suggestion in suggestions:
        link_repeat(
            suggestion.comment_id, suggestion.repeats_id, actor=actor, score=suggestion.score
        )
    db.session.flush()
    return len(suggestions)


def repeat_of(comment_id: int, scope: Scope) -> tuple[int, int] | None:
    """(the earlier comment's id, its round number) that the comment repeats, if the scope
    may see it."""
    require(scope)
    row = db.session.execute(
        select(CommentRepeat.repeats_id, ReviewRound.number)
        .join(Comment, Comment.id == CommentRepeat.repeats_id)
        .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
        .where(CommentRepeat.comment_id == comment_id, *scope.comments())
    ).first()
    return (row[0], row[1]) if row else None


__all__ = [
    "RepeatSuggestion",
    "accept_suggestions",
    "link_repeat",
    "repeat_of",
    "suggest_repeats",
    "unlink_repeat",
]
