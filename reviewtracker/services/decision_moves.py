"""The seam between a decision and the artefact lifecycle.

A decision may carry an artefact lifecycle move: "The SRO approved the baselining of the DES196
D-Flow and Interface Mapping" (DAG-DEC-57) moves DES196 to baselined on the meeting's date.
The decision service (services/decisions.py) calls ONE function for it, `apply_lifecycle_move`,
inside the caller's unit of work, right after it has written the decision: the decision and
the move are saved together, or (if either is refused) neither is.

What this installation does with the move: the artefact lifecycle (states, allowed moves, the
artefact's timeline) is not part of it yet, so `apply_lifecycle_move` validates the request and
records it on the decision: `Decision.move_state` (the target state's key), `Decision.move_on`
(its date) and `DecisionArtefact.moves` (which of the decision's artefacts it moves). The
artefact page lists the decision and its requested move. `target_states()` returns None, so the
decision form offers no move yet.

To wire when the artefact lifecycle lands (two places, both in this module):
1. `target_states()`: return the lifecycle's vocabulary of artefact states, so the decision form
   offers them and `apply_lifecycle_move` accepts only those keys.
2. `apply_lifecycle_move()`: after recording the request (keep that: it is how the decision
   page shows it), call the lifecycle's move service once per moved artefact with the target
   state, `move.on`, the actor and the decision's reference (the timeline shows it). A move the
   lifecycle refuses raises its ServiceError, which rolls the decision back with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from importers.vocabulary import Vocabulary

from ..extensions import db
from ..models import Artefact, Decision, DecisionArtefact
from . import ServiceError

_STATE_KEY = re.compile(r"^[a-z][a-z_]{0,39}$")


@dataclass(frozen=True, slots=True)
class RequestedMove:
    """Move these artefacts to `state` (a lifecycle state's key) on `on`."""

    artefact_ids: tuple[int, ...]
    state: str
    on: date


def target_states() -> Vocabulary | None:
    """The lifecycle states a decision may move artefacts to; None while this installation
    has no artefact lifecycle (see the module's docstring: the first thing to wire)."""
    return None


def _check(move: RequestedMove) -> None:
    states = target_states()
    if states is not None and move.state not in states:
        raise ServiceError(f"{move.state!r} is not an artefact lifecycle state")
    if states is None and not _STATE_KEY.match(move.state):
        raise ServiceError(f"{move.state!r} is not a lifecycle state's key")
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
    not). Flushes; the caller's unit of work commits. `actor` is who took the decision into
    the log, for the lifecycle's audit once it is wired."""
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


__all__ = ["RequestedMove", "apply_lifecycle_move", "target_states"]
