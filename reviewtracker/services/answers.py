"""Reviewers answer back: on each published disposition, a reviewer of the comment's
organisation answers agree, can live with it, or disagree (with a reason), and may add a
follow-up comment linked to the original. They may change the answer until the answer window
closes: the round's (`answer_window`), else ten working days after the publication answered.

Answers are the organisation's own: a reviewer's scope reads only its organisation's; staff
read them all (the comment page, the list's `answer` filter, the tranche's answer tables).
Nothing here commits (the caller's unit of work does); every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from importers.vocabulary import ANSWERS, DISAGREE

from ..extensions import db
from ..models import (
    AnswerWindow,
    Artefact,
    AuditEvent,
    Comment,
    CommentResolution,
    Constituency,
    FollowUp,
    Organisation,
    PublishedResponse,
    ReviewerAnswer,
    ReviewRound,
    Tranche,
    utcnow,
)
from . import ServiceError
from .scope import Scope, require

WINDOW_WORKING_DAYS = 10
MAX_TEXT = 20_000


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@dataclass(frozen=True, slots=True)
class AnswerState:
    """What a reviewer may do with one comment: its answer (if any), whether it is published,
    and until when it may be answered."""

    answer: ReviewerAnswer | None
    published: PublishedResponse | None
    closes_on: date | None

    @property
    def open(self) -> bool:
        return (
            self.published is not None
            and self.closes_on is not None
            and (utcnow().date() <= self.closes_on)
        )


def _published(comment_id: int) -> PublishedResponse | None:
    return db.session.scalar(
        select(PublishedResponse)
        .join(CommentResolution, CommentResolution.published_id == PublishedResponse.id)
        .where(CommentResolution.comment_id == comment_id)
    )


def closes_on(comment: Comment, published: PublishedResponse | None) -> date | None:
    """The last day the comment's published disposition may be answered."""
    window = db.session.get(AnswerWindow, comment.review_round_id)
    if window is not None:
        return window.closes_on
    if published is None:
        return None
    return add_working_days(published.published_at.date(), WINDOW_WORKING_DAYS)


def _visible(comment_id: int, scope: Scope) -> Comment:
    comment = db.session.scalar(
        select(Comment).where(Comment.id == comment_id, *require(scope).comments())
    )
    if comment is None:
        raise ServiceError(f"no comment {comment_id}")
    return comment


def answer_state(comment_id: int, scope: Scope) -> AnswerState:
    """The comment's answer as `scope` may read it (a reviewer: their organisation's only)."""
    comment = _visible(comment_id, scope)
    published = _published(comment_id)
    return AnswerState(
        db.session.get(ReviewerAnswer, comment_id), published, closes_on(comment, published)
    )


def follow_ups(comment_id: int, scope: Scope) -> list[FollowUp]:
    _visible(comment_id, scope)
    return list(
        db.session.scalars(
            select(FollowUp).where(FollowUp.comment_id == comment_id).order_by(FollowUp.id)
        )
    )


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text[:MAX_TEXT] or None


def answer_comment(
    comment_id: int,
    scope: Scope,
    answer: str,
    *,
    reason: str | None = None,
    follow_up: str | None = None,
    actor: str,
) -> ReviewerAnswer:
    """A reviewer's answer to the comment's published disposition (replacing their earlier
    one), and an optional follow-up comment. Refused: another organisation's comment, one not
    published, a closed window, a disagreement without a reason."""
    scope = require(scope)
    if not scope.is_reviewer:
        raise ServiceError("only the reviewer's organisation answers its comments")
    if answer not in ANSWERS:
        raise ServiceError(f"unknown answer {answer!r}")
    reason, follow_up = _clean(reason), _clean(follow_up)
    if answer == DISAGREE and reason is None:
        raise ServiceError("say why you disagree: a reason is required")
    state = answer_state(comment_id, scope)
    if state.published is None:
        raise ServiceError("this comment's disposition is not published yet: nothing to answer")
    if not state.open:
        raise ServiceError(f"the answer window closed on {state.closes_on.isoformat()}")
    current = state.answer
    before = (current.answer, current.reason) if current is not None else (None, None)
    if current is None:
        current = ReviewerAnswer(comment_id=comment_id)
        db.session.add(current)
    current.answer, current.reason = answer, reason
    current.published_id = state.published.id
    current.answered_by, current.answered_at = actor, utcnow()
    changes = [("answer", before[0], answer), ("answer_reason", before[1], reason)]
    if follow_up:
        db.session.add(FollowUp(comment_id=comment_id, text=follow_up, raised_by=actor))
        changes.append(("follow_up", None, follow_up))
    _audit(comment_id, [c for c in changes if c[1] != c[2]], actor)
    db.session.flush()
    return current


def _audit(comment_id: int, changes: list[tuple[str, str | None, str | None]], actor: str) -> None:
    if not changes:
        return
    now = utcnow()
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "comment_id": comment_id,
                "field": name,
                "before": before,
                "after": after,
                "actor": actor,
                "at": now,
                "origin": "browser",
            }
            for name, before, after in changes
        ],
    )


def _remaining(artefact: str, scope: Scope):
    """The organisation's comments on the artefact published and not answered yet."""
    return (
        select(
            Comment.id,
            Comment.review_round_id,
            PublishedResponse.id,
            PublishedResponse.published_at,
        )
        .join(CommentResolution, CommentResolution.comment_id == Comment.id)
        .join(PublishedResponse, PublishedResponse.id == CommentResolution.published_id)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .where(
            Artefact.reference == artefact,
            *scope.comments(),
            ~select(ReviewerAnswer.comment_id)
            .where(ReviewerAnswer.comment_id == Comment.id)
            .exists(),
        )
        .order_by(Comment.id)
    )


def agree_all_plan(artefact: str, scope: Scope) -> list[int]:
    """The comments "agree with all remaining" would answer: the organisation's published,
    unanswered comments on the artefact whose window is open."""
    scope = require(scope)
    if not scope.is_reviewer:
        raise ServiceError("only the reviewer's organisation answers its comments")
    today = utcnow().date()
    windows = dict(
        db.session.execute(select(AnswerWindow.review_round_id, AnswerWindow.closes_on)).all()
    )
    chosen = []
    for comment_id, round_id, _published_id, published_at in db.session.execute(
        _remaining(artefact, scope)
    ):
        last = windows.get(round_id) or add_working_days(published_at.date(), WINDOW_WORKING_DAYS)
        if today <= last:
            chosen.append(comment_id)
    return chosen


def agree_with_all(artefact: str, scope: Scope, actor: str) -> int:
    """Agree with every remaining published disposition of the artefact (audited)."""
    ids = agree_all_plan(artefact, scope)
    if not ids:
        return 0
    published = dict(
        db.session.execute(
            select(CommentResolution.comment_id, CommentResolution.published_id).where(
                CommentResolution.comment_id.in_(ids)
            )
        ).all()
    )
    now = utcnow()
    db.session.execute(
        insert(ReviewerAnswer),
        [
            {
                "comment_id": i,
                "answer": "agree",
                "published_id": published[i],
                "answered_by": actor,
                "answered_at": now,
            }
            for i in ids
        ],
    )
    for comment_id in ids:
        _audit(comment_id, [("answer", None, "agree")], actor)
    return len(ids)


# --- the staff's view: the answer tables ---------------------------------------------------------


@dataclass(slots=True)
class AnswerRow:
    """Published dispositions and their answers for one artefact or constituency."""

    name: str
    published: int
    answered: int
    counts: dict[str, int]

    def as_json(self, key: str) -> dict:
        return {
            key: self.name,
            "published": self.published,
            "answered": self.answered,
            **self.counts,
        }


@dataclass(slots=True)
class AnswerTables:
    tranche: str
    review_round: int | None
    artefacts: list[AnswerRow]
    constituencies: list[AnswerRow]

    def as_json(self) -> dict:
        """The API's shape: {"tranche", "review_round", "artefacts": [{"reference",
        "published", "answered", "agree", "can_live_with", "disagree"}], "constituencies":
        [{"constituency", ...the same counts}]}."""
        return {
            "tranche": self.tranche,
            "review_round": self.review_round,
            "artefacts": [row.as_json("reference") for row in self.artefacts],
            "constituencies": [row.as_json("constituency") for row in self.constituencies],
        }


def answer_tables(tranche: str, review_round: int | None, scope: Scope) -> AnswerTables:
    """Per artefact and per constituency: published, answered, and each answer, counted in
    the database (one GROUP BY each). The staff's: answers are each organisation's own."""
    if require(scope).is_reviewer:
        raise ServiceError("the answer tables are the programme's")
    rounds = select(ReviewRound.id).join(Tranche).where(Tranche.code == tranche)
    if review_round is not None:
        rounds = rounds.where(ReviewRound.number == review_round)
    columns = [
        func.count(CommentResolution.published_id),
        func.count(ReviewerAnswer.comment_id),
        *(func.count().filter(ReviewerAnswer.answer == key) for key in ANSWERS.keys),
    ]

    def grouped(name_column, *joins, order):
        query = (
            select(name_column, *columns)
            .select_from(Comment)
            .join(CommentResolution, CommentResolution.comment_id == Comment.id)
            .outerjoin(ReviewerAnswer, ReviewerAnswer.comment_id == Comment.id)
        )
        for target, on in joins:
            query = query.join(target, on)
        query = query.where(
            Comment.review_round_id.in_(rounds), CommentResolution.published_id.is_not(None)
        )
        return [
            AnswerRow(
                name,
                int(published),
                int(answered),
                dict(zip(ANSWERS.keys, map(int, rest), strict=True)),
            )
            for name, published, answered, *rest in db.session.execute(
                query.group_by(name_column, *order).order_by(*order, name_column)
            )
        ]

    artefacts = grouped(
        Artefact.reference,
        (Artefact, Artefact.id == Comment.artefact_id),
        order=(Artefact.position,),
    )
    constituencies = grouped(
        Constituency.name,
        (Organisation, Organisation.id == Comment.organisation_id),
        (Constituency, Constituency.id == Organisation.constituency_id),
        order=(Constituency.position,),
    )
    return AnswerTables(tranche, review_round, artefacts, constituencies)


def round_window(tranche: str, number: int) -> tuple[int, date | None] | None:
    """(the review round's id, when its answer window closes if set), or None: no such round."""
    found = db.session.execute(
        select(ReviewRound.id, AnswerWindow.closes_on)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .outerjoin(AnswerWindow, AnswerWindow.review_round_id == ReviewRound.id)
        .where(Tranche.code == tranche, ReviewRound.number == number)
    ).one_or_none()
    return (found[0], found[1]) if found is not None else None


def set_answer_window(review_round_id: int, closes: date | None) -> None:
    """Set (or with None, clear) when a review round's answer window closes."""
    if db.session.get(ReviewRound, review_round_id) is None:
        raise ServiceError(f"no review round {review_round_id}")
    window = db.session.get(AnswerWindow, review_round_id)
    if closes is None:
        if window is not None:
            db.session.delete(window)
    elif window is None:
        db.session.add(AnswerWindow(review_round_id=review_round_id, closes_on=closes))
    else:
        window.closes_on = closes
    db.session.flush()


__all__ = [
    "AnswerRow",
    "AnswerState",
    "AnswerTables",
    "add_working_days",
    "agree_all_plan",
    "agree_with_all",
    "answer_comment",
    "answer_state",
    "answer_tables",
    "closes_on",
    "follow_ups",
    "round_window",
    "set_answer_window",
]
