"""The seam between a decision and the artefact lifecycle.

A decision may carry an artefact lifecycle move: "The SRO approved the baselining of the DES196
D-Flow and Interface Mapping" (DAG-DEC-57) moves DES196 to baselined on the meeting's date.
The decision service (services/decisions.py) calls ONE function for it, `apply_lifecycle_move`,
inside the caller's unit of work, right after it has written the decision: the decision and
the move are saved together, or (if either is refused) neither is.

`apply_lifecycle_move` records the request on the decision (`Decision.move_state`, the
target state's key; `Decision.move_on`, its date; `DecisionArtefact.moves`, which of the
decision's artefacts it moves: the decision page shows it) and makes the move through the
lifecycle's one move service (services/lifecycle.py `move_artefacts`), dated, with the
decision's reference on each artefact's timeline. A move the lifecycle refuses (not allowed
from an artefact's state) raises its ServiceError, which rolls the decision back with it.
Editing a decision applies its move again: an artefact already in the target state is left as
it is (the lifecycle reports it unchanged, and writes no second timeline entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from importers.vocabulary import ARTEFACT_STATES, Vocabulary

from ..extensions import db
from ..models import Artefact, Decision, DecisionArtefact
from . import ServiceError
from .lifecycle import move_artefacts


@dataclass(frozen=True, slots=True)
class RequestedMove:
    """Move these artefacts to `state` (a lifecycle state's key) on `on`."""

    artefact_ids: tuple[int, ...]
    state: str
    on: date


def target_states() -> Vocabulary:
    """The lifecycle states a decision may move artefacts to."""
    return ARTEFACT_STATES


def _check(move: RequestedMove) -> None:
    if move.state not in target_states():
        raise ServiceError(f"{move.state!r} is not an artefact lifecycle state")
    if not move.artefact_ids:
        raise ServiceError("a lifecycle move needs the artefacts it moves")
    found = set(db.session.scalars(select(Artefact.id).where(Artefact.id.in_(move.artefact_ids))))
    missing = sorted(set(move.artefact_ids) - found)
    if missing:
        raise ServiceError(f"no artefact with id {', '.join(map(str, missing))}")


def apply_lifecycle_move(decision: Decision, move: RequestedMove | None, actor: str) -> None:
    """Apply the lifecycle move a decision carries (None: it carries none, any earlier one is
    cleared). Records the request on the decision: the target state and date on the decision,
    and which of its artefacts move (an artefact moved is linked to the decision if it was
    not); then moves them, the decision's reference on their timelines. Flushes; the caller's
    unit of work commits. `actor` is who took the decision into the log."""
    links = {
        link.artefact_id: link
        for link in db.session.scalars(
            select(DecisionArtefact).where(DecisionArtefact.decision_id == decision.id)
        )
    }
    if move is None:
        decision.move_state = decision.move_on = None
        for link in links.values():
            link.moves = False
        db.session.flush()
        return
    _check(move)
    decision.move_state, decision.move_on = move.state, move.on
    for artefact_id in move.artefact_ids:
        if artefact_id not in links:
            links[artefact_id] = DecisionArtefact(decision_id=decision.id, artefact_id=artefact_id)
            db.session.add(links[artefact_id])
    for artefact_id, link in links.items():
        link.moves = artefact_id in move.artefact_ids
    db.session.flush()
    move_artefacts(
        move.artefact_ids,
        move.state,
        on=move.on,
        note=f"Decision {decision.reference}",
        decision_ref=decision.reference,
        actor=actor,
    )


__all__ = ["RequestedMove", "apply_lifecycle_move", "target_states"]
