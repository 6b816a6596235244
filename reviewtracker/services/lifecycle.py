"""The artefact lifecycle: moves between states and tranches, versions, the tracker's fields.

Every change of an artefact goes through here and is recorded as an ArtefactEvent (who, when,
the date it took effect, before, after, note, decision reference): the artefact's timeline.
The moves a state allows are vocabulary.STATE_MOVES; a refused move names them ("allowed from
here: ...").

`move_artefacts` is the one entry point for a move, from a lead's form, a bulk move, the
register import or a caller with its own unit of work (a governance decision that carries a
move passes its `decision_ref`). Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select, update

from importers.reference import TRANCHES
from importers.vocabulary import ARTEFACT_STATES, allowed_moves, refused_move_message

from ..extensions import db
from ..models import Artefact, ArtefactEvent, ArtefactVersion, Tranche, utcnow
from . import ServiceError

# The tracker's fields a lead edits (besides the state, the tranche and the version).
DETAIL_FIELDS = ("action_with", "expected_dag_month", "responsible")
DETAIL_LENGTHS = {"action_with": 120, "expected_dag_month": 7, "responsible": 120}
# How a field reads in the timeline.
EVENT_LABELS = {
    "state": "State",
    "tranche": "Tranche",
    "version": "Version",
    "action_with": "Action with",
    "expected_dag_month": "Expected DAG month",
    "responsible": "Responsible",
}
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_NOTE = 2000
MAX_DECISION_REF = 40


@dataclass(slots=True)
class MoveReport:
    """What a move did: the references moved, and those already where they were sent."""

    moved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Change:
    """How a change is recorded: by whom, from where, when it took effect, and why."""

    actor: str
    on: date | None = None
    note: str = ""
    decision_ref: str | None = None
    origin: str = "browser"  # ORIGINS: "browser" or "import"
    source_file: str | None = None


def version_label(text: str | None) -> str:
    """'v1.0' / 'V1.0' / ' 1.0 ' -> '1.0'; ServiceError for anything that is not a label."""
    label = (text or "").strip()
    if label[:1] in ("v", "V") and label[1:2].isdigit():
        label = label[1:]
    if not _VERSION.match(label):
        raise ServiceError(f"not a version: {text!r} (write it like 0.3, 1.0 or 1.1)")
    return label


def _event(artefact_id: int, name: str, before: object, after: object, change: Change) -> dict:
    return {
        "artefact_id": artefact_id,
        "field": name,
        "before": None if before is None else str(before),
        "after": None if after is None else str(after),
        "effective_on": change.on,
        "note": change.note[:MAX_NOTE],
        "decision_ref": change.decision_ref,
        "source_file": change.source_file,
        "actor": change.actor,
        "at": utcnow(),
        "origin": change.origin,
    }


def _record(events: list[dict]) -> None:
    if events:
        db.session.execute(insert(ArtefactEvent), events)


def _check_change(change: Change) -> None:
    if change.decision_ref is not None and len(change.decision_ref) > MAX_DECISION_REF:
        raise ServiceError(f"a decision reference is at most {MAX_DECISION_REF} characters")


def move_artefacts(
    ids: Iterable[int],
    to_state: str | None,
    *,
    on: date | None,
    note: str = "",
    decision_ref: str | None = None,
    actor: str,
    to_tranche: str | None = None,
    version: str | None = None,
    origin: str = "browser",
    source_file: str | None = None,
) -> MoveReport:
    """Move the artefacts `ids` to the state `to_state` and/or the tranche `to_tranche`, as of
    `on`, with a note and optionally a decision reference; with `version`, issue that version
    of each as part of the move ("baselined as v1.0"). All or nothing: if any artefact may not
    make the move, ServiceError names each one and the moves allowed from its state, and the
    caller's unit of work writes none of it. An artefact already in `to_state` (and tranche)
    is left as it is and reported unchanged. Flushes, never commits."""
    if to_state is None and to_tranche is None:
        raise ServiceError("say where to move: a state, a tranche or both")
    if to_state is not None and to_state not in ARTEFACT_STATES:
        raise ServiceError(f"unknown state {to_state!r}")
    if to_tranche is not None and to_tranche not in TRANCHES:
        raise ServiceError(f"unknown tranche {to_tranche!r}: choose one of {', '.join(TRANCHES)}")
    change = Change(actor, on, note.strip(), decision_ref or None, origin, source_file)
    _check_change(change)
    rows = _artefacts(ids)
    refusals = [
        refused_move_message(row.reference, row.state, to_state)
        for row in rows
        if to_state is not None
        and row.state != to_state
        and to_state not in allowed_moves(row.state)
    ]
    if refusals:
        raise ServiceError("; ".join(refusals))
    tranche_ids = dict(db.session.execute(select(Tranche.code, Tranche.id)).all())
    report, events = MoveReport(), []
    for row in rows:
        if version is not None:  # first: the timeline then reads "baselined", above "v1.0"
            issue_version(row.id, version, issued_on=on, change=change)
        moved = _move_one(row, to_state, to_tranche, tranche_ids, change, events)
        moved = moved or version is not None
        (report.moved if moved else report.unchanged).append(row.reference)
    _record(events)
    db.session.flush()
    return report


def _artefacts(ids: Iterable[int]) -> list:
    wanted = sorted(set(ids))
    if not wanted:
        raise ServiceError("no artefacts to move")
    rows = []
    for start in range(0, len(wanted), 500):
        rows += db.session.execute(
            select(Artefact.id, Artefact.reference, Artefact.state, Tranche.code)
            .outerjoin(Tranche, Tranche.id == Artefact.tranche_id)
            .where(Artefact.id.in_(wanted[start : start + 500]))
            .order_by(Artefact.position, Artefact.reference)
        ).all()
    if len(rows) != len(wanted):
        raise ServiceError("no such artefact")
    return rows


def _move_one(row, to_state, to_tranche, tranche_ids, change: Change, events: list) -> bool:
    values: dict[str, object] = {}
    if to_state is not None and row.state != to_state:
        values["state"] = to_state
        events.append(_event(row.id, "state", row.state, to_state, change))
    if to_tranche is not None and row.code != to_tranche:
        values["tranche_id"] = tranche_ids[to_tranche]
        events.append(_event(row.id, "tranche", row.code, to_tranche, change))
    if values:
        values["updated_at"] = utcnow()
        db.session.execute(update(Artefact).where(Artefact.id == row.id).values(values))
    return bool(values)


def issue_version(
    artefact_id: int,
    label: str,
    *,
    issued_on: date | None,
    change: Change,
) -> ArtefactVersion:
    """Issue a new version of an artefact: it becomes the artefact's current version, and the
    change is recorded. A label the artefact already has is refused."""
    _check_change(change)
    label = version_label(label)
    artefact = db.session.get(Artefact, artefact_id)
    if artefact is None:
        raise ServiceError("no such artefact")
    exists = db.session.scalar(
        select(ArtefactVersion.id).where(
            ArtefactVersion.artefact_id == artefact_id, ArtefactVersion.label == label
        )
    )
    if exists is not None:
        raise ServiceError(f"{artefact.reference} already has a version {label}")
    version = ArtefactVersion(
        artefact_id=artefact_id,
        label=label,
        issued_on=issued_on,
        note=change.note[:MAX_NOTE],
        created_by=change.actor,
    )
    db.session.add(version)
    _record([_event(artefact_id, "version", artefact.version, label, change)])
    artefact.version = label
    artefact.updated_at = utcnow()
    db.session.flush()
    return version


def set_details(artefact_id: int, values: dict[str, str | None], *, change: Change) -> list[str]:
    """Change the tracker's fields (action with, expected DAG month YYYY-MM, responsible);
    each changed field is recorded. Returns the names changed."""
    unknown = set(values) - set(DETAIL_FIELDS)
    if unknown:
        raise ServiceError(f"cannot change {', '.join(sorted(unknown))} here")
    artefact = db.session.get(Artefact, artefact_id)
    if artefact is None:
        raise ServiceError("no such artefact")
    events, changed = [], []
    for name, value in values.items():
        value = (value or "").strip() or None
        if value is not None and len(value) > DETAIL_LENGTHS[name]:
            raise ServiceError(f"{EVENT_LABELS[name]} is at most {DETAIL_LENGTHS[name]} characters")
        if name == "expected_dag_month" and value is not None and not _MONTH.match(value):
            raise ServiceError(f"not a month: {value!r} (write it as YYYY-MM, e.g. 2022-06)")
        if getattr(artefact, name) != value:
            events.append(_event(artefact_id, name, getattr(artefact, name), value, change))
            setattr(artefact, name, value)
            changed.append(name)
    if changed:
        artefact.updated_at = utcnow()
        _record(events)
        db.session.flush()
    return changed


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: object
    effective_on: date | None
    field: str
    label: str  # what changed, as the timeline heads it
    before: str | None  # as shown (a state's label, "Tranche 2", "v1.0")
    after: str | None
    note: str
    decision_ref: str | None
    actor: str
    origin: str
    source_file: str | None


def _shown(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if name == "state":
        term = ARTEFACT_STATES.get(value)
        return term.label if term else value
    if name == "tranche":
        return f"Tranche {value}"
    if name == "version":
        return f"v{value}"
    return value


def timeline(artefact_id: int) -> list[TimelineEntry]:
    """The artefact's recorded changes, newest first."""
    events = db.session.scalars(
        select(ArtefactEvent)
        .where(ArtefactEvent.artefact_id == artefact_id)
        .order_by(ArtefactEvent.at.desc(), ArtefactEvent.id.desc())
    )
    return [
        TimelineEntry(
            at=event.at,
            effective_on=event.effective_on,
            field=event.field,
            label=EVENT_LABELS.get(event.field, event.field),
            before=_shown(event.field, event.before),
            after=_shown(event.field, event.after),
            note=event.note,
            decision_ref=event.decision_ref,
            actor=event.actor,
            origin=event.origin,
            source_file=event.source_file,
        )
        for event in events
    ]


def versions_of(artefact_id: int) -> list[ArtefactVersion]:
    """The artefact's versions, latest first."""
    return list(
        db.session.scalars(
            select(ArtefactVersion)
            .where(ArtefactVersion.artefact_id == artefact_id)
            .order_by(ArtefactVersion.id.desc())
        )
    )


__all__ = [
    "DETAIL_FIELDS",
    "EVENT_LABELS",
    "Change",
    "MoveReport",
    "TimelineEntry",
    "issue_version",
    "move_artefacts",
    "set_details",
    "timeline",
    "version_label",
    "versions_of",
]
