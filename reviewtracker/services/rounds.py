"""Review rounds as the programme runs them: create one (its window, scope, artefacts and
versions, invited organisations), its state, closing it early, inviting organisations, and
starting the next round with the unresolved comments carried forward.

A round's state follows from its dates and the day: planned before it opens, open through its
closing date, closed after it or once a lead closed it early (`closed_on`). A round an import
created without dates is open until a lead closes it.

Carry-over: when the next round starts, the earlier rounds' comments on its artefacts that are
still unresolved (Open, Action, Requires Further Clarification) are carried into it: a row in
comment_carry per comment and round, never a copy. The comment keeps its round (the one that
received it, whose tables count it) and its history; the later round lists it "from round N".

Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, insert, select

from importers import read_invitation_list
from importers.normalise import fold_name
from importers.records import Problem
from importers.reference import TRANCHES
from importers.vocabulary import UNRESOLVED

from ..extensions import db
from ..models import (
    Artefact,
    ArtefactVersion,
    Comment,
    CommentCarry,
    Constituency,
    Organisation,
    ReviewRound,
    RoundArtefact,
    RoundInvitation,
    Tranche,
    utcnow,
)
from . import ServiceError
from .lifecycle import Change, issue_version, version_label

MAX_ROUND = 20


def round_state(review_round: ReviewRound, today: date) -> str:
    """planned, open or closed (a key of ROUND_STATES) on `today`."""
    if review_round.closed_on is not None and review_round.closed_on <= today:
        return "closed"
    if review_round.opens_on is not None and today < review_round.opens_on:
        return "planned"
    if review_round.closes_on is not None and today > review_round.closes_on:
        return "closed"
    return "open"


def closing_date(review_round: ReviewRound) -> date | None:
    """The day the window closed or closes: early if a lead closed it, else its closing date."""
    if review_round.closed_on is not None:
        if review_round.closes_on is None:
            return review_round.closed_on
        return min(review_round.closed_on, review_round.closes_on)
    return review_round.closes_on


@dataclass(slots=True)
class RoundPlan:
    """What a lead says about a new round. `artefacts`: reference -> the version under review
    (a label; None: the artefact's current version; a label it does not have yet is issued)."""

    tranche: str
    number: int
    opens_on: date
    closes_on: date
    name: str = ""
    scope_note: str = ""
    artefacts: dict[str, str | None] = field(default_factory=dict)
    organisation_ids: list[int] = field(default_factory=list)


def _tranche_id(code: str) -> int:
    if code not in TRANCHES:
        raise ServiceError(f"unknown tranche {code!r}: choose one of {', '.join(TRANCHES)}")
    return db.session.scalar(select(Tranche.id).where(Tranche.code == code))


def get_round(round_id: int) -> ReviewRound:
    review_round = db.session.get(ReviewRound, round_id)
    if review_round is None:
        raise ServiceError("no such review round")
    return review_round


def find_round(tranche: str, number: int) -> ReviewRound:
    review_round = db.session.scalar(
        select(ReviewRound)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .where(Tranche.code == tranche, ReviewRound.number == number)
    )
    if review_round is None:
        raise ServiceError(f"tranche {tranche} has no review round {number}")
    return review_round


def create_round(plan: RoundPlan, *, actor: str) -> ReviewRound:
    """A new round with its window, scope, artefacts (and their versions) and invitations.
    A round an import already created (no window yet) is completed instead; one that has a
    window is refused."""
    if not 1 <= plan.number <= MAX_ROUND:
        raise ServiceError(f"a round number is 1 to {MAX_ROUND}")
    if plan.closes_on < plan.opens_on:
        raise ServiceError("the closing date is before the opening date")
    tranche_id = _tranche_id(plan.tranche)
    review_round = db.session.scalar(
        select(ReviewRound).where(
            ReviewRound.tranche_id == tranche_id, ReviewRound.number == plan.number
        )
    )
    if review_round is not None and review_round.opens_on is not None:
        raise ServiceError(f"tranche {plan.tranche} already has a review round {plan.number}")
    if review_round is None:
        review_round = ReviewRound(tranche_id=tranche_id, number=plan.number)
        db.session.add(review_round)
    review_round.name = plan.name.strip()[:120] or None
    review_round.opens_on, review_round.closes_on = plan.opens_on, plan.closes_on
    review_round.scope_note = plan.scope_note.strip() or None
    review_round.created_by, review_round.created_at = actor, utcnow()
    db.session.flush()
    set_round_artefacts(review_round.id, plan.artefacts, actor=actor)
    invite(review_round.id, plan.organisation_ids)
    return review_round


def set_round_artefacts(round_id: int, artefacts: dict[str, str | None], *, actor: str) -> None:
    """The artefacts under review in the round and the version of each (see RoundPlan)."""
    if not artefacts:
        raise ServiceError("choose the artefacts under review")
    rows = db.session.execute(
        select(Artefact.id, Artefact.reference, Artefact.version).where(
            Artefact.reference.in_(list(artefacts))
        )
    ).all()
    missing = set(artefacts) - {row.reference for row in rows}
    if missing:
        raise ServiceError(f"no artefact {', '.join(sorted(missing))}")
    existing = set(
        db.session.scalars(
            select(RoundArtefact.artefact_id).where(RoundArtefact.review_round_id == round_id)
        )
    )
    for row in rows:
        version_id = _version_id(row, artefacts[row.reference], actor)
        if row.id in existing:
            db.session.get(RoundArtefact, (round_id, row.id)).version_id = version_id
        else:
            db.session.add(
                RoundArtefact(review_round_id=round_id, artefact_id=row.id, version_id=version_id)
            )
    db.session.flush()


def _version_id(row, label: str | None, actor: str) -> int | None:
    label = version_label(label) if label else row.version
    if label is None:
        return None
    found = db.session.scalar(
        select(ArtefactVersion.id).where(
            ArtefactVersion.artefact_id == row.id, ArtefactVersion.label == label
        )
    )
    if found is not None:
        return found
    change = Change(actor, date.today(), "issued for review")
    return issue_version(row.id, label, issued_on=date.today(), change=change).id


def invite(round_id: int, organisation_ids: list[int]) -> int:
    """Invite organisations (ids) to the round; those already invited are left as they are.
    Returns how many were added."""
    wanted = set(organisation_ids)
    if not wanted:
        return 0
    known = set(db.session.scalars(select(Organisation.id).where(Organisation.id.in_(wanted))))
    if known != wanted:
        raise ServiceError("no such organisation")
    invited = set(
        db.session.scalars(
            select(RoundInvitation.organisation_id).where(
                RoundInvitation.review_round_id == round_id
            )
        )
    )
    new = sorted(wanted - invited)
    if new:
        now = utcnow()
        db.session.execute(
            insert(RoundInvitation),
            [{"review_round_id": round_id, "organisation_id": i, "invited_at": now} for i in new],
        )
    return len(new)


@dataclass(slots=True)
class InvitationImport:
    added: int = 0
    created: list[str] = field(default_factory=list)  # organisations new to the programme
    problems: list = field(default_factory=list)


def import_invitations(round_id: int, data: bytes, filename: str) -> InvitationImport:
    """Invite the organisations of a list (Organisation, Constituency). One not known yet is
    created in its constituency (the list must give it); any problem invites nobody."""
    get_round(round_id)
    read = read_invitation_list(data, filename=filename)
    result = InvitationImport(problems=list(read.problems))
    if not read.ok:
        return result
    known = dict(db.session.execute(select(Organisation.name_key, Organisation.id)).all())
    constituencies = dict(db.session.execute(select(Constituency.name, Constituency.id)).all())
    ids = []
    for record in read.records:
        key = fold_name(record.organisation)
        if key in known:
            ids.append(known[key])
            continue
        if record.constituency is None:
            result.problems.append(
                Problem(
                    filename,
                    f"new organisation {record.organisation!r} needs its constituency",
                    sheet=record.sheet,
                    row=record.row,
                )
            )
            continue
        organisation = Organisation(
            name=record.organisation,
            name_key=key,
            constituency_id=constituencies[record.constituency],
        )
        db.session.add(organisation)
        db.session.flush()
        known[key] = organisation.id
        ids.append(organisation.id)
        result.created.append(record.organisation)
    if any(p.severity == "error" for p in result.problems):
        result.created = []
        return result
    result.added = invite(round_id, ids)
    return result


def close_round(round_id: int, on: date) -> ReviewRound:
    """Close the round early, as of `on` (not before it opens, not after it closes)."""
    review_round = get_round(round_id)
    if review_round.closed_on is not None:
        raise ServiceError(f"{review_round.title} was already closed on {review_round.closed_on}")
    if review_round.opens_on is not None and on < review_round.opens_on:
        raise ServiceError("a round cannot close before it opens")
    if review_round.closes_on is not None and on > review_round.closes_on:
        raise ServiceError(f"it closes on {review_round.closes_on} anyway")
    review_round.closed_on = on
    db.session.flush()
    return review_round


def start_next_round(
    round_id: int, plan: RoundPlan, *, actor: str, invite_same: bool = True
) -> tuple[ReviewRound, int]:
    """The round after `round_id` in its tranche, for `plan.artefacts` (all or some of the
    earlier round's, at their new versions), with the earlier rounds' unresolved comments on
    those artefacts carried forward. Returns the new round and how many comments it carries."""
    earlier = get_round(round_id)
    code = db.session.scalar(select(Tranche.code).where(Tranche.id == earlier.tranche_id))
    if plan.tranche != code or plan.number <= earlier.number:
        raise ServiceError("the next round is a later round of the same tranche")
    new = create_round(plan, actor=actor)
    if invite_same:
        invite(
            new.id,
            list(
                db.session.scalars(
                    select(RoundInvitation.organisation_id).where(
                        RoundInvitation.review_round_id == earlier.id
                    )
                )
            ),
        )
    return new, carry_forward(new.id)


def carry_forward(round_id: int) -> int:
    """Carry into the round every unresolved comment on its artefacts received in an earlier
    round of its tranche (not already carried into it). Returns how many."""
    review_round = get_round(round_id)
    earlier = select(ReviewRound.id).where(
        ReviewRound.tranche_id == review_round.tranche_id,
        ReviewRound.number < review_round.number,
    )
    under_review = select(RoundArtefact.artefact_id).where(
        RoundArtefact.review_round_id == round_id
    )
    already = select(CommentCarry.comment_id).where(CommentCarry.review_round_id == round_id)
    ids = db.session.scalars(
        select(Comment.id).where(
            Comment.review_round_id.in_(earlier),
            Comment.artefact_id.in_(under_review),
            Comment.disposition.in_(UNRESOLVED),
            Comment.id.not_in(already),
        )
    ).all()
    if ids:
        now = utcnow()
        db.session.execute(
            insert(CommentCarry),
            [{"comment_id": i, "review_round_id": round_id, "carried_at": now} for i in ids],
        )
    return len(ids)


@dataclass(slots=True)
class RoundSummary:
    id: int
    tranche: str
    number: int
    title: str
    state: str
    opens_on: date | None
    closes_on: date | None
    closed_on: date | None
    artefacts: int
    invited: int
    comments: int


def list_rounds(today: date, tranche: str | None = None) -> list[RoundSummary]:
    """Every round (of a tranche), by tranche and number, with its state and counts."""
    artefacts = (
        select(func.count())
        .where(RoundArtefact.review_round_id == ReviewRound.id)
        .scalar_subquery()
    )
    invited = (
        select(func.count())
        .where(RoundInvitation.review_round_id == ReviewRound.id)
        .scalar_subquery()
    )
    comments = (
        select(func.count()).where(Comment.review_round_id == ReviewRound.id).scalar_subquery()
    )
    query = (
        select(ReviewRound, Tranche.code, artefacts, invited, comments)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .order_by(Tranche.position, ReviewRound.number)
    )
    if tranche is not None:
        query = query.where(Tranche.code == tranche)
    return [
        RoundSummary(
            r.id,
            code,
            r.number,
            r.title,
            round_state(r, today),
            r.opens_on,
            r.closes_on,
            r.closed_on,
            int(a),
            int(i),
            int(c),
        )
        for r, code, a, i, c in db.session.execute(query)
    ]


def round_artefacts(round_id: int) -> list[tuple[int, str, str, str | None]]:
    """(artefact id, reference, title, version label) under review in the round, register
    order."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Artefact.id, Artefact.reference, Artefact.title, ArtefactVersion.label)
            .join(RoundArtefact, RoundArtefact.artefact_id == Artefact.id)
            .outerjoin(ArtefactVersion, ArtefactVersion.id == RoundArtefact.version_id)
            .where(RoundArtefact.review_round_id == round_id)
            .order_by(Artefact.position, Artefact.reference)
        )
    ]


__all__ = [
    "InvitationImport",
    "RoundPlan",
    "RoundSummary",
    "carry_forward",
    "close_round",
    "closing_date",
    "create_round",
    "find_round",
    "get_round",
    "import_invitations",
    "invite",
    "list_rounds",
    "round_artefacts",
    "round_state",
    "set_round_artefacts",
    "start_next_round",
]
