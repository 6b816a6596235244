"""The decision log: record a decision (DAG-DEC-NN, numbered after the group's highest), edit
it, link it to artefacts, carry a lifecycle move (services/decision_moves.py); and read it.

Writes flush; the caller's unit of work commits. Reads take a Scope: a reviewer sees only the
decisions marked public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from importers import normalise_artefact_ref
from importers.governance import (
    decision_number,
    decision_reference,
    decision_sort_key,
    normalise_decision_ref,
    split_meeting_ref,
)

from ..extensions import db
from ..models import Artefact, Decision, DecisionArtefact, Meeting
from . import ServiceError
from .decision_moves import RequestedMove, apply_lifecycle_move
from .meetings import public_only, touch
from .scope import Scope

TEXT_MAX = 20_000
AREA_MAX = 200


class StaleDecision(ServiceError):
    """Somebody changed the decision since the form was loaded."""


@dataclass(frozen=True, slots=True)
class DecisionFields:
    text: str
    area: str = ""
    public: bool = False
    artefacts: tuple[str, ...] = ()  # references as typed: "BP004", "MHHSP-IF005"


def artefact_ids(references: tuple[str, ...] | list[str]) -> list[int]:
    """The ids of the artefacts these references name; ServiceError naming any unknown."""
    canonical, unreadable = [], []
    for written in references:
        reference = normalise_artefact_ref(written)
        if reference is None:
            unreadable.append(written)
        elif reference not in canonical:
            canonical.append(reference)
    if unreadable:
        raise ServiceError(f"not an artefact reference: {', '.join(unreadable)}")
    found = dict(
        db.session.execute(
            select(Artefact.reference, Artefact.id).where(Artefact.reference.in_(canonical))
        ).all()
    )
    unknown = [reference for reference in canonical if reference not in found]
    if unknown:
        raise ServiceError(f"not in the artefact register: {', '.join(unknown)}")
    return [found[reference] for reference in canonical]


def _values(fields: DecisionFields) -> dict[str, object]:
    text, area = fields.text.strip(), fields.area.strip()
    if not text:
        raise ServiceError("a decision needs its text")
    if len(text) > TEXT_MAX:
        raise ServiceError(f"the decision is longer than {TEXT_MAX} characters")
    if len(area) > AREA_MAX:
        raise ServiceError(f"the area is longer than {AREA_MAX} characters")
    return {"text": text, "area": area, "public": fields.public, "origin": "browser"}


def set_artefacts(decision: Decision, ids: list[int]) -> None:
    """The decision concerns exactly these artefacts (a moved one stays until the move is
    changed: see apply_lifecycle_move)."""
    db.session.execute(
        delete(DecisionArtefact).where(
            DecisionArtefact.decision_id == decision.id,
            DecisionArtefact.artefact_id.not_in(ids),
            DecisionArtefact.moves.is_(False),
        )
    )
    kept = set(
        db.session.scalars(
            select(DecisionArtefact.artefact_id).where(DecisionArtefact.decision_id == decision.id)
        )
    )
    for artefact_id in ids:
        if artefact_id not in kept:
            db.session.add(DecisionArtefact(decision_id=decision.id, artefact_id=artefact_id))
    db.session.flush()


def next_decision_reference(meeting: Meeting) -> str:
    """The group's next decision: DAG-DEC-30 after DAG-DEC-29 (numbered across meetings)."""
    group = split_meeting_ref(meeting.reference)[0]
    taken = db.session.scalars(
        select(Decision.reference).where(Decision.reference.startswith(f"{group}-DEC-"))
    )
    highest = max((decision_number(ref)[1] for ref in taken), default=0)
    return decision_reference(group, highest + 1)


def record_decision(
    meeting_id: int,
    fields: DecisionFields,
    actor: str,
    *,
    reference: str | None = None,
    move: RequestedMove | None = None,
) -> Decision:
    """A new decision of the meeting, with its artefacts and the lifecycle move it carries
    (applied in the same unit of work). `reference` None: the group's next number."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise ServiceError("no such meeting")
    values = _values(fields)
    ids = artefact_ids(fields.artefacts)
    if reference is not None:
        canonical = normalise_decision_ref(reference)
        if canonical is None:
            raise ServiceError(f"{reference!r} is not a decision reference (like DAG-DEC-29)")
        reference = canonical
    else:
        reference = next_decision_reference(meeting)
    if db.session.scalar(select(Decision.id).where(Decision.reference == reference)):
        raise ServiceError(f"decision {reference} already exists")
    decision = Decision(
        reference=reference, sort_key=decision_sort_key(reference), meeting_id=meeting.id, **values
    )
    db.session.add(decision)
    try:
        db.session.flush()
    except IntegrityError:
        raise ServiceError(
            f"another decision was numbered {reference} at the same moment: nothing was saved, "
            "try again"
        ) from None
    set_artefacts(decision, ids)
    apply_lifecycle_move(decision, move, actor)
    return decision


def edit_decision(
    decision_id: int,
    fields: DecisionFields,
    actor: str,
    *,
    move: RequestedMove | None = None,
    expected_version: int | None = None,
) -> Decision:
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        raise ServiceError("no such decision")
    if expected_version is not None and decision.version != expected_version:
        raise StaleDecision(
            f"decision {decision.reference} was changed by someone else since you opened it"
        )
    for name, value in _values(fields).items():
        setattr(decision, name, value)
    apply_lifecycle_move(decision, move, actor)
    set_artefacts(decision, artefact_ids(fields.artefacts))
    touch(decision)
    db.session.flush()
    return decision


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionRow:
    id: int
    reference: str
    meeting: str
    meeting_on: date | None
    area: str
    text: str
    public: bool
    move_state: str | None
    move_on: date | None

    def as_json(self) -> dict[str, object]:
        """The shape `reviewtracker decisions --json` prints."""
        return {
            "ref": self.reference,
            "meeting": self.meeting,
            "area": self.area,
            "decision": self.text,
        }


def decision_rows(scope: Scope, *where: ColumnElement[bool]) -> list[DecisionRow]:
    query = (
        select(
            Decision.id,
            Decision.reference,
            Meeting.reference,
            Meeting.held_on,
            Decision.area,
            Decision.text,
            Decision.public,
            Decision.move_state,
            Decision.move_on,
        )
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .where(*public_only(scope, Decision.public), *where)
        .order_by(Decision.sort_key, Decision.id)
    )
    return [DecisionRow(*row) for row in db.session.execute(query)]


def decision_by_reference(reference: str, scope: Scope) -> Decision | None:
    canonical = normalise_decision_ref(reference)
    if canonical is None:
        return None
    query = select(Decision).where(
        Decision.reference == canonical, *public_only(scope, Decision.public)
    )
    return db.session.scalar(query)


@dataclass(frozen=True, slots=True)
class DecisionArtefactRow:
    reference: str
    title: str
    moves: bool


def decision_artefacts(decision_id: int) -> list[DecisionArtefactRow]:
    query = (
        select(Artefact.reference, Artefact.title, DecisionArtefact.moves)
        .join(DecisionArtefact, DecisionArtefact.artefact_id == Artefact.id)
        .where(DecisionArtefact.decision_id == decision_id)
        .order_by(Artefact.position, Artefact.reference)
    )
    return [DecisionArtefactRow(*row) for row in db.session.execute(query)]


@dataclass(frozen=True, slots=True)
class ArtefactDecision:
    """A decision as an artefact's page lists it: with the move it carries for the artefact."""

    reference: str
    meeting: str
    meeting_on: date | None
    text: str
    move_state: str | None  # set if the decision moves this artefact
    move_on: date | None


def artefact_decisions(artefact_id: int, scope: Scope) -> list[ArtefactDecision]:
    query = (
        select(
            Decision.reference,
            Meeting.reference,
            Meeting.held_on,
            Decision.text,
            DecisionArtefact.moves,
            Decision.move_state,
            Decision.move_on,
        )
        .join(DecisionArtefact, DecisionArtefact.decision_id == Decision.id)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .where(DecisionArtefact.artefact_id == artefact_id, *public_only(scope, Decision.public))
        .order_by(Decision.sort_key)
    )
    return [
        ArtefactDecision(
            ref, meeting, on, text, state if moves else None, move_on if moves else None
        )
        for ref, meeting, on, text, moves, state, move_on in db.session.execute(query)
    ]


def decision_count(scope: Scope) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Decision).where(*public_only(scope, Decision.public))
    )


def decisions_json(scope: Scope) -> list[dict[str, object]]:
    return [row.as_json() for row in decision_rows(scope)]


__all__ = [
    "ArtefactDecision",
    "DecisionArtefactRow",
    "DecisionFields",
    "DecisionRow",
    "StaleDecision",
    "artefact_decisions",
    "artefact_ids",
    "decision_artefacts",
    "decision_by_reference",
    "decision_count",
    "decision_rows",
    "decisions_json",
    "edit_decision",
    "next_decision_reference",
    "record_decision",
    "set_artefacts",
]
