"""Small hand-made data for the governance tests: meetings, actions, decisions, a comment.

Call inside an app context. Each helper commits (test set-up), so requests made afterwards see
the rows; they return ids, never ORM objects, to carry across contexts.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from importers.governance import action_sort_key, decision_sort_key
from reviewtracker.extensions import db
from reviewtracker.models import (
    Action,
    Comment,
    Constituency,
    Decision,
    Organisation,
    ReviewRound,
    Tranche,
)
from reviewtracker.services.meetings import get_or_create_meeting
from reviewtracker.unit_of_work import unit_of_work


def add_meeting(reference: str, held_on: date | None) -> int:
    with unit_of_work():
        meeting, _ = get_or_create_meeting(reference, held_on)
        return meeting.id


def add_action(
    reference: str,
    meeting_id: int,
    *,
    status: str = "open",
    area: str = "",
    due: date | None = None,
    public: bool = False,
    closed_on: date | None = None,
    owner: str = "Chair",
) -> int:
    action = Action(
        reference=reference,
        sort_key=action_sort_key(reference),
        meeting_id=meeting_id,
        area=area,
        text=f"Text of {reference}",
        owner=owner,
        due=due,
        status=status,
        origin="import",
        public=public,
        closed_on=closed_on,
    )
    db.session.add(action)
    db.session.commit()
    return action.id


def add_decision(reference: str, meeting_id: int, *, public: bool = False, area: str = "") -> int:
    decision = Decision(
        reference=reference,
        sort_key=decision_sort_key(reference),
        meeting_id=meeting_id,
        area=area,
        text=f"DAG agreed {reference}",
        public=public,
        origin="import",
    )
    db.session.add(decision)
    db.session.commit()
    return decision.id


def add_organisation(name: str) -> int:
    constituency = db.session.scalars(select(Constituency).order_by(Constituency.id)).first()
    organisation = Organisation(
        name=name, name_key=name.casefold(), constituency_id=constituency.id
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation.id


def add_comment(
    artefact_id: int,
    organisation_id: int,
    *,
    disposition: str = "action",
    owner: str | None = None,
    due: date | None = None,
    text: str = "The trigger for step 3 is unclear.",
) -> int:
    tranche = db.session.scalar(select(Tranche).where(Tranche.code == "1"))
    review_round = db.session.scalar(
        select(ReviewRound).where(ReviewRound.tranche_id == tranche.id, ReviewRound.number == 1)
    )
    if review_round is None:
        review_round = ReviewRound(tranche_id=tranche.id, number=1)
        db.session.add(review_round)
        db.session.flush()
    count = db.session.scalar(select(db.func.count()).select_from(Comment))
    comment = Comment(
        artefact_id=artefact_id,
        review_round_id=review_round.id,
        organisation_id=organisation_id,
        source_key=f"Comments!{count + 2}",
        text=text,
        disposition=disposition,
        action_owner=owner,
        action_due=due,
    )
    db.session.add(comment)
    db.session.commit()
    return comment.id
